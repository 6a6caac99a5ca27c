/**
 * Reuses introspection results so that most requests cost no call to the authorization server.
 *
 * - Keyed by a SHA-256 hash of the opaque token, never by the token itself.
 * - An active result lives until the JWT's `exp` or the configured maximum, whichever is
 *   sooner. The maximum bounds how long a revoked token keeps working through the gateway.
 * - An inactive result lives for a few seconds (configurable, `0` turns it off), so a client
 *   retrying a dead token does not hammer the server. Inactive results sit in their own smaller
 *   LRU: a flood of random tokens cannot push the active entries out.
 * - Concurrent misses for the same token share one introspection call (single flight). A
 *   failure is shared by those callers and never cached.
 *
 * @module
 */

import { ExpiringLru } from "./lru_cache.ts";
import type { Introspect, IntrospectionResult } from "./introspection.ts";

/** How a lookup was served: from the cache, by a new call, or by joining a call in flight. */
export type CacheOutcome = "hit" | "miss" | "shared";

/** Options of {@linkcode TokenCache}. */
export interface TokenCacheOptions {
  /** Bound on active entries; the inactive LRU holds a quarter of it. */
  maxEntries: number;
  maxTtlSeconds: number;
  inactiveTtlSeconds: number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** Introspection with a bounded, expiring, single-flight cache in front. */
export class TokenCache {
  #introspect: Introspect;
  #options: TokenCacheOptions;
  #now: () => number;
  #active: ExpiringLru<IntrospectionResult>;
  #inactive: ExpiringLru<IntrospectionResult>;
  #inFlight = new Map<string, Promise<IntrospectionResult>>();

  constructor(introspect: Introspect, options: TokenCacheOptions) {
    this.#introspect = introspect;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#active = new ExpiringLru(options.maxEntries);
    this.#inactive = new ExpiringLru(Math.max(1, Math.floor(options.maxEntries / 4)));
  }

  /** Entries held, active and inactive, for metrics and tests. */
  get size(): number {
    return this.#active.size + this.#inactive.size;
  }

  /** The result for `token`, whose hash is `key`. */
  async lookup(
    key: string,
    token: string,
  ): Promise<{ result: IntrospectionResult; outcome: CacheOutcome }> {
    const now = this.#now();
    const cached = this.#active.get(key, now) ?? this.#inactive.get(key, now);
    if (cached) return { result: cached, outcome: "hit" };

    const pending = this.#inFlight.get(key);
    if (pending) return { result: await pending, outcome: "shared" };

    const call = this.#introspect(token)
      .then((result) => {
        this.#store(key, result);
        return result;
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, call);
    return { result: await call, outcome: "miss" };
  }

  #store(key: string, result: IntrospectionResult): void {
    const now = this.#now();
    if (!result.active) {
      const ttl = this.#options.inactiveTtlSeconds * 1000;
      if (ttl > 0) this.#inactive.set(key, result, now + ttl);
      return;
    }

    const ceiling = now + this.#options.maxTtlSeconds * 1000;
    const expiresAt = result.exp === undefined ? ceiling : Math.min(result.exp * 1000, ceiling);
    // A token at or past its expiry is passed on once (the API will refuse it), never kept.
    if (expiresAt > now) this.#active.set(key, result, expiresAt);
    this.#inactive.delete(key);
  }
}

/** Lowercase hex SHA-256 of a token: the cache key, and (shortened) what logs may show. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
