/**
 * Takes the bearer token out of an `Authorization` value (RFC 6750 section 2.1), for HTTP
 * requests and for Kafka message headers alike. A message must carry the header exactly once:
 * with two, a consumer and an inspecting operator could each read a different one.
 *
 * Web APIs only.
 *
 * @module
 */

import { ServiceError } from "../../shared/errors.ts";

/** Longer tokens are refused before any parsing or signature check. */
export const MAX_TOKEN_LENGTH = 8192;

// RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// The scheme name is case-insensitive (RFC 9110 section 11.1).
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token of an HTTP request's `Authorization` header. Throws `token_missing` (401) without
 * Bearer credentials and `token_malformed` (401) when they do not have the RFC 6750 form.
 */
export function requestBearer(header: string | null | undefined): string {
  const value = header?.trim() ?? "";
  if (value === "" || !/^bearer(\s|$)/i.test(value)) {
    throw new ServiceError("token_missing", "Request has no Bearer token", { status: 401 });
  }
  return bearerOr(
    value,
    () =>
      new ServiceError("token_malformed", "Authorization header is not a valid Bearer token", {
        status: 401,
        oauthError: "invalid_token",
      }),
  );
}

/**
 * The token of a message's `Authorization` header, matched by name case-insensitively. Throws
 * `authorization_header_missing`, `authorization_header_duplicated` or
 * `authorization_header_malformed` (all 401).
 */
export function messageBearer(values: readonly string[]): string {
  if (values.length === 0) {
    throw refused("authorization_header_missing", "Message has no Authorization header");
  }
  if (values.length > 1) {
    throw refused(
      "authorization_header_duplicated",
      `Message has ${values.length} Authorization headers, expected one`,
    );
  }
  return bearerOr(
    values[0].trim(),
    () => refused("authorization_header_malformed", "Authorization header is not a Bearer token"),
  );
}

/** The token inside a `Bearer` value, or `undefined` when the value has another form. */
export function bearerToken(value: string): string | undefined {
  const match = BEARER.exec(value.trim());
  if (!match || match[1].length > MAX_TOKEN_LENGTH) return undefined;
  return match[1];
}

function bearerOr(value: string, failure: () => ServiceError): string {
  const token = bearerToken(value);
  if (token === undefined) throw failure();
  return token;
}

function refused(code: string, message: string): ServiceError {
  return new ServiceError(code, message, { status: 401, oauthError: "invalid_token" });
}
