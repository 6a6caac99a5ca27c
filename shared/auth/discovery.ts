/**
 * Finds the authorization server's endpoints by OpenID Connect discovery, so that any
 * standards-compliant server can replace ours. The metadata is fetched on first use and kept;
 * a failed attempt is retried on the next call, so a service can start before the server does.
 *
 * @module
 */
import * as oauth from "oauth4webapi";
import { ServiceError } from "../errors.ts";

/** Options of {@linkcode createDiscovery}. */
export interface DiscoveryOptions {
  issuer: URL;
  /** Replaceable in tests. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Per HTTP call. Default 5000 ms. */
  timeoutMs?: number;
}

/** Returns the server's metadata, discovering it once. */
export type Discover = () => Promise<oauth.AuthorizationServer>;

/**
 * Creates a cached discovery. Throws {@linkcode ServiceError} `authorization_server_unavailable`
 * (503) when the server cannot be reached, and `discovery_failed` (502) when its answer is not
 * usable metadata for this issuer.
 */
export function createDiscovery(options: DiscoveryOptions): Discover {
  let metadata: Promise<oauth.AuthorizationServer> | undefined;
  const http = httpOptions(options);

  return function discover() {
    metadata ??= (async () => {
      const response = await oauth.discoveryRequest(options.issuer, http);
      if (response.status >= 500) throw unavailable(options.issuer, `status ${response.status}`);
      try {
        return await oauth.processDiscoveryResponse(options.issuer, response);
      } catch (cause) {
        throw new ServiceError(
          "discovery_failed",
          `Failed to read the metadata of issuer "${options.issuer.href}"`,
          { status: 502, cause },
        );
      }
    })().catch((error) => {
      metadata = undefined;
      throw error;
    });
    return metadata;
  };
}

/** Request options accepted by every oauth4webapi request function. */
export interface HttpOptions {
  signal: () => AbortSignal;
  [oauth.allowInsecureRequests]: boolean;
  [oauth.customFetch]: (url: string, init: RequestInit) => Promise<Response>;
}

/**
 * The oauth4webapi request options every call to the authorization server uses: a timeout, a
 * fetch whose network failures become 503 errors, and plain http allowed only when the issuer
 * itself is plain http (local development).
 */
export function httpOptions(
  options: { issuer: URL; fetch?: typeof fetch; timeoutMs?: number },
): HttpOptions {
  return {
    signal: () => AbortSignal.timeout(options.timeoutMs ?? 5_000),
    [oauth.allowInsecureRequests]: options.issuer.protocol === "http:",
    [oauth.customFetch]: guardedFetch(options.fetch ?? fetch),
  };
}

/** Wraps `fetch` so that an unreachable server or a timeout throws a 503 ServiceError. */
export function guardedFetch(doFetch: typeof fetch): typeof fetch {
  return async function fetchOrUnavailable(input, init) {
    try {
      return await doFetch(input, init);
    } catch (cause) {
      const timedOut = cause instanceof DOMException && cause.name === "TimeoutError";
      throw unavailable(new URL(String(input)), timedOut ? "timed out" : "unreachable", cause);
    }
  };
}

function unavailable(url: URL, why: string, cause?: unknown): ServiceError {
  return new ServiceError(
    "authorization_server_unavailable",
    `Authorization server at "${url.origin}" is unavailable (${why})`,
    { status: 503, cause },
  );
}
