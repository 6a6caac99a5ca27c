/**
 * The `eachBatch` handler of the consumer, written against the shape of a KafkaJS batch
 * payload so that it runs (and is tested) without the Kafka client. It processes a batch,
 * then stores and commits the offset after its last message; that is the only place offsets
 * move forward.
 *
 * A failed batch (keys unreachable, database or broker down, or anything unexpected) is
 * retried with exponential backoff from the same offsets: no commit, no dead letter, nothing
 * skipped. After `giveBackAfterMs` of retries, or when the consumer stops, the handler returns
 * without resolving any offset, and the client seeks back to the batch's first message and
 * hands it out again later; this keeps one stuck batch from holding the poll loop past
 * `max.poll.interval.ms`.
 *
 * Web APIs only.
 *
 * @module
 */

import type { Logger } from "../../shared/log/logger.ts";
import type { SourceMessage } from "./event_check.ts";
import type { BatchSummary } from "./pipeline.ts";

type HeaderValue = Uint8Array | string;

/** A message as KafkaJS-compatible clients hand it out. */
export interface BatchMessage {
  key: Uint8Array | null;
  value: Uint8Array | null;
  offset: string;
  headers?: Record<string, HeaderValue | HeaderValue[] | undefined>;
}

/** The parts of a KafkaJS `EachBatchPayload` the handler uses. */
export interface BatchPayload {
  batch: { topic: string; partition: number; messages: BatchMessage[] };
  resolveOffset(offset: string): void;
  isRunning(): boolean;
  isStale(): boolean;
}

/** Options of {@linkcode createBatchHandler}. */
export interface BatchHandlerOptions {
  process: (messages: SourceMessage[]) => Promise<BatchSummary>;
  /** Commits `offset` (the next message to read) for the partition. */
  commit: (position: { topic: string; partition: number; offset: string }) => Promise<void>;
  logger: Logger;
  /** Aborted when the service stops: waiting ends and the batch is given back. */
  signal: AbortSignal;
  /** First and longest pause between attempts. Default 200 ms and 30 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** Retry one hand-out of a batch this long, then give it back. Default 60 s. */
  giveBackAfterMs?: number;
  /** Replaceable in tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** Creates the `eachBatch` handler. */
export function createBatchHandler(
  options: BatchHandlerOptions,
): (payload: BatchPayload) => Promise<void> {
  const backoff = options.backoff ?? { initialMs: 200, maxMs: 30_000 };
  const giveBackAfterMs = options.giveBackAfterMs ?? 60_000;
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  // Consecutive failures per partition survive a give-back, so the backoff keeps growing.
  const failures = new Map<string, number>();

  return async function handleBatch(payload: BatchPayload): Promise<void> {
    const { topic, partition } = payload.batch;
    const messages = payload.batch.messages.map((m) => toSourceMessage(topic, partition, m));
    if (messages.length === 0) return;
    const first = messages[0].offset;
    const last = messages[messages.length - 1].offset;
    const log = options.logger.child({ topic, partition, firstOffset: first, lastOffset: last });
    const partitionKey = `${topic}/${partition}`;
    const giveBackAt = now() + giveBackAfterMs;

    let summary: BatchSummary | undefined;
    while (summary === undefined) {
      if (options.signal.aborted || !payload.isRunning() || payload.isStale()) return;
      try {
        summary = await options.process(messages);
      } catch (error) {
        const attempt = (failures.get(partitionKey) ?? 0) + 1;
        failures.set(partitionKey, attempt);
        const delayMs = Math.min(backoff.initialMs * 2 ** (attempt - 1), backoff.maxMs);
        log.warn("batch failed, will retry from the same offset", { error, attempt, delayMs });
        if (now() + delayMs > giveBackAt) return;
        await sleep(delayMs, options.signal);
      }
    }
    failures.delete(partitionKey);
    log.info("batch processed", { messages: messages.length, ...summary });

    // A stale batch belongs to another assignment now; its processing was idempotent anyway.
    if (payload.isStale()) return;
    payload.resolveOffset(last);
    try {
      await options.commit({ topic, partition, offset: (BigInt(last) + 1n).toString() });
    } catch (error) {
      // Nothing is lost: a redelivered batch is recognized by its positions.
      log.warn("offset commit failed; the batch may be delivered again", { error });
    }
  };
}

/** Converts a client message to the library-neutral {@linkcode SourceMessage}. */
export function toSourceMessage(
  topic: string,
  partition: number,
  message: BatchMessage,
): SourceMessage {
  const encoder = new TextEncoder();
  const bytes = (value: HeaderValue) => typeof value === "string" ? encoder.encode(value) : value;
  const headers: Array<[string, Uint8Array]> = [];
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.push([name, bytes(one)]);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers,
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
