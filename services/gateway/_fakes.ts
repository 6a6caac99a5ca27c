/**
 * Fakes for the gateway's unit tests: an authorization server and two APIs behind one
 * replaceable `fetch`, a JWT maker, and a logger that keeps its lines.
 *
 * @module
 */

import { createLogger } from "../../shared/log/logger.ts";
import type { Logger } from "../../shared/log/logger.ts";
import type { GatewayAppConfig } from "./app.ts";

export const ISSUER = "http://as.test/oauth/v2/oauth-anonymous";
export const INTROSPECTION_ENDPOINT = "http://as.test/oauth/v2/oauth-introspect";

/**
 * The client credentials of a Basic header, form-decoded first as RFC 6749 section 2.3.1 asks
 * (oauth4webapi encodes even "-" as "%2D").
 */
export function basicCredentials(header: string | null): [string, string] | undefined {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? "");
  if (!match) return undefined;
  const [id, secret] = atob(match[1]).split(":");
  const decode = (part = "") => decodeURIComponent(part.replaceAll("+", " "));
  return [decode(id), decode(secret)];
}

/** A gateway configuration pointing at the fakes. */
export function testConfig(overrides: Partial<GatewayAppConfig> = {}): GatewayAppConfig {
  return {
    issuer: new URL(ISSUER),
    clientId: "introspect-client",
    clientSecret: "Password1",
    routes: [
      { prefix: "/orders", target: new URL("http://orders.test") },
      { prefix: "/invoices", target: new URL("http://invoices.test/api") },
    ],
    bodyLimitBytes: 1024,
    cacheMaxTtlSeconds: 300,
    cacheMaxEntries: 100,
    inactiveTtlSeconds: 5,
    introspectionTimeoutMs: 1000,
    upstreamTimeoutMs: 1000,
    ...overrides,
  };
}

/** An unsigned compact JWT: the gateway only decodes, the APIs verify. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
  return `${part({ alg: "ES256", typ: "at+jwt" })}.${part(claims)}.c2lnbmF0dXJl`;
}

/** What a fake upstream saw. */
export interface SeenRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

type Handler = (request: Request) => Response | Promise<Response>;

/** One `fetch` that routes by host to the fake authorization server and APIs. */
export class FakeNetwork {
  /** Active tokens and the JWT each stands for. */
  tokens = new Map<string, string>();
  introspections = 0;
  discoveries = 0;
  seen: SeenRequest[] = [];
  /** Replace to make the authorization server answer differently. */
  introspect: Handler = (request) => this.#introspectDefault(request);
  discover: Handler = () =>
    Response.json({ issuer: ISSUER, introspection_endpoint: INTROSPECTION_ENDPOINT });
  upstream: Handler = (request) => Response.json({ ok: true, path: new URL(request.url).pathname });

  fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.host === "as.test") {
      if (url.pathname.endsWith("/.well-known/openid-configuration")) {
        this.discoveries++;
        return await this.discover(request);
      }
      this.introspections++;
      return await this.introspect(request);
    }

    const body = await request.text();
    this.seen.push({ url: request.url, method: request.method, headers: request.headers, body });
    return await this.upstream(
      new Request(request.url, {
        method: request.method,
        headers: request.headers,
        body: body || undefined,
      }),
    );
  };

  async #introspectDefault(request: Request): Promise<Response> {
    const credentials = basicCredentials(request.headers.get("authorization"));
    if (credentials?.[0] !== "introspect-client" || credentials[1] !== "Password1") {
      return Response.json({ error: "invalid_client" }, { status: 401 });
    }
    const token = new URLSearchParams(await request.text()).get("token") ?? "";
    const jwt = this.tokens.get(token);
    if (jwt && request.headers.get("accept") === "application/jwt") {
      return new Response(jwt, { headers: { "content-type": "application/jwt" } });
    }
    return Response.json({ active: false });
  }
}

/** A logger whose lines are kept for assertions. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    logger: createLogger({ name: "gateway", level: "debug", write: (line) => lines.push(line) }),
    lines,
  };
}

/** A clock the test moves by hand, in milliseconds. */
export class ManualClock {
  time = Date.UTC(2026, 11, 3, 12);
  now = (): number => this.time;
  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
  /** Epoch seconds `seconds` from now, for a JWT's `exp`. */
  expIn(seconds: number): number {
    return Math.floor(this.time / 1000) + seconds;
  }
}
