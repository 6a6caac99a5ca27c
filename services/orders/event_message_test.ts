import assert from "node:assert/strict";
import { encodeOrderCreated, eventHash } from "./event_message.ts";

Deno.test("encodeOrderCreated() writes the contract's fields with prices in currency units", () => {
  const bytes = encodeOrderCreated({
    eventID: "e-1",
    utcTime: "2026-12-03T10:00:00.000Z",
    lines: [{ itemID: 1, name: "Widget", quantity: 3, priceCents: 1999 }],
  });
  assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), {
    eventID: "e-1",
    utcTime: "2026-12-03T10:00:00.000Z",
    currency: "USD",
    items: [{ itemID: 1, quantity: 3, price: 19.99 }],
  });
});

Deno.test("eventHash() is the unpadded base64url SHA-256 of the bytes", async () => {
  // SHA-256("abc") from FIPS 180-2, appendix B.1.
  assert.equal(
    await eventHash(new TextEncoder().encode("abc")),
    "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0",
  );
});
