/**
 * One structured logger for every part of the system. Each line is a JSON object with a time,
 * a level, the part's name, a message and the ids that tie events together (request id,
 * transaction id, event id, Kafka topic/partition/offset). Tokens, secrets and whole payloads
 * never belong in a line: log a token's `jti` or a hash of it instead.
 *
 * @module
 */

/** Severity, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Fields attached to a line: ids, counts, durations. */
export type LogFields = Record<string, unknown>;

/** The logger every module receives from its caller; modules never use `console`. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` as well, e.g. a request id. */
  child(fields: LogFields): Logger;
}

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Name of the part that logs, e.g. `"orders-api"`. */
  name: string;
  /** Lines below this level are dropped. Default `"info"`. */
  level?: LogLevel;
  /** Where each finished line goes. Default: standard error. */
  write?: (line: string) => void;
  /** Clock, replaceable in tests. */
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Returns true when `value` names a log level. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && Object.hasOwn(RANK, value);
}

/**
 * Creates a JSON-lines logger.
 *
 * @example
 * ```ts
 * const log = createLogger({ name: "gateway", level: "debug" });
 * log.child({ requestId: "r-1" }).info("request proxied", { status: 200 });
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = RANK[options.level ?? "info"];
  const write = options.write ?? writeToStderr;
  const now = options.now ?? (() => new Date());

  function build(bound: LogFields): Logger {
    function emit(level: LogLevel, message: string, fields?: LogFields): void {
      if (RANK[level] < threshold) return;
      const line = { time: now().toISOString(), level, name: options.name, message };
      // `line` goes last as well, so that no field can overwrite the time, level or message.
      write(JSON.stringify({ ...line, ...bound, ...fields, ...line }, replaceErrors));
    }

    return {
      debug: (message, fields) => emit("debug", message, fields),
      info: (message, fields) => emit("info", message, fields),
      warn: (message, fields) => emit("warn", message, fields),
      error: (message, fields) => emit("error", message, fields),
      child: (fields) => build({ ...bound, ...fields }),
    };
  }

  return build({});
}

/** A logger that drops every line, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ name: "silent", write: () => {} });

// Errors serialize to `{}` by default; keep their name, code and message (never a stack of
// secrets: messages in this project never carry tokens).
function replaceErrors(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  const cause = value.cause instanceof Error ? value.cause.message : undefined;
  return { name: value.name, message: value.message, code, cause };
}

const encoder = new TextEncoder();

function writeToStderr(line: string): void {
  const bytes = encoder.encode(line + "\n");
  const deno = (globalThis as { Deno?: { stderr: { writeSync(b: Uint8Array): number } } }).Deno;
  if (deno) {
    let written = 0;
    while (written < bytes.length) written += deno.stderr.writeSync(bytes.subarray(written));
    return;
  }
  const process = (globalThis as { process?: { stderr: { write(b: Uint8Array): boolean } } })
    .process;
  process?.stderr.write(bytes);
}
