/**
 * Reads settings from a plain map of environment variables, so the same code runs on Deno, Bun
 * and Node: each runtime's entry file passes its own environment in.
 *
 * Demo secrets are development defaults only. In production mode (`APP_ENV=production`)
 * {@linkcode Settings.secret} refuses to fall back to a default, and start-up fails.
 *
 * @module
 */

/** Environment variables as a plain record. */
export type Env = Record<string, string | undefined>;

/** Typed access to settings with defaults and start-up validation. */
export class Settings {
  readonly env: Env;
  readonly production: boolean;

  constructor(env: Env) {
    this.env = env;
    const mode = env.APP_ENV ?? "development";
    if (mode !== "development" && mode !== "production" && mode !== "test") {
      throw new TypeError(
        `APP_ENV must be "development", "test" or "production", got "${mode}"`,
      );
    }
    this.production = mode === "production";
  }

  /** A string setting, or `fallback` when unset or empty. */
  string(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === "" ? fallback : value;
  }

  /** An integer setting within `[min, max]`; throws `RangeError` otherwise. */
  integer(name: string, fallback: number, range: { min: number; max: number }): number {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
      throw new RangeError(
        `${name} must be an integer from ${range.min} to ${range.max}, got "${raw}"`,
      );
    }
    return value;
  }

  /** A boolean setting: `true`/`1` or `false`/`0`. */
  boolean(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return fallback;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    throw new TypeError(`${name} must be "true" or "false", got "${raw}"`);
  }

  /** An absolute http(s) URL setting. */
  url(name: string, fallback: string): URL {
    const raw = this.string(name, fallback);
    if (!URL.canParse(raw)) throw new TypeError(`${name} must be an absolute URL, got "${raw}"`);
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`${name} must be an http or https URL, got "${raw}"`);
    }
    return url;
  }

  /**
   * A secret. Outside production the demo default is used when the variable is unset; in
   * production an unset secret, or one equal to the demo default, stops the start-up.
   */
  secret(name: string, demoDefault: string): string {
    const value = this.env[name];
    if (this.production && (value === undefined || value === "" || value === demoDefault)) {
      throw new TypeError(
        `${name} must be set to a non-default secret when APP_ENV is "production"`,
      );
    }
    return value === undefined || value === "" ? demoDefault : value;
  }
}
