/**
 * Publishes records with Confluent's idempotent producer: `acks=all`, retries inside the
 * client without duplicates or reordering, and a promise that settles only when the broker has
 * acknowledged the record (or the delivery has failed). Node only.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { KafkaJS } from "@confluentinc/kafka-javascript";

/** One record to publish. */
export interface PublishRecord {
  topic: string;
  key: string;
  value: Uint8Array;
  /** Header values; an array repeats the header. */
  headers?: Record<string, string | string[]>;
}

/** Where the broker stored a record. */
export interface Published {
  partition: number;
  offset: string;
}

/** An open producer. */
export interface Publisher {
  /** Resolves once the broker has acknowledged `record`; rejects when delivery failed. */
  publish(record: PublishRecord): Promise<Published>;
  close(): Promise<void>;
}

/** Options of {@linkcode createPublisher}. */
export interface PublisherOptions {
  /**
   * How long the client keeps trying one record before failing it. Short enough that the
   * caller (an outbox relay, a dead-letter writer) learns of an outage and backs off itself.
   */
  deliveryTimeoutMs?: number;
}

/** Connects an idempotent producer. */
export async function createPublisher(
  kafka: KafkaJS.Kafka,
  options: PublisherOptions = {},
): Promise<Publisher> {
  const producer = kafka.producer({
    "enable.idempotence": true,
    "acks": -1,
    "message.timeout.ms": options.deliveryTimeoutMs ?? 10_000,
    "linger.ms": 2,
    "compression.type": "lz4",
  });
  await producer.connect();

  return {
    async publish(record: PublishRecord): Promise<Published> {
      const [meta] = await producer.send({
        topic: record.topic,
        messages: [{
          key: record.key,
          value: Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
          headers: record.headers,
        }],
      });
      return { partition: meta.partition, offset: String(meta.baseOffset ?? meta.offset) };
    },
    close: () => producer.disconnect(),
  };
}
