/**
 * Settings of the authorization server, read once at start-up from the environment. Every
 * secret has a demo default for development; in production mode (`APP_ENV=production`) the
 * demo defaults, generated signing keys and generated cookie keys are all refused.
 *
 * @module
 */

import { type Env, Settings } from "../shared/config/settings.ts";
import { isLogLevel, type LogLevel } from "../shared/log/logger.ts";
import { DEFAULT_ISSUER } from "./routes.ts";
import { parseExtraUsers } from "./accounts.ts";

/** JWS algorithms the server can sign with. */
export const SIGNING_ALGORITHMS = ["ES256", "RS256", "PS256", "EdDSA"] as const;

/** One of {@linkcode SIGNING_ALGORITHMS}. */
export type SigningAlgorithm = typeof SIGNING_ALGORITHMS[number];

/** The demo password of `demouser` and of the two confidential clients. */
export const DEMO_PASSWORD = "Password1";

/** Everything the server needs to start, validated. */
export interface IdsvrConfig {
  production: boolean;
  host: string;
  port: number;
  /** The issuer identifier: `iss` of every token and the base of discovery. */
  issuer: string;
  /** Where generated keys live (unused when keys come from `IDSVR_SIGNING_KEYS`). */
  dataDir: string;
  signingAlg: SigningAlgorithm;
  /**
   * A private JWKS from `IDSVR_SIGNING_KEYS`: the first key signs, the others only verify.
   * When set, it replaces the generated keys and `signingAlg` is the first key's `alg`.
   */
  configuredKeys?: { keys: Record<string, unknown>[] };
  /** Cookie signing keys from `IDSVR_COOKIE_KEYS`, or `undefined` to generate them. */
  cookieKeys?: string[];
  demoUser: { username: string; password: string };
  /** More accounts from `IDSVR_EXTRA_USERS` (`name:password,...`). */
  extraUsers: { username: string; password: string }[];
  clientSecrets: { introspect: string; ordersApi: string };
  /** Lifetime of the user's opaque access token, seconds (15 minutes by default). */
  userTokenTtl: number;
  /** Lifetime of event-bound tokens from token exchange, seconds (7 days by default). */
  exchangeTokenTtl: number;
  /** Trust `X-Forwarded-*` headers (behind a reverse proxy). */
  trustProxy: boolean;
  logLevel: LogLevel;
}

/** Options of {@linkcode readConfig}. */
export interface ReadConfigOptions {
  /** Absolute path of the repository root, to place the default data folder. */
  repoRoot: string;
}

/**
 * Reads and validates the settings. Mistakes throw `TypeError` or `RangeError`, so a bad
 * configuration stops the start-up before anything is served.
 */
export function readConfig(env: Env, options: ReadConfigOptions): IdsvrConfig {
  const settings = new Settings(env);
  const issuer = settings.url("IDSVR_ISSUER", DEFAULT_ISSUER);
  const configuredKeys = parseSigningKeys(env.IDSVR_SIGNING_KEYS);
  const cookieKeys = parseCookieKeys(env.IDSVR_COOKIE_KEYS);

  if (settings.production && configuredKeys === undefined) {
    throw new TypeError('IDSVR_SIGNING_KEYS must be set when APP_ENV is "production"');
  }
  if (settings.production && cookieKeys === undefined) {
    throw new TypeError('IDSVR_COOKIE_KEYS must be set when APP_ENV is "production"');
  }

  return {
    production: settings.production,
    host: settings.string("IDSVR_HOST", "localhost"),
    port: settings.integer("IDSVR_PORT", 8443, { min: 0, max: 65535 }),
    issuer: issuer.href.replace(/\/$/, ""),
    dataDir: settings.string("IDSVR_DATA_DIR", `${options.repoRoot}/.data/dev/idsvr`),
    signingAlg: parseAlgorithm(settings.string("IDSVR_SIGNING_ALG", "ES256")),
    configuredKeys,
    cookieKeys,
    demoUser: {
      username: settings.string("IDSVR_DEMO_USER", "demouser"),
      password: settings.secret("IDSVR_DEMO_USER_PASSWORD", DEMO_PASSWORD),
    },
    extraUsers: parseExtraUsers(env.IDSVR_EXTRA_USERS),
    clientSecrets: {
      introspect: settings.secret("IDSVR_INTROSPECT_CLIENT_SECRET", DEMO_PASSWORD),
      ordersApi: settings.secret("IDSVR_ORDERS_API_CLIENT_SECRET", DEMO_PASSWORD),
    },
    userTokenTtl: settings.integer("IDSVR_USER_TOKEN_TTL", 900, { min: 1, max: 86400 }),
    exchangeTokenTtl: settings.integer("IDSVR_EXCHANGE_TOKEN_TTL", 604800, {
      min: 1,
      max: 2592000,
    }),
    trustProxy: settings.boolean("IDSVR_TRUST_PROXY", false),
    logLevel: parseLogLevel(settings.string("IDSVR_LOG_LEVEL", "info")),
  };
}

function parseAlgorithm(value: string): SigningAlgorithm {
  const known = SIGNING_ALGORITHMS.find((alg) => alg === value);
  if (known === undefined) {
    throw new TypeError(
      `IDSVR_SIGNING_ALG must be one of ${SIGNING_ALGORITHMS.join(", ")}, got "${value}"`,
    );
  }
  return known;
}

function parseLogLevel(value: string): LogLevel {
  if (!isLogLevel(value)) {
    throw new TypeError(`IDSVR_LOG_LEVEL must be debug, info, warn or error, got "${value}"`);
  }
  return value;
}

function parseCookieKeys(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw === "") return undefined;

  const keys = raw.split(",").map((key) => key.trim()).filter((key) => key !== "");
  if (keys.some((key) => key.length < 32)) {
    throw new RangeError("IDSVR_COOKIE_KEYS must hold keys of at least 32 characters each");
  }
  return keys;
}

function parseSigningKeys(raw: string | undefined): IdsvrConfig["configuredKeys"] {
  if (raw === undefined || raw === "") return undefined;

  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new TypeError("IDSVR_SIGNING_KEYS must be a JSON Web Key Set", { cause });
  }

  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new TypeError("IDSVR_SIGNING_KEYS must be a JSON Web Key Set with at least one key");
  }
  // Never echo a key: a wrong entry is named by its position only.
  keys.forEach((key, i) => {
    if (typeof key !== "object" || key === null || typeof key.kid !== "string") {
      throw new TypeError(`IDSVR_SIGNING_KEYS key ${i} must be a JWK object with a "kid"`);
    }
    if (typeof key.d !== "string") {
      throw new TypeError(`IDSVR_SIGNING_KEYS key "${key.kid}" must be a private key`);
    }
    if (!SIGNING_ALGORITHMS.includes(key.alg)) {
      throw new TypeError(
        `IDSVR_SIGNING_KEYS key "${key.kid}" must name its "alg": ${SIGNING_ALGORITHMS.join(", ")}`,
      );
    }
  });
  return { keys };
}
