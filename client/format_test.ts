import assert from "node:assert/strict";
import { formatInvoice, formatOrder, shortToken } from "./format.ts";
import type { Order } from "./gateway_api.ts";

const ORDER: Order = {
  transactionID: "tx-1",
  eventID: "ev-1",
  utcTime: "2026-12-03T12:00:00.000Z",
  currency: "USD",
  items: [
    { itemID: 1, name: "Widget", quantity: 2, price: 19.99, amount: 39.98 },
    { itemID: 3, name: "Gizmo", quantity: 1, price: 125, amount: 125 },
  ],
  total: 164.98,
  publication: { status: "published", topic: "OrderCreated", partition: 1, offset: "7" },
};

Deno.test("formatOrder() shows one aligned line per item, the total and the event's place", () => {
  assert.equal(
    formatOrder(ORDER),
    [
      "Order tx-1 (event ev-1) at 2026-12-03T12:00:00.000Z",
      "  2 x Widget (item 1)  at 19.99   = 39.98 USD",
      "  1 x Gizmo (item 3)   at 125.00  = 125.00 USD",
      "  total 164.98 USD",
      "  event: published to OrderCreated partition 1 offset 7",
    ].join("\n"),
  );
});

Deno.test("formatOrder() says when the event still waits in the outbox", () => {
  const pending = formatOrder({ ...ORDER, publication: { status: "pending" } });
  assert.match(pending, /event: waiting in the outbox to be published$/);
});

Deno.test("formatInvoice() lists every field, amounts with two decimals", () => {
  const text = formatInvoice({
    invoiceID: "inv-9",
    transactionID: "tx-1",
    amount: 164.9,
    currency: "USD",
  });
  assert.equal(
    text,
    [
      "Invoice inv-9",
      "  invoiceID:      inv-9",
      "  transactionID:  tx-1",
      "  amount:         164.90",
      "  currency:       USD",
    ].join("\n"),
  );
});

Deno.test("shortToken() keeps only the ends of a token, and hides a short one entirely", () => {
  const token = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  assert.equal(shortToken(token), "abcdefgh…DEFG (43 chars)");
  assert.equal(shortToken("short-token"), "*********** (11 chars)");
});
