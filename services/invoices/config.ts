/**
 * The Invoices API's settings, read once at start-up from environment variables. A bad value
 * stops the start with a `TypeError` or `RangeError` that names the variable.
 *
 * | variable | default |
 * | --- | --- |
 * | `INVOICES_PORT`, `INVOICES_HOSTNAME` | `3002`, `0.0.0.0` |
 * | `OAUTH_ISSUER` | `http://localhost:8443/oauth/v2/oauth-anonymous` |
 * | `KAFKA_BOOTSTRAP` | `127.0.0.1:29092` |
 * | `DATABASE_URL` | unset: embedded database in `${DATA_DIR}/invoices` |
 * | `INVOICES_REQUIRE_EVENT_HASH` | `true` |
 * | `INVOICES_MAX_MESSAGE_BYTES` | `65536` |
 * | `INVOICES_MAX_BATCH_SIZE` | `256` |
 * | `INVOICES_LOG_LEVEL` | `info` |
 *
 * @module
 */

import type { Env } from "../../shared/config/settings.ts";
import { Settings } from "../../shared/config/settings.ts";
import { isLogLevel } from "../../shared/log/logger.ts";
import type { LogLevel } from "../../shared/log/logger.ts";

/** Everything `main.ts` needs to wire the service. */
export interface InvoicesConfig {
  port: number;
  hostname: string;
  issuer: URL;
  kafkaBootstrap: string;
  databaseUrl?: string;
  /** Folder of the embedded database when no `databaseUrl` is set. */
  dataDir: string;
  /** Refuse event tokens without an `event_hash` claim. */
  requireEventHash: boolean;
  /** Larger message values are dead-lettered unread. */
  maxMessageBytes: number;
  /** Most messages handed to one batch. */
  maxBatchSize: number;
  logLevel: LogLevel;
}

/** Reads and validates the settings. */
export function loadInvoicesConfig(env: Env): InvoicesConfig {
  const settings = new Settings(env);
  const logLevel = settings.string("INVOICES_LOG_LEVEL", "info");
  if (!isLogLevel(logLevel)) {
    throw new TypeError(`INVOICES_LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
  }
  const databaseUrl = settings.string("DATABASE_URL", "");

  return {
    port: settings.integer("INVOICES_PORT", 3002, { min: 0, max: 65_535 }),
    hostname: settings.string("INVOICES_HOSTNAME", "0.0.0.0"),
    issuer: settings.url("OAUTH_ISSUER", "http://localhost:8443/oauth/v2/oauth-anonymous"),
    kafkaBootstrap: settings.string("KAFKA_BOOTSTRAP", "127.0.0.1:29092"),
    databaseUrl: databaseUrl === "" ? undefined : databaseUrl,
    dataDir: `${settings.string("DATA_DIR", ".data/dev")}/invoices`,
    requireEventHash: settings.boolean("INVOICES_REQUIRE_EVENT_HASH", true),
    maxMessageBytes: settings.integer("INVOICES_MAX_MESSAGE_BYTES", 64 * 1024, {
      min: 1024,
      max: 1024 * 1024,
    }),
    maxBatchSize: settings.integer("INVOICES_MAX_BATCH_SIZE", 256, { min: 1, max: 10_000 }),
    logLevel,
  };
}
