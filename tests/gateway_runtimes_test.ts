/**
 * The same gateway, unchanged, on Deno, Bun and Node: each runtime gets its own child process
 * on a free port, in front of a fake authorization server and an echoing API started here,
 * and answers the same requests. Every child is stopped in `finally`.
 */
import assert from "node:assert/strict";
import { startGateway } from "./support/gateway_process.ts";
import type { GatewayProcess, Runtime } from "./support/gateway_process.ts";
import {
  closedPortUrl,
  fakeJwt,
  startEchoUpstream,
  startFakeAuthorizationServer,
} from "./support/gateway_fakes.ts";

const RUNTIMES: Runtime[] = ["deno", "bun", "node"];
const JWT = fakeJwt({ sub: "demouser", exp: Math.floor(Date.now() / 1000) + 600 });

async function problemCode(response: Response): Promise<unknown> {
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  return (await response.json()).code;
}

/** The requests every runtime must answer alike. */
async function exercise(t: Deno.TestContext, gateway: GatewayProcess): Promise<void> {
  const url = gateway.url;
  const auth = { authorization: "Bearer opaque-good" };

  await t.step("GET /health answers ok", async () => {
    const response = await fetch(`${url}/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok" });
  });

  await t.step("the API receives the JWT, the request id and no hop-by-hop header", async () => {
    const response = await fetch(`${url}/orders/7?x=1`, {
      headers: { ...auth, "x-request-id": "rt-1", connection: "x-private", "x-private": "1" },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-request-id"), "rt-1");
    assert.equal(response.headers.get("x-upstream-private"), null);
    const seen = await response.json();
    assert.equal(seen.path, "/orders/7?x=1");
    assert.equal(seen.authorization, `Bearer ${JWT}`);
    assert.equal(seen.requestId, "rt-1");
    assert.ok(!seen.headers.includes("x-private"));
  });

  await t.step("a streamed answer arrives whole", async () => {
    const response = await fetch(`${url}/orders/big?stream=262144`, { headers: auth });
    assert.equal(response.status, 200);
    assert.equal((await response.arrayBuffer()).byteLength, 262144);
  });

  await t.step("a body within the limit is forwarded", async () => {
    const response = await fetch(`${url}/orders`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ item: "x".repeat(500) }),
    });
    assert.equal(response.status, 200);
    assert.equal((await response.json()).bodyBytes, 511);
  });

  await t.step("a body over the limit gets 413", async () => {
    const response = await fetch(`${url}/orders`, {
      method: "POST",
      headers: auth,
      body: "x".repeat(4096),
    });
    assert.equal(response.status, 413);
    assert.equal(await problemCode(response), "body_too_large");
  });

  await t.step("a streamed body over the limit gets 413", async () => {
    const chunk = new TextEncoder().encode("x".repeat(700));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(`${url}/orders`, {
      method: "POST",
      headers: auth,
      body,
      duplex: "half",
    } as RequestInit);
    assert.equal(response.status, 413);
    assert.equal(await problemCode(response), "body_too_large");
  });

  await t.step("no token gets 401 with a Bearer challenge", async () => {
    const response = await fetch(`${url}/orders`);
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer realm=/);
    assert.equal(await problemCode(response), "token_missing");
  });

  await t.step("an inactive token gets 401 invalid_token", async () => {
    const response = await fetch(`${url}/orders`, { headers: { authorization: "Bearer nope" } });
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    assert.equal(await problemCode(response), "token_inactive");
  });

  await t.step("a failing authorization server gets 503", async () => {
    const response = await fetch(`${url}/orders`, {
      headers: { authorization: "Bearer as-fails" },
    });
    assert.equal(response.status, 503);
    assert.equal(await problemCode(response), "authorization_server_unavailable");
  });

  await t.step("an unreachable API gets 502", async () => {
    const response = await fetch(`${url}/invoices/1`, { headers: auth });
    assert.equal(response.status, 502);
    assert.equal(await problemCode(response), "upstream_unreachable");
  });

  await t.step("an unknown path gets 404", async () => {
    const response = await fetch(`${url}/nowhere`, { headers: auth });
    assert.equal(response.status, 404);
    assert.equal(await problemCode(response), "route_not_found");
  });
}

Deno.test({
  name: "gateway answers alike on Deno, Bun and Node",
  async fn(t) {
    const as = startFakeAuthorizationServer({
      jwtFor: (token) => token === "opaque-good" ? JWT : undefined,
    });
    const upstream = startEchoUpstream();
    const env = {
      OAUTH_ISSUER: as.issuer,
      ORDERS_API_URL: upstream.url,
      INVOICES_API_URL: closedPortUrl(),
      GATEWAY_BODY_LIMIT_BYTES: "1024",
      LOG_LEVEL: "info",
    };
    const started: GatewayProcess[] = [];

    try {
      for (const runtime of RUNTIMES) {
        await t.step(runtime, async (t) => {
          const gateway = await startGateway(runtime, env);
          started.push(gateway);
          const introspectionsBefore = as.introspections;

          await exercise(t, gateway);

          // opaque-good was asked for once; every later request used the cache.
          assert.ok(as.introspections - introspectionsBefore <= 4);
          assert.equal(await gateway.stop(), 0, `${runtime} gateway did not exit with 0`);
          assert.ok(!gateway.lines.join("\n").includes("opaque-good"), "a log line has the token");
        });
      }
    } finally {
      await Promise.all(started.map((gateway) => gateway.stop(2_000)));
      await Promise.all([as.close(), upstream.close()]);
    }
  },
});
