import assert from "node:assert/strict";
import { loadInvoicesConfig } from "./config.ts";

Deno.test("loadInvoicesConfig() has working defaults and an embedded database under DATA_DIR", () => {
  const config = loadInvoicesConfig({ DATA_DIR: "/tmp/stack" });

  assert.equal(config.port, 3002);
  assert.equal(config.requireEventHash, true);
  assert.equal(config.maxMessageBytes, 65_536);
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.dataDir, "/tmp/stack/invoices");
});

Deno.test("loadInvoicesConfig() refuses bad values at start-up", () => {
  assert.throws(() => loadInvoicesConfig({ INVOICES_PORT: "http" }), RangeError);
  assert.throws(() => loadInvoicesConfig({ INVOICES_REQUIRE_EVENT_HASH: "maybe" }), TypeError);
  assert.throws(() => loadInvoicesConfig({ INVOICES_MAX_MESSAGE_BYTES: "10" }), RangeError);
  assert.throws(() => loadInvoicesConfig({ OAUTH_ISSUER: "ftp://x" }), TypeError);
});
