import assert from "node:assert/strict";
import { Settings } from "./settings.ts";

Deno.test("Settings.secret() falls back to the demo default outside production", () => {
  assert.equal(new Settings({}).secret("CLIENT_SECRET", "Password1"), "Password1");
  assert.equal(new Settings({ CLIENT_SECRET: "s3cret" }).secret("CLIENT_SECRET", "x"), "s3cret");
});

Deno.test("Settings.secret() refuses an unset or demo secret in production", async (t) => {
  for (const value of [undefined, "", "Password1"]) {
    await t.step(`value ${JSON.stringify(value)}`, () => {
      const settings = new Settings({ APP_ENV: "production", CLIENT_SECRET: value });
      assert.throws(
        () => settings.secret("CLIENT_SECRET", "Password1"),
        (error: unknown) => error instanceof TypeError && /CLIENT_SECRET/.test(error.message),
      );
    });
  }
  const settings = new Settings({ APP_ENV: "production", CLIENT_SECRET: "a-real-one" });
  assert.equal(settings.secret("CLIENT_SECRET", "Password1"), "a-real-one");
});

Deno.test("Settings rejects an unknown APP_ENV at construction", () => {
  assert.throws(() => new Settings({ APP_ENV: "prod" }), TypeError);
});

Deno.test("Settings.integer() names the variable and range when the value is out of range", () => {
  const settings = new Settings({ PORT: "70000", BAD: "3.5" });
  assert.throws(() => settings.integer("PORT", 1, { min: 1, max: 65535 }), {
    name: "RangeError",
    message: 'PORT must be an integer from 1 to 65535, got "70000"',
  });
  assert.throws(() => settings.integer("BAD", 1, { min: 1, max: 9 }), RangeError);
  assert.equal(settings.integer("UNSET", 7, { min: 1, max: 9 }), 7);
});

Deno.test("Settings.boolean() and url() accept only well-formed values", () => {
  const settings = new Settings({ A: "true", B: "0", C: "yes", U: "ftp://x", V: "http://a:1/b" });
  assert.equal(settings.boolean("A", false), true);
  assert.equal(settings.boolean("B", true), false);
  assert.throws(() => settings.boolean("C", true), TypeError);
  assert.throws(() => settings.url("U", "http://d"), TypeError);
  assert.equal(settings.url("V", "http://d").href, "http://a:1/b");
});
