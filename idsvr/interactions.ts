/**
 * The user-facing part of the authorization flow: the sign-in form, and the implied consent
 * of first-party clients. oidc-provider sends the browser to `/interaction/<uid>` whenever it
 * needs the user; this Hono app answers there and hands the outcome back to the provider.
 *
 * The provider is reached through {@linkcode InteractionBackend}, so the pages can be tested
 * with `app.request()` and a fake backend.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Logger } from "../shared/log/logger.ts";
import type { Accounts } from "./accounts.ts";
import { CSRF_COOKIE, CSRF_FIELD, type CsrfGuard } from "./csrf.ts";
import { errorPage, loginPage, PAGE_HEADERS, WRONG_CREDENTIALS } from "./login_page.ts";

/** Path prefix of the interaction pages. */
export const INTERACTION_PATH = "/interaction";

/** An interaction in progress, as the pages need to see it. */
export interface PendingInteraction {
  uid: string;
  /** The prompt the provider asks for: `login` or `consent`. */
  prompt: string;
  clientId: string;
}

/** How an interaction ended. */
export type InteractionOutcome =
  | { kind: "login"; accountId: string }
  | { kind: "consent" }
  | { kind: "error"; error: string; description: string };

/** The provider's side of an interaction. */
export interface InteractionBackend {
  /** The interaction bound to this browser (by cookie); throws when there is none. */
  find(c: Context): Promise<PendingInteraction>;
  /** Stores the outcome and returns the URL the browser must go back to. */
  finish(c: Context, outcome: InteractionOutcome): Promise<string>;
}

/** Options of {@linkcode createInteractionApp}. */
export interface InteractionAppOptions {
  backend: InteractionBackend;
  accounts: Accounts;
  csrf: CsrfGuard;
  /** Clients whose consent is implied. */
  firstParty: ReadonlySet<string>;
  logger: Logger;
}

/** Creates the Hono app serving `/interaction/*`. */
export function createInteractionApp(options: InteractionAppOptions): Hono {
  const { backend, accounts, csrf, logger } = options;
  const app = new Hono();

  app.use(async function securityHeaders(c, next) {
    await next();
    for (const [name, value] of Object.entries(PAGE_HEADERS)) c.header(name, value);
  });

  app.get(`${INTERACTION_PATH}/:uid`, async function showInteraction(c) {
    const interaction = await backend.find(c);
    checkUid(c, interaction);

    if (interaction.prompt === "login") {
      const { nonce, token } = csrf.issue(interaction.uid);
      setCsrfCookie(c, interaction.uid, nonce);
      return c.html(loginPage(pageOptions(interaction, token)));
    }

    if (interaction.prompt === "consent" && options.firstParty.has(interaction.clientId)) {
      return c.redirect(await backend.finish(c, { kind: "consent" }), 303);
    }

    logger.warn("interaction refused", {
      prompt: interaction.prompt,
      clientId: interaction.clientId,
    });
    const outcome = {
      kind: "error",
      error: "access_denied",
      description: "this server grants consent to first-party clients only",
    } as const;
    return c.redirect(await backend.finish(c, outcome), 303);
  });

  app.post(`${INTERACTION_PATH}/:uid/login`, async function submitLogin(c) {
    const interaction = await backend.find(c);
    checkUid(c, interaction);
    const form = await readForm(c);
    const nonce = checkCsrf(c, interaction, form);

    if (interaction.prompt !== "login") {
      return failure(c, 400, "Nothing to sign in to", "Return to the application and try again.");
    }

    const accountId = accounts.verify(form.get("username") ?? "", form.get("password") ?? "");
    if (accountId === undefined) {
      logger.info("sign-in failed", { clientId: interaction.clientId, uid: interaction.uid });
      const page = loginPage({
        ...pageOptions(interaction, csrf.tokenFor(interaction.uid, nonce)),
        username: form.get("username") ?? "",
        error: WRONG_CREDENTIALS,
      });
      return c.html(page, 401);
    }

    logger.info("sign-in succeeded", { clientId: interaction.clientId, uid: interaction.uid });
    return c.redirect(await backend.finish(c, { kind: "login", accountId }), 303);
  });

  app.post(`${INTERACTION_PATH}/:uid/abort`, async function abortLogin(c) {
    const interaction = await backend.find(c);
    checkUid(c, interaction);
    checkCsrf(c, interaction, await readForm(c));

    const outcome = {
      kind: "error",
      error: "access_denied",
      description: "the user cancelled the sign-in",
    } as const;
    return c.redirect(await backend.finish(c, outcome), 303);
  });

  app.onError(function renderFailure(error, c) {
    if (error instanceof PageError) return failure(c, error.status, error.title, error.message);

    // The provider throws SessionNotFound when the interaction cookie is missing or stale.
    if ((error as { name?: string }).name === "SessionNotFound") {
      return failure(c, 400, "Sign-in expired", RESTART);
    }
    logger.error("interaction failed", { error });
    return failure(c, 500, "Something went wrong", RESTART);
  });

  function checkCsrf(c: Context, interaction: PendingInteraction, form: Map<string, string>) {
    // Fetch metadata, when the browser sends it, rules out cross-site posts early.
    const site = c.req.header("sec-fetch-site");
    const nonce = getCookie(c, CSRF_COOKIE);
    const sameSite = site === undefined || site === "same-origin" || site === "none";
    if (!sameSite || !csrf.verify(interaction.uid, nonce, form.get(CSRF_FIELD))) {
      logger.warn("sign-in form refused: bad CSRF token", { uid: interaction.uid });
      throw new PageError(403, "Form expired", RESTART);
    }
    return nonce as string;
  }

  return app;
}

const RESTART = "Return to the application and start the sign-in again.";

class PageError extends Error {
  readonly status: 400 | 403;
  readonly title: string;

  constructor(status: 400 | 403, title: string, message: string) {
    super(message);
    this.name = "PageError";
    this.status = status;
    this.title = title;
  }
}

function pageOptions(interaction: PendingInteraction, csrfToken: string) {
  const base = `${INTERACTION_PATH}/${encodeURIComponent(interaction.uid)}`;
  return {
    action: `${base}/login`,
    abortAction: `${base}/abort`,
    csrfToken,
    clientId: interaction.clientId,
  };
}

function checkUid(c: Context, interaction: PendingInteraction): void {
  if (c.req.param("uid") !== interaction.uid) {
    throw new PageError(400, "Sign-in expired", RESTART);
  }
}

function setCsrfCookie(c: Context, uid: string, nonce: string): void {
  setCookie(c, CSRF_COOKIE, nonce, {
    path: `${INTERACTION_PATH}/${encodeURIComponent(uid)}`,
    httpOnly: true,
    sameSite: "Strict",
    secure: new URL(c.req.url).protocol === "https:",
    maxAge: 3600,
  });
}

async function readForm(c: Context): Promise<Map<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) {
    throw new PageError(400, "Unexpected request", RESTART);
  }
  const params = new URLSearchParams(await c.req.text());
  return new Map(params);
}

function failure(c: Context, status: 400 | 403 | 500, title: string, message: string) {
  return c.html(errorPage(title, message), status);
}
