/**
 * The stable codes of the console client's failures. Every failure a user must react to is a
 * {@linkcode ServiceError} carrying one of these codes, so the CLI, the demo and the tests branch
 * on the code and never on the wording.
 *
 * @module
 */

import { ServiceError } from "../shared/errors.ts";

export { ServiceError };

/** Codes of the sign-in and of the calls through the gateway. */
export const CLIENT_ERRORS = {
  /** The authorization server could not be reached, or timed out. */
  serverUnavailable: "authorization_server_unavailable",
  /** Discovery answered, but not with usable metadata for the issuer. */
  discoveryFailed: "discovery_failed",
  /** The server does not offer PKCE with S256. */
  pkceUnsupported: "pkce_unsupported",
  /** The loopback listener could not be started (usually: port taken). */
  listenerFailed: "listener_failed",
  /** The user pressed "Cancel" on the sign-in page (`error=access_denied`). */
  loginCancelled: "login_cancelled",
  /** The redirect carried another OAuth error. */
  authorizationFailed: "authorization_failed",
  /** The redirect carried a `state` this sign-in did not send. */
  stateMismatch: "state_mismatch",
  /** The redirect was malformed: wrong issuer, no code. */
  invalidCallback: "invalid_callback",
  /** No redirect arrived in time. */
  loginTimeout: "login_timeout",
  /** The token endpoint refused the code. */
  tokenRequestFailed: "token_request_failed",
  /** The gateway could not be reached, or timed out. */
  gatewayUnavailable: "gateway_unavailable",
  /** An API answered with something other than the expected JSON. */
  unexpectedAnswer: "unexpected_answer",
  /** The order's event was not published in time. */
  publicationTimeout: "publication_timeout",
  /** No invoice appeared for the order in time. */
  invoiceTimeout: "invoice_timeout",
} as const;

/** Whether `error` is a {@linkcode ServiceError} with `code`. */
export function hasCode(error: unknown, code: string): error is ServiceError {
  return error instanceof ServiceError && error.code === code;
}
