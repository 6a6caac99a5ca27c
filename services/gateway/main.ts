/**
 * Starts the gateway on whichever runtime runs this file:
 *
 * - `deno run -A services/gateway/main.ts`
 * - `bun services/gateway/main.ts`
 * - `node services/gateway/main.ts` (Node 24 or later, which strips the types itself)
 *
 * Settings come from environment variables (see `config.ts`). SIGTERM and SIGINT close the
 * server gracefully and the process exits with 0.
 *
 * @module
 */

import process from "node:process";
import { createLogger } from "../../shared/log/logger.ts";
import { stopOnSignal } from "../../shared/process/shutdown.ts";
import type { Serve } from "../../shared/http/serve/types.ts";
import { createGatewayApp } from "./app.ts";
import { loadGatewayConfig } from "./config.ts";

// Each adapter is loaded only on its own runtime: `Bun.serve` and `Deno.serve` exist nowhere
// else, and @hono/node-server is not needed outside Node.
async function loadServe(): Promise<{ runtime: string; serve: Serve }> {
  if ("Deno" in globalThis) {
    return { runtime: "deno", serve: (await import("../../shared/http/serve/deno.ts")).serve };
  }
  if ("Bun" in globalThis) {
    return { runtime: "bun", serve: (await import("../../shared/http/serve/bun.ts")).serve };
  }
  return { runtime: "node", serve: (await import("../../shared/http/serve/node.ts")).serve };
}

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger({ name: "gateway", level: config.logLevel });
  const { runtime, serve } = await loadServe();
  const app = createGatewayApp({ config, logger });

  const server = await serve(app.fetch, { port: config.port, hostname: config.hostname });
  logger.info("gateway listening", {
    runtime,
    hostname: server.address.hostname,
    port: server.address.port,
    routes: config.routes.map((route) => `${route.prefix} -> ${route.target.origin}`),
  });

  // Requests in flight get a few seconds to finish; a stuck one does not hold the exit.
  stopOnSignal({
    name: "gateway",
    logger,
    deadlineMs: 5_000,
    deadlineNote: "gateway stopped before requests in flight finished",
    steps: [() => server.close()],
  });
}

try {
  await main();
} catch (error) {
  // Configuration mistakes end up here, before anything is served.
  createLogger({ name: "gateway" }).error("gateway failed to start", { error });
  process.exit(1);
}
