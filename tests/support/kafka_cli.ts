/**
 * A small Kafka tool for the tests, run on Node (the only runtime that loads Confluent's
 * client). It takes one JSON request as its argument and prints one JSON answer.
 *
 * - `{"op":"produce","topic":T,"messages":[{"key","value","headers":{"h":"v"|["v1","v2"]}}]}`
 *   prints `[{"partition","offset"}]`. Values are UTF-8 text, or base64 when `valueBase64` is set.
 * - `{"op":"read","topic":T,"partition":P,"offset":O,"count":N,"timeoutMs":M}` prints up to N
 *   messages from that position, each with key, value (text and base64), headers (every
 *   occurrence, in order), partition and offset.
 * - `{"op":"drained","group":G,"topic":T,"timeoutMs":M}` waits until the consumer group has
 *   committed, on every partition, the offset after the last message, and prints
 *   `[{"partition","committed","high"}]`; it fails when that does not happen within M ms.
 * - `{"op":"scan","topic":T,"key":K?}` reads every partition from its start to its current end
 *   and prints the messages (with key K only, when given).
 *
 * @module
 */
import process from "node:process";
import { Buffer } from "node:buffer";
import kafkaJavascript, { KafkaJS } from "@confluentinc/kafka-javascript";

// Node's CommonJS interop finds `KafkaJS` by name but not the rdkafka-style classes.
const { KafkaConsumer } = kafkaJavascript;

const request = JSON.parse(process.argv[2] ?? "{}");
const brokers = process.env.KAFKA_BOOTSTRAP ?? "127.0.0.1:29092";

interface ProduceMessage {
  key?: string;
  value?: string;
  valueBase64?: string;
  headers?: Record<string, string | string[]>;
}

async function produce(topic: string, messages: ProduceMessage[]) {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [brokers], logLevel: 0 } });
  const producer = kafka.producer({ kafkaJS: { idempotent: true, acks: -1 } });
  await producer.connect();
  try {
    const results = [];
    for (const message of messages) {
      const value = message.valueBase64 !== undefined
        ? Buffer.from(message.valueBase64, "base64")
        : Buffer.from(message.value ?? "", "utf8");
      const [meta] = await producer.send({
        topic,
        messages: [{ key: message.key ?? null, value, headers: message.headers }],
      });
      results.push({ partition: meta.partition, offset: meta.baseOffset ?? meta.offset });
    }
    return results;
  } finally {
    await producer.disconnect();
  }
}

interface RawMessage {
  key?: Buffer | null;
  value: Buffer | null;
  partition: number;
  offset: number;
  headers?: Array<Record<string, Buffer>>;
}

function read(topic: string, partition: number, offset: number, count: number, timeoutMs: number) {
  const consumer = new KafkaConsumer({
    "group.id": `test-reader-${crypto.randomUUID()}`,
    "metadata.broker.list": brokers,
    "enable.auto.commit": false,
  }, {});

  return new Promise((resolve, reject) => {
    const found: unknown[] = [];
    const deadline = Date.now() + timeoutMs;
    const finish = (error?: Error) => {
      consumer.disconnect(() => error ? reject(error) : resolve(found));
    };
    const poll = () => {
      consumer.consume(count - found.length, (error, messages) => {
        if (error) return finish(new Error(error.message));
        for (const message of messages as RawMessage[]) found.push(describe(message));
        if (found.length >= count || Date.now() > deadline) return finish();
        setTimeout(poll, 20);
      });
    };
    consumer.connect({}, (error) => {
      if (error) return reject(error);
      consumer.assign([{ topic, partition, offset }]);
      poll();
    });
  });
}

interface Watermarks {
  lowOffset: number;
  highOffset: number;
}

async function scan(topic: string, key: string | undefined, partitions: number) {
  const found: Array<ReturnType<typeof describe>> = [];
  for (let partition = 0; partition < partitions; partition++) {
    const marks = await watermarks(topic, partition);
    const count = marks.highOffset - marks.lowOffset;
    if (count <= 0) continue;
    const messages = await read(topic, partition, marks.lowOffset, count, 15_000) as Array<
      ReturnType<typeof describe>
    >;
    found.push(...messages.filter((message) => key === undefined || message.key === key));
  }
  return found;
}

function watermarks(topic: string, partition: number): Promise<Watermarks> {
  const consumer = new KafkaConsumer({
    "group.id": `test-watermarks-${crypto.randomUUID()}`,
    "metadata.broker.list": brokers,
  }, {});
  return new Promise((resolve, reject) => {
    consumer.connect({}, (error) => {
      if (error) return reject(new Error(error.message));
      consumer.queryWatermarkOffsets(topic, partition, 5_000, (failure, offsets) => {
        consumer.disconnect(() => failure ? reject(new Error(failure.message)) : resolve(offsets));
      });
    });
  });
}

async function withAdmin<T>(work: (admin: KafkaJS.Admin) => Promise<T>): Promise<T> {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [brokers], logLevel: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

async function drained(group: string, topic: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  return await withAdmin(async (admin) => {
    while (true) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const state = ends.map((end) => ({
        partition: end.partition,
        committed: Number(
          offsets?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1,
        ),
        high: Number(end.high),
      }));
      if (state.every((p) => p.high === 0 || p.committed >= p.high)) return state;
      if (Date.now() > deadline) {
        throw new Error(
          `group "${group}" did not reach the end of "${topic}": ${JSON.stringify(state)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
}

function describe(message: RawMessage) {
  const headers = (message.headers ?? []).flatMap((entry) =>
    Object.entries(entry).map(([name, value]) => ({ name, value: Buffer.from(value).toString() }))
  );
  return {
    partition: message.partition,
    offset: message.offset,
    key: message.key ? Buffer.from(message.key).toString() : null,
    value: message.value ? message.value.toString("utf8") : null,
    valueBase64: message.value ? message.value.toString("base64") : null,
    headers,
  };
}

try {
  const answer = request.op === "produce"
    ? await produce(request.topic, request.messages)
    : request.op === "scan"
    ? await scan(request.topic, request.key, request.partitions ?? 2)
    : request.op === "read"
    ? await read(
      request.topic,
      request.partition,
      Number(request.offset),
      request.count ?? 1,
      request.timeoutMs ?? 10_000,
    )
    : request.op === "drained"
    ? await drained(request.group, request.topic, request.timeoutMs ?? 30_000)
    : undefined;
  if (answer === undefined) throw new TypeError(`unknown op "${request.op}"`);
  process.stdout.write(JSON.stringify(answer) + "\n");
} catch (error) {
  process.stderr.write(`kafka_cli: ${error instanceof Error ? error.message : error}\n`);
  process.exitCode = 1;
}
