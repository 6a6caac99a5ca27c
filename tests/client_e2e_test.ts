/**
 * The console client against the real stack, with headless Chromium as the person's browser on
 * the real sign-in page. Sign-in tests need `idsvr`; the whole flow needs every part.
 */
import assert from "node:assert/strict";
import { type HeadlessBrowser, launchHeadlessBrowser } from "../client/demo/headless_browser.ts";
import { CLIENT_ERRORS, ServiceError } from "../client/errors.ts";
import { createGatewayApi } from "../client/gateway_api.ts";
import { signIn, type SignInOptions } from "../client/sign_in.ts";
import { serve } from "../shared/http/serve/deno.ts";
import { hasPart, stackEnv } from "./support/stack.ts";

const env = stackEnv();
const ISSUER = new URL(`${env.idsvrUrl}/oauth/v2/oauth-anonymous`);
const DEMO_USER = { username: "demouser", password: "Password1" };
const WITH_IDSVR = hasPart("idsvr");
const WITH_EVERYTHING = ["kafka", "idsvr", "gateway", "orders", "invoices"].every(hasPart);
// playwright keeps pipes to Chromium open between calls; the browser is closed in `finally`.
const BROWSER_TEST = { sanitizeOps: false, sanitizeResources: false };

async function withBrowser(run: (browser: HeadlessBrowser) => Promise<void>): Promise<void> {
  const browser = await launchHeadlessBrowser();
  try {
    await run(browser);
  } finally {
    await browser.close();
  }
}

function options(overrides: Partial<SignInOptions>): SignInOptions {
  return {
    issuer: ISSUER,
    serve,
    port: 0,
    prompt: "login",
    loginTimeoutMs: 20_000,
    openBrowser: () => {},
    ...overrides,
  };
}

function hasCode(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ServiceError, String(error));
    assert.equal(error.code, code);
    return true;
  };
}

Deno.test({
  name:
    "the console signs in on the real page and orders through the gateway until its invoice exists",
  ignore: !WITH_EVERYTHING,
  ...BROWSER_TEST,
  fn: () =>
    withBrowser(async (browser) => {
      let redirectedTo: URL | undefined;
      let listening = "";
      const tokens = await signIn(options({
        onListening: (uri) => listening = uri,
        async openBrowser(url) {
          ({ redirectedTo } = await browser.signIn(url, DEMO_USER));
        },
      }));
      assert.equal(redirectedTo?.origin + (redirectedTo?.pathname ?? ""), listening);
      assert.equal(tokens.idTokenClaims?.sub, "demouser");

      const api = createGatewayApi({
        gatewayUrl: new URL(env.gatewayUrl),
        accessToken: tokens.accessToken,
      });
      const order = await api.placeOrder([{ itemID: 1, quantity: 2 }, { itemID: 3, quantity: 1 }]);
      assert.equal(order.items.length, 2);
      assert.equal((await api.getOrder(order.transactionID)).transactionID, order.transactionID);

      const invoice = await api.waitForInvoice(order.transactionID, { timeoutMs: 60_000 });
      assert.equal(invoice.transactionID, order.transactionID);
    }),
});

Deno.test({
  name: "the redirect from the real sign-in page lands on the loopback listener with a code",
  ignore: !WITH_IDSVR,
  ...BROWSER_TEST,
  fn: () =>
    withBrowser(async (browser) => {
      let redirectedTo: URL | undefined;
      const tokens = await signIn(options({
        async openBrowser(url) {
          ({ redirectedTo } = await browser.signIn(url, DEMO_USER));
        },
      }));
      assert.equal(redirectedTo?.hostname, "127.0.0.1");
      assert.equal(redirectedTo?.pathname, "/callback");
      assert.ok(tokens.accessToken.length > 20);
      assert.equal(tokens.tokenType.toLowerCase(), "bearer");
      assert.match(tokens.scope ?? "", /orders/);
    }),
});

Deno.test({
  name:
    "a wrong password keeps the user on the form with the error, and no code reaches the client",
  ignore: !WITH_IDSVR,
  ...BROWSER_TEST,
  fn: () =>
    withBrowser(async (browser) => {
      let alert: string | undefined;
      const waiting = signIn(options({
        loginTimeoutMs: 3_000,
        async openBrowser(url) {
          ({ alert } = await browser.signIn(url, { ...DEMO_USER, password: "wrong" }));
        },
      }));
      // The only way out is the timeout: neither a code nor an error came to the listener.
      await assert.rejects(waiting, hasCode(CLIENT_ERRORS.loginTimeout));
      assert.equal(alert, "The username or password is incorrect.");
    }),
});

Deno.test({
  name: "a cancelled sign-in ends with a clear login_cancelled error",
  ignore: !WITH_IDSVR,
  ...BROWSER_TEST,
  fn: () =>
    withBrowser(async (browser) => {
      const waiting = signIn(options({ openBrowser: (url) => browser.cancel(url).then(() => {}) }));
      await assert.rejects(waiting, (error: unknown) => {
        hasCode(CLIENT_ERRORS.loginCancelled)(error);
        assert.equal((error as ServiceError).oauthError, "access_denied");
        assert.match((error as Error).message, /cancelled/);
        return true;
      });
    }),
});

Deno.test({
  name: "a redirect with a forged state is refused, even when the real one follows",
  ignore: !WITH_IDSVR,
  ...BROWSER_TEST,
  fn: () =>
    withBrowser(async (browser) => {
      const waiting = signIn(options({
        async openBrowser(url) {
          const redirectUri = url.searchParams.get("redirect_uri")!;
          const forged = await fetch(`${redirectUri}?code=stolen&state=forged&iss=${ISSUER.href}`);
          assert.equal(forged.status, 400);
          await forged.body?.cancel();
          // The genuine sign-in follows; it must not turn the refusal into a token.
          await browser.signIn(url, DEMO_USER).catch(() => {});
        },
      }));
      await assert.rejects(waiting, hasCode(CLIENT_ERRORS.stateMismatch));
    }),
});
