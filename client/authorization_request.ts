/**
 * Builds the authorization request of a native app (RFC 8252): a fresh PKCE verifier (RFC 7636,
 * S256 only) and `state` per sign-in, and the URL the browser is sent to.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { CLIENT_ERRORS, ServiceError } from "./errors.ts";

/** Options of {@linkcode newAuthorizationRequest}. */
export interface AuthorizationRequestOptions {
  clientId: string;
  /** The loopback redirect URI, with the port the listener got. */
  redirectUri: string;
  scope: string;
  /** `"login"` makes the server show the form even with a live session. */
  prompt?: string;
}

/** One sign-in attempt: where to send the browser and what to check on the way back. */
export interface AuthorizationRequest {
  url: URL;
  state: string;
  /** Kept by the client, sent only to the token endpoint. */
  codeVerifier: string;
  redirectUri: string;
}

/**
 * Creates the request. Throws `pkce_unsupported` when the server's metadata lists challenge
 * methods without S256: falling back to `plain` would defeat PKCE (RFC 7636 §4.2).
 */
export async function newAuthorizationRequest(
  as: oauth.AuthorizationServer,
  options: AuthorizationRequestOptions,
): Promise<AuthorizationRequest> {
  const methods = as.code_challenge_methods_supported;
  if (methods !== undefined && !methods.includes("S256")) {
    throw new ServiceError(
      CLIENT_ERRORS.pkceUnsupported,
      `Authorization server "${as.issuer}" does not support PKCE with S256`,
      { status: 502 },
    );
  }
  if (!as.authorization_endpoint) {
    throw new ServiceError(
      CLIENT_ERRORS.discoveryFailed,
      `Authorization server "${as.issuer}" names no authorization endpoint`,
      { status: 502 },
    );
  }

  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope: options.scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    ...(options.prompt ? { prompt: options.prompt } : {}),
  }).toString();

  return { url, state, codeVerifier, redirectUri: options.redirectUri };
}
