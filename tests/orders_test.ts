/**
 * The Orders API through the real gateway, authorization server, broker and PostgreSQL.
 */
import assert from "node:assert/strict";
import * as jose from "jose";
import { ORDER_CREATED } from "../shared/kafka/topics.ts";
import { loginWithCodeFlow } from "./support/login.ts";
import { scan } from "./support/kafka.ts";
import { controlPart, hasPart, stackEnv } from "./support/stack.ts";

const needed = ["kafka", "idsvr", "gateway", "orders"];
const ignore = !needed.every(hasPart);
const { gatewayUrl, idsvrUrl } = stackEnv();
const ISSUER = `${idsvrUrl}/oauth/v2/oauth-anonymous`;

async function api(token: string, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  if (init.body) headers.set("content-type", headers.get("content-type") ?? "application/json");
  return await fetch(`${gatewayUrl}${path}`, { ...init, headers });
}

async function waitForPublication(token: string, transactionId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const order = await (await api(token, `/orders/${transactionId}`)).json();
    if (order.publication.status === "published") return order;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`order ${transactionId} was not published within ${timeoutMs} ms`);
}

async function sha256url(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return jose.base64url.encode(digest);
}

Deno.test({
  name: "an order through the gateway yields exactly one OrderCreated message bound to it",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { accessToken } = await loginWithCodeFlow();
    const response = await api(accessToken, "/orders", {
      method: "POST",
      body: JSON.stringify({ items: [{ itemID: 1, quantity: 2 }, { itemID: 3, quantity: 1 }] }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const created = await response.json();
    assert.equal(created.total, 164.98, "prices come from the catalogue");

    const order = await waitForPublication(accessToken, created.transactionID);
    const messages = await scan(ORDER_CREATED, { key: created.transactionID });
    assert.equal(messages.length, 1, "exactly one message for the order");
    const [message] = messages;
    assert.equal(message.partition, order.publication.partition);
    assert.equal(String(message.offset), order.publication.offset);

    const value = JSON.parse(message.value!);
    assert.equal(value.eventID, created.eventID);
    assert.deepEqual(value.items, [
      { itemID: 1, quantity: 2, price: 19.99 },
      { itemID: 3, quantity: 1, price: 125 },
    ]);

    const authorization = message.headers.filter((h) => h.name === "Authorization");
    assert.equal(authorization.length, 1, "one Authorization header");
    const eventToken = authorization[0].value.replace(/^Bearer /, "");

    const metadata = await (await fetch(`${ISSUER}/.well-known/openid-configuration`)).json();
    const jwks = jose.createRemoteJWKSet(new URL(metadata.jwks_uri));
    const { payload, protectedHeader } = await jose.jwtVerify(eventToken, jwks, {
      issuer: ISSUER,
      audience: "jobs.example.com",
      typ: "at+jwt",
    });
    assert.equal(protectedHeader.typ, "at+jwt");
    assert.equal(payload.sub, "demouser");
    assert.equal(payload.transaction_id, created.transactionID);
    assert.equal(payload.event_id, created.eventID);
    assert.equal(payload.scope, "trigger_invoicing");
    const bytes = Uint8Array.from(atob(message.valueBase64!), (c) => c.charCodeAt(0));
    assert.equal(payload.event_hash, await sha256url(bytes), "the hash binds the exact bytes");
    assert.ok(payload.exp! - payload.iat! >= 7 * 24 * 3600 - 60, "the event token lives 7 days");
  },
});

Deno.test({
  name: "the Orders API answers each bad request through the gateway with its 4xx",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const { accessToken } = await loginWithCodeFlow();
    const cases: Array<[string, RequestInit, number, string]> = [
      [
        "unknown item",
        { method: "POST", body: '{"items":[{"itemID":77,"quantity":1}]}' },
        400,
        "invalid_order",
      ],
      [
        "client price",
        { method: "POST", body: '{"items":[{"itemID":1,"quantity":1,"price":1}]}' },
        400,
        "invalid_order",
      ],
      [
        "fractional quantity",
        { method: "POST", body: '{"items":[{"itemID":1,"quantity":0.5}]}' },
        400,
        "invalid_order",
      ],
      ["malformed JSON", { method: "POST", body: '{"items": [' }, 400, "invalid_order"],
      [
        "wrong media type",
        { method: "POST", body: "items=1", headers: { "content-type": "text/plain" } },
        415,
        "unsupported_media_type",
      ],
      [
        "body too large",
        { method: "POST", body: JSON.stringify({ items: "x".repeat(40_000) }) },
        413,
        "body_too_large",
      ],
      ["unknown order", { method: "GET" }, 404, "order_not_found"],
    ];
    for (const [name, init, status, code] of cases) {
      await t.step(name, async () => {
        const path = name === "unknown order" ? `/orders/${crypto.randomUUID()}` : "/orders";
        const response = await api(accessToken, path, init);
        assert.equal(response.status, status);
        assert.equal(response.headers.get("content-type"), "application/problem+json");
        assert.equal((await response.json()).code, code);
      });
    }
  },
});

Deno.test({
  name: "one user cannot see another user's orders",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const demo = (await loginWithCodeFlow()).accessToken;
    const other = (await loginWithCodeFlow({ username: "otheruser", password: "Password2" }))
      .accessToken;
    const created = await (await api(demo, "/orders", {
      method: "POST",
      body: JSON.stringify({ items: [{ itemID: 2, quantity: 1 }] }),
    })).json();

    const theirs = await api(other, `/orders/${created.transactionID}`);
    assert.equal(theirs.status, 404);
    await theirs.body?.cancel();
    const list = await (await api(other, "/orders")).json();
    assert.ok(
      !list.orders.some((o: { transactionID: string }) =>
        o.transactionID === created.transactionID
      ),
    );
    const own = await (await api(demo, "/orders")).json();
    assert.ok(
      own.orders.some((o: { transactionID: string }) => o.transactionID === created.transactionID),
    );
  },
});

Deno.test({
  name: "with the broker stopped an order is accepted, and published once after it returns",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { accessToken } = await loginWithCodeFlow();
    await controlPart("kafka", "stop");
    let created;
    try {
      const response = await api(accessToken, "/orders", {
        method: "POST",
        body: JSON.stringify({ items: [{ itemID: 5, quantity: 1 }] }),
      });
      assert.equal(response.status, 201, "the order is accepted while the broker is down");
      created = await response.json();

      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const pending = await (await api(accessToken, `/orders/${created.transactionID}`)).json();
      assert.equal(pending.publication.status, "pending");
      assert.ok(pending.publication.attempts >= 0);
    } finally {
      await controlPart("kafka", "start");
    }

    const order = await waitForPublication(accessToken, created.transactionID, 60_000);
    assert.ok(order.publication.attempts >= 1);
    const messages = await scan(ORDER_CREATED, { key: created.transactionID });
    assert.equal(messages.length, 1, "published exactly once");
    assert.equal(JSON.parse(messages[0].value!).eventID, created.eventID);
  },
});
