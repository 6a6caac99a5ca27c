/**
 * The dead-letter record of a rejected message: its original key and value bytes, its headers
 * with every `Authorization` value replaced by the token's `jti` and SHA-256, and headers that
 * say why and where from. An operator can inspect and replay it without ever seeing a token.
 *
 * Headers added (their names are reserved: an original header with one of them, in any case,
 * is dropped so that a sender cannot forge the reason):
 *
 * | header | value |
 * | --- | --- |
 * | `dead-letter-reason` | the reason code, e.g. `event_hash_mismatch` |
 * | `dead-letter-detail` | one short sentence |
 * | `dead-letter-source-topic`, `-partition`, `-offset` | where the message was read |
 * | `token-jti` | the `jti` claim of each token, read without verification, when it has one |
 * | `token-sha256` | the base64url SHA-256 of each token (or of the header value if not Bearer) |
 *
 * Web APIs only; `dead_letter_node.ts` publishes the record.
 *
 * @module
 */

import { decodeJwt } from "jose";
import { bearerToken } from "./authorization.ts";
import { sha256Base64url } from "./digest.ts";
import type { RejectedEvent } from "./event_check.ts";

/** A record for the dead-letter topic, in the shape the publisher takes. */
export interface DeadLetterRecord {
  topic: string;
  /** The original key; an empty string when the message had none. */
  key: string;
  value: Uint8Array;
  headers: Record<string, string | string[]>;
}

/** Prefix of the headers that describe the rejection. */
export const DEAD_LETTER_HEADER_PREFIX = "dead-letter-";

const TOKEN_HEADERS = new Set(["token-jti", "token-sha256", "authorization"]);

/** Builds the dead-letter record of `rejection` for the topic `topic`. */
export async function deadLetterRecord(
  rejection: RejectedEvent,
  topic: string,
): Promise<DeadLetterRecord> {
  const { message } = rejection;
  const decoder = new TextDecoder();
  const headers: Record<string, string[]> = {};
  const add = (name: string, value: string) => (headers[name] ??= []).push(value);

  const tokens: string[] = [];
  for (const [name, raw] of message.headers) {
    const lower = name.toLowerCase();
    if (lower === "authorization") tokens.push(decoder.decode(raw));
    else if (!TOKEN_HEADERS.has(lower) && !lower.startsWith(DEAD_LETTER_HEADER_PREFIX)) {
      add(name, decoder.decode(raw));
    }
  }
  for (const value of tokens) {
    const token = bearerToken(value);
    const jti = token === undefined ? undefined : unverifiedJti(token);
    if (jti !== undefined) add("token-jti", jti);
    add("token-sha256", await sha256Base64url(token ?? value));
  }

  add("dead-letter-reason", rejection.reason);
  add("dead-letter-detail", rejection.detail);
  add("dead-letter-source-topic", message.topic);
  add("dead-letter-source-partition", String(message.partition));
  add("dead-letter-source-offset", message.offset);

  return {
    topic,
    key: message.key === null ? "" : decoder.decode(message.key),
    value: message.value ?? new Uint8Array(),
    headers: Object.fromEntries(
      Object.entries(headers).map((
        [name, values],
      ) => [name, values.length === 1 ? values[0] : values]),
    ),
  };
}

// For correlation only: the token may be forged, so this jti proves nothing.
function unverifiedJti(token: string): string | undefined {
  try {
    const jti = decodeJwt(token).jti;
    return typeof jti === "string" && /^[\x21-\x7e]{1,256}$/.test(jti) ? jti : undefined;
  } catch {
    return undefined;
  }
}
