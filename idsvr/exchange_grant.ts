/**
 * The RFC 8693 token exchange grant on oidc-provider: turns a user's JWT access token for the
 * HTTP APIs into a long-lived, event-bound JWT for the jobs API. The rules live in
 * `token_exchange.ts`; this file wires them to the provider and mints the token with the
 * provider's own `AccessToken` model, so its keys sign it and its JWKS publishes them.
 *
 * @module
 */

import { createLocalJWKSet } from "jose";
import type Provider from "oidc-provider";
import { errors, type KoaContextWithOIDC } from "oidc-provider";
import { ServiceError } from "../shared/errors.ts";
import type { Logger } from "../shared/log/logger.ts";
import { API_RESOURCE, EXCHANGE_AUDIENCES, EXCHANGE_POLICIES, TOKEN_EXCHANGE } from "./clients.ts";
import type { KeySet } from "./keys.ts";
import { activeKey, publicJwks } from "./keys.ts";
import { attachClaims } from "./token_claims.ts";
import {
  boundClaims,
  checkExchangeRequest,
  EXCHANGE_PARAMETERS,
  type ExchangeParams,
  TOKEN_TYPES,
  verifySubjectToken,
} from "./token_exchange.ts";

/** Options of {@linkcode registerTokenExchange}. */
export interface TokenExchangeOptions {
  keys: KeySet;
  /** Lifetime of issued tokens, seconds. */
  ttl: number;
  logger: Logger;
}

/** Registers the token exchange grant type on `provider`. */
export function registerTokenExchange(provider: Provider, options: TokenExchangeOptions): void {
  const { logger } = options;
  const alg = activeKey(options.keys).alg;
  const verification = {
    keys: createLocalJWKSet(publicJwks(options.keys)),
    issuer: provider.issuer,
    audience: API_RESOURCE.audience,
    algorithms: [...new Set(options.keys.keys.map((key) => key.alg))],
  };

  async function tokenExchange(ctx: KoaContextWithOIDC): Promise<void> {
    const client = ctx.oidc.client;
    if (client === undefined) throw new errors.InvalidClient("client not authenticated");

    let response;
    try {
      const params = ctx.oidc.params as ExchangeParams;
      const request = checkExchangeRequest(params, EXCHANGE_POLICIES[client.clientId]);
      const subject = await verifySubjectToken(request.subjectToken, verification);

      const resourceServer = new provider.ResourceServer(request.audience, {
        audience: request.audience,
        scope: EXCHANGE_AUDIENCES[request.audience].join(" "),
        accessTokenTTL: options.ttl,
        accessTokenFormat: "jwt",
        jwt: { sign: { alg } },
      });
      const token = new provider.AccessToken({
        accountId: subject.sub,
        client,
        grantId: subject.delegation_id ?? "",
        gty: "token_exchange",
        scope: request.scopes.join(" "),
        resourceServer,
      });
      attachClaims(token, boundClaims(request, subject, client.clientId));
      const value = await token.save();

      logger.info("token exchanged", {
        clientId: client.clientId,
        subjectJti: subject.jti,
        jti: token.jti,
        transactionId: request.transactionId,
        eventId: request.eventId,
      });
      response = {
        access_token: value,
        issued_token_type: TOKEN_TYPES.accessToken,
        token_type: "Bearer",
        expires_in: options.ttl,
        scope: token.scope,
      };
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      logger.info("token exchange refused", { clientId: client.clientId, code: error.code });
      throw new errors.CustomOIDCProviderError(
        error.oauthError ?? "invalid_request",
        error.message,
      );
    }

    ctx.body = response;
  }

  provider.registerGrantType(TOKEN_EXCHANGE, tokenExchange, EXCHANGE_PARAMETERS);
}
