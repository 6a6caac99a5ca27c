import assert from "node:assert/strict";
import { MemoryStore } from "./memory_store.ts";

Deno.test("MemoryStore forgets an entry once it expires", async () => {
  let now = 1_000_000;
  const store = new MemoryStore({ now: () => now });
  const tokens = store.adapterFactory()("AccessToken");

  await tokens.upsert("t1", { iat: 1, exp: 2 }, 60);
  now += 59_999;
  assert.ok(await tokens.find("t1"));
  now += 1;
  assert.equal(await tokens.find("t1"), undefined);
});

Deno.test("MemoryStore revokes every artifact of a grant", async () => {
  const store = new MemoryStore();
  const factory = store.adapterFactory();

  await factory("AccessToken").upsert("t1", { grantId: "g1" }, 60);
  await factory("AuthorizationCode").upsert("c1", { grantId: "g1" }, 60);
  await factory("AccessToken").upsert("t2", { grantId: "g2" }, 60);
  await factory("AccessToken").revokeByGrantId("g1");

  assert.equal(await factory("AccessToken").find("t1"), undefined);
  assert.equal(await factory("AuthorizationCode").find("c1"), undefined);
  assert.ok(await factory("AccessToken").find("t2"));
});

Deno.test("MemoryStore keeps models apart and finds sessions by uid", async () => {
  const store = new MemoryStore();
  const factory = store.adapterFactory();

  await factory("Session").upsert("s1", { uid: "u1" }, 60);

  assert.equal((await factory("Session").findByUid("u1"))?.uid, "u1");
  assert.equal(await factory("Interaction").find("s1"), undefined);
});
