/**
 * The `OrderCreated` consumer on Confluent's KafkaJS-compatible client: consumer group
 * `invoices-api`, automatic commits off, messages taken in batches (one partition each, two
 * partitions at a time). The batch handler (`batch_handler.ts`) commits a batch's offsets
 * only after every message of it was invoiced or dead-lettered. Node only.
 *
 * @module
 */

import type { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Logger } from "../../shared/log/logger.ts";
import { createBatchHandler } from "./batch_handler.ts";
import type { BatchHandlerOptions, BatchPayload } from "./batch_handler.ts";

/** The consumer group; its committed offsets are the service's reading position. */
export const CONSUMER_GROUP = "invoices-api";

/** Options of {@linkcode startConsumer}. */
export interface ConsumerOptions {
  topic: string;
  process: BatchHandlerOptions["process"];
  logger: Logger;
  /** Most messages in one batch. */
  maxBatchSize: number;
  /** Partitions processed at the same time. Default 2 (the topic's partition count). */
  concurrency?: number;
}

/** A running consumer. */
export interface RunningConsumer {
  /** Lets the batch in hand finish (and commit), then leaves the group and disconnects. */
  stop(): Promise<void>;
}

/** Joins the group and starts consuming; resolves once subscribed. */
export async function startConsumer(
  kafka: KafkaJS.Kafka,
  options: ConsumerOptions,
): Promise<RunningConsumer> {
  const consumer = kafka.consumer({
    // A consumer that dies is noticed after the session timeout, and its partitions move:
    // 10 s instead of the client's 45 s keeps a crash from holding up invoicing for long.
    kafkaJS: {
      groupId: CONSUMER_GROUP,
      autoCommit: false,
      fromBeginning: true,
      sessionTimeout: 10_000,
      heartbeatInterval: 2_000,
    },
    "js.consumer.max.batch.size": options.maxBatchSize,
  });
  const stopping = new AbortController();
  const handleBatch = createBatchHandler({
    process: options.process,
    commit: (position) => consumer.commitOffsets([position]),
    logger: options.logger,
    signal: stopping.signal,
  });

  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic] });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.concurrency ?? 2,
    eachBatch: (payload) => handleBatch(payload as unknown as BatchPayload),
  });
  options.logger.info("consumer started", { group: CONSUMER_GROUP, topic: options.topic });

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopping.abort();
      stopped ??= consumer.disconnect();
      return stopped;
    },
  };
}
