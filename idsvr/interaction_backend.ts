/**
 * The {@linkcode InteractionBackend} backed by oidc-provider, for the interaction app served
 * by `@hono/node-server` (the provider reads its signed cookies from Node's request).
 *
 * @module
 */

import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import type Provider from "oidc-provider";
import type { InteractionResults } from "oidc-provider";
import type { InteractionBackend, InteractionOutcome } from "./interactions.ts";

/** Creates the backend; `current()` returns the provider in service (it changes on reload). */
export function providerBackend(current: () => Provider): InteractionBackend {
  function node(c: Context): HttpBindings {
    const bindings = c.env as HttpBindings | undefined;
    if (bindings?.incoming === undefined) {
      throw new TypeError("The interaction app must run on @hono/node-server");
    }
    return bindings;
  }

  return {
    async find(c) {
      const { incoming, outgoing } = node(c);
      const details = await current().interactionDetails(incoming, outgoing);
      return {
        uid: details.uid,
        prompt: details.prompt.name,
        clientId: String(details.params.client_id),
      };
    },

    async finish(c, outcome) {
      const { incoming, outgoing } = node(c);
      const provider = current();
      const result = await toResult(provider, c, outcome);
      return await provider.interactionResult(incoming, outgoing, result, {
        mergeWithLastSubmission: outcome.kind !== "error",
      });
    },
  };
}

async function toResult(
  provider: Provider,
  c: Context,
  outcome: InteractionOutcome,
): Promise<InteractionResults> {
  switch (outcome.kind) {
    case "login":
      return { login: { accountId: outcome.accountId } };
    case "error":
      return { error: outcome.error, error_description: outcome.description };
    case "consent":
      return { consent: { grantId: await grantRequested(provider, c) } };
  }
}

// Grants what the provider found missing (RFC 6749 §3.3 scopes, RFC 8707 resource scopes).
async function grantRequested(provider: Provider, c: Context): Promise<string> {
  const { incoming, outgoing } = c.env as HttpBindings;
  const details = await provider.interactionDetails(incoming, outgoing);
  const { accountId } = details.session ?? {};
  if (accountId === undefined) throw new TypeError("Consent asked before sign-in");

  const clientId = String(details.params.client_id);
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId });

  const missing = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(" "));
  }
  return await grant.save();
}
