/**
 * The endpoint paths of the contract with the other services. Discovery is served under the
 * issuer's path as well (see `server.ts`).
 *
 * @module
 */

/** Endpoint paths, in oidc-provider's `routes` form. */
export const ROUTES = {
  authorization: "/oauth/v2/oauth-authorize",
  token: "/oauth/v2/oauth-token",
  introspection: "/oauth/v2/oauth-introspect",
  jwks: "/oauth/v2/oauth-anonymous/jwks",
  end_session: "/oauth/v2/oauth-session/logout",
  revocation: "/oauth/v2/oauth-revoke",
  pushed_authorization_request: "/oauth/v2/oauth-par",
  userinfo: "/oauth/v2/oauth-userinfo",
} as const;

/** The default issuer identifier. */
export const DEFAULT_ISSUER = "http://localhost:8443/oauth/v2/oauth-anonymous";
