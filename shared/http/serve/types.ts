/**
 * The one shape of the runtime adapters in this folder: `deno.ts`, `bun.ts` and `node.ts` each
 * export a `serve` function of type {@linkcode Serve}, so an entry file can pick one by runtime
 * and everything else stays on Web APIs.
 *
 * @module
 */

/** A Web-standard request handler, such as a Hono app's `fetch`. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Where a server listens once it is up. */
export interface ListenAddress {
  hostname: string;
  port: number;
}

/** Options of every adapter's `serve`. */
export interface ServeOptions {
  /** TCP port; `0` lets the system choose a free one (read it from `address`). */
  port: number;
  /** Interface to bind. Default `"0.0.0.0"`. */
  hostname?: string;
  /** Aborting it closes the server, as {@linkcode RunningServer.close} does. */
  signal?: AbortSignal;
  /** Called once the server accepts connections. */
  onListen?: (address: ListenAddress) => void;
}

/** A listening server. */
export interface RunningServer {
  readonly address: ListenAddress;
  /** Settles once the server has closed. */
  readonly finished: Promise<void>;
  /** Stops accepting connections, ends idle ones and waits until the server has closed. */
  close(): Promise<void>;
}

/** The signature shared by the adapters; resolves once the server listens. */
export type Serve = (handler: FetchHandler, options: ServeOptions) => Promise<RunningServer>;
