/**
 * The one error family that callers and operators react to. Configuration mistakes are not in
 * it: those throw `TypeError` or `RangeError` at start-up, before anything is served.
 *
 * @module
 */

/** Options of {@linkcode ServiceError}. */
export interface ServiceErrorOptions {
  /** HTTP status to answer with. */
  status: number;
  /** OAuth `error` value (RFC 6749 §5.2, RFC 6750 §3.1) where one applies. */
  oauthError?: string;
  /** The error this one translates. */
  cause?: unknown;
}

/**
 * An error with a stable, machine-readable `code` (e.g. `"token_expired"`), the HTTP `status`
 * it maps to, and the OAuth `error` where one applies. Messages name what failed and never
 * carry a token, a secret or a whole payload.
 */
export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly oauthError?: string;

  constructor(code: string, message: string, options: ServiceErrorOptions) {
    super(message, { cause: options.cause });
    this.name = "ServiceError";
    this.code = code;
    this.status = options.status;
    this.oauthError = options.oauthError;
  }
}
