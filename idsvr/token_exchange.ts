/**
 * The rules of RFC 8693 token exchange as this server applies them, apart from the provider:
 * which parameters a request needs, what each client may ask for, how the subject token is
 * verified, and which claims bind the issued token to one event.
 *
 * Every refusal is a {@linkcode ServiceError} whose `oauthError` is the RFC 8693 §2.2.2 /
 * RFC 6749 §5.2 error code; the grant handler translates it at the edge.
 *
 * @module
 */

import { errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { ServiceError } from "../shared/errors.ts";
import type { ExchangePolicy } from "./clients.ts";

/** Token type identifiers of RFC 8693 §3. */
export const TOKEN_TYPES = {
  accessToken: "urn:ietf:params:oauth:token-type:access_token",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
} as const;

/** The request parameters the grant reads (all optional on the wire). */
export interface ExchangeParams {
  subject_token?: string;
  subject_token_type?: string;
  requested_token_type?: string;
  actor_token?: string;
  scope?: string;
  audience?: string;
  transaction_id?: string;
  event_id?: string;
  event_hash?: string;
}

/** Names of the parameters the grant accepts, for `registerGrantType`. */
export const EXCHANGE_PARAMETERS: readonly (keyof ExchangeParams)[] = [
  "subject_token",
  "subject_token_type",
  "requested_token_type",
  "actor_token",
  "scope",
  "audience",
  "transaction_id",
  "event_id",
  "event_hash",
];

/** A request that passed every check but the subject token's. */
export interface ExchangeRequest {
  subjectToken: string;
  audience: string;
  scopes: string[];
  transactionId: string;
  eventId: string;
  eventHash?: string;
}

/** The claims of a verified subject token that the exchange carries over. */
export interface SubjectClaims {
  sub: string;
  client_id: string;
  jti: string;
  delegation_id?: string;
  act?: Record<string, unknown>;
}

// Identifiers travel in tokens and logs: visible ASCII only, bounded.
const IDENTIFIER = /^[\x21-\x7e]{1,128}$/;
// base64url of a SHA-256 digest: 32 bytes, 43 characters, no padding.
const SHA256_BASE64URL = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/**
 * Checks the parameters against RFC 8693 and the client's exchange policy, in this order:
 * presence and form (`invalid_request`), audience (`invalid_target`), scope (`invalid_scope`).
 */
export function checkExchangeRequest(
  params: ExchangeParams,
  policy: ExchangePolicy | undefined,
): ExchangeRequest {
  const subjectToken = required(params, "subject_token");
  const subjectType = required(params, "subject_token_type");
  if (subjectType !== TOKEN_TYPES.accessToken && subjectType !== TOKEN_TYPES.jwt) {
    throw invalidRequest(
      "unsupported_token_type",
      `Unsupported subject_token_type "${subjectType}"`,
    );
  }
  const requestedType = params.requested_token_type;
  if (requestedType !== undefined && requestedType !== TOKEN_TYPES.accessToken) {
    throw invalidRequest(
      "unsupported_token_type",
      `Unsupported requested_token_type "${requestedType}"`,
    );
  }
  if (params.actor_token !== undefined) {
    throw invalidRequest("unsupported_parameter", "actor_token is not supported");
  }

  const scope = required(params, "scope");
  const audience = required(params, "audience");
  const transactionId = identifier(params, "transaction_id");
  const eventId = identifier(params, "event_id");
  const eventHash = params.event_hash;
  if (eventHash !== undefined && !SHA256_BASE64URL.test(eventHash)) {
    throw invalidRequest("malformed_parameter", "event_hash must be a base64url SHA-256 digest");
  }

  if (policy === undefined || !policy.audiences.includes(audience)) {
    throw new ServiceError("audience_not_allowed", `Audience "${audience}" is not allowed`, {
      status: 400,
      oauthError: "invalid_target",
    });
  }
  const scopes = [...new Set(scope.split(" ").filter((item) => item !== ""))];
  const refused = scopes.find((item) => !policy.scopes.includes(item));
  if (scopes.length === 0 || refused !== undefined) {
    throw new ServiceError("scope_not_allowed", `Scope "${refused ?? ""}" is not allowed`, {
      status: 400,
      oauthError: "invalid_scope",
    });
  }

  return { subjectToken, audience, scopes, transactionId, eventId, eventHash };
}

/** Options of {@linkcode verifySubjectToken}. */
export interface VerifySubjectOptions {
  /** The server's public keys, e.g. `createLocalJWKSet(publicJwks(keys))`. */
  keys: JWTVerifyGetKey;
  issuer: string;
  /** The audience a user token must have: the HTTP APIs. */
  audience: string;
  algorithms: string[];
  /** Clock, replaceable in tests. */
  now?: Date;
}

/**
 * Verifies that the subject token is a user access token of this server for the HTTP APIs:
 * signature by a published key, `typ: at+jwt` (RFC 9068 §4, RFC 8725 §3.11), issuer,
 * audience, expiry, and the claims the exchange carries over.
 */
export async function verifySubjectToken(
  token: string,
  options: VerifySubjectOptions,
): Promise<SubjectClaims> {
  try {
    const { payload } = await jwtVerify(token, options.keys, {
      issuer: options.issuer,
      audience: options.audience,
      typ: "at+jwt",
      algorithms: options.algorithms,
      requiredClaims: ["sub", "client_id", "jti", "exp", "iat"],
      currentDate: options.now,
    });
    return payload as unknown as SubjectClaims;
  } catch (cause) {
    if (cause instanceof errors.JWTExpired) {
      throw invalidGrant("subject_token_expired", "The subject token has expired", cause);
    }
    if (cause instanceof errors.JOSEError) {
      throw invalidGrant("subject_token_invalid", "The subject token is not valid", cause);
    }
    throw cause;
  }
}

/**
 * The claims that bind the issued token to one event and record who acts for whom.
 *
 * `act` follows RFC 8693 §4.1: the outer actor is the client that asked for the exchange,
 * and the nested actor is the client the user had delegated to (the subject token's
 * `client_id`), or the subject token's own `act` chain when it has one. `delegation_id`
 * carries the subject token's link to the user's original authorization (the grant).
 */
export function boundClaims(
  request: ExchangeRequest,
  subject: SubjectClaims,
  actorClientId: string,
): Record<string, unknown> {
  const prior = subject.act ?? { sub: subject.client_id };
  return {
    transaction_id: request.transactionId,
    event_id: request.eventId,
    ...(request.eventHash === undefined ? {} : { event_hash: request.eventHash }),
    ...(subject.delegation_id === undefined ? {} : { delegation_id: subject.delegation_id }),
    act: { sub: actorClientId, act: prior },
  };
}

function required(params: ExchangeParams, name: keyof ExchangeParams): string {
  const value = params[name];
  if (value === undefined || value === "") {
    throw invalidRequest("missing_parameter", `Missing required parameter "${name}"`);
  }
  return value;
}

function identifier(params: ExchangeParams, name: "transaction_id" | "event_id"): string {
  const value = required(params, name);
  if (!IDENTIFIER.test(value)) {
    throw invalidRequest(
      "malformed_parameter",
      `${name} must be 1 to 128 visible ASCII characters`,
    );
  }
  return value;
}

function invalidRequest(code: string, message: string): ServiceError {
  return new ServiceError(code, message, { status: 400, oauthError: "invalid_request" });
}

function invalidGrant(code: string, message: string, cause: unknown): ServiceError {
  return new ServiceError(code, message, { status: 400, oauthError: "invalid_grant", cause });
}
