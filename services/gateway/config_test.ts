import assert from "node:assert/strict";
import { loadGatewayConfig } from "./config.ts";

Deno.test("loadGatewayConfig() fills in the contract's defaults", () => {
  const config = loadGatewayConfig({});

  assert.equal(config.port, 3000);
  assert.equal(config.issuer.href, "http://localhost:8443/oauth/v2/oauth-anonymous");
  assert.equal(config.clientId, "introspect-client");
  assert.equal(config.clientSecret, "Password1");
  assert.deepEqual(
    config.routes.map((route) => [route.prefix, route.target.href]),
    [["/orders", "http://localhost:3001/"], ["/invoices", "http://localhost:3002/"]],
  );
  assert.equal(config.bodyLimitBytes, 1024 * 1024);
});

Deno.test("loadGatewayConfig() refuses the demo secret in production", () => {
  assert.throws(() => loadGatewayConfig({ APP_ENV: "production" }), TypeError);
  const config = loadGatewayConfig({ APP_ENV: "production", INTROSPECT_CLIENT_SECRET: "s3cret!" });
  assert.equal(config.clientSecret, "s3cret!");
});

Deno.test("loadGatewayConfig() refuses values out of range", () => {
  assert.throws(() => loadGatewayConfig({ GATEWAY_PORT: "70000" }), RangeError);
  assert.throws(() => loadGatewayConfig({ ORDERS_API_URL: "ftp://x" }), TypeError);
  assert.throws(() => loadGatewayConfig({ LOG_LEVEL: "loud" }), TypeError);
});
