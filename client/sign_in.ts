/**
 * Signs a person in from the console the way RFC 8252 asks of native apps: discovery, a
 * loopback listener, the system browser, the authorization code flow with PKCE and `state`,
 * and the code exchanged at the token endpoint by a public client. Web APIs only: the
 * listener's `serve` and the browser opener are passed in by the runtime-specific entry file.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { createDiscovery, httpOptions } from "../shared/auth/discovery.ts";
import type { Serve } from "../shared/http/serve/types.ts";
import { newAuthorizationRequest } from "./authorization_request.ts";
import { readCallback } from "./callback.ts";
import { CLIENT_ERRORS, ServiceError } from "./errors.ts";
import { startLoopbackListener } from "./loopback.ts";

/** The client id, scopes and listener port the authorization server registered for us. */
export const CONSOLE_DEFAULTS = {
  clientId: "console-client",
  scope: "openid profile orders invoices",
  port: 3003,
  loginTimeoutMs: 5 * 60_000,
} as const;

/** Options of {@linkcode signIn}. */
export interface SignInOptions {
  issuer: URL;
  /** Starts the loopback listener (one of `shared/http/serve/*.ts`). */
  serve: Serve;
  /** Shows the authorization URL to the person: opens a browser, or prints it. */
  openBrowser: (url: URL) => Promise<void> | void;
  clientId?: string;
  scope?: string;
  /** Loopback port; `0` takes any free one. Default 3003. */
  port?: number;
  /** E.g. `"login"` to show the form even when the browser has a session. */
  prompt?: string;
  /** How long to wait for the redirect. Default 5 minutes. */
  loginTimeoutMs?: number;
  /** Per HTTP call to the authorization server. Default 5 s. */
  httpTimeoutMs?: number;
  /** Called once the listener is bound, with the redirect URI it serves. */
  onListening?: (redirectUri: string) => void;
  /** Aborting it gives up the sign-in. */
  signal?: AbortSignal;
  /** Replaceable in tests. */
  fetch?: typeof fetch;
}

/** The tokens of a signed-in user, as the client holds them. */
export interface UserTokens {
  /** Opaque to this client: it is only ever sent as a bearer token. */
  accessToken: string;
  tokenType: string;
  expiresIn?: number;
  scope?: string;
  /** Claims of the ID token, when `openid` was asked for. */
  idTokenClaims?: oauth.IDToken;
}

/**
 * Runs one sign-in and returns the user's tokens. Failures are {@linkcode ServiceError}s with a
 * code from `CLIENT_ERRORS`; the listener is closed whatever happens.
 *
 * @example
 * ```ts
 * const tokens = await signIn({ issuer, serve, openBrowser: (url) => print(url.href) });
 * ```
 */
export async function signIn(options: SignInOptions): Promise<UserTokens> {
  const client: oauth.Client = { client_id: options.clientId ?? CONSOLE_DEFAULTS.clientId };
  const http = httpOptions({
    issuer: options.issuer,
    fetch: options.fetch,
    timeoutMs: options.httpTimeoutMs,
  });
  const as = await createDiscovery({
    issuer: options.issuer,
    fetch: options.fetch,
    timeoutMs: options.httpTimeoutMs,
  })();

  const listener = await startLoopbackListener({
    serve: options.serve,
    port: options.port ?? CONSOLE_DEFAULTS.port,
  });
  try {
    options.onListening?.(listener.redirectUri);
    const request = await newAuthorizationRequest(as, {
      clientId: client.client_id,
      redirectUri: listener.redirectUri,
      scope: options.scope ?? CONSOLE_DEFAULTS.scope,
      prompt: options.prompt,
    });
    const redirect = listener.waitForRedirect((url) =>
      readCallback(as, client, url, request.state)
    );
    // The redirect may fail while the browser is still being driven; it is awaited below.
    redirect.catch(() => {});
    await options.openBrowser(request.url);

    const parameters = await withinDeadline(redirect, {
      ms: options.loginTimeoutMs ?? CONSOLE_DEFAULTS.loginTimeoutMs,
      signal: options.signal,
    });
    return await redeemCode(as, client, {
      parameters,
      redirectUri: request.redirectUri,
      codeVerifier: request.codeVerifier,
      http,
    });
  } finally {
    await listener.close();
  }
}

async function redeemCode(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  grant: {
    parameters: URLSearchParams;
    redirectUri: string;
    codeVerifier: string;
    http: ReturnType<typeof httpOptions>;
  },
): Promise<UserTokens> {
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    grant.parameters,
    grant.redirectUri,
    grant.codeVerifier,
    grant.http,
  );

  let result: oauth.TokenEndpointResponse;
  try {
    result = await oauth.processAuthorizationCodeResponse(as, client, response);
  } catch (cause) {
    const oauthError = cause instanceof oauth.ResponseBodyError ? cause.error : undefined;
    const why = oauthError ? `error "${oauthError}"` : (cause as Error).message;
    throw new ServiceError(
      CLIENT_ERRORS.tokenRequestFailed,
      `Token endpoint refused the authorization code: ${why}`,
      { status: 502, oauthError, cause },
    );
  }

  return {
    accessToken: result.access_token,
    tokenType: result.token_type,
    expiresIn: result.expires_in,
    scope: result.scope,
    idTokenClaims: oauth.getValidatedIdTokenClaims(result),
  };
}

/** Settles like `promise`, or rejects with `login_timeout` or the signal's reason first. */
function withinDeadline<T>(
  promise: Promise<T>,
  limit: { ms: number; signal?: AbortSignal },
): Promise<T> {
  const { promise: stop, reject } = Promise.withResolvers<never>();
  const timer = setTimeout(() => {
    reject(
      new ServiceError(
        CLIENT_ERRORS.loginTimeout,
        `No sign-in completed within ${Math.round(limit.ms / 1000)} s`,
        { status: 408 },
      ),
    );
  }, limit.ms);
  const abort = () => reject(limit.signal?.reason);
  limit.signal?.addEventListener("abort", abort, { once: true });
  if (limit.signal?.aborted) abort();

  return Promise.race([promise, stop]).finally(() => {
    clearTimeout(timer);
    limit.signal?.removeEventListener("abort", abort);
  });
}
