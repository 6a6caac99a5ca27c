import assert from "node:assert/strict";
import * as jose from "jose";
import { ServiceError } from "../../shared/errors.ts";
import { migrate } from "../../shared/db/database.ts";
import { openPglite } from "../../shared/db/pglite.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { createOrdersApp } from "./app.ts";
import { eventHash } from "./event_message.ts";
import { countUnsent, MIGRATIONS, SCHEMA, withUnsent } from "./store.ts";
import type { EventBinding, ExchangeToken } from "./token_exchange.ts";

const ISSUER = "http://localhost:8443/oauth/v2/oauth-anonymous";
const { privateKey, publicKey } = await jose.generateKeyPair("ES256");
const jwk = { ...(await jose.exportJWK(publicKey)), kid: "k1", alg: "ES256" };
const keys = jose.createLocalJWKSet({ keys: [jwk] });

const db = await openPglite();
await migrate(db, SCHEMA, MIGRATIONS);

function userToken(sub: string, claims: jose.JWTPayload = {}) {
  return new jose.SignJWT({
    client_id: "console-client",
    scope: "openid orders invoices",
    jti: crypto.randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1" })
    .setIssuer(ISSUER).setSubject(sub).setAudience("api.example.com")
    .setIssuedAt().setExpirationTime("15m")
    .sign(privateKey);
}

function makeApp(exchange?: ExchangeToken) {
  const bindings: EventBinding[] = [];
  let woken = 0;
  const app = createOrdersApp({
    db,
    logger: silentLogger,
    keys: () => Promise.resolve(keys),
    policy: {
      issuer: ISSUER,
      audience: "api.example.com",
      scopes: ["orders"],
      algorithms: ["ES256"],
      clockToleranceSec: 30,
      maxLifetimeSec: 3600,
    },
    exchangeToken: exchange ?? ((_subject, binding) => {
      bindings.push(binding);
      return Promise.resolve({ token: `event-token-for-${binding.eventId}` });
    }),
    onOrderStored: () => woken++,
  });
  return { app, bindings, woken: () => woken };
}

async function post(
  app: ReturnType<typeof makeApp>["app"],
  token: string,
  body: unknown,
  type = "application/json",
) {
  return await app.request("/orders", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": type },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

Deno.test("POST /orders stores the order and its event-bound message in one go", async () => {
  const { app, bindings, woken } = makeApp();
  const unsentBefore = await countUnsent(db);
  const response = await post(app, await userToken("alice"), {
    items: [{ itemID: 1, quantity: 2 }],
  });
  assert.equal(response.status, 201);

  const order = await response.json();
  assert.equal(order.total, 39.98);
  assert.deepEqual(order.items, [{
    itemID: 1,
    name: "Widget",
    quantity: 2,
    price: 19.99,
    amount: 39.98,
  }]);
  assert.equal(order.publication.status, "pending");
  assert.equal(response.headers.get("location"), `/orders/${order.transactionID}`);
  assert.equal(woken(), 1, "the relay is woken");
  assert.equal(await countUnsent(db), unsentBefore + 1);

  // The token is bound to the ids of this order and to the exact bytes that wait in the outbox.
  assert.deepEqual(bindings.map((b) => [b.transactionId, b.eventId]), [[
    order.transactionID,
    order.eventID,
  ]]);
  let checked = false;
  await withUnsent(db, 1000, async (entries) => {
    const entry = entries.find((e) => e.transactionId === order.transactionID)!;
    assert.equal(entry.key, order.transactionID);
    assert.equal(entry.headers.Authorization, `Bearer event-token-for-${order.eventID}`);
    assert.equal(await eventHash(entry.value), bindings[0].eventHash);
    const value = JSON.parse(new TextDecoder().decode(entry.value));
    assert.equal(value.eventID, order.eventID);
    assert.deepEqual(value.items, [{ itemID: 1, quantity: 2, price: 19.99 }]);
    checked = true;
    return new Map();
  });
  assert.ok(checked);
});

Deno.test("POST /orders refuses bad input with a problem naming the field", async (t) => {
  const { app } = makeApp();
  const token = await userToken("alice");
  const cases: Array<[string, unknown, string, number, string?]> = [
    ["malformed JSON", "{items:", "application/json", 400, "(body)"],
    [
      "a client price",
      { items: [{ itemID: 1, quantity: 1, price: 0 }] },
      "application/json",
      400,
      "items[0].price",
    ],
    [
      "an unknown item",
      { items: [{ itemID: 42, quantity: 1 }] },
      "application/json",
      400,
      "items[0].itemID",
    ],
    ["a form body", "items=1", "application/x-www-form-urlencoded", 415],
    ["a body over the limit", "x".repeat(20_000), "application/json", 413],
  ];
  for (const [name, body, type, status, field] of cases) {
    await t.step(name, async () => {
      const response = await post(app, token, body, type);
      assert.equal(response.status, status);
      assert.equal(response.headers.get("content-type"), "application/problem+json");
      const problem = await response.json();
      assert.equal(problem.status, status);
      assert.equal(typeof problem.code, "string");
      if (field) assert.equal(problem.field, field);
    });
  }
});

Deno.test("the Orders API refuses missing, user-less and event tokens with RFC 6750 challenges", async (t) => {
  const { app } = makeApp();
  await t.step("no token", async () => {
    const response = await app.request("/orders");
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="api"');
  });
  await t.step("a 7-day event token", async () => {
    const eventToken = await new jose.SignJWT({
      client_id: "orders-api-client",
      scope: "trigger_invoicing",
      jti: "j",
      event_id: "e",
      transaction_id: "t",
    })
      .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1" })
      .setIssuer(ISSUER).setSubject("alice").setAudience("jobs.example.com")
      .setIssuedAt().setExpirationTime("7d").sign(privateKey);
    const response = await app.request("/orders", {
      headers: { authorization: `Bearer ${eventToken}` },
    });
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate")!, /error="invalid_token"/);
    assert.equal((await response.json()).code, "token_wrong_audience");
  });
  await t.step("a token without the orders scope", async () => {
    const token = await userToken("alice", { scope: "openid invoices" });
    const response = await app.request("/orders", {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 403);
    assert.match(
      response.headers.get("www-authenticate")!,
      /error="insufficient_scope", scope="orders"/,
    );
  });
});

Deno.test("a refused or failed token exchange accepts no order and says why", async (t) => {
  for (
    const [name, error, status, code] of [
      [
        "refused",
        new ServiceError("token_exchange_refused", "refused with invalid_grant", { status: 502 }),
        502,
        "token_exchange_refused",
      ],
      [
        "server down",
        new ServiceError("authorization_server_unavailable", "down", { status: 503 }),
        503,
        "authorization_server_unavailable",
      ],
    ] as const
  ) {
    await t.step(name, async () => {
      const { app } = makeApp(() => Promise.reject(error));
      const before = await countUnsent(db);
      const response = await post(app, await userToken("carol"), {
        items: [{ itemID: 2, quantity: 1 }],
      });
      assert.equal(response.status, status);
      assert.equal((await response.json()).code, code);
      assert.equal(await countUnsent(db), before, "nothing was stored");
    });
  }
});

Deno.test("GET /orders lists the caller's orders only, and another's order is a 404", async () => {
  const { app } = makeApp();
  const bob = await userToken("bob");
  const dave = await userToken("dave");
  const created = await (await post(app, bob, { items: [{ itemID: 4, quantity: 5 }] })).json();

  const bobs = await (await app.request("/orders", { headers: { authorization: `Bearer ${bob}` } }))
    .json();
  assert.deepEqual(bobs.orders.map((o: { transactionID: string }) => o.transactionID), [
    created.transactionID,
  ]);
  const daves =
    await (await app.request("/orders", { headers: { authorization: `Bearer ${dave}` } })).json();
  assert.deepEqual(daves.orders, []);

  const own = await app.request(`/orders/${created.transactionID}`, {
    headers: { authorization: `Bearer ${bob}` },
  });
  assert.equal(own.status, 200);
  assert.equal((await own.json()).total, 15);
  const other = await app.request(`/orders/${created.transactionID}`, {
    headers: { authorization: `Bearer ${dave}` },
  });
  assert.equal(other.status, 404);
  assert.equal((await other.json()).code, "order_not_found");
});
