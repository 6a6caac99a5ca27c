/**
 * Takes the bearer token out of an `Authorization` header (RFC 6750 section 2.1).
 *
 * @module
 */

import { ServiceError } from "../../shared/errors.ts";

/** Longer tokens are refused before any hashing or network call. */
export const MAX_TOKEN_LENGTH = 4096;

// RFC 6750 section 2.1:
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The opaque token of a request. Throws `token_missing` (401) when the request carries no
 * bearer credentials at all, including another scheme such as `Basic`, and `token_malformed`
 * (401) when the Bearer credentials do not have the RFC 6750 form.
 */
export function bearerToken(authorization: string | undefined | null): string {
  const header = authorization?.trim() ?? "";
  if (header === "" || !/^bearer(\s|$)/i.test(header)) {
    throw new ServiceError("token_missing", "Request has no Bearer token", { status: 401 });
  }

  const match = BEARER.exec(header);
  if (!match || match[1].length > MAX_TOKEN_LENGTH) {
    throw new ServiceError("token_malformed", "Authorization header is not a valid Bearer token", {
      status: 401,
      oauthError: "invalid_token",
    });
  }
  return match[1];
}
