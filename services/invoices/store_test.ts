import assert from "node:assert/strict";
import { openPglite } from "../../shared/db/pglite.ts";
import type { NewInvoice } from "./store.ts";
import { InvoiceStore } from "./store.ts";

import type { Database } from "../../shared/db/database.ts";

async function withStore(
  work: (store: InvoiceStore, db: Database) => Promise<void>,
): Promise<void> {
  const db = await openPglite();
  try {
    const store = new InvoiceStore(db);
    await store.migrate();
    await work(store, db);
  } finally {
    await db.close();
  }
}

function invoice(overrides: Partial<NewInvoice> = {}): NewInvoice {
  return {
    eventId: crypto.randomUUID(),
    transactionId: crypto.randomUUID(),
    userId: "demouser",
    utcTime: "2026-12-03T09:59:00+01:00",
    amountCents: 4008,
    currency: "USD",
    tokenJti: "jti-1",
    source: { topic: "OrderCreated", partition: 1, offset: "41" },
    ...overrides,
  };
}

Deno.test("InvoiceStore.record() creates an invoice once per event id", () =>
  withStore(async (store, db) => {
    const first = invoice();

    assert.deepEqual(await store.record([first]), ["created"]);
    assert.deepEqual(await store.record([first]), ["redelivered"], "same event, same position");
    const moved = { ...first, source: { ...first.source, offset: "99" } };
    assert.deepEqual(await store.record([moved]), ["replayed"], "same event, another position");

    const rows = await db.query("SELECT 1 FROM invoices.invoices WHERE event_id = $1", [
      first.eventId,
    ]);
    assert.equal(rows.length, 1);
  }));

Deno.test("InvoiceStore.record() treats a repeat within one batch as a replay", () =>
  withStore(async (store) => {
    const first = invoice({ source: { topic: "OrderCreated", partition: 0, offset: "7" } });
    const again = { ...first, source: { ...first.source, offset: "8" } };
    const other = invoice();

    assert.deepEqual(await store.record([first, other, again]), ["created", "created", "replayed"]);
  }));

Deno.test("InvoiceStore reads a user's own invoices only", () =>
  withStore(async (store) => {
    const mine = invoice({ userId: "alice", amountCents: 1999 });
    await store.record([mine, invoice({ userId: "bob" })]);

    const list = await store.listForUser("alice", { limit: 10 });
    assert.equal(list.length, 1);
    assert.equal(list[0].eventID, mine.eventId);
    assert.equal(list[0].amountCents, 1999);
    assert.equal(list[0].utcTime, "2026-12-03T08:59:00.000Z");

    assert.equal((await store.findForUser("alice", list[0].invoiceID))?.eventID, mine.eventId);
    assert.equal(await store.findForUser("bob", list[0].invoiceID), undefined);
    assert.equal(await store.findForUser("alice", "not-a-uuid"), undefined);
  }));

Deno.test("InvoiceStore remembers dead-lettered positions", () =>
  withStore(async (store) => {
    const at = { topic: "OrderCreated", partition: 1, offset: "9007199254740993" };
    assert.equal((await store.deadLettered([at])).size, 0);

    await store.recordDeadLetters([{ source: at, reason: "token_expired" }]);
    await store.recordDeadLetters([{ source: at, reason: "token_expired" }]);

    assert.deepEqual([...await store.deadLettered([at, { ...at, partition: 0 }])], [
      "OrderCreated/1/9007199254740993",
    ]);
  }));
