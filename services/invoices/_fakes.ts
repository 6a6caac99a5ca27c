/**
 * Test helpers of the Invoices API: a local issuer that signs tokens with its own key and
 * publishes a local JWKS, and builders of `OrderCreated` messages.
 *
 * @module
 */

import * as jose from "jose";
import type { KeySource } from "../../shared/auth/access_token.ts";
import type { LogFields, Logger } from "../../shared/log/logger.ts";
import { createLogger } from "../../shared/log/logger.ts";
import { sha256Base64url } from "./digest.ts";
import type { SourceMessage } from "./event_check.ts";

export const ISSUER = "https://idsvr.test/oauth/v2/oauth-anonymous";
export const NOW = new Date("2026-12-03T10:00:00Z");
export const NOW_SEC = Math.floor(NOW.getTime() / 1000);

/** A signing key with its public JWKS. */
export interface TestIssuer {
  keys: KeySource;
  jwks: jose.JSONWebKeySet;
  privateKey: jose.CryptoKey;
  kid: string;
  sign(
    claims: Record<string, unknown>,
    header?: Partial<jose.JWTHeaderParameters>,
  ): Promise<string>;
}

/** Creates an RS256 issuer whose JWKS holds its one key. */
export async function testIssuer(kid = "test-key-1"): Promise<TestIssuer> {
  const { privateKey, publicKey } = await jose.generateKeyPair("RS256", { extractable: true });
  const jwk = { ...await jose.exportJWK(publicKey), kid, alg: "RS256", use: "sig" };
  const jwks = { keys: [jwk] };
  return {
    keys: jose.createLocalJWKSet(jwks),
    jwks,
    privateKey,
    kid,
    sign: (claims, header = {}) =>
      new jose.SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid, ...header })
        .sign(privateKey),
  };
}

/** An order value as the Orders API writes it. */
export function orderValue(overrides: Record<string, unknown> = {}): Uint8Array {
  const order = {
    eventID: crypto.randomUUID(),
    utcTime: "2026-12-03T09:59:00.000Z",
    currency: "USD",
    items: [{ itemID: 1, quantity: 2, price: 19.99 }, { itemID: 7, quantity: 1, price: 0.1 }],
    ...overrides,
  };
  return new TextEncoder().encode(JSON.stringify(order));
}

/** The claims of a valid event token bound to `value`. */
export async function eventClaims(
  value: Uint8Array,
  transactionId: string,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  let eventId: unknown = crypto.randomUUID();
  try {
    eventId = JSON.parse(new TextDecoder().decode(value)).eventID ?? eventId;
  } catch {
    // A malformed value still gets a token bound to its bytes.
  }
  return {
    iss: ISSUER,
    sub: "demouser",
    aud: "jobs.example.com",
    scope: "trigger_invoicing",
    client_id: "orders-api-client",
    jti: crypto.randomUUID(),
    iat: NOW_SEC - 60,
    exp: NOW_SEC - 60 + 7 * 24 * 3600,
    event_id: eventId,
    transaction_id: transactionId,
    event_hash: await sha256Base64url(value),
    ...overrides,
  };
}

/** Options of {@linkcode eventMessage}. */
export interface MessageOptions {
  value?: Uint8Array;
  /** Token claims to override; `undefined` values remove the claim. */
  claims?: Record<string, unknown>;
  /** The Authorization header values; default one `Bearer <valid token>`. */
  authorization?: (token: string) => string[];
  offset?: number;
  partition?: number;
  key?: string | null;
}

/** A message with a valid event token unless told otherwise. */
export async function eventMessage(
  issuer: TestIssuer,
  options: MessageOptions = {},
): Promise<SourceMessage> {
  const value = options.value ?? orderValue();
  const transactionId = crypto.randomUUID();
  const claims = await eventClaims(value, transactionId, options.claims);
  for (const [name, claim] of Object.entries(claims)) if (claim === undefined) delete claims[name];
  const token = await issuer.sign(claims);
  const authorization = options.authorization?.(token) ?? [`Bearer ${token}`];
  const encoder = new TextEncoder();
  const key = options.key === undefined ? transactionId : options.key;
  return {
    topic: "OrderCreated",
    partition: options.partition ?? 0,
    offset: String(options.offset ?? 0),
    key: key === null ? null : encoder.encode(key),
    value,
    headers: [
      ["trace-id", encoder.encode("t-1")],
      ...authorization.map((
        header,
      ): [string, Uint8Array] => ["Authorization", encoder.encode(header)]),
    ],
  };
}

/** A logger that keeps its lines for assertions. */
export function recordingLogger(): { logger: Logger; lines: Array<LogFields> } {
  const lines: LogFields[] = [];
  const logger = createLogger({
    name: "test",
    level: "debug",
    write: (l) => lines.push(JSON.parse(l)),
  });
  return { logger, lines };
}
