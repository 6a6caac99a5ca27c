/**
 * A fake authorization server and an echoing API on real sockets (`Deno.serve`, free ports on
 * the loopback interface), for the runtime test and the benchmark.
 *
 * @module
 */

import { basicCredentials, fakeJwt } from "../../services/gateway/_fakes.ts";

export { fakeJwt };

/** A server started by this module. */
export interface FakeServer {
  url: string;
  close(): Promise<void>;
}

/** Options of {@linkcode startFakeAuthorizationServer}. */
export interface FakeAuthorizationServerOptions {
  /** The JWT for an active token, or undefined for an inactive one. */
  jwtFor: (token: string) => string | undefined;
}

/** The fake authorization server, with its issuer and a count of introspections. */
export interface FakeAuthorizationServer extends FakeServer {
  issuer: string;
  introspections: number;
}

function listen(handler: Deno.ServeHandler): { server: Deno.HttpServer; url: string } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  return { server, url: `http://127.0.0.1:${server.addr.port}` };
}

/**
 * Discovery and phantom-token introspection for client `introspect-client` / `Password1`.
 * The token `as-fails` makes it answer 500.
 */
export function startFakeAuthorizationServer(
  options: FakeAuthorizationServerOptions,
): FakeAuthorizationServer {
  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.endsWith("/.well-known/openid-configuration")) {
      return Response.json({
        issuer: fake.issuer,
        introspection_endpoint: `${fake.url}/oauth/v2/oauth-introspect`,
      });
    }
    if (url.pathname !== "/oauth/v2/oauth-introspect" || request.method !== "POST") {
      return new Response("not found", { status: 404 });
    }

    fake.introspections++;
    const credentials = basicCredentials(request.headers.get("authorization"));
    if (credentials?.[0] !== "introspect-client" || credentials[1] !== "Password1") {
      return Response.json({ error: "invalid_client" }, { status: 401 });
    }
    const token = new URLSearchParams(await request.text()).get("token") ?? "";
    if (token === "as-fails") return new Response("failure", { status: 500 });
    const jwt = options.jwtFor(token);
    if (!jwt) return Response.json({ active: false });
    return new Response(jwt, { headers: { "content-type": "application/jwt" } });
  }

  const { server, url } = listen(handle);
  const fake: FakeAuthorizationServer = {
    url,
    issuer: `${url}/oauth/v2/oauth-anonymous`,
    introspections: 0,
    close: () => server.shutdown(),
  };
  return fake;
}

/**
 * An API that answers with what it received: method, path, selected headers, body size. With
 * `?stream=N` it streams N bytes in chunks instead, slowly enough to outlive the handler.
 */
export function startEchoUpstream(): FakeServer {
  async function echo(request: Request): Promise<Response> {
    const body = new Uint8Array(await request.arrayBuffer());
    const url = new URL(request.url);
    const streamed = Number(url.searchParams.get("stream") ?? 0);
    if (streamed > 0) return new Response(slowBytes(streamed));
    return Response.json({
      method: request.method,
      path: url.pathname + url.search,
      authorization: request.headers.get("authorization"),
      requestId: request.headers.get("x-request-id"),
      headers: [...request.headers.keys()],
      bodyBytes: body.byteLength,
    }, { headers: { connection: "x-upstream-private", "x-upstream-private": "1" } });
  }

  const { server, url } = listen(echo);
  return { url, close: () => server.shutdown() };
}

/** A loopback URL where nothing listens (a port that was just free). */
export function closedPortUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `http://127.0.0.1:${port}`;
}

function slowBytes(total: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(16 * 1024).fill(120);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const size = Math.min(chunk.byteLength, total - sent);
      controller.enqueue(chunk.subarray(0, size));
      sent += size;
      if (sent >= total) controller.close();
    },
  });
}
