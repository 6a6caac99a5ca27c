import assert from "node:assert/strict";
import { bearerToken, describeBinding, describeJwt, describeMessage } from "./hops.ts";
import type { KafkaMessage } from "./kafka_message.ts";

function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
  return `${part({ alg: "RS256", typ: "at+jwt" })}.${part(claims)}.c2lnbmF0dXJl`;
}

const VALUE = '{"eventID":"ev-1"}';
const VALUE_HASH = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(VALUE))
  .then((digest) => btoa(String.fromCharCode(...new Uint8Array(digest))))
  .then((b64) => b64.replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", ""));
const TOKEN = unsignedJwt({
  sub: "demouser",
  iat: 1796315735,
  transaction_id: "tx-1",
  event_id: "ev-1",
  event_hash: VALUE_HASH,
  delegation_id: "grant-1",
  act: { sub: "orders-api-client" },
});
const MESSAGE: KafkaMessage = {
  topic: "OrderCreated",
  partition: 1,
  offset: 4,
  key: "tx-1",
  value: VALUE,
  headers: [{ name: "Authorization", value: `Bearer ${TOKEN}` }],
};

Deno.test("describeJwt() lists the header and each claim, times as dates too", () => {
  const text = describeJwt(TOKEN);
  assert.match(text, /header {2}\{"alg":"RS256","typ":"at\+jwt"\}/);
  assert.match(text, /\n {4}sub +demouser\n/);
  assert.match(text, /iat +1796315735 \(2026-12-03T16:35:35\.000Z\)/);
  assert.match(text, /act +\{"sub":"orders-api-client"\}/);
});

Deno.test("describeMessage() names the position and shortens the bearer token", () => {
  const text = describeMessage(MESSAGE);
  assert.match(text, /topic OrderCreated, partition 1, offset 4/);
  assert.match(text, /Authorization: Bearer eyJhbGci…[\w-]{4} \(\d+ chars\)/);
  assert.ok(!text.includes(TOKEN));
});

Deno.test("bearerToken() takes the token out of the Authorization header", () => {
  assert.equal(bearerToken(MESSAGE), TOKEN);
  assert.equal(bearerToken({ ...MESSAGE, headers: [] }), undefined);
});

Deno.test("describeBinding() compares the hash, the key, the event id and the delegation", async () => {
  const good = await describeBinding(TOKEN, MESSAGE, "grant-1");
  assert.doesNotMatch(good, /NO/);

  const tampered = await describeBinding(TOKEN, { ...MESSAGE, value: VALUE + " " }, "grant-2");
  assert.match(tampered, /event_hash .*: NO/);
  assert.match(tampered, /delegation_id .*: NO/);
  assert.match(tampered, /transaction_id .*: yes/);
  assert.match(tampered, /event_id .*: yes/);
});
