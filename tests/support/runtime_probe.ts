/**
 * Runs the Web-API-only parts of the services in whatever runtime executes this file (Deno,
 * Node or Bun) and prints one JSON line of what they did. `tests/runtimes_test.ts` runs it on
 * all three and compares the answers.
 *
 * @module
 */
import * as jose from "jose";
import { verifyAccessToken } from "../../shared/auth/access_token.ts";
import { migrate } from "../../shared/db/database.ts";
import { openPglite } from "../../shared/db/pglite.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import { createOrdersApp } from "../../services/orders/app.ts";
import { encodeOrderCreated, eventHash } from "../../services/orders/event_message.ts";
import { MIGRATIONS, SCHEMA } from "../../services/orders/store.ts";

const ISSUER = "http://localhost:8443/oauth/v2/oauth-anonymous";
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const results: Record<string, unknown> = { runtime };

const { privateKey, publicKey } = await jose.generateKeyPair("RS256");
const keys = jose.createLocalJWKSet({
  keys: [{ ...(await jose.exportJWK(publicKey)), kid: "k", alg: "RS256" }],
});
const sign = (aud: string, scope: string, lifetime: string) =>
  new jose.SignJWT({ client_id: "console-client", scope, jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid: "k" })
    .setIssuer(ISSUER).setSubject("demouser").setAudience(aud)
    .setIssuedAt().setExpirationTime(lifetime).sign(privateKey);
const policy = {
  issuer: ISSUER,
  audience: "api.example.com",
  scopes: ["orders"],
  algorithms: ["RS256"],
  clockToleranceSec: 30,
  maxLifetimeSec: 3600,
};

// Token checks.
const userToken = await sign("api.example.com", "openid orders", "15m");
results.userTokenSub = (await verifyAccessToken(userToken, keys, policy)).sub;
results.eventTokenRefusal = await verifyAccessToken(
  await sign("jobs.example.com", "trigger_invoicing", "7d"),
  keys,
  policy,
).then(() => "accepted", (error) => error.code);

// The event message and its digest.
const bytes = encodeOrderCreated({
  eventID: "e",
  utcTime: "2026-01-01T00:00:00.000Z",
  lines: [{ itemID: 1, name: "Widget", quantity: 3, priceCents: 1999 }],
});
results.eventHash = await eventHash(bytes);

// The Orders API's handlers on the embedded database.
const db = await openPglite();
await migrate(db, SCHEMA, MIGRATIONS);
const app = createOrdersApp({
  db,
  logger: silentLogger,
  keys: () => Promise.resolve(keys),
  policy,
  exchangeToken: () => Promise.resolve({ token: "event-token" }),
});
const created = await app.request("/orders", {
  method: "POST",
  headers: { authorization: `Bearer ${userToken}`, "content-type": "application/json" },
  body: JSON.stringify({ items: [{ itemID: 2, quantity: 2 }] }),
});
const order = await created.json();
results.createStatus = created.status;
results.orderTotal = order.total;
const invalid = await app.request("/orders", {
  method: "POST",
  headers: { authorization: `Bearer ${userToken}`, "content-type": "application/json" },
  body: JSON.stringify({ items: [{ itemID: 2, quantity: 2.5 }] }),
});
results.invalidField = (await invalid.json()).field;
const listed = await app.request("/orders", { headers: { authorization: `Bearer ${userToken}` } });
results.listed = (await listed.json()).orders.length;
await db.close();

// deno-lint-ignore no-console
console.log(JSON.stringify(results));
