/**
 * Publishes dead-letter records with the shared idempotent producer (`acks=all`). Node only.
 *
 * @module
 */

import type { Publisher } from "../../shared/kafka/publisher_node.ts";
import type { DeadLetterRecord } from "./dead_letter.ts";

/**
 * Returns the `publish` function of the pipeline: it resolves once the broker has
 * acknowledged every record, and rejects when any delivery failed (the batch is then retried,
 * and records already acknowledged are recognized by the dead-letter ledger only if it was
 * written, so a broker failure in the middle can duplicate a dead letter, never lose one).
 */
export function deadLetterPublisher(
  publisher: Publisher,
): (records: DeadLetterRecord[]) => Promise<void> {
  return async function publishDeadLetters(records: DeadLetterRecord[]): Promise<void> {
    await Promise.all(records.map((record) => publisher.publish(record)));
  };
}
