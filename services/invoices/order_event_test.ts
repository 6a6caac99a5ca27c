import assert from "node:assert/strict";
import { ServiceError } from "../../shared/errors.ts";
import { parseOrderEvent, totalCents } from "./order_event.ts";

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const valid = {
  eventID: "e-1",
  utcTime: "2026-12-03T09:59:00Z",
  items: [{ itemID: 1, quantity: 3, price: 0.1 }, { itemID: 2, quantity: 1, price: 19.99 }],
  note: "fields added later are ignored",
};

Deno.test("parseOrderEvent() totals in integer cents and defaults the currency to USD", () => {
  const order = parseOrderEvent(encode(valid));

  assert.equal(order.amountCents, 30 + 1999);
  assert.equal(order.currency, "USD");
  assert.equal(order.eventID, "e-1");
});

Deno.test("totalCents() rounds each price to cents before multiplying", () => {
  assert.equal(totalCents([{ itemID: 1, quantity: 100_000, price: 1.15 }]), 11_500_000);
});

Deno.test("parseOrderEvent() refuses values that are not the contract's shape", async (t) => {
  const cases: Array<[string, Uint8Array]> = [
    ["invalid UTF-8", new Uint8Array([0x7b, 0xff, 0x7d])],
    ["not JSON", new TextEncoder().encode("{")],
    ["an array", encode([valid])],
    ["no eventID", encode({ ...valid, eventID: undefined })],
    ["a time without zone", encode({ ...valid, utcTime: "2026-12-03T09:59:00" })],
    ["a lowercase currency", encode({ ...valid, currency: "usd" })],
    ["no items", encode({ ...valid, items: [] })],
    ["a zero quantity", encode({ ...valid, items: [{ itemID: 1, quantity: 0, price: 1 }] })],
    [
      "a fractional quantity",
      encode({ ...valid, items: [{ itemID: 1, quantity: 1.5, price: 1 }] }),
    ],
    ["a negative price", encode({ ...valid, items: [{ itemID: 1, quantity: 1, price: -1 }] })],
    ["three decimals", encode({ ...valid, items: [{ itemID: 1, quantity: 1, price: 1.005 }] })],
    ["a string price", encode({ ...valid, items: [{ itemID: 1, quantity: 1, price: "1" }] })],
  ];
  for (const [name, value] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => parseOrderEvent(value),
        (error: unknown) => error instanceof ServiceError && error.code === "message_malformed",
      );
    });
  }
});
