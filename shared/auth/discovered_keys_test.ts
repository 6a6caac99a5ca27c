import assert from "node:assert/strict";
import type * as oauth from "oauth4webapi";
import { ServiceError } from "../errors.ts";
import { discoveredKeys } from "./discovered_keys.ts";

const HEADER = { alg: "RS256", kid: "k1" };
const TOKEN = { payload: "", protected: "", signature: "" };

Deno.test("discoveredKeys() fails transiently while discovery fails, then discovers again", async () => {
  let calls = 0;
  const discover = () => {
    calls++;
    if (calls === 1) {
      return Promise.reject(
        new ServiceError("authorization_server_unavailable", "down", { status: 503 }),
      );
    }
    return Promise.resolve({ issuer: "https://as.test" } as oauth.AuthorizationServer);
  };
  const keys = discoveredKeys(discover);

  await assert.rejects(
    async () => await keys(HEADER, TOKEN),
    (e: unknown) => e instanceof ServiceError && e.status === 503,
  );
  await assert.rejects(
    async () => await keys(HEADER, TOKEN),
    (e: unknown) => e instanceof ServiceError && e.code === "discovery_failed",
    "the second call discovers again and finds no jwks_uri",
  );
  assert.equal(calls, 2);
});
