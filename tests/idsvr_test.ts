/**
 * Stack tests of the authorization server over real HTTP. The server under test listens at
 * `IDSVR_URL` (default http://localhost:8443); the rotation tests start their own server on a
 * free port with a temporary data folder.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import {
  exchange,
  exchangeParams,
  followToCallback,
  introspect,
  phantomToken,
  redeemCode,
  signInDemoUser,
  spawnIdsvr,
  startSignIn,
  submitCredentials,
} from "../idsvr/testing.ts";

const BASE = Deno.env.get("IDSVR_URL") ?? "http://localhost:8443";
const ISSUER = "http://localhost:8443/oauth/v2/oauth-anonymous";
const DEMO = { username: "demouser", password: "Password1" };

async function discovery(base: string, issuer = ISSUER): Promise<Record<string, string>> {
  const response = await fetch(
    `${base}${new URL(issuer).pathname}/.well-known/openid-configuration`,
  );
  assert.equal(response.status, 200);
  return await response.json();
}

function jwksOf(base: string) {
  return createRemoteJWKSet(new URL("/oauth/v2/oauth-anonymous/jwks", base));
}

async function errorOf(response: Response): Promise<string> {
  const body = await response.json();
  return `${response.status} ${body.error}`;
}

Deno.test("discovery is served under the issuer and names the contract's endpoints", async () => {
  const metadata = await discovery(BASE);

  assert.equal(metadata.issuer, ISSUER);
  assert.equal(new URL(metadata.token_endpoint).pathname, "/oauth/v2/oauth-token");
  assert.equal(new URL(metadata.authorization_endpoint).pathname, "/oauth/v2/oauth-authorize");
  assert.equal(new URL(metadata.introspection_endpoint).pathname, "/oauth/v2/oauth-introspect");
  assert.equal(new URL(metadata.jwks_uri).pathname, "/oauth/v2/oauth-anonymous/jwks");
  assert.ok(
    metadata.grant_types_supported.includes("urn:ietf:params:oauth:grant-type:token-exchange"),
  );

  const rfc8414 = await fetch(
    `${BASE}/.well-known/oauth-authorization-server/oauth/v2/oauth-anonymous`,
  );
  assert.equal((await rfc8414.json()).issuer, ISSUER);
});

Deno.test("the code flow through the sign-in form issues an opaque 15-minute API token", async () => {
  const flow = await startSignIn(BASE);
  assert.match(flow.html, /<label for="password">/);

  const answer = await submitCredentials(flow, DEMO);
  const callback = await followToCallback(flow, answer);
  assert.equal(callback.origin + callback.pathname, "http://127.0.0.1:3003/callback");
  assert.equal(callback.searchParams.get("state"), flow.state);
  assert.equal(callback.searchParams.get("iss"), ISSUER);

  const tokens = await redeemCode(flow, callback.searchParams.get("code") ?? "");
  assert.equal(tokens.token_type, "Bearer");
  assert.equal(tokens.expires_in, 900);
  assert.equal(tokens.scope, "orders invoices");
  assert.equal(String(tokens.access_token).split(".").length, 1, "the access token is opaque");
});

Deno.test("the loopback redirect URI may use any port", async () => {
  const redirectUri = "http://127.0.0.1:41999/callback";
  const flow = await startSignIn(BASE, { redirectUri });

  const callback = await followToCallback(flow, await submitCredentials(flow, DEMO), redirectUri);

  assert.equal(callback.port, "41999");
  assert.ok(callback.searchParams.get("code"));
});

Deno.test("a wrong password shows one message that does not reveal whether the user exists", async () => {
  const flow = await startSignIn(BASE);

  const wrongPassword = await submitCredentials(flow, { ...DEMO, password: "wrong" });
  const unknownUser = await submitCredentials(flow, { username: "nobody", password: "wrong" });
  const messages = [await wrongPassword.text(), await unknownUser.text()].map((html) => {
    return /role="alert">([^<]+)</.exec(html)?.[1];
  });

  assert.equal(wrongPassword.status, 401);
  assert.equal(unknownUser.status, 401);
  assert.equal(messages[0], messages[1]);
  assert.ok(messages[0]);

  const callback = await followToCallback(flow, await submitCredentials(flow, DEMO));
  assert.ok(callback.searchParams.get("code"), "the same form still accepts the right password");
});

Deno.test("prompt=login shows the form again to a signed-in browser", async () => {
  const first = await startSignIn(BASE);
  await followToCallback(first, await submitCredentials(first, DEMO));

  const again = await startSignIn(BASE, { jar: first.jar, prompt: "login" });

  assert.match(again.html, /<form method="post"/);
});

Deno.test("introspection answers RFC 7662 JSON for active and inactive tokens", async () => {
  const opaque = await signInDemoUser(BASE);

  const active = await (await introspect(BASE, opaque, "application/json")).json();
  const inactive = await (await introspect(BASE, "not-a-token", "application/json")).json();

  assert.equal(active.active, true);
  assert.equal(active.sub, "demouser");
  assert.equal(active.client_id, "console-client");
  assert.equal(active.aud, "api.example.com");
  assert.equal(active.scope, "orders invoices");
  assert.deepEqual(inactive, { active: false });
});

Deno.test("introspection with Accept: application/jwt returns the phantom JWT", async () => {
  const opaque = await signInDemoUser(BASE);
  const json = await (await introspect(BASE, opaque, "application/json")).json();

  const response = await introspect(BASE, opaque, "application/jwt");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^application\/jwt/);
  const jwt = await response.text();
  const { payload, protectedHeader } = await jwtVerify(jwt, jwksOf(BASE), {
    issuer: ISSUER,
    audience: "api.example.com",
    typ: "at+jwt",
  });

  assert.equal(protectedHeader.typ, "at+jwt");
  assert.equal(payload.sub, json.sub);
  assert.equal(payload.client_id, json.client_id);
  assert.equal(payload.scope, json.scope);
  assert.equal(payload.exp, json.exp);
  assert.notEqual(payload.jti, opaque, "the opaque value never appears in the JWT");
});

Deno.test("introspection with Accept: application/jwt answers 204 for an inactive token", async () => {
  const response = await introspect(BASE, "not-a-token", "application/jwt");

  assert.equal(response.status, 204);
  assert.equal(await response.text(), "");
});

Deno.test("token exchange issues a 7-day event-bound JWT with exactly the expected claims", async (t) => {
  const subject = await phantomToken(BASE, await signInDemoUser(BASE));
  const subjectClaims = decodeJwt(subject);
  const params: Record<string, string> = {
    ...exchangeParams(subject),
    event_hash: "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg",
  };

  for (const basic of [false, true]) {
    await t.step(basic ? "HTTP Basic credentials" : "form-body credentials", async () => {
      const response = await exchange(BASE, params, { basic });
      const body = await response.json();
      assert.equal(response.status, 200, body.error_description);
      assert.equal(body.issued_token_type, "urn:ietf:params:oauth:token-type:access_token");
      assert.equal(body.token_type, "Bearer");
      assert.equal(body.expires_in, 604800);

      const { payload, protectedHeader } = await jwtVerify(body.access_token, jwksOf(BASE), {
        issuer: ISSUER,
        audience: "jobs.example.com",
        typ: "at+jwt",
      });
      assert.equal(protectedHeader.typ, "at+jwt");
      assert.deepEqual(Object.keys(payload).sort(), [
        "act",
        "aud",
        "client_id",
        "delegation_id",
        "event_hash",
        "event_id",
        "exp",
        "iat",
        "iss",
        "jti",
        "scope",
        "sub",
        "transaction_id",
      ]);
      assert.equal(payload.sub, "demouser");
      assert.equal(payload.client_id, "orders-api-client");
      assert.equal(payload.scope, "trigger_invoicing");
      assert.equal(payload.transaction_id, params.transaction_id);
      assert.equal(payload.event_id, params.event_id);
      assert.equal(payload.event_hash, params.event_hash);
      assert.equal(payload.delegation_id, subjectClaims.delegation_id);
      assert.deepEqual(payload.act, { sub: "orders-api-client", act: { sub: "console-client" } });
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 604800);
    });
  }
});

Deno.test("token exchange refuses each bad request with its RFC 8693 error code", async (t) => {
  const subject = await phantomToken(BASE, await signInDemoUser(BASE));
  const valid = exchangeParams(subject);

  for (const name of ["scope", "audience", "transaction_id", "event_id", "subject_token"]) {
    await t.step(`missing ${name}: invalid_request`, async () => {
      const { [name]: _dropped, ...params } = valid;
      assert.equal(await errorOf(await exchange(BASE, params)), "400 invalid_request");
    });
  }
  await t.step("scope outside the policy: invalid_scope", async () => {
    const response = await exchange(BASE, { ...valid, scope: "orders" });
    assert.equal(await errorOf(response), "400 invalid_scope");
  });
  await t.step("audience outside the policy: invalid_target", async () => {
    const response = await exchange(BASE, { ...valid, audience: "api.example.com" });
    assert.equal(await errorOf(response), "400 invalid_target");
  });
  await t.step("garbage subject token: invalid_grant", async () => {
    const response = await exchange(BASE, { ...valid, subject_token: "x.y.z" });
    assert.equal(await errorOf(response), "400 invalid_grant");
  });
  await t.step("an event token as subject token: invalid_grant", async () => {
    const eventToken = (await (await exchange(BASE, valid)).json()).access_token;
    const response = await exchange(BASE, { ...valid, subject_token: eventToken });
    assert.equal(await errorOf(response), "400 invalid_grant");
  });
  await t.step("an opaque token as subject token: invalid_grant", async () => {
    const response = await exchange(BASE, { ...valid, subject_token: await signInDemoUser(BASE) });
    assert.equal(await errorOf(response), "400 invalid_grant");
  });
  await t.step("a subject token with a forged signature: invalid_grant", async () => {
    const [header, payload] = subject.split(".");
    const forged = `${header}.${payload}.${"A".repeat(86)}`;
    const response = await exchange(BASE, { ...valid, subject_token: forged });
    assert.equal(await errorOf(response), "400 invalid_grant");
  });
  await t.step("wrong client secret: invalid_client", async () => {
    const response = await fetch(new URL("/oauth/v2/oauth-token", BASE), {
      method: "POST",
      body: new URLSearchParams({
        ...valid,
        client_id: "orders-api-client",
        client_secret: "wrong",
      }),
    });
    assert.equal(await errorOf(response), "401 invalid_client");
  });
});

// --- Tests with their own server: key rotation, and tokens signed with its known keys. ---

const REPO = fileURLToPath(new URL("..", import.meta.url));
const NODE = process.env.IDSVR_NODE ?? `${REPO}.cache/node/bin/node`;

async function withOwnServer(
  run: (server: { url: string; dataDir: string; reload(): Promise<void> }) => Promise<void>,
) {
  const dataDir = await mkdtemp(join(tmpdir(), "idsvr-test-"));
  const server = await spawnIdsvr({ dataDir });
  try {
    await run({
      url: server.url,
      dataDir,
      async reload() {
        // The server rereads its keys on SIGHUP; the JWKS changes once it has.
        const before = (await publishedKids(server.url)).join();
        server.process.kill("SIGHUP");
        for (let attempt = 0; attempt < 100; attempt++) {
          if ((await publishedKids(server.url)).join() !== before) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error("The server did not reload its keys");
      },
    });
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function storedKeys(dataDir: string) {
  const set = JSON.parse(await readFile(join(dataDir, "keys.json"), "utf8"));
  return set.keys as { kid: string; state: string; alg: string; jwk: Record<string, string> }[];
}

async function eventToken(base: string): Promise<string> {
  const subject = await phantomToken(base, await signInDemoUser(base));
  const body = await (await exchange(base, exchangeParams(subject))).json();
  return body.access_token;
}

async function publishedKids(base: string): Promise<string[]> {
  const jwks = await (await fetch(new URL("/oauth/v2/oauth-anonymous/jwks", base))).json();
  return jwks.keys.map((key: { kid: string }) => key.kid);
}

Deno.test("key rotation: the new key was published first, old-key tokens still verify", async () => {
  await withOwnServer(async ({ url, dataDir, reload }) => {
    const before = await storedKeys(dataDir);
    const oldKid = before.find((key) => key.state === "active")?.kid;
    const nextKid = before.find((key) => key.state === "next")?.kid;
    assert.deepEqual((await publishedKids(url)).sort(), [oldKid, nextKid].sort());
    const oldToken = await eventToken(url);
    assert.equal(decodeProtectedHeader(oldToken).kid, oldKid);

    const rotation = spawnSync(NODE, [`${REPO}idsvr/main.ts`, "rotate-keys"], {
      env: { PATH: process.env.PATH ?? "", IDSVR_DATA_DIR: dataDir },
    });
    assert.equal(rotation.status, 0, String(rotation.stderr));
    await reload();

    const newToken = await eventToken(url);
    assert.equal(decodeProtectedHeader(newToken).kid, nextKid, "the published next key signs");
    assert.ok((await publishedKids(url)).includes(oldKid ?? ""), "the old key stays published");

    const jwks = jwksOf(url);
    const options = { audience: "jobs.example.com", typ: "at+jwt" };
    const verified: JWTPayload[] = [];
    for (const token of [oldToken, newToken]) {
      verified.push((await jwtVerify(token, jwks, options)).payload);
    }
    assert.equal(verified.length, 2);
  });
});

Deno.test("token exchange refuses an expired subject token signed by the server's key", async () => {
  await withOwnServer(async ({ url, dataDir }) => {
    const active = (await storedKeys(dataDir)).find((key) => key.state === "active");
    assert.ok(active);
    const key = await importJWK(active.jwk, active.alg);
    const now = Math.floor(Date.now() / 1000);
    const sign = (exp: number) => {
      return new SignJWT({ client_id: "console-client", scope: "orders" })
        .setProtectedHeader({ alg: active.alg, kid: active.kid, typ: "at+jwt" })
        .setIssuer(ISSUER)
        .setSubject("demouser")
        .setAudience("api.example.com")
        .setJti(crypto.randomUUID())
        .setIssuedAt(exp - 900)
        .setExpirationTime(exp)
        .sign(key);
    };

    const expired = await exchange(url, exchangeParams(await sign(now - 1000)));
    const fresh = await exchange(url, exchangeParams(await sign(now + 600)));

    assert.equal(await errorOf(expired), "400 invalid_grant");
    assert.equal(fresh.status, 200, "the same token, unexpired, is accepted");
    await fresh.body?.cancel();
  });
});
