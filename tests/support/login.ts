/**
 * Signs the demo user in through the real login form, as a browser would, and returns the
 * user's tokens: authorization code flow with PKCE (RFC 7636, S256) for the public client
 * `console-client`, with `fetch`, a small cookie jar and redirects followed by hand.
 *
 * The form is found by its password field; any further form without one (a consent page) is
 * submitted as it is. Every step is bounded, and failures name the step and the status, never
 * a token or a password.
 *
 * @module
 */

/** Options of {@linkcode loginWithCodeFlow}; the defaults are the demo's. */
export interface LoginOptions {
  /** Issuer of the authorization server. Default from `IDSVR_URL`. */
  issuer?: string;
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  username?: string;
  password?: string;
  /** RFC 8707 resource indicator, when the server wants one. */
  resource?: string;
  /** Per HTTP call. Default 10 s. */
  timeoutMs?: number;
}

/** What the token endpoint answered. */
export interface UserTokens {
  accessToken: string;
  tokenType: string;
  expiresIn?: number;
  scope?: string;
  idToken?: string;
}

const MAX_STEPS = 12;

/** Runs the whole code flow and exchanges the code for tokens. */
export async function loginWithCodeFlow(options: LoginOptions = {}): Promise<UserTokens> {
  const idsvrUrl = Deno.env.get("IDSVR_URL") ?? "http://localhost:8443";
  const issuer = options.issuer ?? `${idsvrUrl}/oauth/v2/oauth-anonymous`;
  const redirectUri = options.redirectUri ?? "http://127.0.0.1:3003/callback";
  const timeoutMs = options.timeoutMs ?? 10_000;
  const browser = new Browser(timeoutMs);

  const metadata = await discover(issuer, timeoutMs);
  const verifier = randomToken();
  const state = randomToken();
  const authorize = new URL(metadata.authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: options.clientId ?? "console-client",
    redirect_uri: redirectUri,
    scope: options.scope ?? "openid profile orders invoices",
    state,
    nonce: randomToken(),
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
    ...(options.resource ? { resource: options.resource } : {}),
  }).toString();

  const callback = await walkToCallback(browser, authorize, redirectUri, {
    username: options.username ?? "demouser",
    password: options.password ?? "Password1",
  });
  if (callback.searchParams.get("state") !== state) {
    throw new Error("Login callback carried a different state");
  }
  const error = callback.searchParams.get("error");
  if (error) throw new Error(`Authorization failed with error "${error}"`);
  const code = callback.searchParams.get("code");
  if (!code) throw new Error("Login callback carried no code");

  return await exchangeCode(metadata.token_endpoint, {
    code,
    redirectUri,
    verifier,
    clientId: options.clientId ?? "console-client",
    timeoutMs,
  });
}

interface Metadata {
  authorization_endpoint: string;
  token_endpoint: string;
}

async function discover(issuer: string, timeoutMs: number): Promise<Metadata> {
  const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`Discovery at "${url}" failed with status ${response.status}`);
  }
  const metadata = await response.json();
  if (!metadata.authorization_endpoint || !metadata.token_endpoint) {
    throw new Error(`Discovery at "${url}" names no authorization or token endpoint`);
  }
  return metadata;
}

// Follows redirects and submits forms until a redirect to the client's redirect URI.
async function walkToCallback(
  browser: Browser,
  start: URL,
  redirectUri: string,
  credentials: { username: string; password: string },
): Promise<URL> {
  let response = await browser.get(start);
  let loginPosted = false;

  for (let step = 0; step < MAX_STEPS; step++) {
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, response.url);
      if (next.href.startsWith(redirectUri)) return next;
      response = await browser.get(next);
      continue;
    }

    const html = response.ok ? await response.text() : "";
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`Login step ${step} at "${response.url}" answered ${response.status}`);
    }
    const form = pickForm(html, response.url);
    if (!form) throw new Error(`Login step ${step} at "${response.url}" shows no form`);
    if (form.hasPassword && loginPosted) throw new Error("The login form refused the credentials");

    const fields = new URLSearchParams(form.hidden);
    if (form.hasPassword) {
      fields.set(form.usernameField, credentials.username);
      fields.set(form.passwordField, credentials.password);
      loginPosted = true;
    }
    response = await browser.post(new URL(form.action), fields);
  }
  throw new Error(`Login did not reach "${redirectUri}" within ${MAX_STEPS} steps`);
}

interface Form {
  action: string;
  hidden: [string, string][];
  hasPassword: boolean;
  usernameField: string;
  passwordField: string;
}

// Picks the form with a password field (the sign-in form), else the first POST form (consent).
function pickForm(html: string, pageUrl: string): Form | undefined {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((match) => {
    const attrs = attributes(match[1]);
    const inputs = [...match[2].matchAll(/<input\b([^>]*)>/gi)].map((m) => attributes(m[1]));
    const password = inputs.find((input) => input.type?.toLowerCase() === "password");
    const username = inputs.find((input) =>
      ["text", "email", undefined].includes(input.type?.toLowerCase()) && input.name
    );
    return {
      method: (attrs.method ?? "get").toLowerCase(),
      form: {
        action: new URL(attrs.action ?? "", pageUrl).href,
        hidden: inputs
          .filter((input) => input.type?.toLowerCase() === "hidden" && input.name)
          .map((input): [string, string] => [input.name, input.value ?? ""]),
        hasPassword: password !== undefined,
        usernameField: username?.name ?? "username",
        passwordField: password?.name ?? "password",
      },
    };
  });
  return (forms.find((f) => f.form.hasPassword) ?? forms.find((f) => f.method === "post"))?.form;
}

function attributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (
    const match of source.matchAll(
      /([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'>]+))/g,
    )
  ) {
    attrs[match[1].toLowerCase()] = unescapeHtml(match[3] ?? match[4] ?? match[5] ?? "");
  }
  return attrs;
}

function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (entity[0] !== "#") return named[entity.toLowerCase()];
    const hex = entity[1].toLowerCase() === "x";
    return String.fromCodePoint(parseInt(entity.slice(hex ? 2 : 1), hex ? 16 : 10));
  });
}

async function exchangeCode(
  tokenEndpoint: string,
  grant: {
    code: string;
    redirectUri: string;
    verifier: string;
    clientId: string;
    timeoutMs: number;
  },
): Promise<UserTokens> {
  const response = await fetch(tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: grant.code,
      redirect_uri: grant.redirectUri,
      code_verifier: grant.verifier,
      client_id: grant.clientId,
    }),
    signal: AbortSignal.timeout(grant.timeoutMs),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.access_token !== "string") {
    throw new Error(
      `Code exchange failed with status ${response.status}` +
        (body.error ? ` and error "${body.error}"` : ""),
    );
  }
  return {
    accessToken: body.access_token,
    tokenType: body.token_type,
    expiresIn: body.expires_in,
    scope: body.scope,
    idToken: body.id_token,
  };
}

/** `fetch` with cookies kept per name and path, and redirects left to the caller. */
class Browser {
  #cookies = new Map<string, { value: string; path: string; host: string }>();
  #timeoutMs: number;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  get(url: URL): Promise<Response> {
    return this.#send(url, { method: "GET" });
  }

  post(url: URL, form: URLSearchParams): Promise<Response> {
    return this.#send(url, {
      method: "POST",
      body: form,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  }

  async #send(url: URL, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("accept", "text/html,application/xhtml+xml");
    const cookie = this.#cookieHeader(url);
    if (cookie) headers.set("cookie", cookie);

    const response = await fetch(url, {
      ...init,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    this.#remember(url, response.headers.getSetCookie());
    // A Response made by fetch keeps its URL; relative Locations and actions resolve from it.
    return response.url ? response : withUrl(response, url);
  }

  #cookieHeader(url: URL): string {
    return [...this.#cookies.entries()]
      .filter(([, c]) => c.host === url.host && url.pathname.startsWith(c.path))
      .map(([key, c]) => `${key.split("\n")[0]}=${c.value}`)
      .join("; ");
  }

  #remember(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const attr = (key: string) =>
        attrs.find((a) => a.toLowerCase().startsWith(key + "="))?.slice(key.length + 1);
      const path = attr("path") ?? "/";
      const key = `${name}\n${path}`;
      const expired = attr("max-age") === "0" ||
        (attr("expires") !== undefined && Date.parse(attr("expires")!) <= Date.now());
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { value: pair.slice(eq + 1), path, host: url.host });
    }
  }
}

function withUrl(response: Response, url: URL): Response {
  Object.defineProperty(response, "url", { value: url.href });
  return response;
}

function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replaceAll("=", "");
}
