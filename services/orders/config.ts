/**
 * The Orders API's settings, read once at start from the environment. A wrong value stops the
 * start-up with a message that names the variable.
 *
 * @module
 */
import { type Env, Settings } from "../../shared/config/settings.ts";
import { isLogLevel, type LogLevel } from "../../shared/log/logger.ts";

/** Every setting of the Orders API. */
export interface OrdersConfig {
  production: boolean;
  port: number;
  hostname: string;
  issuer: URL;
  /** Audience of the user tokens this API accepts. */
  audience: string;
  clientId: string;
  clientSecret: string;
  kafkaBootstrap: string;
  /** PostgreSQL URL; the embedded database in `dataDir` when unset. */
  databaseUrl?: string;
  dataDir: string;
  bodyLimitBytes: number;
  logLevel: LogLevel;
}

/** Reads and checks the settings. */
export function loadOrdersConfig(env: Env): OrdersConfig {
  const settings = new Settings(env);
  const logLevel = settings.string("LOG_LEVEL", "info");
  if (!isLogLevel(logLevel)) {
    throw new TypeError(`LOG_LEVEL must be a log level, got "${logLevel}"`);
  }
  const issuer = settings.url("OAUTH_ISSUER", "http://localhost:8443/oauth/v2/oauth-anonymous");
  if (settings.production && issuer.protocol !== "https:") {
    throw new TypeError(`OAUTH_ISSUER must be an https URL in production, got "${issuer.href}"`);
  }

  return {
    production: settings.production,
    port: settings.integer("ORDERS_PORT", 3001, { min: 0, max: 65535 }),
    hostname: settings.string("ORDERS_HOSTNAME", "127.0.0.1"),
    issuer,
    audience: settings.string("ORDERS_AUDIENCE", "api.example.com"),
    clientId: settings.string("ORDERS_CLIENT_ID", "orders-api-client"),
    clientSecret: settings.secret("ORDERS_CLIENT_SECRET", "Password1"),
    kafkaBootstrap: settings.string("KAFKA_BOOTSTRAP", "127.0.0.1:29092"),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: `${settings.string("DATA_DIR", ".data/dev")}/orders`,
    bodyLimitBytes: settings.integer("ORDERS_BODY_LIMIT_BYTES", 16 * 1024, {
      min: 1024,
      max: 1024 * 1024,
    }),
    logLevel,
  };
}
