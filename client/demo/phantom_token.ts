/**
 * Asks the authorization server for the JWT behind an opaque token, exactly as the gateway does
 * (RFC 7662 introspection by `introspect-client` with `Accept: application/jwt`), so the demo
 * can show what the Orders API receives. The server mints a new JWT per call: same claims as
 * the gateway's, its own `jti` and `iat`.
 *
 * @module
 */

/** Options of {@linkcode fetchPhantomToken}. */
export interface PhantomTokenOptions {
  introspectionEndpoint: string;
  clientId: string;
  clientSecret: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

/** Returns the JWT; throws `Error` naming the status when the token is inactive or refused. */
export async function fetchPhantomToken(
  opaqueToken: string,
  options: PhantomTokenOptions,
): Promise<string> {
  const credentials = btoa(
    `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
  );
  const response = await fetch(options.introspectionEndpoint, {
    method: "POST",
    headers: {
      authorization: `Basic ${credentials}`,
      accept: "application/jwt",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ token: opaqueToken }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });

  const body = await response.text();
  // 204 is the server's answer for an inactive token in the JWT form.
  if (response.status !== 200 || !response.headers.get("content-type")?.includes("jwt")) {
    throw new Error(`Introspection answered ${response.status} instead of a JWT`);
  }
  return body.trim();
}
