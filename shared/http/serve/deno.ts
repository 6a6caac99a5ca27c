/**
 * Serves a Web-standard handler with `Deno.serve`. Same shape as `bun.ts` and `node.ts`.
 *
 * @module
 */

import type { FetchHandler, ListenAddress, RunningServer, ServeOptions } from "./types.ts";

export type { FetchHandler, ListenAddress, RunningServer, ServeOptions } from "./types.ts";

/** Starts listening and resolves once connections are accepted (Deno binds synchronously). */
export function serve(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  const server = Deno.serve({
    port: options.port,
    hostname: options.hostname ?? "0.0.0.0",
    signal: options.signal,
    // A callback of our own keeps Deno from printing its "Listening on" line to stdout.
    onListen: () => {},
  }, handler);

  const addr = server.addr as Deno.NetAddr;
  const address: ListenAddress = { hostname: addr.hostname, port: addr.port };
  options.onListen?.(address);
  return Promise.resolve({ address, finished: server.finished, close: () => closeServer(server) });
}

async function closeServer(server: Deno.HttpServer): Promise<void> {
  // shutdown() rejects when the server has already stopped (e.g. through the signal).
  await server.shutdown().catch(() => {});
  await server.finished;
}
