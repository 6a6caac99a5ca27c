import assert from "node:assert/strict";
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { ServiceError } from "../shared/errors.ts";
import { EXCHANGE_POLICIES, type ExchangePolicy } from "./clients.ts";
import {
  boundClaims,
  checkExchangeRequest,
  type ExchangeParams,
  TOKEN_TYPES,
  verifySubjectToken,
} from "./token_exchange.ts";

const policy = EXCHANGE_POLICIES["orders-api-client"];
const valid: ExchangeParams = {
  subject_token: "a.b.c",
  subject_token_type: TOKEN_TYPES.accessToken,
  scope: "trigger_invoicing",
  audience: "jobs.example.com",
  transaction_id: "t-1",
  event_id: "e-1",
};

function refusal(
  params: ExchangeParams,
  options: { policy?: ExchangePolicy } = { policy },
): ServiceError {
  try {
    checkExchangeRequest(params, options.policy);
  } catch (error) {
    assert.ok(error instanceof ServiceError);
    return error;
  }
  assert.fail("the request was accepted");
}

Deno.test("checkExchangeRequest() accepts a complete request within the policy", () => {
  const request = checkExchangeRequest({ ...valid, event_hash: "A".repeat(43) }, policy);

  assert.deepEqual(request.scopes, ["trigger_invoicing"]);
  assert.equal(request.eventHash, "A".repeat(43));
});

Deno.test("checkExchangeRequest() refuses a missing parameter with invalid_request", async (t) => {
  for (
    const name of [
      "subject_token",
      "subject_token_type",
      "scope",
      "audience",
      "transaction_id",
      "event_id",
    ] as const
  ) {
    await t.step(name, () => {
      const error = refusal({ ...valid, [name]: undefined });
      assert.equal(error.oauthError, "invalid_request");
      assert.equal(error.code, "missing_parameter");
    });
  }
});

Deno.test("checkExchangeRequest() refuses malformed values with invalid_request", async (t) => {
  await t.step("event_hash", () => {
    assert.equal(refusal({ ...valid, event_hash: "not-a-digest" }).oauthError, "invalid_request");
  });
  await t.step("subject_token_type", () => {
    const error = refusal({ ...valid, subject_token_type: "urn:x" });
    assert.equal(error.code, "unsupported_token_type");
  });
  await t.step("transaction_id with a space", () => {
    assert.equal(refusal({ ...valid, transaction_id: "a b" }).code, "malformed_parameter");
  });
});

Deno.test("checkExchangeRequest() refuses another audience with invalid_target", () => {
  const error = refusal({ ...valid, audience: "api.example.com" });

  assert.equal(error.oauthError, "invalid_target");
});

Deno.test("checkExchangeRequest() refuses a scope outside the policy with invalid_scope", () => {
  const error = refusal({ ...valid, scope: "trigger_invoicing orders" });

  assert.equal(error.oauthError, "invalid_scope");
});

Deno.test("checkExchangeRequest() refuses a client without a policy with invalid_target", () => {
  assert.equal(refusal(valid, { policy: undefined }).oauthError, "invalid_target");
});

const issuer = "http://localhost:8443/oauth/v2/oauth-anonymous";
const { privateKey, publicKey } = await generateKeyPair("ES256");
const jwk: JWK = { ...await exportJWK(publicKey), kid: "k1", alg: "ES256" };
const keys = createLocalJWKSet({ keys: [jwk] });
const now = new Date("2026-12-03T12:00:00Z");
const nowSeconds = now.getTime() / 1000;

function userToken(overrides: { typ?: string; aud?: string; exp?: number } = {}) {
  return new SignJWT({ client_id: "console-client", scope: "orders", delegation_id: "g-1" })
    .setProtectedHeader({ alg: "ES256", kid: "k1", typ: overrides.typ ?? "at+jwt" })
    .setIssuer(issuer)
    .setSubject("demouser")
    .setAudience(overrides.aud ?? "api.example.com")
    .setJti("j-1")
    .setIssuedAt(nowSeconds - 60)
    .setExpirationTime(overrides.exp ?? nowSeconds + 840)
    .sign(privateKey);
}

const verifyOptions = { keys, issuer, audience: "api.example.com", algorithms: ["ES256"], now };

Deno.test("verifySubjectToken() returns the claims of a valid user token", async () => {
  const claims = await verifySubjectToken(await userToken(), verifyOptions);

  assert.equal(claims.sub, "demouser");
  assert.equal(claims.delegation_id, "g-1");
});

Deno.test("verifySubjectToken() refuses tokens with invalid_grant", async (t) => {
  const cases = {
    "expired": [await userToken({ exp: nowSeconds - 1 }), "subject_token_expired"],
    "another audience": [await userToken({ aud: "jobs.example.com" }), "subject_token_invalid"],
    "not typed at+jwt": [await userToken({ typ: "JWT" }), "subject_token_invalid"],
    "not a JWT": ["opaque-value", "subject_token_invalid"],
  };
  for (const [name, [token, code]] of Object.entries(cases)) {
    await t.step(name, async () => {
      await assert.rejects(verifySubjectToken(token, verifyOptions), (error) => {
        assert.ok(error instanceof ServiceError);
        assert.equal(error.oauthError, "invalid_grant");
        assert.equal(error.code, code);
        return true;
      });
    });
  }
});

Deno.test("boundClaims() binds the event and records the actor chain (RFC 8693 §4.1)", () => {
  const request = checkExchangeRequest({ ...valid, event_hash: "A".repeat(43) }, policy);
  const subject = {
    sub: "demouser",
    client_id: "console-client",
    jti: "j-1",
    delegation_id: "g-1",
  };

  assert.deepEqual(boundClaims(request, subject, "orders-api-client"), {
    transaction_id: "t-1",
    event_id: "e-1",
    event_hash: "A".repeat(43),
    delegation_id: "g-1",
    act: { sub: "orders-api-client", act: { sub: "console-client" } },
  });
});
