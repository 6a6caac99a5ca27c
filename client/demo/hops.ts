/**
 * Text for each hop of the demo: headings, JWTs decoded into aligned claims (times shown as
 * dates too), and tokens shortened wherever they appear.
 *
 * @module
 */

import { decodeJwt, decodeProtectedHeader } from "jose";
import { shortToken } from "../format.ts";
import type { KafkaMessage } from "./kafka_message.ts";

const TIME_CLAIMS = new Set(["iat", "exp", "nbf", "auth_time"]);

/** A numbered heading with a rule under it. */
export function heading(step: number, title: string): string {
  const text = `${step}. ${title}`;
  return `\n${text}\n${"-".repeat(text.length)}`;
}

/**
 * A JWT's header and claims, one per line. Decoded only: the signature is checked by the
 * services that rely on the token, not here.
 */
export function describeJwt(jwt: string): string {
  const header = decodeProtectedHeader(jwt);
  const claims = decodeJwt(jwt);
  const width = Math.max(...Object.keys(claims).map((name) => name.length));
  const lines = Object.entries(claims).map(([name, value]) =>
    `    ${name.padEnd(width)}  ${claimText(name, value)}`
  );
  return [`  header  ${JSON.stringify(header)}`, "  claims", ...lines].join("\n");
}

/** The message's address, key, headers (tokens shortened) and value. */
export function describeMessage(message: KafkaMessage): string {
  const headers = message.headers.map(({ name, value }) =>
    `    ${name}: ${value === null ? "(empty)" : hideTokens(value)}`
  );
  const at = message.timestamp ? ` at ${new Date(message.timestamp).toISOString()}` : "";
  return [
    `  topic ${message.topic}, partition ${message.partition}, offset ${message.offset}${at}`,
    `  key      ${message.key ?? "(none)"}`,
    "  headers",
    ...headers,
    `  value    ${message.value ?? "(none)"}`,
  ].join("\n");
}

/** The first bearer token in a set of headers, e.g. the message's `Authorization`. */
export function bearerToken(message: KafkaMessage): string | undefined {
  const header = message.headers.find(({ name }) => name.toLowerCase() === "authorization");
  return header?.value?.match(/^Bearer\s+(\S+)$/i)?.[1];
}

function claimText(name: string, value: unknown): string {
  if (TIME_CLAIMS.has(name) && typeof value === "number") {
    return `${value} (${new Date(value * 1000).toISOString()})`;
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

function hideTokens(text: string): string {
  return text.replace(
    /(Bearer\s+)(\S+)/gi,
    (_, scheme: string, token: string) => `${scheme}${shortToken(token)}`,
  );
}

/**
 * What ties the event token to this message and to the user's sign-in, each compared here:
 * `event_hash` against the SHA-256 of the value's bytes, `transaction_id` against the key,
 * `event_id` against the value's `eventID`, and `delegation_id` against the user's token.
 */
export async function describeBinding(
  eventToken: string,
  message: KafkaMessage,
  userDelegationId: unknown,
): Promise<string> {
  const claims = decodeJwt(eventToken);
  const bytes = new TextEncoder().encode(message.value ?? "");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hash = btoa(String.fromCharCode(...digest)).replaceAll("+", "-").replaceAll("/", "_")
    .replaceAll("=", "");
  const mark = (same: boolean) => same ? "yes" : "NO";

  return [
    `  event_hash     = SHA-256 of the message value: ${mark(claims.event_hash === hash)}`,
    `  transaction_id = message key: ${mark(claims.transaction_id === message.key)}`,
    `  event_id       = eventID in the value: ${mark(claims.event_id === eventIdOf(message))}`,
    `  delegation_id  = the user's sign-in: ${mark(claims.delegation_id === userDelegationId)}`,
  ].join("\n");
}

function eventIdOf(message: KafkaMessage): unknown {
  try {
    return JSON.parse(message.value ?? "null")?.eventID;
  } catch {
    return undefined;
  }
}
