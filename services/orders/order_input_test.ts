import assert from "node:assert/strict";
import { CATALOGUE } from "./catalogue.ts";
import { InvalidOrderError, ORDER_LIMITS, parseOrder } from "./order_input.ts";

Deno.test("parseOrder() prices each line from the catalogue", () => {
  const lines = parseOrder(
    { items: [{ itemID: 1, quantity: 2 }, { itemID: 3, quantity: 1 }] },
    CATALOGUE,
  );
  assert.deepEqual(lines, [
    { itemID: 1, name: "Widget", quantity: 2, priceCents: 1999 },
    { itemID: 3, name: "Gizmo", quantity: 1, priceCents: 12500 },
  ]);
});

Deno.test("parseOrder() names the field of every refusal", async (t) => {
  const many = Array.from(
    { length: ORDER_LIMITS.maxItems + 1 },
    () => ({ itemID: 1, quantity: 1 }),
  );
  const cases: Array<[string, unknown, string]> = [
    ["a body that is not an object", [], "(body)"],
    ["no items", {}, "items"],
    ["items not an array", { items: "1" }, "items"],
    ["no lines", { items: [] }, "items"],
    ["too many lines", { items: many }, "items"],
    ["an unknown top-level field", { items: [{ itemID: 1, quantity: 1 }], price: 0 }, "price"],
    [
      "a client-supplied price",
      { items: [{ itemID: 1, quantity: 1, price: 0.01 }] },
      "items[0].price",
    ],
    ["a missing quantity", { items: [{ itemID: 1 }] }, "items[0].quantity"],
    ["a fractional quantity", { items: [{ itemID: 1, quantity: 1.5 }] }, "items[0].quantity"],
    ["a string quantity", { items: [{ itemID: 1, quantity: "2" }] }, "items[0].quantity"],
    ["a zero quantity", { items: [{ itemID: 1, quantity: 0 }] }, "items[0].quantity"],
    ["a huge quantity", { items: [{ itemID: 1, quantity: 101 }] }, "items[0].quantity"],
    ["an unknown item", { items: [{ itemID: 99, quantity: 1 }] }, "items[0].itemID"],
    ["a negative item", { items: [{ itemID: -1, quantity: 1 }] }, "items[0].itemID"],
    [
      "the same item twice",
      { items: [{ itemID: 2, quantity: 1 }, { itemID: 2, quantity: 1 }] },
      "items[1].itemID",
    ],
  ];
  for (const [name, body, field] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseOrder(body, CATALOGUE), (error: unknown) => {
        assert.ok(error instanceof InvalidOrderError);
        assert.equal(error.code, "invalid_order");
        assert.equal(error.status, 400);
        assert.equal(error.field, field);
        return true;
      });
    });
  }
});
