import assert from "node:assert/strict";
import { openPglite } from "../../shared/db/pglite.ts";
import { ServiceError } from "../../shared/errors.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { eventMessage, ISSUER, NOW, testIssuer } from "./_fakes.ts";
import type { DeadLetterRecord } from "./dead_letter.ts";
import type { SourceMessage } from "./event_check.ts";
import type { PipelineOptions } from "./pipeline.ts";
import { processBatch } from "./pipeline.ts";
import { InvoiceStore } from "./store.ts";

const issuer = await testIssuer();

interface Harness {
  options: PipelineOptions;
  published: DeadLetterRecord[];
  invoiceCount(): Promise<number>;
  failPublish: boolean;
}

async function withPipeline(work: (harness: Harness) => Promise<void>): Promise<void> {
  const db = await openPglite();
  const store = new InvoiceStore(db);
  await store.migrate();
  const harness: Harness = {
    published: [],
    failPublish: false,
    invoiceCount: async () =>
      Number(
        (await db.query<{ n: string }>("SELECT count(*)::text AS n FROM invoices.invoices"))[0].n,
      ),
    options: {
      check: {
        keys: issuer.keys,
        issuer: ISSUER,
        requireEventHash: true,
        maxMessageBytes: 64 * 1024,
        logger: silentLogger,
        now: () => NOW,
      },
      store,
      deadLetterTopic: "OrderCreated.rejected",
      publish: (records) => {
        if (harness.failPublish) return Promise.reject(new Error("broker down"));
        harness.published.push(...records);
        return Promise.resolve();
      },
      logger: silentLogger,
    },
  };
  try {
    await work(harness);
  } finally {
    await db.close();
  }
}

function reasons(records: DeadLetterRecord[]): unknown[] {
  return records.map((record) => record.headers["dead-letter-reason"]);
}

Deno.test("processBatch() invoices good messages and dead-letters bad ones in one pass", () =>
  withPipeline(async (h) => {
    const batch = [
      await eventMessage(issuer, { offset: 0 }),
      await eventMessage(issuer, { offset: 1, claims: { scope: "orders" } }),
      await eventMessage(issuer, { offset: 2 }),
      await eventMessage(issuer, { offset: 3, authorization: () => [] }),
    ];

    const summary = await processBatch(batch, h.options);

    assert.deepEqual(summary, {
      created: 2,
      redelivered: 0,
      deadLettered: 2,
      alreadyDeadLettered: 0,
    });
    assert.equal(await h.invoiceCount(), 2);
    assert.deepEqual(reasons(h.published), ["insufficient_scope", "authorization_header_missing"]);
  }));

Deno.test("processBatch() recognizes a redelivered batch: no second invoice, no second dead letter", () =>
  withPipeline(async (h) => {
    const batch = [
      await eventMessage(issuer, { offset: 5 }),
      await eventMessage(issuer, { offset: 6, claims: { event_id: "other" } }),
    ];
    await processBatch(batch, h.options);

    const summary = await processBatch(batch, h.options);

    assert.deepEqual(summary, {
      created: 0,
      redelivered: 1,
      deadLettered: 0,
      alreadyDeadLettered: 1,
    });
    assert.equal(await h.invoiceCount(), 1);
    assert.deepEqual(reasons(h.published), ["event_id_mismatch"]);
  }));

Deno.test("processBatch() dead-letters the same event at another offset as a replay", () =>
  withPipeline(async (h) => {
    const original = await eventMessage(issuer, { offset: 10 });
    const copy: SourceMessage = { ...original, offset: "11" };
    const later: SourceMessage = { ...original, partition: 1, offset: "3" };

    await processBatch([original, copy], h.options);
    await processBatch([later], h.options);

    assert.equal(await h.invoiceCount(), 1);
    assert.deepEqual(reasons(h.published), ["replayed_event", "replayed_event"]);
    assert.deepEqual(h.published.map((r) => r.headers["dead-letter-source-offset"]), ["11", "3"]);
  }));

Deno.test("processBatch() stores and publishes nothing when the keys cannot be fetched", () =>
  withPipeline(async (h) => {
    const batch = [
      await eventMessage(issuer),
      await eventMessage(issuer, { authorization: () => [] }),
    ];
    const options = {
      ...h.options,
      check: { ...h.options.check, keys: () => Promise.reject(new TypeError("fetch failed")) },
    };

    await assert.rejects(
      processBatch(batch, options),
      (error: unknown) => error instanceof ServiceError && error.code === "keys_unavailable",
    );
    assert.equal(await h.invoiceCount(), 0);
    assert.equal(h.published.length, 0);
  }));

Deno.test("processBatch() retried after a failed publish dead-letters each message once", () =>
  withPipeline(async (h) => {
    const batch = [
      await eventMessage(issuer),
      await eventMessage(issuer, { offset: 1, key: null }),
    ];
    h.failPublish = true;
    await assert.rejects(processBatch(batch, h.options), /broker down/);

    h.failPublish = false;
    await processBatch(batch, h.options);
    await processBatch(batch, h.options);

    assert.equal(await h.invoiceCount(), 1);
    assert.deepEqual(reasons(h.published), ["transaction_id_mismatch"]);
  }));
