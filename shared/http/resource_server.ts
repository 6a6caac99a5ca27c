/**
 * What every API behind the gateway does with the bearer token and with failures: the token is
 * verified locally against a {@linkcode TokenPolicy}, and any failure becomes one answer, an
 * RFC 6750 challenge for token failures and an `application/problem+json` body with a stable
 * `code` for everything. Web APIs only.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { ServiceError } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import {
  type KeySource,
  type TokenPolicy,
  type VerifiedToken,
  verifyAccessToken,
} from "../auth/access_token.ts";
import { problem } from "./problem.ts";

/** Variables the middleware sets on the Hono context. */
export interface AuthVariables {
  /** The verified token of the caller. */
  token: VerifiedToken;
  /** The raw JWT, for a token exchange. */
  rawToken: string;
  requestId: string;
}

/** Reads the request id the gateway passed on, or makes one. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : crypto.randomUUID();
}

/**
 * Middleware that refuses a request without a valid token for `policy` and stores the verified
 * token in `c.var.token`.
 */
export function requireToken(
  keys: () => Promise<KeySource>,
  policy: TokenPolicy,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async function bearerToken(c, next) {
    const header = c.req.header("authorization");
    if (!header) {
      throw new ServiceError("token_missing", "The request has no bearer token", { status: 401 });
    }
    const match = /^Bearer ([\w.~+/-]+=*)$/i.exec(header);
    if (!match) {
      throw new ServiceError("token_malformed", "The Authorization header is not a bearer token", {
        status: 401,
        oauthError: "invalid_request",
      });
    }
    c.set("token", await verifyAccessToken(match[1], await keys(), policy));
    c.set("rawToken", match[1]);
    await next();
  };
}

/** Options of {@linkcode errorAnswer}. */
export interface ApiErrorOptions {
  logger: Logger;
  /** Scope to name in an `insufficient_scope` challenge. */
  scope: string;
  /** `realm` of the Bearer challenges. Default `"api"`. */
  realm?: string;
}

// For server-side failures clients learn what kind of failure it was; the log line, not the
// answer, names hosts and causes. A refused token exchange is the exception: its OAuth error
// concerns the caller's own token, so that message is passed on.
const PUBLIC_DETAIL: Record<string, string> = {
  keys_unavailable: "The authorization server's keys could not be fetched",
  authorization_server_unavailable: "The authorization server could not be reached",
  discovery_failed: "The authorization server gave no usable metadata",
  database_unavailable: "The database could not be reached",
};
const PASSED_ON = new Set(["token_exchange_refused"]);

// RFC 6750 section 3 allows no '"' or '\' in error_description.
function quoted(text: string): string {
  return text.replaceAll(/["\\]/g, "'");
}

/**
 * Turns any thrown value into the answer: 401 with `WWW-Authenticate: Bearer
 * error="invalid_token"`, 403 with `error="insufficient_scope"`, or the error's own status, with
 * a problem body. Unexpected errors are logged and answered 500 without detail.
 */
export function errorAnswer(error: unknown, c: Context, options: ApiErrorOptions): Response {
  const requestId = c.get("requestId") ?? requestIdOf(c.req.raw);
  const failure = error instanceof ServiceError ? error : undefined;
  if (!failure || failure.status >= 500) {
    options.logger.error("request failed", {
      requestId,
      method: c.req.method,
      path: c.req.path,
      code: failure?.code ?? "internal_error",
      error,
    });
  }
  if (!failure) {
    return problem({
      status: 500,
      code: "internal_error",
      detail: "The request could not be completed",
      headers: { "x-request-id": requestId },
    });
  }

  const headers = new Headers({ "x-request-id": requestId });
  const realm = `Bearer realm="${options.realm ?? "api"}"`;
  if (failure.status === 401) {
    const description = quoted(failure.message);
    headers.set(
      "www-authenticate",
      failure.code === "token_missing"
        ? realm
        : `${realm}, error="invalid_token", error_description="${description}"`,
    );
  } else if (failure.status === 403 && failure.oauthError === "insufficient_scope") {
    headers.set(
      "www-authenticate",
      `${realm}, error="insufficient_scope", scope="${options.scope}"`,
    );
  }
  const detail = failure.status < 500 || PASSED_ON.has(failure.code)
    ? failure.message
    : PUBLIC_DETAIL[failure.code] ?? "The service could not complete the request";
  const extra = "field" in failure ? { field: String(failure.field) } : {};
  return problem({ status: failure.status, code: failure.code, detail, headers, ...extra });
}
