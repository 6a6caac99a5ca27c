/**
 * Validates JWT access tokens (RFC 9068) with the rules of RFC 8725: an algorithm allow-list,
 * explicit typing (`typ: at+jwt`), the exact issuer, one audience, expiry and not-before with a
 * small leeway, a required scope, and a ceiling on the token's lifetime. One policy per kind of
 * token keeps one kind from passing for another: a 7-day event token (audience
 * `jobs.example.com`) fails an HTTP API's policy on audience, scope and lifetime alike.
 *
 * Web APIs only: runs on Deno, Bun and Node.
 *
 * @module
 */
import * as jose from "jose";
import { ServiceError } from "../errors.ts";

/** What a token must satisfy. */
export interface TokenPolicy {
  issuer: string;
  audience: string;
  /** Every one of these must be in the space-separated `scope` claim. */
  scopes: string[];
  /** Signature algorithms accepted (RFC 8725 section 3.1). Never `none` or an HMAC. */
  algorithms: string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. */
  clockToleranceSec: number;
  /** Refuse tokens whose `exp - iat` exceeds this, in seconds. */
  maxLifetimeSec: number;
  /** Claims that must be present besides the RFC 9068 ones. */
  requiredClaims?: string[];
  /** Clock, replaceable in tests. */
  now?: () => Date;
}

/** The claims of a token that passed. */
export interface VerifiedToken {
  sub: string;
  clientId: string;
  jti: string;
  scopes: string[];
  exp: number;
  claims: jose.JWTPayload;
}

/** Where the verification keys come from: a JWKS, cached (see {@linkcode remoteKeys}). */
export type KeySource = jose.JWTVerifyGetKey;

/** Algorithms the system signs with; HMAC and `none` are never among them. */
export const ASYMMETRIC_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"];

/**
 * The authorization server's JWKS, fetched once and kept. A token with an unknown `kid` makes
 * it fetch again, at most once per `cooldownMs`, so that key rotation needs no restart and a
 * flood of forged `kid`s cannot turn into a flood of requests.
 */
export function remoteKeys(
  jwksUri: URL,
  options: { cooldownMs?: number; maxAgeMs?: number; timeoutMs?: number; fetch?: typeof fetch } =
    {},
): KeySource {
  return jose.createRemoteJWKSet(jwksUri, {
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.maxAgeMs ?? 10 * 60_000,
    timeoutDuration: options.timeoutMs ?? 5_000,
    [jose.customFetch]: options.fetch,
  });
}

/**
 * Verifies `token` against `policy`. Throws {@linkcode ServiceError} with a stable code: 401
 * codes for a token that must be refused, 403 `insufficient_scope`, and 503
 * `keys_unavailable` when the keys cannot be fetched (a transient failure, not the token's).
 */
export async function verifyAccessToken(
  token: string,
  keys: KeySource,
  policy: TokenPolicy,
): Promise<VerifiedToken> {
  const now = policy.now?.() ?? new Date();
  let payload: jose.JWTPayload;
  try {
    ({ payload } = await jose.jwtVerify(token, keys, {
      issuer: policy.issuer,
      audience: policy.audience,
      algorithms: policy.algorithms,
      typ: "at+jwt",
      clockTolerance: policy.clockToleranceSec,
      currentDate: now,
      requiredClaims: ["iss", "sub", "aud", "exp", "iat", "jti", "client_id"],
    }));
  } catch (error) {
    throw translate(error);
  }

  const missing = (policy.requiredClaims ?? []).filter((claim) => payload[claim] === undefined);
  if (missing.length > 0) {
    throw refused("token_claim_missing", `Token lacks the claim "${missing[0]}"`);
  }
  const lifetime = payload.exp! - payload.iat!;
  if (lifetime > policy.maxLifetimeSec) {
    throw refused(
      "token_lifetime_exceeded",
      `Token lifetime of ${lifetime} s exceeds the ${policy.maxLifetimeSec} s accepted here`,
    );
  }
  if (payload.iat! > now.getTime() / 1000 + policy.clockToleranceSec) {
    throw refused("token_not_yet_valid", "Token was issued in the future");
  }

  const scopes = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
  const lacking = policy.scopes.filter((scope) => !scopes.includes(scope));
  if (lacking.length > 0) {
    throw new ServiceError("insufficient_scope", `Token lacks the scope "${lacking[0]}"`, {
      status: 403,
      oauthError: "insufficient_scope",
    });
  }

  return {
    sub: String(payload.sub),
    clientId: String(payload.client_id),
    jti: String(payload.jti),
    scopes,
    exp: payload.exp!,
    claims: payload,
  };
}

/** True for errors that say nothing about the token: retry later instead of refusing it. */
export function isTransient(error: unknown): boolean {
  return error instanceof ServiceError && error.status >= 500;
}

function refused(code: string, message: string, cause?: unknown): ServiceError {
  return new ServiceError(code, message, { status: 401, oauthError: "invalid_token", cause });
}

// jose's errors become this project's stable codes in this one place.
function translate(error: unknown): ServiceError {
  if (error instanceof jose.errors.JWTExpired) {
    return refused("token_expired", "Token has expired", error);
  }
  if (error instanceof jose.errors.JWTClaimValidationFailed) {
    const byClaim: Record<string, [string, string]> = {
      iss: ["token_wrong_issuer", "Token was issued by another issuer"],
      aud: ["token_wrong_audience", "Token is meant for another audience"],
      typ: ["token_wrong_type", 'Token is not of type "at+jwt"'],
      nbf: ["token_not_yet_valid", "Token is not valid yet"],
      iat: ["token_not_yet_valid", "Token has an invalid issue time"],
    };
    const [code, message] = byClaim[error.claim] ??
      ["token_claim_missing", `Token claim "${error.claim}" is missing or invalid`];
    return refused(code, message, error);
  }
  if (error instanceof jose.errors.JOSEAlgNotAllowed) {
    return refused(
      "token_algorithm_not_allowed",
      "Token is signed with an algorithm not allowed",
      error,
    );
  }
  if (error instanceof jose.errors.JWKSNoMatchingKey) {
    return refused(
      "token_unknown_key",
      "Token is signed with a key the issuer does not publish",
      error,
    );
  }
  if (error instanceof jose.errors.JWSSignatureVerificationFailed) {
    return refused("token_signature_invalid", "Token signature is invalid", error);
  }
  if (
    error instanceof jose.errors.JWKSTimeout || error instanceof jose.errors.JWKSInvalid ||
    isFetchFailure(error)
  ) {
    return new ServiceError("keys_unavailable", "The issuer's signing keys cannot be fetched", {
      status: 503,
      cause: error,
    });
  }
  if (error instanceof jose.errors.JOSEError) {
    return refused("token_malformed", "Token is not a well-formed signed JWT", error);
  }
  return new ServiceError("keys_unavailable", "The issuer's signing keys cannot be fetched", {
    status: 503,
    cause: error,
  });
}

// Network failures surface as TypeError (fetch) or as jose's generic error about the JWKS answer.
function isFetchFailure(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  if (error instanceof DOMException) return true;
  return error instanceof jose.errors.JOSEError && error.code === "ERR_JOSE_GENERIC" &&
    /JSON Web Key Set/i.test(error.message);
}
