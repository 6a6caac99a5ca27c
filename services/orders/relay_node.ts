/**
 * The outbox relay: publishes the messages of committed orders to Kafka and marks each sent
 * only after the broker has acknowledged it. A broker outage or a restart loses nothing: an
 * unsent message stays in the outbox and is tried again with growing pauses until it goes.
 * Node only (it holds the Kafka producer).
 *
 * Each message is published once. The gap is a process that dies, a delivery that times out,
 * or a database that fails, after the broker stored a message and before its row was marked:
 * so at start, and after any failed delivery or failed round, the relay first reads the
 * partitions' tails beyond the last offsets it marked and marks the rows whose message (same
 * key, same bytes) is already there, instead of publishing them again. Should a copy slip through all the same, the Invoices API invoices on
 * the event id, so it creates nothing.
 *
 * @module
 */
import type { Database } from "../../shared/db/database.ts";
import type { Logger } from "../../shared/log/logger.ts";
import type { Publisher } from "../../shared/kafka/publisher_node.ts";
import type { PartitionReader } from "../../shared/kafka/reader_node.ts";
import { markFound, publishedTail, type PublishOutcome, unsentByKey, withUnsent } from "./store.ts";

/** Options of {@linkcode startRelay}. */
export interface RelayOptions {
  db: Database;
  publisher: Publisher;
  /**
   * Opens a reader of what the broker holds, to find messages published but not marked. Called
   * when first needed, and again after a failure, so the relay starts while the broker is down.
   */
  openReader?: () => Promise<PartitionReader>;
  /** The topic's partition count, for the recovery read. Default 2. */
  partitions?: number;
  /** The topic the outbox publishes to, for the recovery read. Default `OrderCreated`. */
  topic?: string;
  /** Most messages read back per partition in one recovery. Default 10 000. */
  maxRecoveryScan?: number;
  logger: Logger;
  /** Messages taken per round. Default 100. */
  batchSize?: number;
  /** Pause between rounds when the outbox is empty. Default 1000 ms. */
  idleMs?: number;
  /** First pause after a failure; doubles up to `maxBackoffMs`. Default 250 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** A running relay. */
export interface Relay {
  /** Asks for a round now (after an order is stored). */
  wake(): void;
  /** Finishes the round in hand and stops. */
  stop(): Promise<void>;
}

/** Starts the relay loop. */
export function startRelay(options: RelayOptions): Relay {
  const batchSize = options.batchSize ?? 100;
  const idleMs = options.idleMs ?? 1_000;
  const firstBackoff = options.backoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 15_000;
  const log = options.logger.child({ component: "outbox-relay" });

  let stopping = false;
  // A delivery may have landed although it reported failure: look before publishing again.
  let uncertain = options.openReader !== undefined;
  let reader: PartitionReader | undefined;
  let backoff = 0;
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pendingWake && backoff === 0) {
        pendingWake = false;
        return resolve();
      }
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  async function round(): Promise<{ taken: number; failed: number }> {
    let failed = 0;
    const taken = await withUnsent(options.db, batchSize, async (entries) => {
      const outcomes = new Map<string, PublishOutcome>();
      // The idempotent producer batches these; each settles on the broker's acknowledgement.
      await Promise.all(entries.map(async (entry) => {
        try {
          const where = await options.publisher.publish({
            topic: entry.topic,
            key: entry.key,
            value: entry.value,
            headers: entry.headers,
          });
          outcomes.set(entry.id, where);
          log.info("event published", {
            transactionId: entry.transactionId,
            topic: entry.topic,
            partition: where.partition,
            offset: where.offset,
            attempt: entry.attempts + 1,
          });
        } catch (error) {
          failed++;
          const reason = error instanceof Error ? error.message : String(error);
          outcomes.set(entry.id, { error: reason });
          log.warn("event not published yet", {
            transactionId: entry.transactionId,
            attempt: entry.attempts + 1,
            reason,
          });
        }
      }));
      return outcomes;
    });
    return { taken, failed };
  }

  async function recover(reader: PartitionReader): Promise<void> {
    const topic = options.topic ?? "OrderCreated";
    const unsent = await unsentByKey(options.db, topic);
    if (unsent.size === 0) return;
    const tail = await publishedTail(options.db, topic);
    let found = 0;
    for (let partition = 0; partition < (options.partitions ?? 2); partition++) {
      const marks = await reader.watermarks(topic, partition);
      const from = Math.max(
        tail.get(partition) ?? marks.low,
        marks.high - (options.maxRecoveryScan ?? 10_000),
      );
      for (const record of await reader.read(topic, partition, from, marks.high)) {
        const entry = record.key === null ? undefined : unsent.get(record.key);
        if (!entry || !record.value || !sameBytes(entry.value, record.value)) continue;
        await markFound(options.db, entry.id, { partition, offset: String(record.offset) });
        unsent.delete(record.key!);
        found++;
        log.warn("event found on the broker already, marked without publishing again", {
          transactionId: record.key,
          topic,
          partition,
          offset: record.offset,
        });
      }
    }
    if (found === 0) log.debug("recovery found nothing to mark", { unsent: unsent.size });
  }

  const loop = (async () => {
    while (!stopping) {
      try {
        if (uncertain && options.openReader) {
          reader ??= await options.openReader();
          await recover(reader);
          uncertain = false;
        }
        const { taken, failed } = await round();
        if (failed > 0 && options.openReader) uncertain = true;
        backoff = failed > 0 ? Math.min(maxBackoff, Math.max(firstBackoff, backoff * 2)) : 0;
        if (backoff > 0) await sleep(backoff);
        else if (taken < batchSize) await sleep(idleMs);
      } catch (error) {
        // The database failed: nothing was marked, so nothing is lost, but messages of this
        // round may have reached the broker already. Look there first on the next round.
        if (options.openReader) uncertain = true;
        backoff = Math.min(maxBackoff, Math.max(firstBackoff, backoff * 2));
        log.error("outbox round failed", { error, retryInMs: backoff });
        await sleep(backoff);
      }
    }
  })();

  return {
    wake() {
      if (wakeUp && backoff === 0) wakeUp();
      else pendingWake = true;
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await loop;
      await reader?.close().catch(() => {});
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
