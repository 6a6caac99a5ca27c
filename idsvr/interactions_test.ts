import assert from "node:assert/strict";
import { silentLogger } from "../shared/log/logger.ts";
import { demoAccounts } from "./accounts.ts";
import { createCsrfGuard, CSRF_COOKIE, CSRF_FIELD } from "./csrf.ts";
import {
  createInteractionApp,
  type InteractionBackend,
  type InteractionOutcome,
  type PendingInteraction,
} from "./interactions.ts";
import { WRONG_CREDENTIALS } from "./login_page.ts";

const csrf = createCsrfGuard("k".repeat(32));

function setup(pending: PendingInteraction) {
  const outcomes: InteractionOutcome[] = [];
  const backend: InteractionBackend = {
    find: () => Promise.resolve(pending),
    finish: (_c, outcome) => {
      outcomes.push(outcome);
      return Promise.resolve("https://idsvr.test/resume");
    },
  };
  const app = createInteractionApp({
    backend,
    accounts: demoAccounts({ username: "demouser", password: "Password1" }),
    csrf,
    firstParty: new Set(["console-client"]),
    logger: silentLogger,
  });
  return { app, outcomes };
}

const login = { uid: "u1", prompt: "login", clientId: "console-client" };

function post(fields: Record<string, string>, nonce: string, headers: Record<string, string> = {}) {
  return {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: `${CSRF_COOKIE}=${nonce}`,
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  };
}

Deno.test("GET /interaction/:uid renders a labelled form with a CSRF token and cookie", async () => {
  const { app } = setup(login);

  const response = await app.request("/interaction/u1");
  const html = await response.text();

  assert.equal(response.status, 200);
  assert.match(html, /<label for="username">/);
  assert.match(html, /<label for="password">/);
  assert.match(html, new RegExp(`name="${CSRF_FIELD}" value="[^"]+"`));
  assert.match(response.headers.get("set-cookie") ?? "", /idsvr_csrf=.*HttpOnly.*SameSite=Strict/);
  assert.match(response.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
});

Deno.test("POST login with the right password finishes the interaction", async () => {
  const { app, outcomes } = setup(login);
  const { nonce, token } = csrf.issue("u1");

  const fields = { [CSRF_FIELD]: token, username: "demouser", password: "Password1" };
  const response = await app.request("/interaction/u1/login", post(fields, nonce));

  assert.equal(response.status, 303);
  assert.equal(response.headers.get("location"), "https://idsvr.test/resume");
  assert.deepEqual(outcomes, [{ kind: "login", accountId: "demouser" }]);
});

Deno.test("POST login answers the same message for a wrong password and an unknown user", async () => {
  const { app, outcomes } = setup(login);
  const { nonce, token } = csrf.issue("u1");

  for (const username of ["demouser", "nobody"]) {
    const fields = { [CSRF_FIELD]: token, username, password: "wrong" };
    const response = await app.request("/interaction/u1/login", post(fields, nonce));
    const html = await response.text();

    assert.equal(response.status, 401);
    assert.ok(html.includes(WRONG_CREDENTIALS));
    assert.match(html, /role="alert"/);
  }
  assert.deepEqual(outcomes, []);
});

Deno.test("POST login refuses a missing or foreign CSRF token", async (t) => {
  const { app, outcomes } = setup(login);
  const { nonce, token } = csrf.issue("u1");
  const other = csrf.issue("u2");
  const credentials = { username: "demouser", password: "Password1" };

  await t.step("no token", async () => {
    const response = await app.request("/interaction/u1/login", post(credentials, nonce));
    assert.equal(response.status, 403);
  });
  await t.step("token of another interaction", async () => {
    const fields = { ...credentials, [CSRF_FIELD]: other.token };
    const response = await app.request("/interaction/u1/login", post(fields, other.nonce));
    assert.equal(response.status, 403);
  });
  await t.step("cross-site post", async () => {
    const fields = { ...credentials, [CSRF_FIELD]: token };
    const init = post(fields, nonce, { "sec-fetch-site": "cross-site" });
    const response = await app.request("/interaction/u1/login", init);
    assert.equal(response.status, 403);
  });
  assert.deepEqual(outcomes, []);
});

Deno.test("GET /interaction/:uid grants consent for a first-party client without a page", async () => {
  const { app, outcomes } = setup({ uid: "u1", prompt: "consent", clientId: "console-client" });

  const response = await app.request("/interaction/u1");

  assert.equal(response.status, 303);
  assert.deepEqual(outcomes, [{ kind: "consent" }]);
});

Deno.test("GET /interaction/:uid denies consent for a third-party client", async () => {
  const { app, outcomes } = setup({ uid: "u1", prompt: "consent", clientId: "someone-else" });

  const response = await app.request("/interaction/u1");

  assert.equal(response.status, 303);
  assert.equal(outcomes[0].kind, "error");
});

Deno.test("GET /interaction/:uid refuses a uid that is not the browser's interaction", async () => {
  const { app } = setup(login);

  const response = await app.request("/interaction/other");

  assert.equal(response.status, 400);
});
