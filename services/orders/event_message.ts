/**
 * The `OrderCreated` message: its exact bytes, and the digest that binds the event token to
 * them. The bytes are built once and stored; the relay publishes those bytes, never a
 * re-serialization, so the digest the authorization server signed stays true.
 *
 * @module
 */
import { centsToDecimal, CURRENCY } from "./catalogue.ts";
import type { OrderLine } from "./order_input.ts";

/** What goes into one message. */
export interface OrderEvent {
  eventID: string;
  utcTime: string;
  lines: OrderLine[];
}

const encoder = new TextEncoder();

/**
 * The message value: UTF-8 JSON `{ eventID, utcTime, currency, items: [{ itemID, quantity,
 * price }] }`, price in currency units.
 */
export function encodeOrderCreated(event: OrderEvent): Uint8Array {
  const value = {
    eventID: event.eventID,
    utcTime: event.utcTime,
    currency: CURRENCY,
    items: event.lines.map((line) => ({
      itemID: line.itemID,
      quantity: line.quantity,
      price: centsToDecimal(line.priceCents),
    })),
  };
  return encoder.encode(JSON.stringify(value));
}

/** base64url (no padding) of the SHA-256 of `bytes`: the `event_hash` claim. */
export async function eventHash(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return base64url(digest);
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
