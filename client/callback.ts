/**
 * Reads the redirect that arrives on the loopback listener (RFC 6749 §4.1.2): checks `state`
 * first, so a forged or stale redirect is named as such, then lets oauth4webapi check the
 * issuer (RFC 9207) and turn an error response into an exception.
 *
 * @module
 */

import * as oauth from "oauth4webapi";
import { CLIENT_ERRORS, ServiceError } from "./errors.ts";

/** What a valid redirect carries, ready for the token request. */
export type CallbackParameters = ReturnType<typeof oauth.validateAuthResponse>;

/**
 * Validates the redirect. Throws `state_mismatch` when `state` is missing or not the one sent,
 * `login_cancelled` for `access_denied`, `authorization_failed` for any other OAuth error, and
 * `invalid_callback` for a wrong issuer or a missing code.
 */
export function readCallback(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  url: URL,
  expectedState: string,
): CallbackParameters {
  // RFC 6749 §10.12: a redirect without our state may be cross-site request forgery.
  if (url.searchParams.get("state") !== expectedState) {
    throw new ServiceError(
      CLIENT_ERRORS.stateMismatch,
      "Refused the sign-in redirect: its state is not the one this client sent",
      { status: 400 },
    );
  }

  let parameters: CallbackParameters;
  try {
    parameters = oauth.validateAuthResponse(as, client, url, expectedState);
  } catch (cause) {
    throw translate(cause);
  }
  if (!parameters.get("code")) {
    throw new ServiceError(CLIENT_ERRORS.invalidCallback, "The sign-in redirect carried no code", {
      status: 400,
    });
  }
  return parameters;
}

function translate(cause: unknown): ServiceError {
  if (cause instanceof oauth.AuthorizationResponseError) {
    const description = cause.error_description ? `: ${cause.error_description}` : "";
    if (cause.error === "access_denied") {
      return new ServiceError(
        CLIENT_ERRORS.loginCancelled,
        `Sign-in was cancelled or refused${description}`,
        { status: 403, oauthError: cause.error, cause },
      );
    }
    return new ServiceError(
      CLIENT_ERRORS.authorizationFailed,
      `Authorization server answered with error "${cause.error}"${description}`,
      { status: 400, oauthError: cause.error, cause },
    );
  }
  const why = cause instanceof Error ? cause.message : String(cause);
  return new ServiceError(CLIENT_ERRORS.invalidCallback, `Refused the sign-in redirect: ${why}`, {
    status: 400,
    cause,
  });
}
