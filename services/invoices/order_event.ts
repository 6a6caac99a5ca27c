/**
 * The `OrderCreated` message value: UTF-8 JSON with the event id, the order time, an optional
 * currency and the priced items. Parsing is strict about the fields the invoice uses and
 * ignores fields added later, so the producer can grow the contract without breaking this.
 *
 * Web APIs only.
 *
 * @module
 */

import { ServiceError } from "../../shared/errors.ts";

/** One priced line of an order; `price` is in currency units with at most two decimals. */
export interface OrderItem {
  itemID: number;
  quantity: number;
  price: number;
}

/** The parts of an `OrderCreated` value the invoice is made of. */
export interface OrderEvent {
  eventID: string;
  utcTime: string;
  currency: string;
  items: OrderItem[];
  /** Sum of `round(price * 100) * quantity`: integer cents, never floating-point currency. */
  amountCents: number;
}

/** Most items one order may carry. */
export const MAX_ITEMS = 1_000;

// Same rule as the authorization server applies to the event_id it binds into a token.
const IDENTIFIER = /^[\x21-\x7e]{1,128}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const CURRENCY = /^[A-Z]{3}$/;
const MAX_QUANTITY = 1_000_000;
const MAX_PRICE = 1_000_000_000;

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses and checks a message value. Throws {@linkcode ServiceError} `message_malformed` when
 * the bytes are not UTF-8 JSON of the contract's shape.
 */
export function parseOrderEvent(value: Uint8Array): OrderEvent {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(value));
  } catch (cause) {
    throw malformed("Message value is not UTF-8 JSON", cause);
  }
  if (!isRecord(json)) throw malformed("Message value is not a JSON object");

  const { eventID, utcTime, currency = "USD", items } = json;
  if (typeof eventID !== "string" || !IDENTIFIER.test(eventID)) {
    throw malformed('Field "eventID" must be 1 to 128 visible ASCII characters');
  }
  if (typeof utcTime !== "string" || !ISO_8601.test(utcTime) || Number.isNaN(Date.parse(utcTime))) {
    throw malformed('Field "utcTime" must be an ISO-8601 date and time with a zone');
  }
  if (typeof currency !== "string" || !CURRENCY.test(currency)) {
    throw malformed('Field "currency" must be a three-letter code');
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    throw malformed(`Field "items" must be an array of 1 to ${MAX_ITEMS} items`);
  }

  const parsed = items.map(parseItem);
  return { eventID, utcTime, currency, items: parsed, amountCents: totalCents(parsed) };
}

/** The invoice amount in cents: each price rounded to cents first, then multiplied. */
export function totalCents(items: readonly OrderItem[]): number {
  let total = 0;
  for (const item of items) total += Math.round(item.price * 100) * item.quantity;
  if (!Number.isSafeInteger(total)) throw malformed("Order total is too large");
  return total;
}

function parseItem(item: unknown, index: number): OrderItem {
  if (!isRecord(item)) throw malformed(`Item ${index} is not a JSON object`);
  const { itemID, quantity, price } = item;

  if (!Number.isSafeInteger(itemID)) throw malformed(`Item ${index} has no integer "itemID"`);
  if (
    !Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > MAX_QUANTITY
  ) {
    throw malformed(`Item ${index} must have a "quantity" from 1 to ${MAX_QUANTITY}`);
  }
  if (typeof price !== "number" || !(price >= 0 && price <= MAX_PRICE)) {
    throw malformed(`Item ${index} must have a "price" from 0 to ${MAX_PRICE}`);
  }
  // A price with more than two decimals would make the rounding decide the amount.
  if (Math.abs(price * 100 - Math.round(price * 100)) > 1e-6) {
    throw malformed(`Item ${index} has a "price" with more than two decimals`);
  }
  return { itemID: itemID as number, quantity: quantity as number, price };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function malformed(message: string, cause?: unknown): ServiceError {
  return new ServiceError("message_malformed", message, { status: 422, cause });
}
