/**
 * Serves a Web-standard handler on Node with `@hono/node-server`. Same shape as `deno.ts` and
 * `bun.ts`.
 *
 * @module
 */

import { serve as nodeServe } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { FetchHandler, ListenAddress, RunningServer, ServeOptions } from "./types.ts";

export type { FetchHandler, ListenAddress, RunningServer, ServeOptions } from "./types.ts";

/** Starts listening and resolves once connections are accepted. */
export function serve(handler: FetchHandler, options: ServeOptions): Promise<RunningServer> {
  const { promise, resolve, reject } = Promise.withResolvers<RunningServer>();
  const { promise: finished, resolve: markFinished } = Promise.withResolvers<void>();

  const server = nodeServe({
    fetch: (request: Request) => handler(request),
    port: options.port,
    hostname: options.hostname ?? "0.0.0.0",
  }, function onNodeListen(info: AddressInfo) {
    const address: ListenAddress = { hostname: info.address, port: info.port };
    options.onListen?.(address);
    resolve({ address, finished, close });
  }) as Server;

  server.once("error", reject);
  server.once("close", () => markFinished());

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    if (closing) return closing;
    closing = new Promise<void>((done) => server.close(() => done()));
    // close() waits for every socket; idle keep-alive sockets would hold it open.
    server.closeIdleConnections();
    return closing.then(() => finished);
  }

  options.signal?.addEventListener("abort", () => void close(), { once: true });
  return promise;
}
