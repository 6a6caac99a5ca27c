/**
 * Entry point of the authorization server, on Node 24 (oidc-provider runs on Node only).
 *
 * ```sh
 * node idsvr/main.ts               # serve
 * node idsvr/main.ts rotate-keys   # rotate the generated signing keys, then SIGHUP the server
 * ```
 *
 * @module
 */

import process from "node:process";
import { fileURLToPath } from "node:url";
import { createLogger } from "../shared/log/logger.ts";
import { rotateStoredKeys, startIdsvr } from "./app.ts";
import { readConfig } from "./config.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

async function main(command: string | undefined): Promise<void> {
  const config = readConfig(process.env, { repoRoot });
  const logger = createLogger({ name: "idsvr", level: config.logLevel });

  if (command === "rotate-keys") {
    await rotateStoredKeys(config, logger);
    return;
  }
  if (command !== undefined && command !== "serve") {
    throw new TypeError(`Unknown command "${command}": use "serve" or "rotate-keys"`);
  }

  const running = await startIdsvr(config, logger);

  async function stop(signal: string): Promise<void> {
    logger.info("idsvr stopping", { signal });
    await running.close();
    process.exit(0);
  }
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  process.on("SIGHUP", () => {
    running.reload().catch((error) => logger.error("key reload failed", { error }));
  });
}

main(process.argv[2]).catch((error: unknown) => {
  createLogger({ name: "idsvr" }).error("idsvr failed to start", { error });
  process.exit(1);
});
