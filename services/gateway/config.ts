/**
 * The gateway's settings, read once at start-up from environment variables. Mistakes throw
 * `TypeError` or `RangeError` here, before any request is served.
 *
 * @module
 */

import { Settings } from "../../shared/config/settings.ts";
import type { Env } from "../../shared/config/settings.ts";
import { isLogLevel } from "../../shared/log/logger.ts";
import type { LogLevel } from "../../shared/log/logger.ts";
import type { Route } from "./routes.ts";

/** Everything the gateway needs to run. */
export interface GatewayConfig {
  port: number;
  hostname: string;
  logLevel: LogLevel;
  /** Issuer of the authorization server; its metadata names the introspection endpoint. */
  issuer: URL;
  clientId: string;
  clientSecret: string;
  routes: Route[];
  /** Largest request body forwarded, in bytes. */
  bodyLimitBytes: number;
  /** Longest time an introspection result is reused, whatever the token's expiry. */
  cacheMaxTtlSeconds: number;
  cacheMaxEntries: number;
  /** How long an "inactive" answer is reused; `0` asks the server every time. */
  inactiveTtlSeconds: number;
  introspectionTimeoutMs: number;
  upstreamTimeoutMs: number;
}

const DEFAULT_ISSUER = "http://localhost:8443/oauth/v2/oauth-anonymous";

/**
 * Reads the gateway's settings:
 *
 * | variable | default |
 * |---|---|
 * | `GATEWAY_PORT`, `GATEWAY_HOSTNAME` | `3000`, `0.0.0.0` |
 * | `OAUTH_ISSUER` | `http://localhost:8443/oauth/v2/oauth-anonymous` |
 * | `INTROSPECT_CLIENT_ID` | `introspect-client` |
 * | `INTROSPECT_CLIENT_SECRET` | demo `Password1`, refused when `APP_ENV=production` |
 * | `ORDERS_API_URL` (`/orders`), `INVOICES_API_URL` (`/invoices`) | ports 3001, 3002 |
 * | `GATEWAY_BODY_LIMIT_BYTES` | 1 MiB |
 * | `GATEWAY_CACHE_MAX_TTL_SECONDS`, `GATEWAY_CACHE_MAX_ENTRIES` | 300, 10000 |
 * | `GATEWAY_INACTIVE_TTL_SECONDS` | 5 (`0`: inactive answers are not cached) |
 * | `GATEWAY_INTROSPECTION_TIMEOUT_MS`, `GATEWAY_UPSTREAM_TIMEOUT_MS` | 5000, 30000 |
 * | `LOG_LEVEL` | `info` |
 */
export function loadGatewayConfig(env: Env): GatewayConfig {
  const settings = new Settings(env);
  const logLevel = settings.string("LOG_LEVEL", "info");
  if (!isLogLevel(logLevel)) {
    throw new TypeError(`LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
  }

  return {
    port: settings.integer("GATEWAY_PORT", 3000, { min: 0, max: 65535 }),
    hostname: settings.string("GATEWAY_HOSTNAME", "0.0.0.0"),
    logLevel,
    issuer: settings.url("OAUTH_ISSUER", DEFAULT_ISSUER),
    clientId: settings.string("INTROSPECT_CLIENT_ID", "introspect-client"),
    clientSecret: settings.secret("INTROSPECT_CLIENT_SECRET", "Password1"),
    routes: [
      { prefix: "/orders", target: settings.url("ORDERS_API_URL", "http://localhost:3001") },
      { prefix: "/invoices", target: settings.url("INVOICES_API_URL", "http://localhost:3002") },
    ],
    bodyLimitBytes: settings.integer("GATEWAY_BODY_LIMIT_BYTES", 1024 * 1024, {
      min: 0,
      max: 64 * 1024 * 1024,
    }),
    cacheMaxTtlSeconds: settings.integer("GATEWAY_CACHE_MAX_TTL_SECONDS", 300, {
      min: 0,
      max: 86_400,
    }),
    cacheMaxEntries: settings.integer("GATEWAY_CACHE_MAX_ENTRIES", 10_000, {
      min: 1,
      max: 1_000_000,
    }),
    inactiveTtlSeconds: settings.integer("GATEWAY_INACTIVE_TTL_SECONDS", 5, { min: 0, max: 300 }),
    introspectionTimeoutMs: settings.integer("GATEWAY_INTROSPECTION_TIMEOUT_MS", 5_000, {
      min: 1,
      max: 60_000,
    }),
    upstreamTimeoutMs: settings.integer("GATEWAY_UPSTREAM_TIMEOUT_MS", 30_000, {
      min: 1,
      max: 600_000,
    }),
  };
}
