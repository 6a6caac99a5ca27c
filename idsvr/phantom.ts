/**
 * The phantom token pattern on the introspection endpoint. A gateway that posts an opaque
 * token with `Accept: application/jwt` gets back, instead of RFC 7662 JSON, the same token as
 * a JWT access token (RFC 9068, `typ: at+jwt`) signed by the provider's keys: same subject,
 * client, scope, audience and expiry, and a fresh `jti` (the opaque value never appears).
 *
 * Answers in the JWT form:
 *
 * - active access token: `200`, `Content-Type: application/jwt`, the JWT as the body;
 * - inactive, expired, unknown, or not an access token: `204 No Content`, no body;
 * - a bad request or failed client authentication: the usual JSON error.
 *
 * This is not RFC 9701 (`application/token-introspection+jwt`), which wraps the introspection
 * answer in a signed envelope and is left disabled.
 *
 * @module
 */

import type Provider from "oidc-provider";
import type { AccessToken, KoaContextWithOIDC } from "oidc-provider";
import type { Logger } from "../shared/log/logger.ts";
import type { SigningAlgorithm } from "./config.ts";

/** Media type a gateway asks for to receive the phantom token. */
export const JWT_MEDIA_TYPE = "application/jwt";

/** Options of {@linkcode usePhantomTokens}. */
export interface PhantomOptions {
  alg: SigningAlgorithm;
  logger: Logger;
}

/** Installs the phantom token answer on the provider's introspection endpoint. */
export function usePhantomTokens(provider: Provider, options: PhantomOptions): void {
  provider.use(async function phantomToken(ctx, next) {
    await next();

    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (oidc?.route !== "introspection" || ctx.status !== 200) return;
    if (ctx.accepts("json", JWT_MEDIA_TYPE) !== JWT_MEDIA_TYPE) return;

    const opaque = (ctx.body as { active?: boolean }).active
      ? oidc.entities.AccessToken
      : undefined;
    if (opaque === undefined) {
      ctx.status = 204;
      ctx.body = null;
      return;
    }

    ctx.body = await mintPhantom(provider, opaque, options.alg);
    ctx.type = JWT_MEDIA_TYPE;
    options.logger.debug("phantom token issued", { clientId: opaque.clientId });
  });
}

async function mintPhantom(
  provider: Provider,
  opaque: AccessToken,
  alg: SigningAlgorithm,
): Promise<string> {
  const client = await provider.Client.find(String(opaque.clientId));
  if (client === undefined) throw new TypeError(`Client "${opaque.clientId}" is gone`);

  const audience = Array.isArray(opaque.aud) ? opaque.aud[0] : opaque.aud;
  const resourceServer = new provider.ResourceServer(String(audience), {
    audience: String(audience),
    scope: opaque.scope ?? "",
    accessTokenFormat: "jwt",
    jwt: { sign: { alg } },
  });
  const phantom = new provider.AccessToken({
    accountId: opaque.accountId,
    client,
    grantId: opaque.grantId,
    gty: opaque.gty,
    scope: opaque.scope,
    sid: opaque.sid,
    resourceServer,
    // Same expiry as the opaque token: the JWT must not outlive it.
    exp: opaque.exp,
  });
  return await phantom.save();
}
