import assert from "node:assert/strict";
import type { AuthorizationServer } from "oauth4webapi";
import { newAuthorizationRequest } from "./authorization_request.ts";
import { CLIENT_ERRORS, ServiceError } from "./errors.ts";

const AS: AuthorizationServer = {
  issuer: "http://as.test/issuer",
  authorization_endpoint: "http://as.test/authorize?tenant=a",
  code_challenge_methods_supported: ["S256"],
};
const OPTIONS = {
  clientId: "console-client",
  redirectUri: "http://127.0.0.1:3003/callback",
  scope: "openid profile orders invoices",
};

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

Deno.test("newAuthorizationRequest() sends an S256 challenge of the kept verifier", async () => {
  const request = await newAuthorizationRequest(AS, OPTIONS);
  const query = request.url.searchParams;

  assert.equal(query.get("code_challenge_method"), "S256");
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(request.codeVerifier),
  );
  assert.equal(query.get("code_challenge"), base64url(digest));
  // RFC 7636 §4.1: 43 to 128 characters of the unreserved set.
  assert.match(request.codeVerifier, /^[A-Za-z0-9\-._~]{43,128}$/);
  assert.equal(query.get("code_verifier"), null);
});

Deno.test("newAuthorizationRequest() asks for a code with the client's redirect URI and scope", async () => {
  const request = await newAuthorizationRequest(AS, { ...OPTIONS, prompt: "login" });
  const query = request.url.searchParams;

  assert.equal(request.url.origin + request.url.pathname, "http://as.test/authorize");
  assert.equal(query.get("tenant"), null, "the endpoint's own query is replaced");
  assert.equal(query.get("response_type"), "code");
  assert.equal(query.get("client_id"), "console-client");
  assert.equal(query.get("redirect_uri"), "http://127.0.0.1:3003/callback");
  assert.equal(query.get("scope"), "openid profile orders invoices");
  assert.equal(query.get("prompt"), "login");
  assert.equal(query.get("state"), request.state);
});

Deno.test("newAuthorizationRequest() draws a fresh state and verifier each time", async () => {
  const first = await newAuthorizationRequest(AS, OPTIONS);
  const second = await newAuthorizationRequest(AS, OPTIONS);
  assert.notEqual(first.state, second.state);
  assert.notEqual(first.codeVerifier, second.codeVerifier);
  assert.ok(first.state.length >= 43, "state carries at least 256 bits");
  assert.equal(first.url.searchParams.get("prompt"), null);
});

Deno.test("newAuthorizationRequest() refuses a server that offers no S256", async () => {
  const plainOnly = { ...AS, code_challenge_methods_supported: ["plain"] };
  await assert.rejects(newAuthorizationRequest(plainOnly, OPTIONS), (error: ServiceError) => {
    assert.ok(error instanceof ServiceError);
    assert.equal(error.code, CLIENT_ERRORS.pkceUnsupported);
    return true;
  });
});
