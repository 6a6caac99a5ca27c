/**
 * The broker's own rate without tokens, as the reference for the event hops: messages the size
 * of an `OrderCreated` event produced with the same idempotent producer the relay uses, then
 * consumed by a consumer group. Uses a topic of its own (2 partitions, like `OrderCreated`),
 * deleted at the end. Runs on Node; prints one JSON object.
 *
 * `BENCH_MESSAGES` (default 20000) sets the count.
 *
 * @module
 */
import process from "node:process";
import { createKafka, parseBrokers } from "../shared/kafka/kafka_node.ts";
import { createPublisher } from "../shared/kafka/publisher_node.ts";
import { silentLogger } from "../shared/log/logger.ts";

const COUNT = Number(process.env.BENCH_MESSAGES ?? 20_000);
const TOPIC = `bench.raw.${Date.now()}`;
const brokers = parseBrokers(process.env.KAFKA_BOOTSTRAP ?? "127.0.0.1:29092");
const kafka = createKafka({ brokers, clientId: "bench-broker", logger: silentLogger });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 1 }] });

// An OrderCreated value and an event token are about 250 and 1000 bytes.
const value = new TextEncoder().encode("x".repeat(250));
const headers = { Authorization: `Bearer ${"t".repeat(1000)}` };

try {
  const publisher = await createPublisher(kafka);
  const produceStarted = performance.now();
  const window = 1_000;
  for (let sent = 0; sent < COUNT; sent += window) {
    const batch = Array.from(
      { length: Math.min(window, COUNT - sent) },
      (_, i) => publisher.publish({ topic: TOPIC, key: `k${sent + i}`, value, headers }),
    );
    await Promise.all(batch);
  }
  const produceSeconds = (performance.now() - produceStarted) / 1000;
  await publisher.close();

  const consumer = kafka.consumer({
    kafkaJS: { groupId: `bench-${Date.now()}`, fromBeginning: true, autoCommit: false },
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC });
  let consumed = 0;
  let consumeStarted = 0;
  const done = Promise.withResolvers<void>();
  await consumer.run({
    eachBatch: ({ batch }) => {
      if (consumeStarted === 0) consumeStarted = performance.now();
      consumed += batch.messages.length;
      if (consumed >= COUNT) done.resolve();
      return Promise.resolve();
    },
  });
  await done.promise;
  const consumeSeconds = (performance.now() - consumeStarted) / 1000;
  await consumer.disconnect();

  process.stdout.write(
    JSON.stringify({
      benchmark: "broker without tokens",
      messages: COUNT,
      valueBytes: value.length,
      headerBytes: headers.Authorization.length,
      produce: { rps: COUNT / produceSeconds, seconds: produceSeconds, inFlight: window },
      consume: { rps: COUNT / consumeSeconds, seconds: consumeSeconds },
    }) + "\n",
  );
} finally {
  await admin.deleteTopics({ topics: [TOPIC] }).catch(() => {});
  await admin.disconnect();
}
