/**
 * The one place where failures become HTTP answers: RFC 6750 challenges for token failures,
 * `application/problem+json` bodies with a stable `code` for everything.
 *
 * @module
 */

import { ServiceError } from "../../shared/errors.ts";
import { problem } from "../../shared/http/problem.ts";

/** Options of {@linkcode errorAnswer}. */
export interface ErrorAnswerOptions {
  requestId: string;
  /** The `realm` of the Bearer challenge. */
  realm: string;
}

// Clients learn what kind of failure it was; the log line, not the answer, names hosts and
// causes of server-side failures.
const PUBLIC_DETAIL: Record<string, string> = {
  authorization_server_unavailable: "The authorization server could not be reached",
  introspection_failed: "The authorization server gave no usable answer",
  upstream_unreachable: "The API could not be reached",
  upstream_timeout: "The API did not answer in time",
};

// Texts for error_description: RFC 6750 section 3 allows no '"' or '\' in them.
const TOKEN_DESCRIPTION: Record<string, string> = {
  token_malformed: "The access token is malformed",
  token_inactive: "The access token is expired, revoked or unknown",
};

/** Turns any thrown value into the answer the client gets. */
export function errorAnswer(error: unknown, options: ErrorAnswerOptions): Response {
  const failure = error instanceof ServiceError
    ? error
    : new ServiceError("internal_error", "Unexpected gateway failure", { status: 500 });

  const headers = new Headers({ "x-request-id": options.requestId });
  if (failure.status === 401) headers.set("www-authenticate", challenge(failure, options.realm));

  const detail = failure.status >= 500
    ? PUBLIC_DETAIL[failure.code] ?? "The gateway could not complete the request"
    : failure.message;
  return problem({ status: failure.status, code: failure.code, detail, headers });
}

// RFC 6750 section 3.1: a request without any credentials gets a challenge without an error
// code; a token that was presented and refused gets error="invalid_token".
function challenge(failure: ServiceError, realm: string): string {
  const description = TOKEN_DESCRIPTION[failure.code];
  if (failure.code === "token_missing" || !description) return `Bearer realm="${realm}"`;
  return `Bearer realm="${realm}", error="invalid_token", error_description="${description}"`;
}
