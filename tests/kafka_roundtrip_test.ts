import assert from "node:assert/strict";
import { ORDER_CREATED } from "../shared/kafka/topics.ts";
import { produce, readAt } from "./support/kafka.ts";
import { hasPart } from "./support/stack.ts";

Deno.test({
  name: "the broker stores a message with headers on OrderCreated and returns it unchanged",
  ignore: !hasPart("kafka"),
  async fn() {
    const key = crypto.randomUUID();
    const value = JSON.stringify({ eventID: key, utcTime: new Date().toISOString(), items: [] });
    const headers = { Authorization: "Bearer not-a-real-token", "X-Trace": ["a", "b"] };

    const [written] = await produce(ORDER_CREATED, [{ key, value, headers }]);
    assert.ok(written.partition === 0 || written.partition === 1, "OrderCreated has 2 partitions");

    const [message] = await readAt(ORDER_CREATED, { ...written, count: 1 });
    assert.equal(message.key, key);
    assert.equal(message.value, value);
    assert.equal(message.offset, Number(written.offset));
    assert.deepEqual(message.headers, [
      { name: "Authorization", value: "Bearer not-a-real-token" },
      { name: "X-Trace", value: "a" },
      { name: "X-Trace", value: "b" },
    ]);
  },
});

Deno.test({
  name: "the same key always lands on the same OrderCreated partition",
  ignore: !hasPart("kafka"),
  async fn() {
    const key = crypto.randomUUID();
    const written = await produce(ORDER_CREATED, [
      { key, value: "{}" },
      { key, value: "{}" },
      { key, value: "{}" },
    ]);
    assert.equal(new Set(written.map((entry) => entry.partition)).size, 1);
    const offsets = written.map((entry) => Number(entry.offset));
    assert.deepEqual(offsets, [offsets[0], offsets[0] + 1, offsets[0] + 2]);
  },
});
