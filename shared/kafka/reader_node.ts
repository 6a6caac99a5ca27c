/**
 * Reads a range of one partition with a consumer that joins no group and commits nothing: for
 * looking at what was published (the relay's recovery, tests, the demo). Node only.
 *
 * @module
 */
import kafkaJavascript from "@confluentinc/kafka-javascript";
import { Buffer } from "node:buffer";

// Node's CommonJS interop does not find the rdkafka-style classes by name.
const { KafkaConsumer } = kafkaJavascript;

/** A message as read, every header occurrence kept in order. */
export interface ReadRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: Uint8Array | null;
  headers: Array<{ name: string; value: string }>;
}

/** Offsets of a partition: the first kept and the next to be written. */
export interface Watermarks {
  low: number;
  high: number;
}

interface RawMessage {
  key?: Buffer | string | null;
  value: Buffer | null;
  partition: number;
  offset: number;
  headers?: Array<Record<string, Buffer | string>>;
}

/** A reader bound to one broker list. */
export interface PartitionReader {
  watermarks(topic: string, partition: number): Promise<Watermarks>;
  /** Reads `[from, to)` of the partition, or fewer when `timeoutMs` passes first. */
  read(topic: string, partition: number, from: number, to: number, timeoutMs?: number): Promise<
    ReadRecord[]
  >;
  close(): Promise<void>;
}

/** Connects a reader. */
export async function connectReader(brokers: string[]): Promise<PartitionReader> {
  const consumer = new KafkaConsumer({
    "group.id": `reader-${crypto.randomUUID()}`,
    "metadata.broker.list": brokers.join(","),
    "enable.auto.commit": false,
    "enable.partition.eof": true,
  }, { "auto.offset.reset": "earliest" });
  await new Promise<void>((resolve, reject) =>
    consumer.connect(
      { timeout: 10_000 },
      (error) => error ? reject(new Error(error.message)) : resolve(),
    )
  );

  return {
    watermarks(topic, partition) {
      return new Promise((resolve, reject) =>
        consumer.queryWatermarkOffsets(
          topic,
          partition,
          5_000,
          (error, offsets) =>
            error
              ? reject(new Error(error.message))
              : resolve({ low: offsets.lowOffset, high: offsets.highOffset }),
        )
      );
    },
    async read(topic, partition, from, to, timeoutMs = 15_000) {
      if (to <= from) return [];
      consumer.assign([{ topic, partition, offset: from }]);
      const found: ReadRecord[] = [];
      const deadline = Date.now() + timeoutMs;
      try {
        // Offsets can have gaps (transaction markers, compaction): stop at the last offset.
        let next = from;
        while (next < to && Date.now() < deadline) {
          const batch = await new Promise<RawMessage[]>((resolve, reject) =>
            consumer.consume(
              Math.min(500, to - next),
              (error, messages) =>
                error ? reject(new Error(error.message)) : resolve(messages as RawMessage[]),
            )
          );
          for (const message of batch) {
            if (message.offset >= to) continue;
            found.push(describe(message));
            next = message.offset + 1;
          }
        }
      } finally {
        consumer.unassign();
      }
      return found;
    },
    close() {
      return new Promise((resolve) => consumer.disconnect(() => resolve()));
    },
  };
}

function describe(message: RawMessage): ReadRecord {
  return {
    partition: message.partition,
    offset: message.offset,
    key: message.key === null || message.key === undefined ? null : String(message.key),
    value: message.value ? new Uint8Array(message.value) : null,
    headers: (message.headers ?? []).flatMap((entry) =>
      Object.entries(entry).map(([name, value]) => ({ name, value: Buffer.from(value).toString() }))
    ),
  };
}
