import assert from "node:assert/strict";
import { importJWK, type JWK, SignJWT } from "jose";
import {
  activeKey,
  generateSigningKey,
  type KeySet,
  prepareKeys,
  providerJwks,
  publicJwks,
  rotateKeys,
} from "./keys.ts";

let counter = 0;
// Fake keys: the policy is under test here, not key generation.
async function fakeKey(alg: string): Promise<JWK> {
  counter += 1;
  return await Promise.resolve({ kty: "EC", kid: `k${counter}`, alg, d: "secret", x: "x", y: "y" });
}

const DAY = 86400;
const base = { alg: "ES256" as const, retainSeconds: 7 * DAY, generate: fakeKey };
const empty: KeySet = { version: 1, keys: [] };

Deno.test("prepareKeys() creates an active key and a published next key on first start", async () => {
  const set = await prepareKeys(empty, { ...base, now: 1000 });

  assert.deepEqual(set.keys.map((key) => key.state), ["active", "next"]);
  assert.equal(activeKey(set).activatedAt, 1000);
});

Deno.test("prepareKeys() returns the same set when nothing is due", async () => {
  const set = await prepareKeys(empty, { ...base, now: 1000 });

  assert.equal(await prepareKeys(set, { ...base, now: 2000 }), set);
});

Deno.test("rotateKeys() signs with the key published before and retires the old one", async () => {
  const first = await prepareKeys(empty, { ...base, now: 1000 });
  const [oldActive, waiting] = first.keys;

  const rotated = await rotateKeys(first, { ...base, now: 5000 });

  assert.equal(activeKey(rotated).kid, waiting.kid);
  const retired = rotated.keys.find((key) => key.kid === oldActive.kid);
  assert.equal(retired?.state, "retired");
  assert.equal(retired?.publishUntil, 5000 + 7 * DAY);
  assert.equal(rotated.keys.filter((key) => key.state === "next").length, 1);
});

Deno.test("a retired key stays published until its tokens expire, then is dropped", async () => {
  const first = await prepareKeys(empty, { ...base, now: 1000 });
  const oldKid = activeKey(first).kid;
  const rotated = await rotateKeys(first, { ...base, now: 5000 });

  const before = await prepareKeys(rotated, { ...base, now: 5000 + 7 * DAY - 1 });
  const after = await prepareKeys(rotated, { ...base, now: 5000 + 7 * DAY });

  assert.ok(publicJwks(before).keys.some((key) => key.kid === oldKid));
  assert.ok(!publicJwks(after).keys.some((key) => key.kid === oldKid));
});

Deno.test("providerJwks() lets only the active key sign", async () => {
  const set = await rotateKeys(await prepareKeys(empty, { ...base, now: 1000 }), {
    ...base,
    now: 2000,
  });

  const keys = providerJwks(set).keys;

  assert.equal(keys[0].kid, activeKey(set).kid);
  assert.equal(keys[0].key_ops, undefined);
  for (const key of keys.slice(1)) assert.deepEqual(key.key_ops, ["verify"]);
});

Deno.test("publicJwks() never exposes private members", async () => {
  const set = await prepareKeys(empty, { ...base, now: 1000 });

  for (const key of publicJwks(set).keys) assert.equal(key.d, undefined);
});

Deno.test("prepareKeys() switches to a new key when the algorithm changes", async () => {
  const es = await prepareKeys(empty, { ...base, now: 1000 });

  const rs = await prepareKeys(es, { ...base, alg: "RS256", now: 2000 });

  assert.equal(activeKey(rs).alg, "RS256");
  assert.deepEqual(rs.keys.map((key) => `${key.alg} ${key.state}`), [
    "RS256 active",
    "RS256 next",
    "ES256 retired",
  ]);
});

Deno.test("generateSigningKey() makes keys that jose can sign with", async () => {
  for (const alg of ["ES256", "RS256", "PS256", "EdDSA"] as const) {
    const jwk = await generateSigningKey(alg);
    const jwt = await new SignJWT({}).setProtectedHeader({ alg }).sign(await importJWK(jwk, alg));
    assert.equal(jwt.split(".").length, 3, alg);
  }
});
