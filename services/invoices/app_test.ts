import assert from "node:assert/strict";
import { openPglite } from "../../shared/db/pglite.ts";
import { ISSUER, NOW, NOW_SEC, testIssuer } from "./_fakes.ts";
import { createInvoicesApp } from "./app.ts";
import { InvoiceStore } from "./store.ts";

const issuer = await testIssuer();

function userClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: "alice",
    aud: "api.example.com",
    scope: "orders invoices",
    client_id: "console-client",
    jti: crypto.randomUUID(),
    iat: NOW_SEC - 10,
    exp: NOW_SEC + 890,
    ...overrides,
  };
}

async function withApp(
  work: (app: ReturnType<typeof createInvoicesApp>, invoiceId: string) => Promise<void>,
): Promise<void> {
  const db = await openPglite();
  try {
    const store = new InvoiceStore(db);
    await store.migrate();
    await store.record([{
      eventId: "e-1",
      transactionId: "t-1",
      userId: "alice",
      utcTime: "2026-12-03T09:59:00Z",
      amountCents: 4008,
      currency: "USD",
      tokenJti: "j-1",
      source: { topic: "OrderCreated", partition: 0, offset: "0" },
    }]);
    const [invoice] = await store.listForUser("alice", { limit: 1 });
    await work(
      createInvoicesApp({ store, keys: issuer.keys, issuer: ISSUER, now: () => NOW }),
      invoice.invoiceID,
    );
  } finally {
    await db.close();
  }
}

async function get(app: ReturnType<typeof createInvoicesApp>, path: string, token?: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return await app.request(path, { headers });
}

Deno.test("GET /invoices lists the caller's invoices with a decimal amount", () =>
  withApp(async (app, invoiceId) => {
    const response = await get(app, "/invoices", await issuer.sign(userClaims()));

    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.invoices.length, 1);
    assert.deepEqual(
      {
        id: body.invoices[0].invoiceID,
        amount: body.invoices[0].amount,
        currency: body.invoices[0].currency,
      },
      { id: invoiceId, amount: 40.08, currency: "USD" },
    );
  }));

Deno.test("GET /invoices/{id} answers 404 for someone else's invoice", () =>
  withApp(async (app, invoiceId) => {
    const mine = await get(app, `/invoices/${invoiceId}`, await issuer.sign(userClaims()));
    const theirs = await get(
      app,
      `/invoices/${invoiceId}`,
      await issuer.sign(userClaims({ sub: "bob" })),
    );

    assert.equal(mine.status, 200);
    assert.equal((await mine.json()).transactionID, "t-1");
    assert.equal(theirs.status, 404);
    assert.equal((await theirs.json()).code, "invoice_not_found");
  }));

Deno.test("the HTTP API refuses missing, event and under-scoped tokens with RFC 6750 challenges", () =>
  withApp(async (app) => {
    const none = await get(app, "/invoices");
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="invoices"');
    assert.equal(none.headers.get("content-type"), "application/problem+json");
    await none.body?.cancel();

    const eventToken = await issuer.sign(userClaims({
      aud: "jobs.example.com",
      scope: "trigger_invoicing",
      exp: NOW_SEC + 7 * 24 * 3600,
    }));
    const event = await get(app, "/invoices", eventToken);
    assert.equal(event.status, 401);
    assert.equal((await event.json()).code, "token_wrong_audience");
    assert.match(event.headers.get("www-authenticate")!, /error="invalid_token"/);

    const narrow = await get(app, "/invoices", await issuer.sign(userClaims({ scope: "orders" })));
    assert.equal(narrow.status, 403);
    assert.equal(
      narrow.headers.get("www-authenticate"),
      'Bearer realm="invoices", error="insufficient_scope", scope="invoices"',
    );
    await narrow.body?.cancel();
  }));

Deno.test("GET /health answers without a token", () =>
  withApp(async (app) => {
    const response = await get(app, "/health");
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok" });
  }));
