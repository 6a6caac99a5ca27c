/**
 * The signing key set and its rotation policy, as pure functions over a plain record so the
 * policy can be tested with a controlled clock.
 *
 * A key goes through three states:
 *
 * - `next`: published in the JWKS but never signs, so verifiers can cache it before it is used;
 * - `active`: the one key that signs;
 * - `retired`: no longer signs, still published until every token it signed has expired
 *   (`publishUntil`), then dropped.
 *
 * @module
 */

import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";
import type { SigningAlgorithm } from "./config.ts";

/** Where a key is in its life. */
export type KeyState = "next" | "active" | "retired";

/** One signing key and its history; times are seconds since the epoch. */
export interface KeyRecord {
  kid: string;
  alg: SigningAlgorithm;
  state: KeyState;
  createdAt: number;
  activatedAt?: number;
  retiredAt?: number;
  /** Retired keys only: when the last token signed by the key expires. */
  publishUntil?: number;
  /** The private key. */
  jwk: JWK;
}

/** The whole key set as stored in the data folder. */
export interface KeySet {
  version: 1;
  keys: KeyRecord[];
}

/** Makes a new private key; replaceable in tests. */
export type KeyGenerator = (alg: SigningAlgorithm) => Promise<JWK>;

/** Options of {@linkcode prepareKeys} and {@linkcode rotateKeys}. */
export interface KeyPolicyOptions {
  alg: SigningAlgorithm;
  /** Current time, seconds since the epoch. */
  now: number;
  /** How long a retired key stays published: the longest token lifetime plus a margin. */
  retainSeconds: number;
  generate?: KeyGenerator;
}

/** Generates a private signing key with a thumbprint `kid` (RFC 7638). */
export async function generateSigningKey(alg: SigningAlgorithm): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg, use: "sig" };
}

/**
 * Brings a loaded (or empty) key set into shape at start-up: drops retired keys whose tokens
 * have all expired, makes sure one key of `alg` is active, and one key of `alg` waits as
 * `next`. Returns the same object when nothing changed.
 */
export async function prepareKeys(set: KeySet, options: KeyPolicyOptions): Promise<KeySet> {
  const generate = options.generate ?? generateSigningKey;
  let keys = set.keys.filter((key) => !isObsolete(key, options));
  let changed = keys.length !== set.keys.length;

  const active = keys.find((key) => key.state === "active");
  if (active?.alg !== options.alg) {
    // No key signs yet, or the algorithm changed: rotate now, even though the new key was
    // not published beforehand (there was nothing to publish it with).
    keys = await promote(keys, options);
    changed = true;
  }

  if (!keys.some((key) => key.state === "next" && key.alg === options.alg)) {
    keys = [...keys, await newRecord(generate, options, "next")];
    changed = true;
  }

  return changed ? { version: 1, keys: order(keys) } : set;
}

/**
 * Rotates: the `next` key starts signing, the active key retires but stays published for
 * `retainSeconds`, and a fresh `next` key is published for the following rotation.
 */
export async function rotateKeys(set: KeySet, options: KeyPolicyOptions): Promise<KeySet> {
  const generate = options.generate ?? generateSigningKey;
  const live = set.keys.filter((key) => !isObsolete(key, options));

  const rotated = await promote(live, options);
  const fresh = await newRecord(generate, options, "next");
  return { version: 1, keys: order([...rotated, fresh]) };
}

/** The key that signs. Throws when the set has none, which {@linkcode prepareKeys} prevents. */
export function activeKey(set: KeySet): KeyRecord {
  const active = set.keys.find((key) => key.state === "active");
  if (active === undefined) throw new TypeError("The key set has no active key");
  return active;
}

/**
 * The private JWKS for oidc-provider. The provider signs with the first key that may sign,
 * so every key but the active one is marked `key_ops: ["verify"]` (RFC 7517 §4.3): it is
 * published, and never chosen to sign.
 */
export function providerJwks(set: KeySet): { keys: JWK[] } {
  return {
    keys: set.keys.map((key) => {
      return key.state === "active" ? key.jwk : { ...key.jwk, key_ops: ["verify"] };
    }),
  };
}

/** The public JWKS: what verifiers see. */
export function publicJwks(set: KeySet): { keys: JWK[] } {
  return { keys: set.keys.map((key) => toPublic(key.jwk)) };
}

/**
 * A key set from an operator's private JWKS (`IDSVR_SIGNING_KEYS`): the first key signs and
 * the others are published for verification. Rotation is then the operator's job.
 */
export function keySetFromJwks(jwks: { keys: Record<string, unknown>[] }, now: number): KeySet {
  return {
    version: 1,
    keys: jwks.keys.map((jwk, i) => ({
      kid: String(jwk.kid),
      alg: String(jwk.alg ?? "") as SigningAlgorithm,
      state: i === 0 ? "active" : "next",
      createdAt: now,
      jwk: jwk as JWK,
    })),
  };
}

/** Strips the private members of a JWK. */
export function toPublic(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...rest } = jwk;
  return rest;
}

async function promote(keys: KeyRecord[], options: KeyPolicyOptions): Promise<KeyRecord[]> {
  const generate = options.generate ?? generateSigningKey;
  const waiting = keys.find((key) => key.state === "next" && key.alg === options.alg);
  const incoming = waiting ?? await newRecord(generate, options, "next");

  const others = keys.filter((key) => key !== waiting).map((key): KeyRecord => {
    if (key.state !== "active") return key;
    return {
      ...key,
      state: "retired",
      retiredAt: options.now,
      publishUntil: options.now + options.retainSeconds,
    };
  });

  return [{ ...incoming, state: "active", activatedAt: options.now }, ...others];
}

async function newRecord(
  generate: KeyGenerator,
  options: KeyPolicyOptions,
  state: KeyState,
): Promise<KeyRecord> {
  const jwk = await generate(options.alg);
  return { kid: String(jwk.kid), alg: options.alg, state, createdAt: options.now, jwk };
}

// A retired key whose tokens have all expired, or a waiting key of an algorithm no longer in
// use (it never signed anything, so nothing needs it).
function isObsolete(key: KeyRecord, options: KeyPolicyOptions): boolean {
  if (key.state === "next") return key.alg !== options.alg;
  return key.state === "retired" && key.publishUntil !== undefined &&
    key.publishUntil <= options.now;
}

const RANK: Record<KeyState, number> = { active: 0, next: 1, retired: 2 };

// Active first: oidc-provider also prefers the first usable key, a second guard beside key_ops.
function order(keys: KeyRecord[]): KeyRecord[] {
  return [...keys].sort((a, b) => RANK[a.state] - RANK[b.state]);
}
