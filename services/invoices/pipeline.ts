/**
 * What happens to one batch of `OrderCreated` messages, whatever reads them: every token is
 * verified concurrently, the accepted events become invoices in one transaction, and every
 * rejected or replayed message is dead-lettered once. The caller commits the batch's offsets
 * only when this resolves; when it throws (keys unreachable, database or broker down) nothing
 * may be committed and the whole batch is tried again later from the same offsets.
 *
 * Web APIs only: the dead-letter publisher is passed in.
 *
 * @module
 */

import type { Logger } from "../../shared/log/logger.ts";
import type { DeadLetterRecord } from "./dead_letter.ts";
import { deadLetterRecord } from "./dead_letter.ts";
import type {
  EventCheckOptions,
  RejectedEvent,
  SourceMessage,
  VerifiedEvent,
} from "./event_check.ts";
import { checkEvent } from "./event_check.ts";
import type { InvoiceStore, NewInvoice } from "./store.ts";
import { positionKey } from "./store.ts";

/** What {@linkcode processBatch} needs. */
export interface PipelineOptions {
  check: EventCheckOptions;
  store: InvoiceStore;
  /** Topic of the dead letters. */
  deadLetterTopic: string;
  /** Publishes every record; resolves once the broker has acknowledged them all. */
  publish: (records: DeadLetterRecord[]) => Promise<void>;
  logger: Logger;
}

/** Counts of one batch, for logs and the benchmark. */
export interface BatchSummary {
  created: number;
  redelivered: number;
  deadLettered: number;
  /** Rejections whose dead letter was already published by an earlier attempt. */
  alreadyDeadLettered: number;
}

/** Processes `messages`; see the module documentation for the guarantees. */
export async function processBatch(
  messages: readonly SourceMessage[],
  options: PipelineOptions,
): Promise<BatchSummary> {
  const verdicts = await Promise.all(messages.map((message) => checkEvent(message, options.check)));
  const accepted: VerifiedEvent[] = [];
  const rejected: RejectedEvent[] = [];
  for (const verdict of verdicts) {
    if (verdict.accepted) accepted.push(verdict.event);
    else rejected.push(verdict.rejection);
  }

  const outcomes = await options.store.record(accepted.map(toInvoice));
  accepted.forEach((event, i) => {
    if (outcomes[i] === "replayed") rejected.push(replayed(event));
    else if (outcomes[i] === "created") logCreated(options.logger, event);
  });

  const { published, skipped } = await deadLetter(rejected, options);
  return {
    created: outcomes.filter((outcome) => outcome === "created").length,
    redelivered: outcomes.filter((outcome) => outcome === "redelivered").length,
    deadLettered: published,
    alreadyDeadLettered: skipped,
  };
}

async function deadLetter(
  rejected: RejectedEvent[],
  options: PipelineOptions,
): Promise<{ published: number; skipped: number }> {
  if (rejected.length === 0) return { published: 0, skipped: 0 };
  const done = await options.store.deadLettered(rejected.map((r) => r.message));
  const pending = rejected.filter((r) => !done.has(positionKey(r.message)));

  const records = await Promise.all(
    pending.map((rejection) => deadLetterRecord(rejection, options.deadLetterTopic)),
  );
  await options.publish(records);
  await options.store.recordDeadLetters(
    pending.map((r) => ({ source: r.message, reason: r.reason })),
  );

  for (const rejection of pending) {
    options.logger.warn("message dead-lettered", {
      reason: rejection.reason,
      detail: rejection.detail,
      topic: rejection.message.topic,
      partition: rejection.message.partition,
      offset: rejection.message.offset,
    });
  }
  return { published: pending.length, skipped: rejected.length - pending.length };
}

function toInvoice(event: VerifiedEvent): NewInvoice {
  return {
    eventId: event.order.eventID,
    transactionId: event.transactionId,
    userId: event.userId,
    utcTime: event.order.utcTime,
    amountCents: event.order.amountCents,
    currency: event.order.currency,
    tokenJti: event.token.jti,
    source: event.message,
  };
}

function replayed(event: VerifiedEvent): RejectedEvent {
  return {
    message: event.message,
    reason: "replayed_event",
    detail: `Event "${event.order.eventID}" was already invoiced from another position`,
  };
}

function logCreated(logger: Logger, event: VerifiedEvent): void {
  logger.debug("invoice created", {
    eventId: event.order.eventID,
    transactionId: event.transactionId,
    jti: event.token.jti,
    topic: event.message.topic,
    partition: event.message.partition,
    offset: event.message.offset,
  });
}
