/**
 * Graceful stop for every long-running part: on the first SIGTERM or SIGINT the part's closing
 * steps run in order (stop taking work, finish what is in hand, close connections), then the
 * process exits 0. A deadline bounds the whole stop, so a stuck step never keeps a supervisor
 * waiting. Uses `node:process`, which Deno, Bun and Node all provide.
 *
 * @module
 */
import process from "node:process";
import type { Logger } from "../log/logger.ts";

/** Options of {@linkcode stopOnSignal}. */
export interface StopOptions {
  /** The part, as it appears in log messages, e.g. `"orders api"`. */
  name: string;
  logger: Logger;
  /** Closing steps, run one after the other; a step that fails is logged and skipped. */
  steps: Array<() => Promise<unknown>>;
  /** Exit after this long even if a step has not finished. */
  deadlineMs: number;
  /** Said in the log when the deadline cuts the stop short. */
  deadlineNote?: string;
}

/** Installs the SIGTERM and SIGINT handlers. */
export function stopOnSignal(options: StopOptions): void {
  let stopping = false;

  async function stop(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    options.logger.info(`${options.name} stopping`, { signal });
    const deadline = setTimeout(() => {
      options.logger.warn(options.deadlineNote ?? `${options.name} stopped before it finished`);
      process.exit(0);
    }, options.deadlineMs);

    for (const step of options.steps) {
      await step().catch((error) => options.logger.warn("closing step failed", { error }));
    }
    clearTimeout(deadline);
    options.logger.info(`${options.name} stopped`);
    process.exit(0);
  }

  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
