/**
 * The outbox relay: publishes the messages of committed orders to Kafka and marks each sent
 * only after the broker has acknowledged it. A broker outage or a restart loses nothing: an
 * unsent message stays in the outbox and is tried again with growing pauses until it goes.
 * Node only (it holds the Kafka producer).
 *
 * A message is published at least once. If the process dies after the broker acknowledged a
 * message and before the row was marked, the message is published again on restart; the
 * Invoices API invoices on the event id, so the copy creates nothing.
 *
 * @module
 */
import type { Database } from "../../shared/db/database.ts";
import type { Logger } from "../../shared/log/logger.ts";
import type { Publisher } from "../../shared/kafka/publisher_node.ts";
import { type PublishOutcome, withUnsent } from "./store.ts";

/** Options of {@linkcode startRelay}. */
export interface RelayOptions {
  db: Database;
  publisher: Publisher;
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

  const loop = (async () => {
    while (!stopping) {
      try {
        const { taken, failed } = await round();
        backoff = failed > 0 ? Math.min(maxBackoff, Math.max(firstBackoff, backoff * 2)) : 0;
        if (backoff > 0) await sleep(backoff);
        else if (taken < batchSize) await sleep(idleMs);
      } catch (error) {
        // The database itself failed: nothing was marked, so nothing is lost. Wait and retry.
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
    },
  };
}
