/**
 * Error answers as RFC 9457 problem details (`application/problem+json`), with a stable `code`
 * member that clients can branch on without parsing the human-readable text.
 *
 * @module
 */

/** The members of a problem document this project writes. */
export interface ProblemOptions {
  /** HTTP status of the answer. */
  status: number;
  /** Stable, machine-readable code, e.g. `"token_inactive"`. */
  code: string;
  /** Short summary; defaults to the standard reason phrase of `status`. */
  title?: string;
  /** What went wrong for this request. Never a token, a secret or a whole payload. */
  detail?: string;
  /** URI naming the problem type. Default `"about:blank"` (RFC 9457 section 4.2.1). */
  type?: string;
  /** Extra headers, e.g. `WWW-Authenticate` or `X-Request-Id`. */
  headers?: HeadersInit;
  /** The request field that was wrong, for a validation failure, e.g. `"items[0].quantity"`. */
  field?: string;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The standard reason phrase of an HTTP status, or `"Error"` for one not listed. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Error";
}

/**
 * Builds an `application/problem+json` response. Error answers are never cached by clients or
 * shared caches (`Cache-Control: no-store`).
 *
 * @example
 * ```ts
 * return problem({ status: 404, code: "route_not_found", detail: 'No route for "/x"' });
 * ```
 */
export function problem(options: ProblemOptions): Response {
  const body = {
    type: options.type ?? "about:blank",
    title: options.title ?? reasonPhrase(options.status),
    status: options.status,
    detail: options.detail,
    code: options.code,
    field: options.field,
  };

  const headers = new Headers(options.headers);
  headers.set("content-type", "application/problem+json");
  headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status: options.status, headers });
}
