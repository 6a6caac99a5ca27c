import assert from "node:assert/strict";
import { readConfig } from "./config.ts";

const options = { repoRoot: "/repo" };

Deno.test("readConfig() defaults to the contract's issuer, port and data folder", () => {
  const config = readConfig({}, options);

  assert.equal(config.issuer, "http://localhost:8443/oauth/v2/oauth-anonymous");
  assert.equal(config.port, 8443);
  assert.equal(config.dataDir, "/repo/.data/dev/idsvr");
  assert.equal(config.signingAlg, "ES256");
  assert.equal(config.exchangeTokenTtl, 604800);
});

Deno.test("readConfig() refuses demo secrets and generated keys in production", async (t) => {
  const production = {
    APP_ENV: "production",
    IDSVR_SIGNING_KEYS: JSON.stringify({ keys: [{ kid: "k", d: "x", alg: "ES256" }] }),
    IDSVR_COOKIE_KEYS: "c".repeat(32),
    IDSVR_DEMO_USER_PASSWORD: "a-real-one",
    IDSVR_INTROSPECT_CLIENT_SECRET: "another",
    IDSVR_ORDERS_API_CLIENT_SECRET: "and-another",
  };
  assert.equal(readConfig(production, options).production, true);

  for (const name of Object.keys(production).filter((key) => key !== "APP_ENV")) {
    await t.step(`without ${name}`, () => {
      assert.throws(() => readConfig({ ...production, [name]: "" }, options), TypeError);
    });
  }
  await t.step("with the demo password", () => {
    const env = { ...production, IDSVR_DEMO_USER_PASSWORD: "Password1" };
    assert.throws(() => readConfig(env, options), TypeError);
  });
});

Deno.test("readConfig() refuses an unknown signing algorithm", () => {
  assert.throws(() => readConfig({ IDSVR_SIGNING_ALG: "HS256" }, options), TypeError);
});

Deno.test("readConfig() reads extra users and refuses a malformed list", () => {
  const config = readConfig({ IDSVR_EXTRA_USERS: "otheruser:Password2,ops:longenough" }, {
    repoRoot: "/repo",
  });
  assert.deepEqual(config.extraUsers, [
    { username: "otheruser", password: "Password2" },
    { username: "ops", password: "longenough" },
  ]);
  assert.throws(
    () => readConfig({ IDSVR_EXTRA_USERS: "nopassword" }, { repoRoot: "/r" }),
    TypeError,
  );
  assert.throws(() => readConfig({ IDSVR_EXTRA_USERS: "a:short" }, { repoRoot: "/r" }), TypeError);
});
