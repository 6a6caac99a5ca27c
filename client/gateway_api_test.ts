import assert from "node:assert/strict";
import { startFakes } from "./_fakes.ts";
import { CLIENT_ERRORS, ServiceError } from "./errors.ts";
import { createGatewayApi } from "./gateway_api.ts";

const TOKEN = "opaque-access-token-for-demouser";

Deno.test("placeOrder() posts the lines with the bearer token and returns the order", async () => {
  const fakes = startFakes();
  try {
    const api = createGatewayApi({ gatewayUrl: new URL(fakes.gatewayUrl), accessToken: TOKEN });
    const order = await api.placeOrder([{ itemID: 1, quantity: 2 }]);
    assert.equal(order.items[0].name, "Widget");
    assert.deepEqual(fakes.bearerTokens, [TOKEN]);
  } finally {
    await fakes.close();
  }
});

Deno.test("waitForInvoice() polls until the invoice of the order appears", async () => {
  const fakes = startFakes({ invoiceOnLook: 3 });
  try {
    const api = createGatewayApi({ gatewayUrl: new URL(fakes.gatewayUrl), accessToken: TOKEN });
    const order = await api.placeOrder([{ itemID: 1, quantity: 2 }]);
    const invoice = await api.waitForInvoice(order.transactionID, { intervalMs: 5 });
    assert.equal(invoice.transactionID, order.transactionID);
    assert.equal(fakes.bearerTokens.length, 4);
  } finally {
    await fakes.close();
  }
});

Deno.test("waitForInvoice() gives up with invoice_timeout", async () => {
  const fakes = startFakes({ invoiceOnLook: 1_000 });
  try {
    const api = createGatewayApi({ gatewayUrl: new URL(fakes.gatewayUrl), accessToken: TOKEN });
    await assert.rejects(
      api.waitForInvoice("no-such-order", { timeoutMs: 30, intervalMs: 5 }),
      (error: ServiceError) => error.code === CLIENT_ERRORS.invoiceTimeout && error.status === 504,
    );
  } finally {
    await fakes.close();
  }
});

Deno.test("a problem answer becomes a ServiceError with the API's code and status", async () => {
  const fakes = startFakes();
  try {
    const api = createGatewayApi({ gatewayUrl: new URL(fakes.gatewayUrl), accessToken: "stale" });
    await assert.rejects(api.listInvoices(), (error: ServiceError) => {
      assert.equal(error.code, "token_inactive");
      assert.equal(error.status, 401);
      assert.match(error.message, /GET \/invoices failed with status 401 \(token_inactive\)/);
      assert.ok(!error.message.includes("stale"), "the token stays out of the message");
      return true;
    });
  } finally {
    await fakes.close();
  }
});

Deno.test("an unreachable gateway is gateway_unavailable", async () => {
  const fetchDown: typeof fetch = () => Promise.reject(new TypeError("connection refused"));
  const api = createGatewayApi({
    gatewayUrl: new URL("http://127.0.0.1:9"),
    accessToken: TOKEN,
    fetch: fetchDown,
  });
  await assert.rejects(api.getOrder("x"), (error: ServiceError) => {
    assert.equal(error.code, CLIENT_ERRORS.gatewayUnavailable);
    assert.equal(error.status, 503);
    return true;
  });
});
