import assert from "node:assert/strict";
import type { AuthorizationServer } from "oauth4webapi";
import { readCallback } from "./callback.ts";
import { CLIENT_ERRORS, ServiceError } from "./errors.ts";

const AS: AuthorizationServer = {
  issuer: "http://as.test/issuer",
  authorization_response_iss_parameter_supported: true,
};
const CLIENT = { client_id: "console-client" };
const STATE = "expected-state-value";

function redirect(query: Record<string, string | undefined>): URL {
  const url = new URL("http://127.0.0.1:3003/callback");
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url;
}

function assertCode(code: string, oauthError?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ServiceError);
    assert.equal(error.code, code);
    assert.equal(error.oauthError, oauthError);
    return true;
  };
}

Deno.test("readCallback() returns the code of a redirect with our state and issuer", () => {
  const parameters = readCallback(
    AS,
    CLIENT,
    redirect({ code: "c1", state: STATE, iss: AS.issuer }),
    STATE,
  );
  assert.equal(parameters.get("code"), "c1");
});

Deno.test("readCallback() refuses a state it did not send, before anything else", async (t) => {
  const cases = [
    { code: "c1", state: "forged", iss: AS.issuer },
    { code: "c1", iss: AS.issuer },
    // Even an error response is refused as a mismatch: it was not meant for this sign-in.
    { error: "access_denied", state: "forged", iss: AS.issuer },
  ];
  for (const query of cases) {
    await t.step(JSON.stringify(query), () => {
      assert.throws(
        () => readCallback(AS, CLIENT, redirect(query), STATE),
        assertCode(CLIENT_ERRORS.stateMismatch),
      );
    });
  }
});

Deno.test("readCallback() reports access_denied as a cancelled sign-in", () => {
  const url = redirect({
    error: "access_denied",
    error_description: "the user cancelled the sign-in",
    state: STATE,
    iss: AS.issuer,
  });
  assert.throws(() => readCallback(AS, CLIENT, url, STATE), (error: unknown) => {
    assertCode(CLIENT_ERRORS.loginCancelled, "access_denied")(error);
    assert.match((error as Error).message, /cancelled or refused: the user cancelled the sign-in/);
    return true;
  });
});

Deno.test("readCallback() reports any other OAuth error with its name", () => {
  const url = redirect({ error: "invalid_scope", state: STATE, iss: AS.issuer });
  assert.throws(() => readCallback(AS, CLIENT, url, STATE), (error: unknown) => {
    assertCode(CLIENT_ERRORS.authorizationFailed, "invalid_scope")(error);
    assert.match((error as Error).message, /error "invalid_scope"/);
    return true;
  });
});

Deno.test("readCallback() refuses a missing or foreign issuer (RFC 9207) and a missing code", async (t) => {
  const cases = [
    { code: "c1", state: STATE },
    { code: "c1", state: STATE, iss: "http://evil.test/issuer" },
    { state: STATE, iss: AS.issuer },
  ];
  for (const query of cases) {
    await t.step(JSON.stringify(query), () => {
      assert.throws(
        () => readCallback(AS, CLIENT, redirect(query), STATE),
        assertCode(CLIENT_ERRORS.invalidCallback),
      );
    });
  }
});
