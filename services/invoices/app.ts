/**
 * The Invoices API as a Hono app: a user reads their own invoices with a user access token
 * (RFC 9068 JWT, audience `api.example.com`, scope `invoices`, short-lived). An event token
 * (audience `jobs.example.com`, 7 days) fails this policy on audience, scope and lifetime
 * alike, so it opens no HTTP endpoint. Web APIs only.
 *
 * - `GET /health`: `200 {"status":"ok"}`, no token.
 * - `GET /invoices`: the caller's invoices, newest first (at most 100).
 * - `GET /invoices/{id}`: one of the caller's invoices; someone else's answers 404, like a
 *   missing one, so that ids cannot be probed.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context, Next } from "hono";
import type { KeySource, TokenPolicy } from "../../shared/auth/access_token.ts";
import { ASYMMETRIC_ALGORITHMS, verifyAccessToken } from "../../shared/auth/access_token.ts";
import { ServiceError } from "../../shared/errors.ts";
import { problem } from "../../shared/http/problem.ts";
import { silentLogger } from "../../shared/log/logger.ts";
import type { Logger } from "../../shared/log/logger.ts";
import { requestBearer } from "./authorization.ts";
import { errorAnswer } from "../../shared/http/resource_server.ts";
import type { Invoice, InvoiceStore } from "./store.ts";

/** Audience of user tokens for the HTTP APIs. */
export const API_AUDIENCE = "api.example.com";

/** Scope a user token needs to read invoices. */
export const INVOICES_SCOPE = "invoices";

/** Options of {@linkcode createInvoicesApp}. */
export interface InvoicesAppOptions {
  store: InvoiceStore;
  keys: KeySource;
  issuer: string;
  logger?: Logger;
  now?: () => Date;
  /** `realm` of the Bearer challenges. Default `"invoices"`. */
  realm?: string;
}

/** The token policy for user tokens: at most one hour long, so an event token never passes. */
export function userTokenPolicy(issuer: string, now?: () => Date): TokenPolicy {
  return {
    issuer,
    audience: API_AUDIENCE,
    scopes: [INVOICES_SCOPE],
    algorithms: ASYMMETRIC_ALGORITHMS,
    clockToleranceSec: 60,
    maxLifetimeSec: 3600,
    now,
  };
}

type InvoicesEnv = { Variables: { userId: string } };

/**
 * Builds the app.
 *
 * @example
 * ```ts
 * const app = createInvoicesApp({ store, keys, issuer });
 * const response = await app.request("/invoices", { headers: { authorization: `Bearer ${jwt}` } });
 * ```
 */
export function createInvoicesApp(options: InvoicesAppOptions): Hono<InvoicesEnv> {
  const logger = options.logger ?? silentLogger;
  const policy = userTokenPolicy(options.issuer, options.now);
  const answerOptions = { realm: options.realm ?? "invoices", scope: INVOICES_SCOPE, logger };
  const app = new Hono<InvoicesEnv>();

  app.get("/health", (c) => c.json({ status: "ok" }));

  app.use("/invoices", authenticate);
  app.use("/invoices/*", authenticate);

  app.get("/invoices", async (c) => {
    const invoices = await options.store.listForUser(c.var.userId, { limit: 100 });
    return c.json({ invoices: invoices.map(invoiceView) });
  });

  app.get("/invoices/:id", async (c) => {
    const invoice = await options.store.findForUser(c.var.userId, c.req.param("id"));
    if (invoice === undefined) {
      throw new ServiceError("invoice_not_found", "No such invoice", { status: 404 });
    }
    return c.json(invoiceView(invoice));
  });

  app.notFound((c) =>
    problem({ status: 404, code: "route_not_found", detail: `No route for "${c.req.path}"` })
  );
  app.onError((error, c) => errorAnswer(error, c, answerOptions));
  return app;

  async function authenticate(c: Context<InvoicesEnv>, next: Next): Promise<void> {
    const token = requestBearer(c.req.header("authorization"));
    const verified = await verifyAccessToken(token, options.keys, policy);
    c.set("userId", verified.sub);
    await next();
  }
}

/** What a client sees of an invoice: the amount as a decimal number of currency units. */
export function invoiceView(invoice: Invoice): Record<string, unknown> {
  return {
    invoiceID: invoice.invoiceID,
    transactionID: invoice.transactionID,
    eventID: invoice.eventID,
    utcTime: invoice.utcTime,
    amount: invoice.amountCents / 100,
    currency: invoice.currency,
    createdAt: invoice.createdAt,
  };
}
