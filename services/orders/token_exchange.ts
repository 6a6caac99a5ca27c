/**
 * Asks the authorization server (RFC 8693 token exchange) for the event token: a long-lived,
 * reduced-privilege JWT for the Invoices API, bound to one event by its event id, transaction
 * id and the digest of the exact message bytes. The user's access token is the subject token.
 *
 * @module
 */
import * as oauth from "oauth4webapi";
import { ServiceError } from "../../shared/errors.ts";
import { type Discover, httpOptions } from "../../shared/auth/discovery.ts";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** What the event token must be bound to. */
export interface EventBinding {
  transactionId: string;
  eventId: string;
  eventHash: string;
}

/** The issued event token. */
export interface EventToken {
  token: string;
  expiresIn?: number;
}

/** Exchanges a user's access token for an event token. */
export type ExchangeToken = (subjectToken: string, binding: EventBinding) => Promise<EventToken>;

/** Options of {@linkcode createTokenExchange}. */
export interface TokenExchangeOptions {
  issuer: URL;
  discover: Discover;
  clientId: string;
  clientSecret: string;
  /** Default `"trigger_invoicing"`. */
  scope?: string;
  /** Default `"jobs.example.com"`. */
  audience?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Creates the exchange. Throws {@linkcode ServiceError}: `token_exchange_refused` (502) when
 * the server refuses, with its OAuth `error`; `authorization_server_unavailable` (503) when it
 * cannot be reached or fails.
 */
export function createTokenExchange(options: TokenExchangeOptions): ExchangeToken {
  const client: oauth.Client = { client_id: options.clientId };
  const auth = oauth.ClientSecretBasic(options.clientSecret);
  const http = httpOptions(options);

  return async function exchangeToken(subjectToken, binding) {
    const as = await options.discover();
    const parameters = new URLSearchParams({
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
      scope: options.scope ?? "trigger_invoicing",
      audience: options.audience ?? "jobs.example.com",
      transaction_id: binding.transactionId,
      event_id: binding.eventId,
      event_hash: binding.eventHash,
    });
    const response = await oauth.genericTokenEndpointRequest(
      as,
      client,
      auth,
      TOKEN_EXCHANGE,
      parameters,
      http,
    );
    if (response.status >= 500) {
      throw new ServiceError(
        "authorization_server_unavailable",
        `Token exchange failed at the authorization server with status ${response.status}`,
        { status: 503 },
      );
    }

    try {
      const answer = await oauth.processGenericTokenEndpointResponse(as, client, response);
      return { token: answer.access_token, expiresIn: answer.expires_in };
    } catch (cause) {
      const oauthError = cause instanceof oauth.ResponseBodyError ? cause.error : undefined;
      const description = cause instanceof oauth.ResponseBodyError
        ? cause.cause.error_description
        : undefined;
      throw new ServiceError(
        "token_exchange_refused",
        `Token exchange was refused` + (oauthError ? ` with "${oauthError}"` : "") +
          (typeof description === "string" ? `: ${description}` : ""),
        { status: 502, oauthError, cause },
      );
    }
  };
}
