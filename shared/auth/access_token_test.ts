import assert from "node:assert/strict";
import * as jose from "jose";
import { ServiceError } from "../errors.ts";
import { type TokenPolicy, verifyAccessToken } from "./access_token.ts";

const ISSUER = "http://localhost:8443/oauth/v2/oauth-anonymous";
const NOW = new Date("2026-12-03T12:00:00Z");
const nowSec = NOW.getTime() / 1000;

const { privateKey, publicKey } = await jose.generateKeyPair("ES256", { extractable: true });
const publicJwk = { ...(await jose.exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
const keys = jose.createLocalJWKSet({ keys: [publicJwk] });

const API_POLICY: TokenPolicy = {
  issuer: ISSUER,
  audience: "api.example.com",
  scopes: ["orders"],
  algorithms: ["ES256", "RS256"],
  clockToleranceSec: 30,
  maxLifetimeSec: 3600,
  now: () => NOW,
};

function claims(overrides: jose.JWTPayload = {}): jose.JWTPayload {
  return {
    iss: ISSUER,
    sub: "demouser",
    aud: "api.example.com",
    client_id: "console-client",
    scope: "openid orders",
    jti: crypto.randomUUID(),
    iat: nowSec - 10,
    exp: nowSec + 890,
    ...overrides,
  };
}

function sign(payload: jose.JWTPayload, header: Partial<jose.JWTHeaderParameters> = {}) {
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1", ...header })
    .sign(privateKey);
}

async function refusedWith(token: string, code: string, policy = API_POLICY) {
  await assert.rejects(verifyAccessToken(token, keys, policy), (error: unknown) => {
    assert.ok(error instanceof ServiceError, String(error));
    assert.equal(error.code, code);
    return true;
  });
}

Deno.test("verifyAccessToken() accepts a user token and returns its subject and scopes", async () => {
  const verified = await verifyAccessToken(await sign(claims()), keys, API_POLICY);
  assert.equal(verified.sub, "demouser");
  assert.equal(verified.clientId, "console-client");
  assert.deepEqual(verified.scopes, ["openid", "orders"]);
});

Deno.test("verifyAccessToken() refuses each kind of bad token with its own code", async (t) => {
  const cases: Array<[string, () => Promise<string>, string]> = [
    ["expired", () => sign(claims({ exp: nowSec - 60, iat: nowSec - 960 })), "token_expired"],
    ["not yet valid", () => sign(claims({ nbf: nowSec + 300 })), "token_not_yet_valid"],
    ["issued in the future", () => sign(claims({ iat: nowSec + 300 })), "token_not_yet_valid"],
    ["another issuer", () => sign(claims({ iss: "http://evil" })), "token_wrong_issuer"],
    ["another audience", () => sign(claims({ aud: "jobs.example.com" })), "token_wrong_audience"],
    ["plain JWT type", () => sign(claims(), { typ: "JWT" }), "token_wrong_type"],
    ["no jti", () => sign(claims({ jti: undefined })), "token_claim_missing"],
    ["unknown kid", () => sign(claims(), { kid: "other" }), "token_unknown_key"],
    ["7-day lifetime", () => sign(claims({ exp: nowSec + 604800 })), "token_lifetime_exceeded"],
    ["not a JWT", () => Promise.resolve("abc.def"), "token_malformed"],
  ];
  for (const [name, make, code] of cases) {
    await t.step(name, async () => await refusedWith(await make(), code));
  }
});

Deno.test("verifyAccessToken() answers 403 insufficient_scope for a missing scope", async () => {
  await assert.rejects(
    verifyAccessToken(await sign(claims({ scope: "openid invoices" })), keys, API_POLICY),
    { code: "insufficient_scope", status: 403, oauthError: "insufficient_scope" },
  );
});

Deno.test("verifyAccessToken() refuses alg none and an HMAC made with the public key", async () => {
  const none = new jose.UnsecuredJWT(claims()).encode();
  await refusedWith(none, "token_algorithm_not_allowed");

  const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
  const hmac = await new jose.SignJWT(claims())
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: "k1" })
    .sign(secret);
  await refusedWith(hmac, "token_algorithm_not_allowed");
});

Deno.test("verifyAccessToken() refuses a forged signature", async () => {
  const other = await jose.generateKeyPair("ES256");
  const forged = await new jose.SignJWT(claims())
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1" })
    .sign(other.privateKey);
  await refusedWith(forged, "token_signature_invalid");
});

Deno.test("verifyAccessToken() reports unreachable keys as transient, not as a bad token", async () => {
  const unreachable: jose.JWTVerifyGetKey = () => Promise.reject(new TypeError("fetch failed"));
  await assert.rejects(verifyAccessToken(await sign(claims()), unreachable, API_POLICY), {
    code: "keys_unavailable",
    status: 503,
  });
});
