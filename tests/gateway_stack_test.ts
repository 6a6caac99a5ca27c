/**
 * The gateway against the real authorization server: a real user token from the real login
 * form, swapped for a real phantom JWT. Needs `idsvr` in STACK_PARTS; the gateway itself is
 * the one at GATEWAY_URL when STACK_PARTS also names `gateway`, else one started here.
 */
import assert from "node:assert/strict";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { loginWithCodeFlow } from "./support/login.ts";
import { hasPart, stackEnv } from "./support/stack.ts";
import { startGateway } from "./support/gateway_process.ts";
import type { GatewayProcess } from "./support/gateway_process.ts";
import { startEchoUpstream } from "./support/gateway_fakes.ts";

const NEEDS = "needs idsvr in STACK_PARTS";
const { idsvrUrl, gatewayUrl } = stackEnv();
const ISSUER = Deno.env.get("OAUTH_ISSUER") ?? `${idsvrUrl}/oauth/v2/oauth-anonymous`;

let userToken: Promise<string> | undefined;
/** One login for the whole file: the code flow is slow and the token lives 15 minutes. */
function accessToken(): Promise<string> {
  userToken ??= loginWithCodeFlow({ issuer: ISSUER }).then((tokens) => tokens.accessToken);
  return userToken;
}

async function problemCode(response: Response): Promise<string | undefined> {
  if (response.headers.get("content-type") !== "application/problem+json") {
    await response.body?.cancel();
    return undefined;
  }
  return (await response.json()).code;
}

Deno.test({
  name: `gateway swaps a real opaque token for the real phantom JWT (${NEEDS})`,
  ignore: !hasPart("idsvr"),
  async fn(t) {
    const upstream = startEchoUpstream();
    let gateway: GatewayProcess | undefined;
    try {
      gateway = await startGateway("deno", { OAUTH_ISSUER: ISSUER, ORDERS_API_URL: upstream.url });
      const opaque = await accessToken();

      await t.step("the user token is opaque, not a JWT", () => {
        assert.ok(opaque.split(".").length !== 3, "the login returned a JWT, not an opaque token");
      });

      await t.step("the API receives a JWT for the same user, never the opaque token", async () => {
        const response = await fetch(`${gateway!.url}/orders`, {
          headers: { authorization: `Bearer ${opaque}`, "x-request-id": "stack-1" },
        });
        assert.equal(response.status, 200);
        const seen = await response.json();
        assert.equal(seen.requestId, "stack-1");
        const jwt = String(seen.authorization).replace(/^Bearer /, "");
        assert.notEqual(jwt, opaque);
        const claims = decodeJwt(jwt);
        assert.equal(claims.iss, ISSUER);
        assert.equal(claims.sub !== undefined, true);
        assert.ok(typeof claims.exp === "number" && claims.exp * 1000 > Date.now());
        assert.equal(decodeProtectedHeader(jwt).typ, "at+jwt");
      });

      await t.step("a second request is served from the cache", async () => {
        const response = await fetch(`${gateway!.url}/orders/1`, {
          headers: { authorization: `Bearer ${opaque}` },
        });
        assert.equal(response.status, 200);
        await response.body?.cancel();
        const access = gateway!.lines.filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line))
          .filter((line) => line.message === "request handled" && line.path === "/orders/1");
        assert.equal(access.at(-1)?.cache, "hit");
      });

      await t.step("an unknown token gets 401 invalid_token", async () => {
        const response = await fetch(`${gateway!.url}/orders`, {
          headers: { authorization: `Bearer not-a-real-token-${crypto.randomUUID()}` },
        });
        assert.equal(response.status, 401);
        assert.match(response.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
        assert.equal(await problemCode(response), "token_inactive");
      });

      await t.step("the gateway's logs never carry the token", () => {
        assert.ok(!gateway!.lines.join("\n").includes(opaque));
      });
    } finally {
      await gateway?.stop(5_000);
      await upstream.close();
    }
  },
});

Deno.test({
  name: `gateway with a wrong introspection secret answers 502, not 401 (${NEEDS})`,
  ignore: !hasPart("idsvr"),
  async fn() {
    const gateway = await startGateway("deno", {
      OAUTH_ISSUER: ISSUER,
      INTROSPECT_CLIENT_SECRET: "not-the-secret",
    });
    try {
      const response = await fetch(`${gateway.url}/orders`, {
        headers: { authorization: `Bearer ${await accessToken()}` },
      });
      assert.equal(response.status, 502);
      assert.equal(await problemCode(response), "introspection_failed");
    } finally {
      await gateway.stop(5_000);
    }
  },
});

Deno.test({
  name: `the stack's gateway accepts a real user token (${NEEDS})`,
  ignore: !hasPart("idsvr"),
  async fn(t) {
    // The runner's own gateway when it started one, else the same main.ts started here with
    // the stack's default routes.
    const own = hasPart("gateway")
      ? undefined
      : await startGateway("deno", { OAUTH_ISSUER: ISSUER });
    const url = own?.url ?? gatewayUrl;
    try {
      await t.step("GET /health answers ok", async () => {
        const response = await fetch(`${url}/health`);
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { status: "ok" });
      });

      await t.step("no token gets 401", async () => {
        const response = await fetch(`${url}/orders`);
        assert.equal(response.status, 401);
        assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer /);
        await response.body?.cancel();
      });

      await t.step("a real token passes the gateway", async () => {
        const response = await fetch(`${url}/orders`, {
          headers: { authorization: `Bearer ${await accessToken()}` },
        });
        const code = await problemCode(response);
        // The orders API may answer anything; the gateway must not have refused the token,
        // and only reports the API missing when the runner did not start it.
        assert.notEqual(response.status, 401, `gateway refused the token (${code})`);
        assert.notEqual(response.status, 503, `gateway could not reach the server (${code})`);
        if (code !== undefined) {
          assert.ok(
            code === "upstream_unreachable" && !hasPart("orders"),
            `unexpected gateway answer ${response.status} "${code}"`,
          );
        }
      });
    } finally {
      await own?.stop(5_000);
    }
  },
});
