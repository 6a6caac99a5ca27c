/**
 * The phantom-token gateway as a Hono app: clients present opaque tokens, the APIs behind it
 * receive the JWT the authorization server swaps them for. Web APIs only; the runtime adapters
 * in `shared/http/serve/` put it on a socket.
 *
 * Per request: route lookup (404), declared body size (413), Bearer token (401), introspection
 * through the cache (401 inactive, 503 server unreachable, 502 unusable answer), body read
 * within the limit (413), then the API (its answer as is, or 502 when it cannot be reached).
 *
 * Known limits:
 *
 * - A revoked token keeps working through the gateway until its cache entry ends, at most
 *   `GATEWAY_CACHE_MAX_TTL_SECONDS`; lower it where revocation must bite sooner.
 * - Request bodies are read into memory (bounded by the body limit) before they go upstream,
 *   which keeps the code the same on Deno, Bun and Node; responses are streamed.
 * - The upstream timeout also bounds how long a streamed response may take.
 * - No WebSocket or other `Upgrade`; CORS preflights (no token) get 401.
 * - The cache is per process: several gateway instances each introspect a token once.
 * - An `http:` issuer is allowed (oauth4webapi's `allowInsecureRequests`) for the local demo.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context } from "hono";
import { ServiceError } from "../../shared/errors.ts";
import { problem } from "../../shared/http/problem.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import type { Logger } from "../../shared/log/logger.ts";
import { bearerToken } from "./bearer.ts";
import { assertDeclaredLength, readBodyWithin } from "./body.ts";
import type { GatewayConfig } from "./config.ts";
import { errorAnswer } from "./error_answer.ts";
import { createIntrospector } from "./introspection.ts";
import { forward } from "./proxy.ts";
import { requestIdFor } from "./request_id.ts";
import { assertRoutes, matchRoute, upstreamUrl } from "./routes.ts";
import { hashToken, TokenCache } from "./token_cache.ts";
import type { CacheOutcome } from "./token_cache.ts";

/** The settings the app itself uses; listening address and log level belong to the entry. */
export type GatewayAppConfig = Omit<GatewayConfig, "port" | "hostname" | "logLevel">;

/** Options of {@linkcode createGatewayApp}. */
export interface GatewayAppOptions {
  config: GatewayAppConfig;
  /** Used for the authorization server and the APIs alike. Default: the global `fetch`. */
  fetch?: typeof fetch;
  logger?: Logger;
  /** Milliseconds since the epoch; drives cache expiry. Default `Date.now`. */
  now?: () => number;
  /** `realm` of the Bearer challenges. Default `"api"`. */
  realm?: string;
}

type GatewayEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    tokenHash?: string;
    cache?: CacheOutcome;
  };
};

/**
 * Builds the gateway. `GET /health` answers without a token; every other path is looked up in
 * the route table and proxied after the token swap.
 *
 * @example
 * ```ts
 * const app = createGatewayApp({ config: loadGatewayConfig(process.env), logger });
 * const response = await app.request("/orders", { headers: { authorization: "Bearer abc" } });
 * ```
 */
export function createGatewayApp(options: GatewayAppOptions): Hono<GatewayEnv> {
  const { config } = options;
  assertRoutes(config.routes);
  const doFetch = options.fetch ?? fetch;
  const logger = options.logger ?? silentLogger;
  const realm = options.realm ?? "api";

  const introspect = createIntrospector({
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    fetch: doFetch,
    timeoutMs: config.introspectionTimeoutMs,
    logger,
  });
  const cache = new TokenCache(introspect, {
    maxEntries: config.cacheMaxEntries,
    maxTtlSeconds: config.cacheMaxTtlSeconds,
    inactiveTtlSeconds: config.inactiveTtlSeconds,
    now: options.now,
  });

  async function proxyRequest(c: Context<GatewayEnv>): Promise<Response> {
    const url = new URL(c.req.url);
    const route = matchRoute(config.routes, url.pathname);
    if (!route) {
      throw new ServiceError("route_not_found", `No route for "${url.pathname}"`, { status: 404 });
    }
    assertDeclaredLength(c.req.raw, config.bodyLimitBytes);

    const token = bearerToken(c.req.header("authorization"));
    const key = await hashToken(token);
    c.set("tokenHash", key.slice(0, 12));
    const lookupStarted = performance.now();
    const { result, outcome } = await cache.lookup(key, token);
    const lookupMs = performance.now() - lookupStarted;
    c.set("cache", outcome);
    if (!result.active) {
      throw new ServiceError("token_inactive", "Access token is not active", {
        status: 401,
        oauthError: "invalid_token",
      });
    }

    const body = await readBodyWithin(c.req.raw, config.bodyLimitBytes);
    const response = await forward(c.req.raw, {
      url: upstreamUrl(route, url),
      jwt: result.jwt,
      requestId: c.get("requestId"),
      body,
      fetch: doFetch,
      timeoutMs: config.upstreamTimeoutMs,
    });
    // W3C Server-Timing: what the token swap cost, next to the API's own entries.
    response.headers.append(
      "server-timing",
      `gateway-token;dur=${lookupMs.toFixed(2)};desc="${outcome}"`,
    );
    return response;
  }

  const app = new Hono<GatewayEnv>();
  app.use(async function requestContext(c, next) {
    const started = performance.now();
    const { id, replaced } = requestIdFor(c.req.header("x-request-id"));
    const log = logger.child({ requestId: id });
    c.set("requestId", id);
    c.set("log", log);
    if (replaced) log.debug("incoming request id replaced");

    await next();
    // Health probes come every few seconds; they would drown the lines that matter.
    const level = c.req.path === "/health" ? "debug" : "info";
    log[level]("request handled", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      cache: c.get("cache"),
      tokenHash: c.get("tokenHash"),
    });
  });

  app.get("/health", (c) => {
    c.header("x-request-id", c.get("requestId"));
    return c.json({ status: "ok" });
  });
  app.all("*", proxyRequest);

  app.notFound((c) =>
    problem({
      status: 404,
      code: "route_not_found",
      detail: `No route for "${c.req.path}"`,
      headers: { "x-request-id": c.get("requestId") },
    })
  );
  app.onError(function answerError(error, c) {
    const requestId = c.get("requestId") ?? crypto.randomUUID();
    logFailure(c.get("log") ?? logger, error);
    return errorAnswer(error, { requestId, realm });
  });
  return app;
}

function logFailure(log: Logger, error: Error): void {
  const status = error instanceof ServiceError ? error.status : 500;
  const code = error instanceof ServiceError ? error.code : "internal_error";
  if (status >= 500) log.error("request failed", { code, error });
  else log.info("request refused", { code, reason: error.message });
}
