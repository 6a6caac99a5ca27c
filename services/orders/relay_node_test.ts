import assert from "node:assert/strict";
import { migrate } from "../../shared/db/database.ts";
import { openPglite } from "../../shared/db/pglite.ts";
import type { PartitionReader } from "../../shared/kafka/reader_node.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import type { Publisher, PublishRecord } from "../../shared/kafka/publisher_node.ts";
import { startRelay } from "./relay_node.ts";
import { countUnsent, insertOrder, listOrders, MIGRATIONS, SCHEMA } from "./store.ts";

async function storeOrder(db: Awaited<ReturnType<typeof openPglite>>, userId: string) {
  const transactionId = crypto.randomUUID();
  await insertOrder(db, {
    transactionId,
    eventId: crypto.randomUUID(),
    userId,
    createdAt: new Date().toISOString(),
    currency: "USD",
    lines: [{ itemID: 1, name: "Widget", quantity: 1, priceCents: 1999 }],
    totalCents: 1999,
    message: {
      topic: "OrderCreated",
      key: transactionId,
      value: new TextEncoder().encode(`{"n":"${transactionId}"}`),
      headers: { Authorization: "Bearer t" },
    },
  });
  return transactionId;
}

async function until(check: () => Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("the relay keeps retrying through an outage and marks each message once it is acknowledged", async () => {
  const db = await openPglite();
  await migrate(db, SCHEMA, MIGRATIONS);
  const ids = [await storeOrder(db, "u"), await storeOrder(db, "u")];

  let brokerUp = false;
  const published: PublishRecord[] = [];
  let failures = 0;
  const publisher: Publisher = {
    publish(record) {
      if (!brokerUp) {
        failures++;
        return Promise.reject(new Error("Local: Message timed out"));
      }
      published.push(record);
      return Promise.resolve({ partition: published.length % 2, offset: String(published.length) });
    },
    close: () => Promise.resolve(),
  };

  const relay = startRelay({
    db,
    publisher,
    logger: silentLogger,
    backoffMs: 5,
    maxBackoffMs: 20,
    idleMs: 10,
  });
  try {
    await until(() => Promise.resolve(failures >= 6));
    assert.equal(await countUnsent(db), 2, "nothing is marked while the broker is down");

    brokerUp = true;
    await until(async () => (await countUnsent(db)) === 0);
    assert.deepEqual(published.map((r) => r.key).sort(), [...ids].sort(), "each published once");

    const orders = await listOrders(db, "u");
    for (const order of orders) {
      assert.equal(order.publication.status, "published");
      assert.ok(order.publication.attempts >= 4, "failed attempts are counted");
      assert.ok(order.publication.offset);
    }

    const later = await storeOrder(db, "u");
    relay.wake();
    await until(async () => (await countUnsent(db)) === 0);
    assert.equal(published.at(-1)?.key, later);
  } finally {
    await relay.stop();
    await db.close();
  }
});

Deno.test("after a delivery reported as failed, the relay finds the stored message and does not publish it again", async () => {
  const db = await openPglite();
  await migrate(db, SCHEMA, MIGRATIONS);
  const id = await storeOrder(db, "u");

  // The broker stores the first attempt, but its acknowledgement is lost.
  const log: Array<{ partition: number; offset: number; key: string; value: Uint8Array }> = [];
  let sends = 0;
  const publisher: Publisher = {
    publish(record) {
      sends++;
      log.push({ partition: 0, offset: log.length, key: record.key, value: record.value });
      return sends === 1
        ? Promise.reject(new Error("Local: Message timed out"))
        : Promise.resolve({ partition: 0, offset: String(log.length - 1) });
    },
    close: () => Promise.resolve(),
  };
  const reader: PartitionReader = {
    watermarks: (_topic, partition) =>
      Promise.resolve({ low: 0, high: partition === 0 ? log.length : 0 }),
    read: (_topic, partition, from, to) =>
      Promise.resolve(
        partition === 0 ? log.slice(from, to).map((m) => ({ ...m, headers: [] })) : [],
      ),
    close: () => Promise.resolve(),
  };

  const relay = startRelay({
    db,
    publisher,
    openReader: () => Promise.resolve(reader),
    logger: silentLogger,
    backoffMs: 5,
    idleMs: 10,
  });
  try {
    await until(async () => (await countUnsent(db)) === 0);
    assert.equal(sends, 1, "published once");
    assert.deepEqual(log.map((m) => m.key), [id]);
    const [order] = await listOrders(db, "u");
    assert.equal(order.publication.status, "published");
    assert.equal(order.publication.offset, "0");
  } finally {
    await relay.stop();
    await db.close();
  }
});

Deno.test("when marking fails after the broker stored a round, the next round marks it instead of publishing again", async () => {
  const real = await openPglite();
  await migrate(real, SCHEMA, MIGRATIONS);
  const id = await storeOrder(real, "u");

  // The first round's UPDATE fails, as it does while PostgreSQL restarts; its SELECT worked.
  let failMarking = true;
  const db: typeof real = {
    ...real,
    transaction: (work) =>
      real.transaction((tx) =>
        work({
          query(sql, params) {
            if (failMarking && sql.trimStart().startsWith("UPDATE")) {
              failMarking = false;
              return Promise.reject(
                new Error("terminating connection due to administrator command"),
              );
            }
            return tx.query(sql, params);
          },
        })
      ),
  };

  const log: Array<{ partition: number; offset: number; key: string; value: Uint8Array }> = [];
  const publisher: Publisher = {
    publish(record) {
      log.push({ partition: 0, offset: log.length, key: record.key, value: record.value });
      return Promise.resolve({ partition: 0, offset: String(log.length - 1) });
    },
    close: () => Promise.resolve(),
  };
  const reader: PartitionReader = {
    watermarks: (_topic, partition) =>
      Promise.resolve({ low: 0, high: partition === 0 ? log.length : 0 }),
    read: (_topic, partition, from, to) =>
      Promise.resolve(
        partition === 0 ? log.slice(from, to).map((m) => ({ ...m, headers: [] })) : [],
      ),
    close: () => Promise.resolve(),
  };

  const relay = startRelay({
    db,
    publisher,
    openReader: () => Promise.resolve(reader),
    logger: silentLogger,
    backoffMs: 5,
    idleMs: 10,
  });
  try {
    await until(async () => (await countUnsent(real)) === 0);
    assert.equal(failMarking, false, "the failure was injected");
    assert.deepEqual(log.map((m) => m.key), [id], "published once");
  } finally {
    await relay.stop();
    await real.close();
  }
});
