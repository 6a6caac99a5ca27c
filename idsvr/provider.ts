/**
 * Builds the oidc-provider instance: endpoints at the contract's paths, the three clients,
 * opaque 15-minute user tokens for the HTTP APIs, introspection with phantom tokens, and
 * token exchange. Only the public API of oidc-provider 9.13 is used.
 *
 * @module
 */

import Provider, { type Configuration, errors } from "oidc-provider";
import type { Logger } from "../shared/log/logger.ts";
import type { Accounts } from "./accounts.ts";
import {
  API_RESOURCE,
  API_SCOPES,
  clientRegistrations,
  INTROSPECTION_CLIENTS,
  OIDC_SCOPES,
} from "./clients.ts";
import type { IdsvrConfig } from "./config.ts";
import { registerTokenExchange } from "./exchange_grant.ts";
import { INTERACTION_PATH } from "./interactions.ts";
import { activeKey, type KeySet, providerJwks } from "./keys.ts";
import { errorPage } from "./login_page.ts";
import type { MemoryStore } from "./memory_store.ts";
import { usePhantomTokens } from "./phantom.ts";
import { ROUTES } from "./routes.ts";
import { attachedClaims } from "./token_claims.ts";

/** Options of {@linkcode createProvider}. */
export interface ProviderOptions {
  config: IdsvrConfig;
  keys: KeySet;
  cookieKeys: string[];
  accounts: Accounts;
  /** Where sessions, grants and opaque tokens live; shared across reloads. */
  store: MemoryStore;
  logger: Logger;
}

/** Creates a configured provider, ready to serve through `provider.callback()`. */
export function createProvider(options: ProviderOptions): Provider {
  const { config, keys, logger } = options;
  const alg = activeKey(keys).alg;

  const provider = new Provider(config.issuer, configuration(options, alg));
  provider.proxy = config.trustProxy;

  usePhantomTokens(provider, { alg, logger });
  registerTokenExchange(provider, { keys, ttl: config.exchangeTokenTtl, logger });
  logEvents(provider, logger);

  logger.debug("provider ready", { alg, kid: activeKey(keys).kid });
  return provider;
}

function configuration(options: ProviderOptions, alg: string): Configuration {
  const { config, keys, accounts } = options;
  const apiServer = {
    audience: API_RESOURCE.audience,
    scope: API_SCOPES.join(" "),
    accessTokenTTL: config.userTokenTtl,
    accessTokenFormat: "opaque" as const,
  };

  return {
    adapter: options.store.adapterFactory(),
    clients: clientRegistrations(config),
    clientAuthMethods: ["none", "client_secret_basic", "client_secret_post"],
    clientDefaults: { id_token_signed_response_alg: alg as "ES256" },
    jwks: providerJwks(keys) as Configuration["jwks"],
    scopes: [...OIDC_SCOPES, ...API_SCOPES],
    claims: { openid: ["sub"], profile: ["preferred_username"] },
    responseTypes: ["code"],
    pkce: { required: () => true },
    clientBasedCORS: () => false,
    cookies: {
      keys: options.cookieKeys,
      names: { session: "idsvr_session", interaction: "idsvr_interaction", resume: "idsvr_resume" },
    },
    routes: ROUTES,
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
    findAccount(_ctx, sub) {
      if (!accounts.exists(sub)) return undefined;
      return { accountId: sub, claims: () => ({ ...accounts.claims(sub), sub }) };
    },
    extraTokenClaims(_ctx, token) {
      const attached = attachedClaims(token);
      if (attached !== undefined) return attached;
      // The link from every user token to the authorization (grant) it came from.
      return "grantId" in token && token.grantId ? { delegation_id: token.grantId } : undefined;
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      revocation: { enabled: true },
      introspection: {
        enabled: true,
        // RFC 7662 §4: only the API gateway's client may learn about other clients' tokens.
        allowedPolicy: (_ctx, client) => INTROSPECTION_CLIENTS.has(client.clientId),
      },
      resourceIndicators: {
        enabled: true,
        // Without a default, API scopes would be dropped for a client that sends no resource.
        defaultResource: () => API_RESOURCE.indicator,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, indicator) {
          if (indicator === API_RESOURCE.indicator) return apiServer;
          throw new errors.InvalidTarget(`unknown resource indicator`);
        },
      },
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.userTokenTtl,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = errorPage("Sign-in failed", String(out.error_description ?? out.error));
    },
  };
}

function logEvents(provider: Provider, logger: Logger): void {
  // Provider errors carry OAuth codes and descriptions, never token values.
  const describe = (error: Error & { error_description?: string }) => ({
    error: error.message,
    description: error.error_description,
  });

  provider.on("server_error", (_ctx, error) => logger.error("provider failed", { error }));
  provider.on(
    "grant.error",
    (_ctx, error) => logger.info("token request refused", describe(error)),
  );
  provider.on("authorization.error", (_ctx, error) => {
    logger.info("authorization refused", describe(error));
  });
  provider.on("introspection.error", (_ctx, error) => {
    logger.info("introspection refused", describe(error));
  });
  provider.on("grant.success", (ctx) => {
    logger.debug("token issued", { clientId: ctx.oidc.client?.clientId });
  });
}
