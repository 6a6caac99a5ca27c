/**
 * The Node HTTP server in front of the provider: interaction pages go to the Hono app, the
 * discovery documents under the issuer's path are rewritten to where oidc-provider serves
 * them, and everything else goes to the provider. The provider can be swapped at run time
 * (key reload) without dropping the listening sockets.
 *
 * @module
 */

import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import { randomUUID } from "node:crypto";
import { lookup } from "node:dns/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Provider from "oidc-provider";
import type { Logger } from "../shared/log/logger.ts";
import { INTERACTION_PATH } from "./interactions.ts";

/** Options of {@linkcode createHandler}. */
export interface HandlerOptions {
  /** The provider in service; read on every request. */
  current: () => Provider;
  interactions: Hono;
  /** Path of the issuer identifier, e.g. `/oauth/v2/oauth-anonymous`. */
  issuerPath: string;
  logger: Logger;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** The request listener of the whole server. */
export function createHandler(options: HandlerOptions): Listener {
  const { logger } = options;
  const interactions = getRequestListener(options.interactions.fetch);
  const discovery = discoveryPaths(options.issuerPath);
  // Koa composes its middleware on each callback() call: once per provider is enough.
  const callbacks = new WeakMap<Provider, Listener>();

  function providerListener(): Listener {
    const provider = options.current();
    let callback = callbacks.get(provider);
    if (callback === undefined) {
      callback = provider.callback();
      callbacks.set(provider, callback);
    }
    return callback;
  }

  return function handle(req, res) {
    const started = performance.now();
    const requestId = randomUUID();
    const path = (req.url ?? "/").split("?")[0];
    res.setHeader("X-Request-Id", requestId);
    res.on("finish", function logRequest() {
      // Only the path: query strings carry codes, states and PKCE values.
      logger.debug("request served", {
        requestId,
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      });
    });

    if (path === INTERACTION_PATH || path.startsWith(`${INTERACTION_PATH}/`)) {
      void interactions(req, res);
      return;
    }
    if (discovery.has(path)) {
      req.url = "/.well-known/openid-configuration";
    }
    providerListener()(req, res);
  };
}

// OpenID Connect Discovery §4 appends to the issuer; RFC 8414 §3 inserts before its path.
function discoveryPaths(issuerPath: string): Set<string> {
  const base = issuerPath.replace(/\/$/, "");
  return new Set([
    `${base}/.well-known/openid-configuration`,
    `${base}/.well-known/oauth-authorization-server`,
    `/.well-known/oauth-authorization-server${base}`,
  ]);
}

/** Listening sockets, one per address the host name resolves to. */
export interface Listening {
  /** The port (the one chosen by the system when 0 was asked). */
  port: number;
  addresses: string[];
  close(): Promise<void>;
}

/**
 * Listens on every address `host` resolves to, so that `localhost` answers whether clients
 * resolve it to 127.0.0.1 or ::1.
 */
export async function listen(listener: Listener, host: string, port: number): Promise<Listening> {
  const resolved = await lookup(host, { all: true });
  const addresses = [...new Set(resolved.map((entry) => entry.address))];
  const servers: Server[] = [];
  let chosen = port;

  async function close(): Promise<void> {
    await Promise.all(servers.map((server) => {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }));
  }

  for (const address of addresses) {
    const server = createServer(listener);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host: address, port: chosen }, () => resolve());
      });
    } catch (error) {
      await close();
      throw error;
    }
    chosen = (server.address() as AddressInfo).port;
    servers.push(server);
  }

  return { port: chosen, addresses, close };
}
