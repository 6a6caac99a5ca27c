/**
 * Reads one Kafka message at a known topic, partition and offset and prints it as one JSON
 * line: key, value, headers (every occurrence, in order) and timestamp. Runs on Node only
 * (Confluent's client is a Node addon), so the demo, which runs on Deno, spawns it:
 *
 * `node client/demo/read_message_node.ts OrderCreated 1 42` (broker from `KAFKA_BOOTSTRAP`)
 *
 * @module
 */

import { Buffer } from "node:buffer";
import process from "node:process";
import kafkaJavascript from "@confluentinc/kafka-javascript";

// Node's CommonJS interop exposes the rdkafka-style classes on the default export only.
const { KafkaConsumer } = kafkaJavascript;

interface RawMessage {
  key?: Buffer | string | null;
  value: Buffer | null;
  partition: number;
  offset: number;
  timestamp?: number;
  headers?: Array<Record<string, Buffer | string>>;
}

function readOne(topic: string, partition: number, offset: number): Promise<RawMessage> {
  const consumer = new KafkaConsumer({
    "group.id": `demo-reader-${crypto.randomUUID()}`,
    "metadata.broker.list": process.env.KAFKA_BOOTSTRAP ?? "127.0.0.1:29092",
    "enable.auto.commit": false,
  }, {});
  const deadline = Date.now() + 15_000;

  return new Promise((resolve, reject) => {
    function finish(error: Error | undefined, message?: RawMessage): void {
      consumer.disconnect(() => error ? reject(error) : resolve(message as RawMessage));
    }
    function poll(): void {
      consumer.consume(1, (error, messages) => {
        if (error) return finish(new Error(error.message));
        if (messages.length > 0) return finish(undefined, messages[0] as RawMessage);
        if (Date.now() > deadline) {
          return finish(new Error(`No message at ${topic}/${partition}/${offset} within 15 s`));
        }
        setTimeout(poll, 50);
      });
    }
    consumer.connect({}, (error) => {
      if (error) return reject(new Error(error.message));
      consumer.assign([{ topic, partition, offset }]);
      poll();
    });
  });
}

function describe(message: RawMessage) {
  const text = (value: Buffer | string | null | undefined) =>
    value === null || value === undefined ? null : Buffer.from(value).toString("utf8");
  return {
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: text(message.key),
    value: text(message.value),
    headers: (message.headers ?? []).flatMap((entry) =>
      Object.entries(entry).map(([name, value]) => ({ name, value: text(value) }))
    ),
  };
}

const [topic, partition, offset] = process.argv.slice(2);
try {
  if (!topic || !/^\d+$/.test(partition ?? "") || !/^\d+$/.test(offset ?? "")) {
    throw new TypeError("Usage: read_message_node.ts <topic> <partition> <offset>");
  }
  const message = await readOne(topic, Number(partition), Number(offset));
  process.stdout.write(JSON.stringify(describe(message)) + "\n");
} catch (error) {
  process.stderr.write(`read_message_node: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
