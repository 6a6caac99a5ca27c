/**
 * Asks the authorization server what an opaque token stands for. With `Accept: application/jwt`
 * the server answers an active token with the JWT access token itself (the phantom-token
 * pattern), which the gateway forwards to the APIs; the JWT is decoded here, not verified: the
 * APIs verify it.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { decodeJwt } from "jose";
import { ServiceError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log/logger.ts";

/** What the authorization server said about a token. */
export type IntrospectionResult =
  | { active: true; jwt: string; /** The JWT's `exp`, in seconds since the epoch. */ exp?: number }
  | { active: false };

/** Options of {@linkcode createIntrospector}. */
export interface IntrospectorOptions {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** Replaceable in tests. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Per HTTP call to the authorization server. */
  timeoutMs: number;
  logger: Logger;
}

/** Introspects one opaque token; throws {@linkcode ServiceError} when no answer can be had. */
export type Introspect = (token: string) => Promise<IntrospectionResult>;

/**
 * Creates the introspection client. The server's metadata is discovered on first use and kept;
 * a failed discovery is retried on the next call.
 *
 * Codes thrown: `authorization_server_unavailable` (503: unreachable, timed out, or a 5xx) and
 * `introspection_failed` (502: the server answered, but not usably, e.g. it rejected the
 * gateway's client credentials; that is a configuration problem of the gateway, not of the user).
 */
export function createIntrospector(options: IntrospectorOptions): Introspect {
  const doFetch = options.fetch ?? fetch;
  const client: oauth.Client = { client_id: options.clientId };
  const clientAuth = oauth.ClientSecretBasic(options.clientSecret);
  const http = {
    signal: () => AbortSignal.timeout(options.timeoutMs),
    // oauth4webapi refuses plain http unless told; only the issuer's own scheme decides.
    [oauth.allowInsecureRequests]: options.issuer.protocol === "http:",
  };
  let metadata: Promise<oauth.AuthorizationServer> | undefined;

  function discover(): Promise<oauth.AuthorizationServer> {
    metadata ??= discoverMetadata(options.issuer, {
      ...http,
      [oauth.customFetch]: guarded(doFetch),
    })
      .then((as) => {
        options.logger.info("authorization server discovered", {
          issuer: as.issuer,
          introspectionEndpoint: as.introspection_endpoint,
        });
        return as;
      })
      .catch((error) => {
        metadata = undefined;
        throw error;
      });
    return metadata;
  }

  return async function introspect(token: string): Promise<IntrospectionResult> {
    const as = await discover();
    const response = await oauth.introspectionRequest(as, client, clientAuth, token, {
      ...http,
      [oauth.customFetch]: guarded(askForJwt(doFetch)),
    });
    return await readAnswer(as, client, response);
  };
}

async function discoverMetadata(
  issuer: URL,
  http: oauth.DiscoveryRequestOptions,
): Promise<oauth.AuthorizationServer> {
  const response = await oauth.discoveryRequest(issuer, http);
  if (response.status >= 500) throw serverFailed("discovery", response.status);

  try {
    const as = await oauth.processDiscoveryResponse(issuer, response);
    if (!as.introspection_endpoint) throw new TypeError("Metadata has no introspection_endpoint");
    return as;
  } catch (cause) {
    throw new ServiceError(
      "introspection_failed",
      `Failed to discover the authorization server "${issuer.href}"`,
      { status: 502, cause },
    );
  }
}

// oauth4webapi asks for RFC 9701 signed introspection answers
// (`application/token-introspection+jwt`) or JSON, and always sets the Accept header itself.
// The phantom-token answer is a different one: the access token JWT as `application/jwt`. So
// the library still builds the request (endpoint, client_secret_basic, form body) and only the
// Accept header is swapped on the way out; the answer is read by `readAnswer` below.
function askForJwt(doFetch: typeof fetch): typeof fetch {
  return function fetchJwtAnswer(input, init) {
    const headers = new Headers(init?.headers);
    headers.set("accept", "application/jwt");
    return doFetch(input, { ...init, headers });
  };
}

// A network error or a timeout means the server cannot be reached: 503, never a 401.
function guarded(doFetch: typeof fetch): typeof fetch {
  return async function fetchOrUnavailable(input, init) {
    try {
      return await doFetch(input, init);
    } catch (cause) {
      const what = cause instanceof DOMException && cause.name === "TimeoutError"
        ? "timed out"
        : "is unreachable";
      throw new ServiceError(
        "authorization_server_unavailable",
        `Authorization server at "${new URL(String(input)).origin}" ${what}`,
        { status: 503, cause },
      );
    }
  };
}

async function readAnswer(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  response: Response,
): Promise<IntrospectionResult> {
  if (response.status >= 500) throw serverFailed("introspection", response.status);
  // Some phantom-token servers answer an inactive token with 204 and no body.
  if (response.status === 204) return { active: false };
  if (response.status === 200 && mediaType(response) === "application/jwt") {
    return activeFromJwt(await response.text());
  }

  // Anything else is RFC 7662 JSON or an OAuth error (RFC 6749 section 5.2): the library
  // reads both.
  let answer: oauth.IntrospectionResponse;
  try {
    answer = await oauth.processIntrospectionResponse(as, client, response);
  } catch (cause) {
    const oauthError = cause instanceof oauth.ResponseBodyError ? cause.error : undefined;
    throw new ServiceError(
      "introspection_failed",
      `Introspection was refused with status ${response.status}` +
        (oauthError ? ` and error "${oauthError}"` : ""),
      { status: 502, oauthError, cause },
    );
  }

  if (!answer.active) return { active: false };
  throw new ServiceError(
    "introspection_failed",
    "Introspection answered an active token with JSON instead of a JWT",
    { status: 502 },
  );
}

function activeFromJwt(body: string): IntrospectionResult {
  const jwt = body.trim();
  try {
    const { exp } = decodeJwt(jwt);
    return { active: true, jwt, exp: typeof exp === "number" ? exp : undefined };
  } catch (cause) {
    throw new ServiceError(
      "introspection_failed",
      "Introspection answered with a body that is not a JWT",
      { status: 502, cause },
    );
  }
}

function serverFailed(step: string, status: number): ServiceError {
  return new ServiceError(
    "authorization_server_unavailable",
    `Authorization server failed the ${step} request with status ${status}`,
    { status: 503 },
  );
}

function mediaType(response: Response): string | undefined {
  return response.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
}
