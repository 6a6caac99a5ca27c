/**
 * The loopback listener of a native app (RFC 8252 §7.3): an HTTP server on 127.0.0.1 that
 * receives the one redirect of a sign-in, hands it to the caller's check, and tells the person
 * in the browser how it went. It serves through whichever `serve` adapter it is given, so this
 * file uses Web APIs only.
 *
 * @module
 */

import type { RunningServer, Serve } from "../shared/http/serve/types.ts";
import { CLIENT_ERRORS, ServiceError } from "./errors.ts";

/** The path of the redirect URI; the server compares it exactly. */
export const CALLBACK_PATH = "/callback";

/** Options of {@linkcode startLoopbackListener}. */
export interface LoopbackOptions {
  serve: Serve;
  /** TCP port on 127.0.0.1; `0` takes any free one. */
  port: number;
}

/** A listening loopback server waiting for one redirect. */
export interface LoopbackListener {
  /** `http://127.0.0.1:<port>/callback`, with the port actually bound. */
  readonly redirectUri: string;
  /**
   * Resolves with what `check` returns for the first redirect, or rejects with what it throws.
   * Later redirects are answered with an error page and otherwise ignored.
   */
  waitForRedirect<T>(check: (url: URL) => T): Promise<T>;
  close(): Promise<void>;
}

/** Binds the listener; throws `listener_failed` when the port cannot be bound. */
export async function startLoopbackListener(options: LoopbackOptions): Promise<LoopbackListener> {
  let onRedirect: ((url: URL) => string) | undefined;
  let answered = false;

  function handleRedirect(request: Request): Response {
    const url = new URL(request.url);
    if (url.pathname !== CALLBACK_PATH || request.method !== "GET") {
      return page(404, "Not found", "This address only receives the sign-in redirect.");
    }
    if (!onRedirect || answered) {
      return page(400, "No sign-in in progress", "Return to the terminal.");
    }
    answered = true;
    const outcome = onRedirect(url);
    return outcome === ""
      ? page(200, "Signed in", "You can close this window and return to the terminal.")
      : page(400, "Sign-in failed", `${outcome}. Return to the terminal.`);
  }

  let server: RunningServer;
  try {
    // Some adapters throw at once (Deno.serve), others reject: both mean the port is unusable.
    server = await options.serve(handleRedirect, { port: options.port, hostname: "127.0.0.1" });
  } catch (cause) {
    throw new ServiceError(
      CLIENT_ERRORS.listenerFailed,
      `Failed to listen on 127.0.0.1:${options.port} for the sign-in redirect ` +
        "(is the port taken? choose another with --port)",
      { status: 500, cause },
    );
  }

  return {
    redirectUri: `http://127.0.0.1:${server.address.port}${CALLBACK_PATH}`,
    waitForRedirect<T>(check: (url: URL) => T): Promise<T> {
      const { promise, resolve, reject } = Promise.withResolvers<T>();
      onRedirect = function settle(url) {
        try {
          resolve(check(url));
          return "";
        } catch (error) {
          reject(error);
          return error instanceof Error ? error.message : String(error);
        }
      };
      return promise;
    },
    close: () => server.close(),
  };
}

function page(status: number, title: string, message: string): Response {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1><p>${escape(message)}</p></main></body></html>
`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": "default-src 'none'",
    },
  });
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
