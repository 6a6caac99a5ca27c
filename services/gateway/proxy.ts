/**
 * Sends a request on to its API with the JWT in place of the opaque token, and brings the
 * answer back. Only Web APIs, so it runs on Deno, Bun and Node alike.
 *
 * @module
 */

import { ServiceError } from "../../shared/errors.ts";
import { withoutHopByHop } from "./hop_by_hop.ts";

/** Options of {@linkcode forward}. */
export interface ForwardOptions {
  /** Where the request goes. */
  url: URL;
  /** The JWT access token that replaces the client's opaque token. */
  jwt: string;
  requestId: string;
  /** The request body, already read within the limit. */
  body: Uint8Array<ArrayBuffer> | null;
  fetch: typeof fetch;
  timeoutMs: number;
}

/**
 * Forwards `request` upstream. The API's answer, whatever its status, is passed back; only a
 * failure to get one throws: `upstream_timeout` or `upstream_unreachable` (502).
 */
export async function forward(request: Request, options: ForwardOptions): Promise<Response> {
  const headers = upstreamHeaders(request, options);
  // Not tied to request.signal: Deno 2.9 still aborts that signal after every answer (its
  // legacy behaviour, with a warning on stderr), and the upstream body may still be streaming.
  // A client that goes away cancels the response stream, which cancels the upstream body.
  const signal = AbortSignal.timeout(options.timeoutMs);

  let upstream: Response;
  try {
    upstream = await options.fetch(options.url, {
      method: request.method,
      headers,
      body: options.body,
      redirect: "manual",
      signal,
    });
  } catch (cause) {
    throw upstreamFailed(options.url, cause);
  }

  return new Response(nullBodyStatus(upstream.status) ? null : upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: downstreamHeaders(upstream, options.requestId),
  });
}

function upstreamHeaders(request: Request, options: ForwardOptions): Headers {
  const headers = withoutHopByHop(request.headers);
  // fetch sets Host and Content-Length for the new connection and body.
  headers.delete("host");
  headers.delete("content-length");
  // The opaque token stops here: the API sees only the JWT.
  headers.set("authorization", `Bearer ${options.jwt}`);
  headers.set("x-request-id", options.requestId);

  const from = new URL(request.url);
  headers.set("x-forwarded-host", from.host);
  headers.set("x-forwarded-proto", from.protocol.slice(0, -1));
  return headers;
}

function downstreamHeaders(upstream: Response, requestId: string): Headers {
  const headers = withoutHopByHop(upstream.headers);
  // fetch has already decoded a compressed body; its encoding and length no longer apply.
  if (headers.has("content-encoding")) {
    headers.delete("content-encoding");
    headers.delete("content-length");
  }
  headers.set("x-request-id", requestId);
  return headers;
}

function nullBodyStatus(status: number): boolean {
  return status === 204 || status === 205 || status === 304;
}

function upstreamFailed(url: URL, cause: unknown): ServiceError {
  const timedOut = cause instanceof DOMException && cause.name === "TimeoutError";
  return new ServiceError(
    timedOut ? "upstream_timeout" : "upstream_unreachable",
    `Upstream "${url.origin}" ${timedOut ? "timed out" : "is unreachable"}`,
    { status: 502, cause },
  );
}
