/**
 * A headless Chromium that signs in on the real sign-in page, the way a person would: types
 * the username and password and presses "Sign in" (or "Cancel"). Used by `deno task demo` and
 * the end-to-end test; drives Debian's `chromium` through playwright-core, never a downloaded
 * browser. Runs on Deno and Node.
 *
 * @module
 */

import { type BrowserContext, chromium } from "playwright-core";

/** Where Debian installs Chromium; `CHROMIUM` overrides it. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The credentials typed into the form. */
export interface Credentials {
  username: string;
  password: string;
}

/** Where a submitted sign-in form led. */
export interface SignInOutcome {
  /** The page the browser ended on after leaving the authorization server, if it did. */
  redirectedTo?: URL;
  /** The error the sign-in page announced (`role="alert"`), if it stayed on the form. */
  alert?: string;
}

/** One browser with a fresh profile. */
export interface HeadlessBrowser {
  /** Opens `url` (an authorization request), fills the form and submits it. */
  signIn(url: URL, credentials: Credentials): Promise<SignInOutcome>;
  /** Opens `url` and presses "Cancel" on the form. */
  cancel(url: URL): Promise<SignInOutcome>;
  close(): Promise<void>;
}

/** Options of {@linkcode launchHeadlessBrowser}. */
export interface LaunchOptions {
  /** Chromium binary. Default `CHROMIUM` from the environment, else {@linkcode CHROMIUM_PATH}. */
  executablePath?: string;
  /** Per page step. Default 15 s. */
  timeoutMs?: number;
}

/** Starts Chromium headless with a profile of its own, removed again by `close()`. */
export async function launchHeadlessBrowser(options: LaunchOptions = {}): Promise<HeadlessBrowser> {
  const profile = await Deno.makeTempDir({ prefix: "zt-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: options.executablePath ?? Deno.env.get("CHROMIUM") ?? CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  }).catch(async (error) => {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw error;
  });
  context.setDefaultTimeout(options.timeoutMs ?? 15_000);

  return {
    signIn: (url, credentials) => submit(context, url, credentials),
    cancel: (url) => submit(context, url, undefined),
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

async function submit(
  context: BrowserContext,
  url: URL,
  credentials: Credentials | undefined,
): Promise<SignInOutcome> {
  const page = await context.newPage();
  const authServer = new URL(url).origin;
  try {
    await page.goto(url.href);
    await page.getByLabel("Username").waitFor();

    // Either the browser leaves the authorization server, or the form shows an error.
    const left = page.waitForURL((current) => current.origin !== authServer)
      .then(() => ({ redirectedTo: new URL(page.url()) }));
    const refused = page.getByRole("alert").waitFor()
      .then(async () => ({ alert: (await page.getByRole("alert").textContent())?.trim() }));
    left.catch(() => {});
    refused.catch(() => {});

    if (credentials) {
      await page.getByLabel("Username").fill(credentials.username);
      await page.getByLabel("Password").fill(credentials.password);
      await page.getByRole("button", { name: "Sign in" }).click();
    } else {
      await page.getByRole("button", { name: "Cancel" }).click();
    }
    return await Promise.race([left, refused]);
  } finally {
    await page.close();
  }
}
