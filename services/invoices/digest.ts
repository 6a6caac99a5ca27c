/**
 * SHA-256 digests in the form the event tokens carry them: base64url without padding
 * (RFC 4648 section 5), as in the `event_hash` claim.
 *
 * Web APIs only, with one feature-detected shortcut: where the runtime offers Node's built-in
 * `crypto` module (Node, Deno and Bun all do, through `process.getBuiltinModule`), hashing is
 * done synchronously with it. WebCrypto's `digest` hands each call to a worker thread, which
 * costs more than hashing a few hundred bytes; on Node it took as long as a third of an RS256
 * verification per message.
 *
 * @module
 */

interface NodeHash {
  update(data: Uint8Array): NodeHash;
  digest(encoding: "base64url"): string;
}

type GetBuiltin = (name: "node:crypto") => { createHash(alg: "sha256"): NodeHash } | undefined;

const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process
  ?.getBuiltinModule?.("node:crypto");

const encoder = new TextEncoder();

/** The base64url SHA-256 of `bytes` (or of the UTF-8 of a string). */
export async function sha256Base64url(bytes: Uint8Array | string): Promise<string> {
  const data = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
  if (nodeCrypto) return nodeCrypto.createHash("sha256").update(data).digest("base64url");

  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data as BufferSource));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
