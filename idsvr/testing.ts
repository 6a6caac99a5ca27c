/**
 * Helpers that drive a running authorization server the way a browser and the other services
 * do: the code flow through the real sign-in form (with a cookie jar), introspection, token
 * exchange, and a server started in a child process. Used by the stack tests and the
 * benchmark; uses only Web APIs and `node:child_process`, so it runs on Deno and Node.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { CLIENT_IDS, CONSOLE_REDIRECT_URI, TOKEN_EXCHANGE } from "./clients.ts";
import { DEMO_PASSWORD } from "./config.ts";
import { CSRF_FIELD } from "./csrf.ts";
import { ROUTES } from "./routes.ts";
import { TOKEN_TYPES } from "./token_exchange.ts";

/** A minimal cookie jar for one host: enough for the provider's and the form's cookies. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Stores the cookies a response sets; an empty value or `Max-Age=0` removes one. */
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((attr) => /^\s*max-age=0\s*$/i.test(attr)) ||
        attributes.some((attr) => /^\s*expires=Thu, 01 Jan 1970/i.test(attr));
      if (value === "" || expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /** The `Cookie` header value. */
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** Fetches with the jar's cookies, never following redirects, and stores new cookies. */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) headers.set("cookie", this.header());
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.store(response);
    return response;
  }
}

/** A code flow waiting at the sign-in form. */
export interface PendingSignIn {
  base: string;
  jar: CookieJar;
  verifier: string;
  state: string;
  /** Absolute URL the form posts to. */
  action: string;
  csrfToken: string;
  html: string;
}

/** Options of {@linkcode startSignIn}. */
export interface SignInOptions {
  scope?: string;
  redirectUri?: string;
  prompt?: string;
  jar?: CookieJar;
}

/** Starts the console's code flow (PKCE S256) and stops at the sign-in form. */
export async function startSignIn(
  base: string,
  options: SignInOptions = {},
): Promise<PendingSignIn> {
  const jar = options.jar ?? new CookieJar();
  const verifier = randomString();
  const state = randomString();
  const authorize = new URL(ROUTES.authorization, base);
  authorize.search = new URLSearchParams({
    client_id: CLIENT_IDS.console,
    response_type: "code",
    redirect_uri: options.redirectUri ?? CONSOLE_REDIRECT_URI,
    scope: options.scope ?? "openid profile orders invoices",
    state,
    code_challenge: await challenge(verifier),
    code_challenge_method: "S256",
    ...(options.prompt ? { prompt: options.prompt } : {}),
  }).toString();

  let response = await jar.fetch(authorize);
  let location = await redirectTarget(response, base);
  response = await jar.fetch(location);
  if (response.status !== 200) throw new Error(`Sign-in page answered ${response.status}`);

  const html = await response.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const csrfToken = new RegExp(`name="${CSRF_FIELD}" value="([^"]+)"`).exec(html)?.[1];
  if (!action || !csrfToken) throw new Error("The sign-in page has no form");
  location = new URL(action.replaceAll("&#38;", "&"), base).href;
  return { base, jar, verifier, state, action: location, csrfToken, html };
}

/** Posts credentials to the sign-in form; the answer is returned unfollowed. */
export async function submitCredentials(
  flow: PendingSignIn,
  credentials: { username: string; password: string },
): Promise<Response> {
  const body = new URLSearchParams({ [CSRF_FIELD]: flow.csrfToken, ...credentials });
  return await flow.jar.fetch(flow.action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
}

/** Follows redirects from `response` until the client's redirect URI; returns its URL. */
export async function followToCallback(
  flow: PendingSignIn,
  response: Response,
  redirectUri = CONSOLE_REDIRECT_URI,
): Promise<URL> {
  const callbackBase = new URL(redirectUri);
  for (let hop = 0; hop < 10; hop++) {
    const location = new URL(await redirectTarget(response, flow.base));
    if (location.host === callbackBase.host || location.hostname === callbackBase.hostname) {
      return location;
    }
    response = await flow.jar.fetch(location);
  }
  throw new Error("Too many redirects before the callback");
}

/** Redeems an authorization code; returns the token endpoint's JSON. */
export async function redeemCode(
  flow: PendingSignIn,
  code: string,
  redirectUri = CONSOLE_REDIRECT_URI,
): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(ROUTES.token, flow.base), {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: CLIENT_IDS.console,
      code,
      redirect_uri: redirectUri,
      code_verifier: flow.verifier,
    }),
  });
  const json = await response.json();
  if (response.status !== 200) throw new Error(`Code redemption failed: ${json.error}`);
  return json;
}

/** The whole console flow for the demo user; returns the opaque access token. */
export async function signInDemoUser(base: string): Promise<string> {
  const flow = await startSignIn(base);
  const answer = await submitCredentials(flow, { username: "demouser", password: DEMO_PASSWORD });
  const callback = await followToCallback(flow, answer);
  const code = callback.searchParams.get("code");
  if (code === null) throw new Error(`Sign-in ended without a code`);
  const tokens = await redeemCode(flow, code);
  return String(tokens.access_token);
}

/** Basic credentials of a confidential client. */
export function basicAuth(clientId: string, secret = DEMO_PASSWORD): string {
  const encode = (value: string) => encodeURIComponent(value);
  return `Basic ${btoa(`${encode(clientId)}:${encode(secret)}`)}`;
}

/** Calls introspection as the gateway's client, in JSON or phantom (JWT) form. */
export async function introspect(
  base: string,
  token: string,
  accept: "application/json" | "application/jwt",
): Promise<Response> {
  return await fetch(new URL(ROUTES.introspection, base), {
    method: "POST",
    headers: { authorization: basicAuth(CLIENT_IDS.introspect), accept },
    body: new URLSearchParams({ token }),
  });
}

/** The phantom JWT of an opaque token; throws when the token is not active. */
export async function phantomToken(base: string, opaque: string): Promise<string> {
  const response = await introspect(base, opaque, "application/jwt");
  if (response.status !== 200) throw new Error(`Phantom token refused: ${response.status}`);
  return await response.text();
}

/** The parameters of a valid event-bound exchange, for the orders API's client. */
export function exchangeParams(subjectToken: string): Record<string, string> {
  return {
    grant_type: TOKEN_EXCHANGE,
    subject_token: subjectToken,
    subject_token_type: TOKEN_TYPES.accessToken,
    scope: "trigger_invoicing",
    audience: "jobs.example.com",
    transaction_id: crypto.randomUUID(),
    event_id: crypto.randomUUID(),
  };
}

/** Posts a token exchange as the orders API's client (form-body credentials by default). */
export async function exchange(
  base: string,
  params: Record<string, string>,
  options: { basic?: boolean } = {},
): Promise<Response> {
  const credentials: Record<string, string> = options.basic
    ? {}
    : { client_id: CLIENT_IDS.ordersApi, client_secret: DEMO_PASSWORD };
  const headers: Record<string, string> = options.basic
    ? { authorization: basicAuth(CLIENT_IDS.ordersApi) }
    : {};
  return await fetch(new URL(ROUTES.token, base), {
    method: "POST",
    headers,
    body: new URLSearchParams({ ...credentials, ...params }),
  });
}

/** A server started in a child process by {@linkcode spawnIdsvr}. */
export interface SpawnedIdsvr {
  /** Base URL, e.g. `http://localhost:41234`. */
  url: string;
  issuer: string;
  process: ChildProcess;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options of {@linkcode spawnIdsvr}. */
export interface SpawnOptions {
  dataDir: string;
  /** More environment variables, e.g. `IDSVR_SIGNING_ALG`. */
  env?: Record<string, string>;
  /** Node 24 binary. Default: `IDSVR_NODE`, else the repository's `.cache/node/bin/node`. */
  node?: string;
}

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Starts `idsvr/main.ts` on a free port (the server picks it and logs it) with its own data
 * folder, and resolves once it listens (it reads the "idsvr listening" line: keep the log level at
 * "info" or lower).
 */
export function spawnIdsvr(options: SpawnOptions): Promise<SpawnedIdsvr> {
  const node = options.node ?? process.env.IDSVR_NODE ?? `${REPO_ROOT}.cache/node/bin/node`;
  const child = spawn(node, [`${REPO_ROOT}idsvr/main.ts`], {
    env: {
      PATH: process.env.PATH ?? "",
      IDSVR_PORT: "0",
      IDSVR_HOST: "localhost",
      IDSVR_DATA_DIR: options.dataDir,
      ...options.env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });

  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => fail(new Error("idsvr did not start within 20 s")), 20_000);

    function fail(error: Error): void {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    }

    child.once("exit", (code) => fail(new Error(`idsvr exited with ${code}: ${buffered}`)));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", function readLog(chunk: string) {
      buffered += chunk;
      for (const line of buffered.split("\n")) {
        if (!line.includes('"idsvr listening"')) continue;
        const { url, issuer } = JSON.parse(line);
        clearTimeout(timer);
        child.removeAllListeners("exit");
        child.stderr?.removeAllListeners("data");
        child.stderr?.resume();
        resolve({ url, issuer, process: child, stop: () => stopChild(child) });
        return;
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function redirectTarget(response: Response, base: string): Promise<string> {
  const location = response.headers.get("location");
  await response.body?.cancel();
  if (response.status < 300 || response.status > 399 || location === null) {
    throw new Error(`Expected a redirect, got ${response.status}`);
  }
  return new URL(location, base).href;
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}
