import assert from "node:assert/strict";
import { eventMessage, testIssuer } from "./_fakes.ts";
import { deadLetterRecord } from "./dead_letter.ts";
import { sha256Base64url } from "./digest.ts";
import type { SourceMessage } from "./event_check.ts";

const issuer = await testIssuer();
const encoder = new TextEncoder();

function tokenOf(message: SourceMessage): string {
  const header = message.headers.find(([name]) => name === "Authorization")!;
  return new TextDecoder().decode(header[1]).slice("Bearer ".length);
}

Deno.test("deadLetterRecord() keeps key, value and headers but replaces the token by jti and hash", async () => {
  const message = await eventMessage(issuer, { offset: 17, partition: 1 });
  const token = tokenOf(message);

  const record = await deadLetterRecord(
    { message, reason: "event_hash_mismatch", detail: "Message value does not match" },
    "OrderCreated.rejected",
  );

  assert.equal(record.topic, "OrderCreated.rejected");
  assert.deepEqual(record.value, message.value);
  assert.equal(record.key, new TextDecoder().decode(message.key!));
  assert.equal(record.headers["trace-id"], "t-1");
  assert.equal(record.headers["Authorization"], undefined);
  assert.ok(!JSON.stringify(record.headers).includes(token));
  assert.equal(record.headers["token-sha256"], await sha256Base64url(token));
  assert.equal(typeof record.headers["token-jti"], "string");
  assert.equal(record.headers["dead-letter-reason"], "event_hash_mismatch");
  assert.equal(record.headers["dead-letter-source-topic"], "OrderCreated");
  assert.equal(record.headers["dead-letter-source-partition"], "1");
  assert.equal(record.headers["dead-letter-source-offset"], "17");
});

Deno.test("deadLetterRecord() hashes every duplicated header and drops forged reason headers", async () => {
  const base = await eventMessage(issuer, {
    authorization: (token) => [`Bearer ${token}`, "Basic abc"],
  });
  const message: SourceMessage = {
    ...base,
    headers: [...base.headers, ["Dead-Letter-Reason", encoder.encode("fine")]],
  };

  const record = await deadLetterRecord(
    { message, reason: "authorization_header_duplicated", detail: "two" },
    "OrderCreated.rejected",
  );

  assert.equal((record.headers["token-sha256"] as string[]).length, 2);
  assert.equal(record.headers["token-sha256"][1], await sha256Base64url("Basic abc"));
  assert.equal(record.headers["Dead-Letter-Reason"], undefined);
  assert.equal(record.headers["dead-letter-reason"], "authorization_header_duplicated");
});
