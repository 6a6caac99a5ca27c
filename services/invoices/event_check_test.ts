import assert from "node:assert/strict";
import * as jose from "jose";
import { ServiceError } from "../../shared/errors.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import {
  eventMessage,
  ISSUER,
  NOW,
  NOW_SEC,
  orderValue,
  recordingLogger,
  testIssuer,
} from "./_fakes.ts";
import type { EventCheckOptions, EventVerdict, SourceMessage } from "./event_check.ts";
import { checkEvent } from "./event_check.ts";

const issuer = await testIssuer();

function options(overrides: Partial<EventCheckOptions> = {}): EventCheckOptions {
  return {
    keys: issuer.keys,
    issuer: ISSUER,
    requireEventHash: true,
    maxMessageBytes: 64 * 1024,
    logger: silentLogger,
    now: () => NOW,
    ...overrides,
  };
}

function reasonOf(verdict: EventVerdict): string {
  assert.equal(verdict.accepted, false, "the message should have been rejected");
  return verdict.accepted ? "" : verdict.rejection.reason;
}

async function withToken(token: string, message?: SourceMessage): Promise<SourceMessage> {
  const base = message ?? await eventMessage(issuer);
  const encoder = new TextEncoder();
  return {
    ...base,
    headers: [["Authorization", encoder.encode(`Bearer ${token}`)]],
  };
}

Deno.test("checkEvent() accepts a message bound to its token and totals it in cents", async () => {
  const message = await eventMessage(issuer);

  const verdict = await checkEvent(message, options());

  assert.ok(verdict.accepted);
  assert.equal(verdict.event.order.amountCents, 2 * 1999 + 10);
  assert.equal(verdict.event.userId, "demouser");
  assert.equal(verdict.event.transactionId, new TextDecoder().decode(message.key!));
});

Deno.test("checkEvent() rejects forged and misdirected tokens with the token's code", async (t) => {
  const cases: Array<[string, () => Promise<SourceMessage>, string]> = [
    ["a key the issuer does not publish", async () => {
      const stranger = await testIssuer("stranger-key");
      const message = await eventMessage(issuer);
      const claims = jose.decodeJwt(tokenOf(message));
      return withToken(await stranger.sign(claims), message);
    }, "token_unknown_key"],
    ["alg none", async () => {
      const message = await eventMessage(issuer);
      const claims = jose.decodeJwt(tokenOf(message));
      return withToken(new jose.UnsecuredJWT(claims).encode(), message);
    }, "token_algorithm_not_allowed"],
    ["HS256 keyed with the public JWKS", async () => {
      const message = await eventMessage(issuer);
      const claims = jose.decodeJwt(tokenOf(message));
      const secret = new TextEncoder().encode(JSON.stringify(issuer.jwks));
      const token = await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: issuer.kid })
        .sign(secret);
      return withToken(token, message);
    }, "token_algorithm_not_allowed"],
    ["an expired token", () =>
      eventMessage(issuer, {
        claims: { iat: NOW_SEC - 8 * 24 * 3600, exp: NOW_SEC - 24 * 3600 },
      }), "token_expired"],
    ["a user token", () =>
      eventMessage(issuer, {
        claims: { aud: "api.example.com", scope: "orders invoices", exp: NOW_SEC + 600 },
      }), "token_wrong_audience"],
    [
      "the wrong scope",
      () => eventMessage(issuer, { claims: { scope: "orders" } }),
      "insufficient_scope",
    ],
    [
      "another issuer",
      () => eventMessage(issuer, { claims: { iss: "https://evil.test" } }),
      "token_wrong_issuer",
    ],
    ["an id token type", async () => {
      const message = await eventMessage(issuer);
      const claims = jose.decodeJwt(tokenOf(message));
      return withToken(await issuer.sign(claims, { typ: "JWT" }), message);
    }, "token_wrong_type"],
    [
      "a 30-day lifetime",
      () => eventMessage(issuer, { claims: { exp: NOW_SEC + 30 * 24 * 3600 } }),
      "token_lifetime_exceeded",
    ],
    [
      "no transaction_id",
      () => eventMessage(issuer, { claims: { transaction_id: undefined } }),
      "token_claim_missing",
    ],
    [
      "a garbled token",
      () => eventMessage(issuer, { authorization: () => ["Bearer abc.def.ghi"] }),
      "token_malformed",
    ],
  ];
  for (const [name, build, code] of cases) {
    await t.step(name, async () => {
      assert.equal(reasonOf(await checkEvent(await build(), options())), code);
    });
  }
});

Deno.test("checkEvent() rejects a token bound to another event", async (t) => {
  await t.step("another event id", async () => {
    const message = await eventMessage(issuer, { claims: { event_id: crypto.randomUUID() } });
    assert.equal(reasonOf(await checkEvent(message, options())), "event_id_mismatch");
  });
  await t.step("altered items under the same token", async () => {
    const message = await eventMessage(issuer);
    const order = JSON.parse(new TextDecoder().decode(message.value!));
    order.items[0].quantity = 1;
    const altered = { ...message, value: new TextEncoder().encode(JSON.stringify(order)) };
    assert.equal(reasonOf(await checkEvent(altered, options())), "event_hash_mismatch");
  });
  await t.step("another message key", async () => {
    const message = await eventMessage(issuer, { key: crypto.randomUUID() });
    assert.equal(reasonOf(await checkEvent(message, options())), "transaction_id_mismatch");
  });
  await t.step("no event_hash", async () => {
    const message = await eventMessage(issuer, { claims: { event_hash: undefined } });
    assert.equal(reasonOf(await checkEvent(message, options())), "event_hash_missing");
  });
});

Deno.test("checkEvent() accepts a token without event_hash when relaxed, with a warning", async () => {
  const { logger, lines } = recordingLogger();
  const message = await eventMessage(issuer, { claims: { event_hash: undefined }, offset: 12 });

  const verdict = await checkEvent(message, options({ requireEventHash: false, logger }));

  assert.ok(verdict.accepted);
  assert.equal(lines.length, 1);
  assert.equal(lines[0].level, "warn");
  assert.equal(lines[0].offset, "12");
});

Deno.test("checkEvent() rejects a bad Authorization header or value before any signature check", async (t) => {
  const cases: Array<[string, MessageOptionsBuild, string]> = [
    ["no header", { authorization: () => [] }, "authorization_header_missing"],
    [
      "two headers",
      { authorization: (token) => [`Bearer ${token}`, `Bearer ${token}`] },
      "authorization_header_duplicated",
    ],
    [
      "a Basic header",
      { authorization: () => ["Basic dXNlcjpwYXNz"] },
      "authorization_header_malformed",
    ],
    ["malformed JSON", { value: new TextEncoder().encode('{"eventID": ') }, "message_malformed"],
    ["a wrong shape", { value: orderValue({ items: [] }) }, "message_malformed"],
    ["a huge value", {
      value: orderValue({ padding: "x".repeat(70 * 1024) }),
    }, "message_too_large"],
  ];
  for (const [name, build, code] of cases) {
    await t.step(name, async () => {
      const message = await eventMessage(issuer, build);
      assert.equal(reasonOf(await checkEvent(message, options())), code);
    });
  }
  await t.step("a message without a value", async () => {
    const message = { ...await eventMessage(issuer), value: null };
    assert.equal(reasonOf(await checkEvent(message, options())), "message_malformed");
  });
});

type MessageOptionsBuild = Parameters<typeof eventMessage>[1];

Deno.test("checkEvent() throws, instead of rejecting, when the keys cannot be fetched", async () => {
  const message = await eventMessage(issuer);
  const unreachable = () => Promise.reject(new TypeError("fetch failed"));

  await assert.rejects(
    checkEvent(message, options({ keys: unreachable })),
    (error: unknown) => error instanceof ServiceError && error.code === "keys_unavailable",
  );
});

function tokenOf(message: SourceMessage): string {
  const header = message.headers.find(([name]) => name === "Authorization")!;
  return new TextDecoder().decode(header[1]).slice("Bearer ".length);
}
