/**
 * Real tokens from the running authorization server, for stack tests and benchmarks: the demo
 * user's JWT (code flow, then the phantom-token introspection a gateway does), event tokens by
 * RFC 8693 token exchange as the Orders API gets them, and tokens signed with the server's own
 * key, read from its data folder, for cases the server would never issue (expired, wrong
 * scope). Runs on Deno (the sign-in helper reads `Deno.env`).
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import process from "node:process";
import * as jose from "jose";
import { loginWithCodeFlow } from "./login.ts";

/** Grant type and token type of RFC 8693. */
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** The demo secrets of the confidential clients. */
const SECRET = "Password1";

function env(name: string): string | undefined {
  return process.env[name];
}

/** Base URL of the server, from `IDSVR_URL`. */
export function idsvrUrl(): string {
  return env("IDSVR_URL") ?? "http://localhost:8443";
}

/** The issuer, as every token names it. */
export function issuer(): string {
  return `${idsvrUrl()}/oauth/v2/oauth-anonymous`;
}

interface Metadata {
  token_endpoint: string;
  introspection_endpoint: string;
  jwks_uri: string;
}

let metadata: Promise<Metadata> | undefined;

/** The server's discovery document, fetched once. */
export function discover(): Promise<Metadata> {
  metadata ??= (async () => {
    const response = await fetch(`${issuer()}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`Discovery answered ${response.status}`);
    return await response.json();
  })();
  return metadata;
}

/** The public JWKS the server publishes, as JSON. */
export async function publishedJwks(): Promise<jose.JSONWebKeySet> {
  const response = await fetch((await discover()).jwks_uri);
  if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
  return await response.json();
}

/**
 * The demo user's JWT access token for the HTTP APIs (`aud: api.example.com`), as the gateway
 * would forward it: sign-in by the code flow, then introspection with `Accept:
 * application/jwt`.
 */
export async function userJwt(): Promise<string> {
  const { accessToken } = await loginWithCodeFlow();
  const response = await fetch((await discover()).introspection_endpoint, {
    method: "POST",
    headers: {
      authorization: basic("introspect-client"),
      accept: "application/jwt",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ token: accessToken }),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`Phantom token introspection answered ${response.status}`);
  }
  return await response.text();
}

/** What an event token is bound to. */
export interface EventBinding {
  transactionId: string;
  eventId: string;
  /** base64url SHA-256 of the message value; omitted when undefined. */
  eventHash?: string;
}

/** An event token for `binding`, exchanged for `subjectToken` as the Orders API does. */
export async function eventToken(subjectToken: string, binding: EventBinding): Promise<string> {
  const response = await fetch((await discover()).token_endpoint, {
    method: "POST",
    headers: {
      authorization: basic("orders-api-client"),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      grant_type: TOKEN_EXCHANGE,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      scope: "trigger_invoicing",
      audience: "jobs.example.com",
      transaction_id: binding.transactionId,
      event_id: binding.eventId,
      ...(binding.eventHash === undefined ? {} : { event_hash: binding.eventHash }),
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (response.status !== 200 || typeof body.access_token !== "string") {
    throw new Error(`Token exchange answered ${response.status} ${body.error ?? ""}`.trim());
  }
  return body.access_token;
}

/** The base64url SHA-256 of `bytes`, as the `event_hash` claim carries it. */
export async function eventHash(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return jose.base64url.encode(new Uint8Array(digest));
}

/**
 * Signs `claims` with the server's active private key, read from `${STACK_DATA_DIR}/idsvr/
 * keys.json` (the format of `idsvr/data_dir.ts`), so that only what the test changes is wrong.
 */
export async function signWithServerKey(
  claims: jose.JWTPayload,
  header: Partial<jose.JWTHeaderParameters> = {},
): Promise<string> {
  const dataDir = env("IDSVR_DATA_DIR") ?? `${env("STACK_DATA_DIR") ?? ".data/test"}/idsvr`;
  const set = JSON.parse(await readFile(`${dataDir}/keys.json`, "utf8"));
  const active = set.keys.find((key: { state: string }) => key.state === "active");
  if (active === undefined) throw new Error(`No active key in "${dataDir}/keys.json"`);
  const key = await jose.importJWK(active.jwk, active.alg);
  return await new jose.SignJWT(claims)
    .setProtectedHeader({ alg: active.alg, kid: active.kid, typ: "at+jwt", ...header })
    .sign(key);
}

function basic(clientId: string): string {
  return `Basic ${btoa(`${encodeURIComponent(clientId)}:${SECRET}`)}`;
}
