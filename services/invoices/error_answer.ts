/**
 * The one place where failures become HTTP answers: RFC 6750 challenges for token failures
 * and `application/problem+json` bodies with a stable `code`.
 *
 * @module
 */

import { ServiceError } from "../../shared/errors.ts";
import { problem } from "../../shared/http/problem.ts";

// Server-side causes stay in the log; clients learn only what kind of failure it was.
const PUBLIC_DETAIL: Record<string, string> = {
  keys_unavailable: "The authorization server's keys could not be fetched",
  authorization_server_unavailable: "The authorization server could not be reached",
  discovery_failed: "The authorization server gave no usable metadata",
};

/** Options of {@linkcode errorAnswer}. */
export interface ErrorAnswerOptions {
  /** `realm` of the Bearer challenge. */
  realm: string;
  /** The scope the API requires, named in `insufficient_scope` challenges. */
  scope: string;
}

/** Turns any thrown value into the answer the client gets. */
export function errorAnswer(error: unknown, options: ErrorAnswerOptions): Response {
  const failure = error instanceof ServiceError
    ? error
    : new ServiceError("internal_error", "Unexpected failure", { status: 500 });

  const headers = new Headers();
  const challenge = bearerChallenge(failure, options);
  if (challenge !== undefined) headers.set("www-authenticate", challenge);

  const detail = failure.status >= 500
    ? PUBLIC_DETAIL[failure.code] ?? "The service could not complete the request"
    : failure.message;
  return problem({ status: failure.status, code: failure.code, detail, headers });
}

// RFC 6750 section 3: no error code without credentials; invalid_token for a refused token;
// insufficient_scope with the scope needed. Descriptions may not hold '"' or '\'.
function bearerChallenge(failure: ServiceError, options: ErrorAnswerOptions): string | undefined {
  const realm = `Bearer realm="${options.realm}"`;
  if (failure.code === "token_missing") return realm;
  if (failure.status === 401) {
    const description = failure.message.replace(/["\\]/g, "'");
    return `${realm}, error="invalid_token", error_description="${description}"`;
  }
  if (failure.status === 403 && failure.oauthError === "insufficient_scope") {
    return `${realm}, error="insufficient_scope", scope="${options.scope}"`;
  }
  return undefined;
}
