import assert from "node:assert/strict";
import { createGatewayApp } from "./app.ts";
import type { GatewayAppConfig } from "./app.ts";
import {
  basicCredentials,
  fakeJwt,
  FakeNetwork,
  ManualClock,
  recordingLogger,
  testConfig,
} from "./_fakes.ts";

function setup(config: Partial<GatewayAppConfig> = {}) {
  const net = new FakeNetwork();
  const clock = new ManualClock();
  const { logger, lines } = recordingLogger();
  const jwt = fakeJwt({ sub: "demouser", exp: clock.expIn(600) });
  net.tokens.set("opaque-1", jwt);
  const app = createGatewayApp({
    config: testConfig(config),
    fetch: net.fetch,
    logger,
    now: clock.now,
  });
  return { app, net, clock, lines, jwt };
}

function bearer(token: string, extra: Record<string, string> = {}): RequestInit {
  return { headers: { authorization: `Bearer ${token}`, ...extra } };
}

async function problemOf(response: Response): Promise<Record<string, unknown>> {
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  return await response.json();
}

Deno.test("GET /health answers ok without a token or any introspection", async () => {
  const { app, net } = setup();

  const response = await app.request("/health");

  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: "ok" });
  assert.equal(net.discoveries + net.introspections, 0);
});

Deno.test("gateway forwards the JWT upstream in place of the opaque token", async () => {
  const { app, net, jwt } = setup();

  const response = await app.request("/orders/42?expand=lines", bearer("opaque-1"));

  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { ok: true, path: "/orders/42" });
  assert.equal(net.seen.length, 1);
  assert.equal(net.seen[0].url, "http://orders.test/orders/42?expand=lines");
  assert.equal(net.seen[0].headers.get("authorization"), `Bearer ${jwt}`);
  assert.ok(!JSON.stringify([...net.seen[0].headers]).includes("opaque-1"));
});

Deno.test("gateway introspects with client_secret_basic and Accept: application/jwt", async () => {
  const { app, net } = setup();
  let seen: Request | undefined;
  const original = net.introspect;
  net.introspect = (request) => {
    seen = request.clone();
    return original(request);
  };

  await app.request("/orders", bearer("opaque-1"));

  assert.ok(seen);
  assert.equal(seen.method, "POST");
  assert.deepEqual(basicCredentials(seen.headers.get("authorization")), [
    "introspect-client",
    "Password1",
  ]);
  assert.equal(seen.headers.get("accept"), "application/jwt");
  assert.equal(new URLSearchParams(await seen.text()).get("token"), "opaque-1");
});

Deno.test("gateway routes by the route table and keeps the target's base path", async () => {
  const { app, net } = setup();

  const response = await app.request("/invoices/7", bearer("opaque-1"));

  assert.equal(response.status, 200);
  assert.equal(net.seen[0].url, "http://invoices.test/api/invoices/7");
});

Deno.test("gateway answers 404 problem for a path outside the route table", async (t) => {
  const { app, net } = setup();

  for (const path of ["/", "/admin", "/orders-archive", "/ORDERS"]) {
    await t.step(path, async () => {
      const response = await app.request(path, bearer("opaque-1"));
      assert.equal(response.status, 404);
      assert.equal((await problemOf(response)).code, "route_not_found");
    });
  }
  assert.equal(net.introspections, 0);
});

Deno.test("gateway answers 401 with a bare Bearer challenge when no token is sent", async (t) => {
  const { app, net } = setup();

  const variants: Record<string, string>[] = [
    {},
    { authorization: "" },
    { authorization: "Basic dXNlcjpwdw==" },
  ];
  for (const headers of variants) {
    await t.step(JSON.stringify(headers), async () => {
      const response = await app.request("/orders", { headers });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="api"');
      assert.equal((await problemOf(response)).code, "token_missing");
    });
  }
  assert.equal(net.introspections, 0);
});

Deno.test("gateway gives a malformed token 401 invalid_token without introspection", async (t) => {
  const { app, net } = setup();

  for (
    const value of [
      "Bearer",
      "Bearer ",
      "Bearer a b",
      "Bearer a,b",
      "Bearer x=y",
      `Bearer ${"a".repeat(4097)}`,
    ]
  ) {
    await t.step(value.slice(0, 20), async () => {
      const response = await app.request("/orders", { headers: { authorization: value } });
      assert.equal(response.status, 401);
      const challenge = response.headers.get("www-authenticate") ?? "";
      assert.match(challenge, /^Bearer realm="api", error="invalid_token", error_description="/);
      assert.equal((await problemOf(response)).code, "token_malformed");
    });
  }
  assert.equal(net.introspections, 0);
});

Deno.test("gateway answers 401 invalid_token for an inactive token", async (t) => {
  await t.step("JSON active:false", async () => {
    const { app } = setup();
    const response = await app.request("/orders", bearer("unknown"));
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    assert.equal((await problemOf(response)).code, "token_inactive");
  });

  await t.step("204 No Content", async () => {
    const { app, net } = setup();
    net.introspect = () => new Response(null, { status: 204 });
    const response = await app.request("/orders", bearer("unknown"));
    assert.equal(response.status, 401);
    assert.equal((await problemOf(response)).code, "token_inactive");
  });
});

Deno.test("gateway answers 503, never 401, when the server cannot be reached", async (t) => {
  const cases: Record<string, (net: FakeNetwork) => void> = {
    "introspection unreachable": (net) => {
      net.introspect = () => Promise.reject(new TypeError("connection refused"));
    },
    "introspection timed out": (net) => {
      net.introspect = () => Promise.reject(new DOMException("timed out", "TimeoutError"));
    },
    "introspection 500": (net) => {
      net.introspect = () => new Response("boom", { status: 500 });
    },
    "discovery unreachable": (net) => {
      net.discover = () => Promise.reject(new TypeError("connection refused"));
    },
    "discovery 503": (net) => {
      net.discover = () => new Response("down", { status: 503 });
    },
  };

  for (const [name, breakIt] of Object.entries(cases)) {
    await t.step(name, async () => {
      const { app, net } = setup();
      breakIt(net);
      const response = await app.request("/orders", bearer("opaque-1"));
      assert.equal(response.status, 503);
      assert.equal(response.headers.get("www-authenticate"), null);
      assert.equal((await problemOf(response)).code, "authorization_server_unavailable");
    });
  }
});

Deno.test("gateway answers 502 when the server refuses the gateway's client", async () => {
  const { app, net, lines } = setup({ clientSecret: "wrong" });

  const response = await app.request("/orders", bearer("opaque-1"));

  assert.equal(response.status, 502);
  assert.equal((await problemOf(response)).code, "introspection_failed");
  assert.equal(net.seen.length, 0);
  const logged = lines.map((line) => JSON.parse(line)).find((line) => line.level === "error");
  assert.equal(logged?.code, "introspection_failed");
  assert.match(logged?.error.message, /invalid_client/);
});

Deno.test("gateway answers 502 when introspection gives no usable answer", async (t) => {
  const answers: Record<string, () => Response> = {
    "active JSON without JWT": () => Response.json({ active: true, sub: "x" }),
    "JWT body that is not a JWT": () =>
      new Response("not-a-jwt", { headers: { "content-type": "application/jwt" } }),
    "discovery without introspection endpoint": () => Response.json({ active: false }),
  };

  for (const [name, answer] of Object.entries(answers)) {
    await t.step(name, async () => {
      const { app, net } = setup();
      if (name.startsWith("discovery")) {
        net.discover = () => Response.json({ issuer: "http://as.test/oauth/v2/oauth-anonymous" });
      } else net.introspect = answer;
      const response = await app.request("/orders", bearer("opaque-1"));
      assert.equal(response.status, 502);
      assert.equal((await problemOf(response)).code, "introspection_failed");
    });
  }
});

Deno.test("gateway answers 502 when the upstream cannot be reached", async (t) => {
  const failures: Record<string, [Error, string]> = {
    refused: [new TypeError("connection refused"), "upstream_unreachable"],
    timeout: [new DOMException("timed out", "TimeoutError"), "upstream_timeout"],
  };

  for (const [name, [error, code]] of Object.entries(failures)) {
    await t.step(name, async () => {
      const { app, net } = setup();
      net.upstream = () => Promise.reject(error);
      const response = await app.request("/orders", bearer("opaque-1"));
      assert.equal(response.status, 502);
      const body = await problemOf(response);
      assert.equal(body.code, code);
      assert.ok(!String(body.detail).includes("orders.test"), "detail names no internal host");
    });
  }
});

Deno.test("gateway passes the upstream's own error answers through unchanged", async () => {
  const { app, net } = setup();
  net.upstream = () => new Response("nope", { status: 500, headers: { "x-api": "orders" } });

  const response = await app.request("/orders", bearer("opaque-1"));

  assert.equal(response.status, 500);
  assert.equal(response.headers.get("x-api"), "orders");
  assert.equal(await response.text(), "nope");
});

Deno.test("gateway forwards a body within the limit unchanged", async () => {
  const { app, net } = setup();
  const body = JSON.stringify({ item: "book", quantity: 2 });

  const response = await app.request("/orders", {
    method: "POST",
    body,
    headers: { authorization: "Bearer opaque-1", "content-type": "application/json" },
  });

  assert.equal(response.status, 200);
  assert.equal(net.seen[0].method, "POST");
  assert.equal(net.seen[0].body, body);
  assert.equal(net.seen[0].headers.get("content-type"), "application/json");
});

Deno.test("gateway answers 413 for a body over the limit", async (t) => {
  await t.step("declared by Content-Length, before introspection", async () => {
    const { app, net } = setup();
    const response = await app.request("/orders", {
      method: "POST",
      body: "x".repeat(1025),
      // A Request built in-process carries no Content-Length; a server-side one does.
      headers: { authorization: "Bearer opaque-1", "content-length": "1025" },
    });
    assert.equal(response.status, 413);
    assert.equal((await problemOf(response)).code, "body_too_large");
    assert.equal(net.introspections + net.seen.length, 0);
  });

  await t.step("streamed without Content-Length", async () => {
    const { app, net } = setup();
    const chunk = new TextEncoder().encode("x".repeat(600));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const request = new Request("http://gateway.test/orders", {
      method: "POST",
      body: stream,
      headers: { authorization: "Bearer opaque-1" },
    });
    const response = await app.request(request);
    assert.equal(response.status, 413);
    assert.equal(net.seen.length, 0);
  });
});

Deno.test("gateway strips hop-by-hop headers in both directions", async () => {
  const { app, net } = setup();
  net.upstream = () =>
    new Response("ok", {
      headers: {
        connection: "x-upstream-secret",
        "x-upstream-secret": "1",
        "keep-alive": "timeout=5",
        "proxy-authenticate": "Basic",
        trailer: "x-sum",
        upgrade: "h2c",
        "x-kept": "yes",
      },
    });

  const response = await app.request("/orders", {
    headers: {
      authorization: "Bearer opaque-1",
      connection: "keep-alive, x-client-private",
      "x-client-private": "1",
      "keep-alive": "timeout=5",
      te: "trailers",
      trailer: "x-sum",
      upgrade: "websocket",
      "proxy-authorization": "Basic c2VjcmV0",
      "x-kept": "yes",
    },
  });

  const sent = net.seen[0].headers;
  for (const name of ["connection", "x-client-private", "keep-alive", "te", "trailer", "upgrade"]) {
    assert.equal(sent.get(name), null, `request header "${name}" was forwarded`);
  }
  assert.equal(sent.get("proxy-authorization"), null);
  assert.equal(sent.get("x-kept"), "yes");

  for (
    const name of [
      "connection",
      "x-upstream-secret",
      "keep-alive",
      "proxy-authenticate",
      "trailer",
      "upgrade",
    ]
  ) {
    assert.equal(response.headers.get(name), null, `response header "${name}" was returned`);
  }
  assert.equal(response.headers.get("x-kept"), "yes");
});

Deno.test("gateway passes a sane request id on and returns it", async () => {
  const { app, net, lines } = setup();

  const response = await app.request(
    "/orders",
    bearer("opaque-1", { "x-request-id": "req-42.a:b_c" }),
  );

  assert.equal(response.headers.get("x-request-id"), "req-42.a:b_c");
  assert.equal(net.seen[0].headers.get("x-request-id"), "req-42.a:b_c");
  const access = lines.map((line) => JSON.parse(line)).find((l) => l.message === "request handled");
  assert.equal(access?.requestId, "req-42.a:b_c");
  assert.equal(access?.status, 200);
});

Deno.test("gateway replaces a missing or unsafe request id with a new UUID", async (t) => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  for (const incoming of [undefined, "", "a b", "x".repeat(129), 'id"}{', "\u00e9t\u00e9"]) {
    await t.step(String(incoming), async () => {
      const { app, net } = setup();
      const extra: Record<string, string> = incoming === undefined
        ? {}
        : { "x-request-id": incoming };
      const response = await app.request("/orders", bearer("opaque-1", extra));
      const id = response.headers.get("x-request-id") ?? "";
      assert.match(id, uuid);
      assert.equal(net.seen[0].headers.get("x-request-id"), id);
    });
  }
});

Deno.test("gateway error answers carry the request id", async () => {
  const { app } = setup();

  const response = await app.request("/orders", { headers: { "x-request-id": "r-1" } });

  assert.equal(response.status, 401);
  assert.equal(response.headers.get("x-request-id"), "r-1");
});

Deno.test("gateway never forwards an access_token query parameter", async () => {
  const { app, net } = setup();

  await app.request("/orders?access_token=opaque-1&page=2", bearer("opaque-1"));

  assert.equal(net.seen[0].url, "http://orders.test/orders?page=2");
});

Deno.test("gateway logs a short token hash, never the token or the JWT", async () => {
  const { app, lines, jwt } = setup();

  await app.request("/orders", bearer("opaque-1"));
  await app.request("/orders", bearer("unknown-token"));

  const text = lines.join("\n");
  assert.ok(!text.includes("opaque-1"));
  assert.ok(!text.includes("unknown-token"));
  assert.ok(!text.includes(jwt.split(".")[1]));
  const access = lines.map((line) => JSON.parse(line)).filter((l) =>
    l.message === "request handled"
  );
  assert.equal(access.length, 2);
  assert.match(access[0].tokenHash, /^[0-9a-f]{12}$/);
});

Deno.test("gateway reuses a cached introspection until the JWT expires", async () => {
  const { app, net, clock } = setup();
  net.tokens.set("short", fakeJwt({ sub: "u", exp: clock.expIn(30) }));

  await app.request("/orders", bearer("short"));
  clock.advance(29);
  await app.request("/orders", bearer("short"));
  assert.equal(net.introspections, 1);

  clock.advance(1);
  await app.request("/orders", bearer("short"));
  assert.equal(net.introspections, 2);
  assert.equal(net.discoveries, 1);
});

Deno.test("gateway caps the cache lifetime at the configured maximum", async () => {
  const { app, net, clock } = setup({ cacheMaxTtlSeconds: 60 });

  await app.request("/orders", bearer("opaque-1"));
  clock.advance(59);
  await app.request("/orders", bearer("opaque-1"));
  clock.advance(1);
  await app.request("/orders", bearer("opaque-1"));

  assert.equal(net.introspections, 2);
});

Deno.test("gateway shares one introspection among concurrent requests", async () => {
  const { app, net } = setup();
  const original = net.introspect;
  net.introspect = async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return original(request);
  };

  const responses = await Promise.all(
    Array.from({ length: 10 }, () => app.request("/orders", bearer("opaque-1"))),
  );

  assert.deepEqual(responses.map((r) => r.status), Array(10).fill(200));
  assert.equal(net.introspections, 1);
  assert.equal(net.seen.length, 10);
});

Deno.test("gateway caches an inactive answer only for the inactive lifetime", async () => {
  const { app, net, clock } = setup({ inactiveTtlSeconds: 5 });

  await app.request("/orders", bearer("dead"));
  clock.advance(4);
  await app.request("/orders", bearer("dead"));
  assert.equal(net.introspections, 1);

  clock.advance(1);
  net.tokens.set("dead", fakeJwt({ sub: "u", exp: clock.expIn(60) }));
  const response = await app.request("/orders", bearer("dead"));
  assert.equal(response.status, 200);
  assert.equal(net.introspections, 2);
});

Deno.test("gateway does not cache a failed introspection", async () => {
  const { app, net } = setup();
  const original = net.introspect;
  net.introspect = () => new Response("down", { status: 503 });

  assert.equal((await app.request("/orders", bearer("opaque-1"))).status, 503);
  net.introspect = original;
  assert.equal((await app.request("/orders", bearer("opaque-1"))).status, 200);
  assert.equal(net.introspections, 2);
});

Deno.test("gateway retries discovery after it failed", async () => {
  const { app, net } = setup();
  const original = net.discover;
  net.discover = () => Promise.reject(new TypeError("connection refused"));

  assert.equal((await app.request("/orders", bearer("opaque-1"))).status, 503);
  net.discover = original;
  assert.equal((await app.request("/orders", bearer("opaque-1"))).status, 200);
  assert.equal((await app.request("/orders", bearer("opaque-1"))).status, 200);
  assert.equal(net.discoveries, 2);
});
