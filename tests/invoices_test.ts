/**
 * Stack tests of the Invoices API: messages are written straight to `OrderCreated`, as an
 * attacker with write access to the topic could, and the tests read back what the running
 * service made of them: invoices in PostgreSQL and over HTTP, dead letters on
 * `OrderCreated.rejected`. Needs the parts kafka, idsvr and invoices.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as jose from "jose";
import { connectPostgres } from "../shared/db/postgres.ts";
import { ORDER_CREATED, ORDER_CREATED_REJECTED } from "../shared/kafka/topics.ts";
import type { ProduceMessage, ReadMessage } from "./support/kafka.ts";
import { produce, scan, waitUntilDrained } from "./support/kafka.ts";
import { controlPart, hasPart } from "./support/stack.ts";
import {
  eventHash,
  eventToken,
  publishedJwks,
  signWithServerKey,
  userJwt,
} from "./support/tokens.ts";

const INVOICES_URL = Deno.env.get("INVOICES_API_URL") ?? "http://localhost:3002";
const ready = ["kafka", "idsvr", "invoices"].every(hasPart);

/** One message written to the topic and the dead-letter reason it must get. */
interface Case {
  name: string;
  message: ProduceMessage;
  eventId: string;
  reason: string;
}

interface Order {
  key: string;
  eventId: string;
  value: Uint8Array;
  text: string;
}

function order(overrides: Record<string, unknown> = {}): Order {
  const eventId = crypto.randomUUID();
  const body = {
    eventID: eventId,
    utcTime: new Date().toISOString(),
    currency: "USD",
    items: [{ itemID: 1, quantity: 2, price: 19.99 }, { itemID: 2, quantity: 1, price: 125 }],
    ...overrides,
  };
  const text = JSON.stringify(body);
  return { key: crypto.randomUUID(), eventId, value: new TextEncoder().encode(text), text };
}

async function boundToken(subject: string, o: Order, bytes = o.value): Promise<string> {
  return await eventToken(subject, {
    transactionId: o.key,
    eventId: o.eventId,
    eventHash: await eventHash(bytes),
  });
}

function message(o: Order, authorization: string[] | string): ProduceMessage {
  return { key: o.key, value: o.text, headers: { Authorization: authorization } };
}

// Every forged or misdirected message, each under its own key (transaction id).
async function badCases(subject: string): Promise<Case[]> {
  const cases: Case[] = [];
  const add = (name: string, o: Order, m: ProduceMessage, reason: string) =>
    cases.push({ name, message: m, eventId: o.eventId, reason });
  const now = Math.floor(Date.now() / 1000);

  const stranger = order();
  const strangerClaims = jose.decodeJwt(await boundToken(subject, stranger));
  const { privateKey } = await jose.generateKeyPair("RS256");
  const forged = await new jose.SignJWT(strangerClaims)
    .setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid: "attacker-key" })
    .sign(privateKey);
  add(
    "a token signed by an unknown key",
    stranger,
    message(stranger, `Bearer ${forged}`),
    "token_unknown_key",
  );

  const unsigned = order();
  const unsignedClaims = jose.decodeJwt(await boundToken(subject, unsigned));
  const none = new jose.UnsecuredJWT(unsignedClaims).encode();
  add("alg none", unsigned, message(unsigned, `Bearer ${none}`), "token_algorithm_not_allowed");

  const hmac = order();
  const jwks = await publishedJwks();
  const hmacToken = await new jose.SignJWT(jose.decodeJwt(await boundToken(subject, hmac)))
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: String(jwks.keys[0].kid) })
    .sign(new TextEncoder().encode(JSON.stringify(jwks)));
  add(
    "an HMAC token keyed with the public JWKS",
    hmac,
    message(hmac, `Bearer ${hmacToken}`),
    "token_algorithm_not_allowed",
  );

  const expired = order();
  const expiredToken = await signWithServerKey({
    ...jose.decodeJwt(await boundToken(subject, expired)),
    iat: now - 8 * 24 * 3600,
    exp: now - 24 * 3600,
  });
  add("an expired token", expired, message(expired, `Bearer ${expiredToken}`), "token_expired");

  const user = order();
  add("a user token", user, message(user, `Bearer ${subject}`), "token_wrong_audience");

  const scoped = order();
  const scopedToken = await signWithServerKey({
    ...jose.decodeJwt(await boundToken(subject, scoped)),
    scope: "orders",
  });
  add("the wrong scope", scoped, message(scoped, `Bearer ${scopedToken}`), "insufficient_scope");

  const other = order();
  const otherToken = await eventToken(subject, {
    transactionId: other.key,
    eventId: crypto.randomUUID(),
    eventHash: await eventHash(other.value),
  });
  add(
    "a token for another event id",
    other,
    message(other, `Bearer ${otherToken}`),
    "event_id_mismatch",
  );

  const altered = order();
  const alteredToken = await boundToken(subject, altered);
  const tampered = { ...altered, text: altered.text.replace('"quantity":2', '"quantity":1') };
  add(
    "altered items under a valid token",
    altered,
    message(tampered, `Bearer ${alteredToken}`),
    "event_hash_mismatch",
  );

  const missing = order();
  await boundToken(subject, missing);
  add(
    "no Authorization header",
    missing,
    { key: missing.key, value: missing.text },
    "authorization_header_missing",
  );

  const twice = order();
  const twiceToken = await boundToken(subject, twice);
  add(
    "two Authorization headers",
    twice,
    message(twice, [`Bearer ${twiceToken}`, `Bearer ${twiceToken}`]),
    "authorization_header_duplicated",
  );

  const broken = order();
  const brokenText = broken.text.slice(0, -5);
  const brokenToken = await boundToken(subject, broken, new TextEncoder().encode(brokenText));
  add(
    "malformed JSON",
    broken,
    { ...message(broken, `Bearer ${brokenToken}`), value: brokenText },
    "message_malformed",
  );

  const huge = order({ note: "x".repeat(100 * 1024) });
  add(
    "a huge message",
    huge,
    message(huge, `Bearer ${await boundToken(subject, huge)}`),
    "message_too_large",
  );

  return cases;
}

function header(record: ReadMessage, name: string): string[] {
  return record.headers.filter((h) => h.name === name).map((h) => h.value);
}

Deno.test({
  name: "Invoices API dead-letters every forged or bad message and invoices a valid one once",
  ignore: !ready,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const subject = await userJwt();
    const good = order();
    const goodMessage = message(good, `Bearer ${await boundToken(subject, good)}`);
    const cases = await badCases(subject);

    await produce(ORDER_CREATED, [goodMessage, ...cases.map((c) => c.message), goodMessage]);
    await waitUntilDrained("invoices-api", ORDER_CREATED, { timeoutMs: 60_000 });
    const deadLetters = await scan(ORDER_CREATED_REJECTED);
    const db = await connectPostgres({ url: Deno.env.get("TEST_DATABASE_URL")! });

    try {
      for (const c of cases) {
        await t.step(`${c.name}: no invoice, one dead letter "${c.reason}"`, async () => {
          const records = deadLetters.filter((record) => record.key === c.message.key);
          assert.equal(records.length, 1, `dead letters for "${c.name}"`);
          assert.deepEqual(header(records[0], "dead-letter-reason"), [c.reason]);
          assert.equal(records[0].value, c.message.value, "the original value bytes");
          assert.deepEqual(header(records[0], "Authorization"), []);
          const invoices = await db.query(
            "SELECT 1 FROM invoices.invoices WHERE event_id = $1",
            [c.eventId],
          );
          assert.equal(invoices.length, 0);
        });
      }

      await t.step(
        "a valid message written twice: one invoice, the copy dead-lettered as a replay",
        async () => {
          const rows = await db.query<{ amount_cents: string; user_id: string }>(
            "SELECT amount_cents::text, user_id FROM invoices.invoices WHERE event_id = $1",
            [good.eventId],
          );
          assert.equal(rows.length, 1);
          assert.equal(rows[0].amount_cents, String(2 * 1999 + 12500));
          assert.equal(rows[0].user_id, "demouser");

          const records = deadLetters.filter((record) => record.key === good.key);
          assert.equal(records.length, 1);
          assert.deepEqual(header(records[0], "dead-letter-reason"), ["replayed_event"]);
          assert.equal(header(records[0], "token-jti").length, 1);
          assert.equal(header(records[0], "token-sha256").length, 1);
        },
      );

      await t.step(
        "the user reads the invoice over HTTP; an event token opens nothing",
        async () => {
          const list = await fetch(`${INVOICES_URL}/invoices`, {
            headers: { authorization: `Bearer ${subject}` },
          });
          assert.equal(list.status, 200);
          const { invoices } = await list.json();
          const mine = invoices.find((invoice: { eventID: string }) =>
            invoice.eventID === good.eventId
          );
          assert.equal(mine?.amount, 164.98);
          assert.equal(mine?.currency, "USD");

          const one = await fetch(`${INVOICES_URL}/invoices/${mine.invoiceID}`, {
            headers: { authorization: `Bearer ${subject}` },
          });
          assert.equal((await one.json()).transactionID, good.key);

          const refused = await fetch(`${INVOICES_URL}/invoices`, {
            headers: { authorization: `Bearer ${await boundToken(subject, order())}` },
          });
          assert.equal(refused.status, 401);
          assert.equal((await refused.json()).code, "token_wrong_audience");
        },
      );
    } finally {
      await db.close();
    }
  },
});

Deno.test({
  name: "Invoices API retries while the issuer's keys are unreachable, then invoices without loss",
  ignore: !ready || !Deno.env.get("STACK_CONTROL_URL"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const subject = await userJwt();
    const pending = order();
    const pendingMessage = message(pending, `Bearer ${await boundToken(subject, pending)}`);
    // A restarted service has no cached discovery or keys: it must fetch them for this message.
    await controlPart("invoices", "stop");
    await controlPart("idsvr", "stop");
    await controlPart("invoices", "start");
    const db = await connectPostgres({ url: Deno.env.get("TEST_DATABASE_URL")! });

    try {
      await produce(ORDER_CREATED, [pendingMessage]);
      await assert.rejects(
        waitUntilDrained("invoices-api", ORDER_CREATED, { timeoutMs: 3_000 }),
        /did not reach the end/,
        "nothing is committed while the keys are unreachable",
      );
      const invoiced = () =>
        db.query("SELECT 1 FROM invoices.invoices WHERE event_id = $1", [pending.eventId]);
      assert.equal((await invoiced()).length, 0);

      await controlPart("idsvr", "start");
      await waitUntilDrained("invoices-api", ORDER_CREATED, { timeoutMs: 60_000 });

      assert.equal((await invoiced()).length, 1);
      const deadLetters = await scan(ORDER_CREATED_REJECTED, { key: pending.key });
      assert.equal(deadLetters.length, 0, "a transient failure dead-letters nothing");
    } finally {
      await db.close();
      await controlPart("idsvr", "start").catch(() => {});
    }
  },
});
