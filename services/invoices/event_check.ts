/**
 * Decides whether one `OrderCreated` message may become an invoice. Nothing in the message is
 * trusted until its event token says so: the token must be a valid event token of our issuer
 * (RFC 9068 with the rules of RFC 8725), bound to this event id, to the message key (the
 * transaction id) and to the exact value bytes through `event_hash`.
 *
 * Checks run cheapest first, and the first that fails names the reason: value size, the
 * `Authorization` header, the JSON shape, the token, then the bindings. A failure that says
 * nothing about the message (the issuer's keys cannot be fetched) is thrown, not returned, so
 * that the caller retries instead of dead-lettering.
 *
 * Web APIs only.
 *
 * @module
 */

import type { KeySource, TokenPolicy, VerifiedToken } from "../../shared/auth/access_token.ts";
import {
  ASYMMETRIC_ALGORITHMS,
  isTransient,
  verifyAccessToken,
} from "../../shared/auth/access_token.ts";
import { ServiceError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log/logger.ts";
import { messageBearer } from "./authorization.ts";
import { sha256Base64url } from "./digest.ts";
import { parseOrderEvent } from "./order_event.ts";
import type { OrderEvent } from "./order_event.ts";

/** A message as read from the topic, whatever the client library. */
export interface SourceMessage {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: kept as a decimal string. */
  offset: string;
  key: Uint8Array | null;
  value: Uint8Array | null;
  /** Every header occurrence, in order; a repeated name appears repeatedly. */
  headers: ReadonlyArray<readonly [name: string, value: Uint8Array]>;
}

/** A message that passed every check. */
export interface VerifiedEvent {
  message: SourceMessage;
  order: OrderEvent;
  token: VerifiedToken;
  transactionId: string;
  userId: string;
}

/** A message that must be dead-lettered, and why. */
export interface RejectedEvent {
  message: SourceMessage;
  /** Stable reason code, e.g. `"event_hash_mismatch"`. */
  reason: string;
  /** One short sentence for an operator; never a token or a payload. */
  detail: string;
}

/** The verdict on one message. */
export type EventVerdict =
  | { accepted: true; event: VerifiedEvent }
  | { accepted: false; rejection: RejectedEvent };

/** Options of {@linkcode checkEvent}. */
export interface EventCheckOptions {
  keys: KeySource;
  issuer: string;
  /** Refuse tokens without `event_hash`. When false, such messages pass with a warning. */
  requireEventHash: boolean;
  maxMessageBytes: number;
  logger: Logger;
  now?: () => Date;
}

/** Audience of event tokens: the back-end jobs, never an HTTP API. */
export const EVENT_AUDIENCE = "jobs.example.com";

/** Scope an event token needs to start invoicing. */
export const EVENT_SCOPE = "trigger_invoicing";

/** Event tokens live 7 days; one hour more absorbs clock skew and slow issuers. */
export const EVENT_MAX_LIFETIME_SEC = 7 * 24 * 3600 + 3600;

/** The token policy for event tokens. */
export function eventTokenPolicy(issuer: string, now?: () => Date): TokenPolicy {
  return {
    issuer,
    audience: EVENT_AUDIENCE,
    scopes: [EVENT_SCOPE],
    algorithms: ASYMMETRIC_ALGORITHMS,
    clockToleranceSec: 60,
    maxLifetimeSec: EVENT_MAX_LIFETIME_SEC,
    requiredClaims: ["event_id", "transaction_id"],
    now,
  };
}

/**
 * Checks one message. Resolves with a verdict; rejects only with a transient
 * {@linkcode ServiceError} (`keys_unavailable`) or an unexpected error, after which the
 * message must be retried.
 */
export async function checkEvent(
  message: SourceMessage,
  options: EventCheckOptions,
): Promise<EventVerdict> {
  try {
    const event = await verifyMessage(message, options);
    return { accepted: true, event };
  } catch (error) {
    if (!(error instanceof ServiceError) || isTransient(error)) throw error;
    return { accepted: false, rejection: { message, reason: error.code, detail: error.message } };
  }
}

async function verifyMessage(
  message: SourceMessage,
  options: EventCheckOptions,
): Promise<VerifiedEvent> {
  const value = message.value;
  if (value === null) throw rejected("message_malformed", "Message has no value");
  if (value.byteLength > options.maxMessageBytes) {
    throw rejected(
      "message_too_large",
      `Message value of ${value.byteLength} bytes exceeds the ${options.maxMessageBytes} accepted`,
    );
  }
  const token = messageBearer(headerValues(message, "authorization"));
  const order = parseOrderEvent(value);

  const policy = eventTokenPolicy(options.issuer, options.now);
  const verified = await verifyAccessToken(token, options.keys, policy);
  const claims = verified.claims;
  if (typeof claims.event_id !== "string" || typeof claims.transaction_id !== "string") {
    throw rejected("token_claim_missing", "Token event_id and transaction_id must be strings");
  }

  if (claims.event_id !== order.eventID) {
    throw rejected("event_id_mismatch", "Token is bound to another event id");
  }
  const key = message.key === null ? null : decoder.decode(message.key);
  if (key !== claims.transaction_id) {
    throw rejected("transaction_id_mismatch", "Message key is not the token's transaction id");
  }
  await checkEventHash(value, claims.event_hash, { message, ...options });

  return {
    message,
    order,
    token: verified,
    transactionId: claims.transaction_id,
    userId: verified.sub,
  };
}

// The hash binds the token to these exact bytes: without it, a captured token could carry
// other items and another amount.
async function checkEventHash(
  value: Uint8Array,
  claimed: unknown,
  options: EventCheckOptions & { message: SourceMessage },
): Promise<void> {
  if (claimed === undefined) {
    if (options.requireEventHash) {
      throw rejected("event_hash_missing", "Token has no event_hash claim");
    }
    options.logger.warn("event token without event_hash accepted", {
      topic: options.message.topic,
      partition: options.message.partition,
      offset: options.message.offset,
    });
    return;
  }
  if (typeof claimed !== "string" || claimed !== await sha256Base64url(value)) {
    throw rejected("event_hash_mismatch", "Message value does not match the token's event_hash");
  }
}

/** Every value of the headers named `name` (compared case-insensitively), as UTF-8 text. */
export function headerValues(message: SourceMessage, name: string): string[] {
  const wanted = name.toLowerCase();
  return message.headers
    .filter(([header]) => header.toLowerCase() === wanted)
    .map(([, value]) => decoder.decode(value));
}

const decoder = new TextDecoder();

function rejected(code: string, message: string): ServiceError {
  return new ServiceError(code, message, { status: 422 });
}
