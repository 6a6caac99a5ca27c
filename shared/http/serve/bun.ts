/**
 * Serves a Web-standard handler with `Bun.serve`. Same shape as `deno.ts` and `node.ts`.
 *
 * The project has no Bun type definitions, so the few members used are declared here.
 *
 * @module
 */

import type { FetchHandler, ListenAddress, RunningServer, ServeOptions } from "./types.ts";

export type { FetchHandler, ListenAddress, RunningServer, ServeOptions } from "./types.ts";

interface BunServer {
  readonly port: number;
  readonly hostname: string;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

interface BunRuntime {
  serve(options: {
    port: number;
    hostname: string;
    fetch: FetchHandler;
    idleTimeout?: number;
  }): BunServer;
}

/** Starts listening and resolves once connections are accepted (Bun binds synchronously). */
export function serve(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  const bun = (globalThis as unknown as { Bun: BunRuntime }).Bun;
  const server = bun.serve({
    port: options.port,
    hostname: options.hostname ?? "0.0.0.0",
    fetch: handler,
  });

  const { promise: finished, resolve: markFinished } = Promise.withResolvers<void>();
  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    // stop(false) lets requests in flight finish, then closes the listener.
    closing ??= server.stop(false).then(() => markFinished());
    return closing;
  }

  options.signal?.addEventListener("abort", () => void close(), { once: true });
  const address: ListenAddress = { hostname: server.hostname, port: server.port };
  options.onListen?.(address);
  return Promise.resolve({ address, finished, close });
}
