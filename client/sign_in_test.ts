import assert from "node:assert/strict";
import { serve } from "../shared/http/serve/deno.ts";
import { closedPort, type FakeOptions, startFakes } from "./_fakes.ts";
import { CLIENT_ERRORS, ServiceError } from "./errors.ts";
import { signIn, type SignInOptions } from "./sign_in.ts";

/** A "browser" that follows the authorization server's redirect back to the listener. */
async function followRedirects(url: URL): Promise<void> {
  const response = await fetch(url);
  await response.body?.cancel();
}

async function withFakes(
  fakeOptions: FakeOptions,
  run: (options: SignInOptions, fakes: ReturnType<typeof startFakes>) => Promise<void>,
): Promise<void> {
  const fakes = startFakes(fakeOptions);
  try {
    await run(
      { issuer: new URL(fakes.issuer), serve, port: 0, openBrowser: followRedirects },
      fakes,
    );
  } finally {
    await fakes.close();
  }
}

function hasCode(code: string, oauthError?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ServiceError, String(error));
    assert.equal(error.code, code);
    if (oauthError) assert.equal(error.oauthError, oauthError);
    return true;
  };
}

Deno.test("signIn() runs the code flow with PKCE and returns the access token", async () => {
  await withFakes({}, async (options, fakes) => {
    let listening = "";
    const tokens = await signIn({
      ...options,
      prompt: "login",
      onListening: (uri) => listening = uri,
    });

    assert.equal(tokens.accessToken, "opaque-access-token-for-demouser");
    assert.equal(tokens.expiresIn, 900);
    assert.equal(tokens.scope, "orders invoices");
    const [request] = fakes.authorizeRequests;
    assert.equal(request.get("redirect_uri"), listening);
    assert.equal(request.get("code_challenge_method"), "S256");
    assert.equal(request.get("prompt"), "login");
  });
});

Deno.test("signIn() reports a cancelled sign-in as login_cancelled", async () => {
  await withFakes({ authorize: "access_denied" }, async (options) => {
    await assert.rejects(signIn(options), hasCode(CLIENT_ERRORS.loginCancelled, "access_denied"));
  });
});

Deno.test("signIn() refuses a redirect whose state is not its own", async () => {
  await withFakes({ authorize: "wrong_state" }, async (options) => {
    await assert.rejects(signIn(options), hasCode(CLIENT_ERRORS.stateMismatch));
  });
});

Deno.test("signIn() reports a refused code as token_request_failed", async () => {
  await withFakes({ refuseCode: true }, async (options) => {
    await assert.rejects(
      signIn(options),
      hasCode(CLIENT_ERRORS.tokenRequestFailed, "invalid_grant"),
    );
  });
});

Deno.test("signIn() gives up with login_timeout when no redirect arrives", async () => {
  await withFakes({}, async (options) => {
    const waiting = signIn({ ...options, openBrowser: () => {}, loginTimeoutMs: 50 });
    await assert.rejects(waiting, hasCode(CLIENT_ERRORS.loginTimeout));
  });
});

Deno.test("signIn() stops waiting when its signal is aborted", async () => {
  await withFakes({}, async (options) => {
    const controller = new AbortController();
    const waiting = signIn({
      ...options,
      signal: controller.signal,
      openBrowser: () => controller.abort(new Error("stop")),
    });
    await assert.rejects(waiting, /stop/);
  });
});

Deno.test("signIn() reports an authorization server that is down, before listening", async () => {
  let listened = false;
  const waiting = signIn({
    issuer: new URL(`http://127.0.0.1:${closedPort()}/issuer`),
    serve,
    port: 0,
    openBrowser: () => {},
    onListening: () => listened = true,
  });
  await assert.rejects(waiting, (error: unknown) => {
    hasCode(CLIENT_ERRORS.serverUnavailable)(error);
    assert.match(
      (error as Error).message,
      /Authorization server at "http:\/\/127\.0\.0\.1:\d+" is unavailable/,
    );
    return true;
  });
  assert.equal(listened, false);
});

Deno.test("signIn() frees the listener's port whatever the outcome", async () => {
  await withFakes({ authorize: "access_denied" }, async (options) => {
    const port = 40000 + Math.floor(Math.random() * 20000);
    await assert.rejects(signIn({ ...options, port }));
    const again = Deno.listen({ hostname: "127.0.0.1", port });
    again.close();
  });
});
