import assert from "node:assert/strict";
import { parseItemArgument, parseOrderFile } from "./order_lines.ts";

Deno.test("parseItemArgument() reads itemID:quantity, and a bare itemID as quantity 1", () => {
  assert.deepEqual(parseItemArgument("2:7"), { itemID: 2, quantity: 7 });
  assert.deepEqual(parseItemArgument(" 4 : 100 "), { itemID: 4, quantity: 100 });
  assert.deepEqual(parseItemArgument("5"), { itemID: 5, quantity: 1 });
});

Deno.test("parseItemArgument() refuses malformed and out-of-range lines", () => {
  for (const text of ["", "1:", ":2", "1:2:3", "1.5:2", "0:1", "1:101", "1:-1"]) {
    assert.throws(() => parseItemArgument(text), RangeError, text);
  }
});

Deno.test("parseOrderFile() reads the API's body shape", () => {
  const lines = parseOrderFile(
    '{"items":[{"itemID":1,"quantity":2},{"itemID":3,"quantity":1}]}',
    "o.json",
  );
  assert.deepEqual(lines, [{ itemID: 1, quantity: 2 }, { itemID: 3, quantity: 1 }]);
});

Deno.test("parseOrderFile() reads the shipped example file", async () => {
  const text = await Deno.readTextFile(new URL("./example-order.json", import.meta.url));
  assert.ok(parseOrderFile(text, "example-order.json").length > 0);
});

Deno.test("parseOrderFile() names the file and the field that is wrong", async (t) => {
  const cases: Array<[string, RegExp]> = [
    ["{", /Order file "o.json" is not valid JSON/],
    ["null", /needs a non-empty "items" array/],
    ['{"items":[]}', /needs a non-empty "items" array/],
    ['{"items":[{"itemID":"1","quantity":1}]}', /Item id in "o.json" items\[0\]/],
    ['{"items":[{"itemID":1,"quantity":1},{"itemID":2}]}', /Quantity in "o.json" items\[1\]/],
    ['{"items":[null]}', /Item id in "o.json" items\[0\]/],
  ];
  for (const [json, message] of cases) {
    await t.step(json, () => assert.throws(() => parseOrderFile(json, "o.json"), message));
  }
});
