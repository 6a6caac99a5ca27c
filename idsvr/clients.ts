/**
 * The registered clients, the resource servers their tokens are for, and which client may
 * exchange a user token for which scopes and audiences.
 *
 * @module
 */

import type { ClientMetadata } from "oidc-provider";
import type { IdsvrConfig } from "./config.ts";

/** Grant type of RFC 8693 token exchange. */
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

/** The resource indicator (RFC 8707) and audience of user tokens for the HTTP APIs. */
export const API_RESOURCE = { indicator: "https://api.example.com", audience: "api.example.com" };

/** Scopes a user token for the HTTP APIs may carry. */
export const API_SCOPES = ["orders", "invoices"] as const;

/** OpenID Connect scopes the console may ask for besides the API scopes. */
export const OIDC_SCOPES = ["openid", "profile"] as const;

/** The client ids, fixed by the contract with the other services. */
export const CLIENT_IDS = {
  console: "console-client",
  introspect: "introspect-client",
  ordersApi: "orders-api-client",
} as const;

/**
 * The loopback redirect URI registered for the console. The port is ignored when matching
 * (RFC 8252 §7.3), so `http://127.0.0.1:<any port>/callback` is accepted; the path is not.
 */
export const CONSOLE_REDIRECT_URI = "http://127.0.0.1:3003/callback";

/** Clients whose consent is implied: the interaction grants their scopes without asking. */
export const FIRST_PARTY_CLIENTS: ReadonlySet<string> = new Set([CLIENT_IDS.console]);

/** Clients allowed to introspect any token (RFC 7662 §4: the caller must be authorized). */
export const INTROSPECTION_CLIENTS: ReadonlySet<string> = new Set([CLIENT_IDS.introspect]);

/** What one client may ask for in a token exchange. */
export interface ExchangePolicy {
  audiences: readonly string[];
  scopes: readonly string[];
}

/** Token exchange policy per client id. A client missing here cannot exchange at all. */
export const EXCHANGE_POLICIES: Readonly<Record<string, ExchangePolicy>> = {
  [CLIENT_IDS.ordersApi]: { audiences: ["jobs.example.com"], scopes: ["trigger_invoicing"] },
};

/** The audiences reachable by token exchange, with the scopes each one understands. */
export const EXCHANGE_AUDIENCES: Readonly<Record<string, readonly string[]>> = {
  "jobs.example.com": ["trigger_invoicing"],
};

/** The static client registrations, with secrets from the configuration. */
export function clientRegistrations(config: IdsvrConfig): ClientMetadata[] {
  return [
    {
      client_id: CLIENT_IDS.console,
      application_type: "native",
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code"],
      response_types: ["code"],
      redirect_uris: [CONSOLE_REDIRECT_URI],
      scope: [...OIDC_SCOPES, ...API_SCOPES].join(" "),
    },
    {
      // A resource-server-only client: it may call introspection and nothing else.
      client_id: CLIENT_IDS.introspect,
      client_secret: config.clientSecrets.introspect,
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
    {
      client_id: CLIENT_IDS.ordersApi,
      client_secret: config.clientSecrets.ordersApi,
      // Basic and form-body credentials are both accepted for a secret-based client.
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: [TOKEN_EXCHANGE],
      response_types: [],
      redirect_uris: [],
    },
  ];
}
