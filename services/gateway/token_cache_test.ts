import assert from "node:assert/strict";
import { ServiceError } from "../../shared/errors.ts";
import { ExpiringLru } from "./lru_cache.ts";
import { hashToken, TokenCache } from "./token_cache.ts";
import type { IntrospectionResult } from "./introspection.ts";
import { ManualClock } from "./_fakes.ts";

function counting(answer: (token: string) => IntrospectionResult | Promise<IntrospectionResult>) {
  const calls: string[] = [];
  const introspect = async (token: string) => {
    calls.push(token);
    return await answer(token);
  };
  return { introspect, calls };
}

Deno.test("ExpiringLru evicts the least recently used entry when full", () => {
  const lru = new ExpiringLru<number>(2);
  lru.set("a", 1, 1000);
  lru.set("b", 2, 1000);
  assert.equal(lru.get("a", 0), 1); // "a" is now the most recent

  lru.set("c", 3, 1000);

  assert.equal(lru.size, 2);
  assert.equal(lru.get("b", 0), undefined);
  assert.equal(lru.get("a", 0), 1);
  assert.equal(lru.get("c", 0), 3);
});

Deno.test("ExpiringLru never returns an expired entry and drops it", () => {
  const lru = new ExpiringLru<number>(2);
  lru.set("a", 1, 100);

  assert.equal(lru.get("a", 99), 1);
  assert.equal(lru.get("a", 100), undefined);
  assert.equal(lru.size, 0);
});

Deno.test("ExpiringLru refuses a size below one", () => {
  assert.throws(() => new ExpiringLru(0), RangeError);
});

Deno.test("TokenCache holds at most maxEntries active results", async () => {
  const clock = new ManualClock();
  const { introspect, calls } = counting(() => ({ active: true, jwt: "j", exp: clock.expIn(60) }));
  const cache = new TokenCache(introspect, {
    maxEntries: 3,
    maxTtlSeconds: 60,
    inactiveTtlSeconds: 5,
    now: clock.now,
  });

  for (const token of ["t1", "t2", "t3", "t4"]) await cache.lookup(token, token);
  assert.equal(cache.size, 3);

  assert.equal((await cache.lookup("t4", "t4")).outcome, "hit");
  assert.equal((await cache.lookup("t1", "t1")).outcome, "miss");
  assert.equal(calls.length, 5);
});

Deno.test("TokenCache keeps inactive results apart, so they cannot evict active ones", async () => {
  const clock = new ManualClock();
  const { introspect } = counting((token) =>
    token === "good" ? { active: true, jwt: "j", exp: clock.expIn(60) } : { active: false }
  );
  const cache = new TokenCache(introspect, {
    maxEntries: 4,
    maxTtlSeconds: 60,
    inactiveTtlSeconds: 5,
    now: clock.now,
  });

  await cache.lookup("good", "good");
  for (let i = 0; i < 50; i++) await cache.lookup(`junk-${i}`, `junk-${i}`);

  assert.equal((await cache.lookup("good", "good")).outcome, "hit");
  assert.equal(cache.size, 2); // "good" and the one inactive slot (a quarter of 4)
});

Deno.test("TokenCache does not keep an inactive result when its lifetime is 0", async () => {
  const { introspect, calls } = counting(() => ({ active: false }));
  const cache = new TokenCache(introspect, {
    maxEntries: 4,
    maxTtlSeconds: 60,
    inactiveTtlSeconds: 0,
  });

  await cache.lookup("k", "dead");
  await cache.lookup("k", "dead");

  assert.equal(calls.length, 2);
});

Deno.test("TokenCache passes on a JWT already past its exp without keeping it", async () => {
  const clock = new ManualClock();
  const { introspect, calls } = counting(() => ({ active: true, jwt: "j", exp: clock.expIn(-1) }));
  const cache = new TokenCache(introspect, {
    maxEntries: 4,
    maxTtlSeconds: 60,
    inactiveTtlSeconds: 5,
    now: clock.now,
  });

  assert.equal((await cache.lookup("k", "t")).result.active, true);
  await cache.lookup("k", "t");

  assert.equal(calls.length, 2);
});

Deno.test("TokenCache shares one failure among concurrent callers and keeps none", async () => {
  let fail = true;
  const { introspect, calls } = counting(async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (fail) {
      throw new ServiceError("authorization_server_unavailable", "down", { status: 503 });
    }
    return { active: false };
  });
  const cache = new TokenCache(introspect, {
    maxEntries: 4,
    maxTtlSeconds: 60,
    inactiveTtlSeconds: 5,
  });

  const results = await Promise.allSettled([1, 2, 3].map(() => cache.lookup("k", "t")));
  assert.equal(calls.length, 1);
  for (const result of results) {
    assert.equal(result.status, "rejected");
    assert.ok(result.reason instanceof ServiceError);
    assert.equal(result.reason.code, "authorization_server_unavailable");
  }

  fail = false;
  assert.equal((await cache.lookup("k", "t")).outcome, "miss");
  assert.equal(calls.length, 2);
});

Deno.test("hashToken() gives the lowercase hex SHA-256", async () => {
  assert.equal(
    await hashToken("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});
