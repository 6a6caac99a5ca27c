/**
 * Cross-site request forgery protection for the login form: a signed double-submit token.
 * A random nonce goes into a `SameSite=Strict` cookie scoped to the interaction, and the form
 * carries an HMAC of the interaction id and that nonce. Another site can neither read the
 * cookie nor compute the HMAC without the server's key, and a token minted for one
 * interaction is useless for another.
 *
 * @module
 */

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Name of the cookie holding the nonce. */
export const CSRF_COOKIE = "idsvr_csrf";

/** Name of the hidden form field holding the signed token. */
export const CSRF_FIELD = "csrf_token";

/** Issues and checks form tokens bound to one interaction. */
export interface CsrfGuard {
  /** A fresh nonce for the cookie and the matching token for the form. */
  issue(uid: string): { nonce: string; token: string };
  /** The token that matches `nonce` for this interaction. */
  tokenFor(uid: string, nonce: string): string;
  /** True when the submitted form token matches the cookie's nonce for this interaction. */
  verify(uid: string, nonce: string | undefined, token: string | undefined): boolean;
}

/** Creates a guard signing with `key` (at least 32 characters, e.g. a cookie key). */
export function createCsrfGuard(key: string): CsrfGuard {
  if (key.length < 32) throw new RangeError("The CSRF key must have at least 32 characters");

  function tokenFor(uid: string, nonce: string): string {
    return createHmac("sha256", key).update(`csrf:${uid}:${nonce}`).digest("base64url");
  }

  return {
    issue(uid) {
      const nonce = randomBytes(16).toString("base64url");
      return { nonce, token: tokenFor(uid, nonce) };
    },
    tokenFor,
    verify(uid, nonce, token) {
      if (!nonce || !token) return false;
      const expected = new TextEncoder().encode(tokenFor(uid, nonce));
      const given = new TextEncoder().encode(token);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
