import assert from "node:assert/strict";
import { silentLogger } from "../../shared/log/logger.ts";
import type { BatchHandlerOptions, BatchPayload } from "./batch_handler.ts";
import { createBatchHandler } from "./batch_handler.ts";
import type { SourceMessage } from "./event_check.ts";
import type { BatchSummary } from "./pipeline.ts";

const SUMMARY: BatchSummary = {
  created: 2,
  redelivered: 0,
  deadLettered: 0,
  alreadyDeadLettered: 0,
};

function payload(offsets: string[]): BatchPayload & { resolved: string[] } {
  const encoder = new TextEncoder();
  const resolved: string[] = [];
  return {
    resolved,
    batch: {
      topic: "OrderCreated",
      partition: 1,
      messages: offsets.map((offset) => ({
        key: encoder.encode("k"),
        value: encoder.encode("{}"),
        offset,
        headers: { authorization: ["Bearer a", encoder.encode("Bearer b")], trace: "t" },
      })),
    },
    resolveOffset: (offset) => void resolved.push(offset),
    isRunning: () => true,
    isStale: () => false,
  };
}

function setup(
  process: BatchHandlerOptions["process"],
  overrides: Partial<BatchHandlerOptions> = {},
) {
  const commits: unknown[] = [];
  const sleeps: number[] = [];
  let clock = 0;
  const handler = createBatchHandler({
    process,
    commit: (position) => {
      commits.push(position);
      return Promise.resolve();
    },
    logger: silentLogger,
    signal: new AbortController().signal,
    backoff: { initialMs: 100, maxMs: 1_000 },
    giveBackAfterMs: 2_000,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    now: () => clock,
    ...overrides,
  });
  return { handler, commits, sleeps };
}

Deno.test("batch handler commits the offset after the last message once the batch is processed", async () => {
  let seen: SourceMessage[] = [];
  const { handler, commits } = setup((messages) => {
    seen = messages;
    return Promise.resolve(SUMMARY);
  });
  const batch = payload(["41", "42"]);

  await handler(batch);

  assert.deepEqual(commits, [{ topic: "OrderCreated", partition: 1, offset: "43" }]);
  assert.deepEqual(batch.resolved, ["42"]);
  assert.equal(seen.length, 2);
  assert.deepEqual(seen[0].headers.map(([name]) => name), [
    "authorization",
    "authorization",
    "trace",
  ]);
});

Deno.test("batch handler retries a failing batch with growing pauses, then commits", async () => {
  let attempts = 0;
  const { handler, commits, sleeps } = setup(() => {
    attempts++;
    return attempts < 4 ? Promise.reject(new Error("database down")) : Promise.resolve(SUMMARY);
  });

  await handler(payload(["7"]));

  assert.deepEqual(sleeps, [100, 200, 400]);
  assert.deepEqual(commits, [{ topic: "OrderCreated", partition: 1, offset: "8" }]);
});

Deno.test("batch handler gives a batch back unresolved and uncommitted when retries run long", async () => {
  const { handler, commits, sleeps } = setup(() => Promise.reject(new Error("keys unavailable")));
  const batch = payload(["7", "8"]);

  await handler(batch);

  assert.deepEqual(sleeps, [100, 200, 400, 800]);
  assert.deepEqual(commits, []);
  assert.deepEqual(batch.resolved, []);
});

Deno.test("batch handler stops retrying when the service stops", async () => {
  const stopping = new AbortController();
  let attempts = 0;
  const { handler, commits } = setup(() => {
    attempts++;
    stopping.abort();
    return Promise.reject(new Error("database down"));
  }, { signal: stopping.signal });

  await handler(payload(["1"]));

  assert.equal(attempts, 1);
  assert.deepEqual(commits, []);
});

Deno.test("batch handler keeps going when the commit fails", async () => {
  const { handler } = setup(() => Promise.resolve(SUMMARY), {
    commit: () => Promise.reject(new Error("rebalance in progress")),
  });

  await handler(payload(["3"]));
});
