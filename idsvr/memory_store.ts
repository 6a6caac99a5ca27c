/**
 * In-memory storage for oidc-provider's stateful artifacts (sessions, interactions, grants,
 * codes, opaque tokens), with expiry. It replaces the provider's development adapter, whose
 * LRU silently evicts live tokens past 1000 entries, and it outlives a provider: a key reload
 * builds a new provider on the same store, so nobody is signed out.
 *
 * NOTE: state lives in one process and is lost on restart; a multi-instance deployment needs
 * a shared adapter (e.g. Redis or PostgreSQL) with the same methods.
 *
 * @module
 */

import type { Adapter, AdapterPayload } from "oidc-provider";

interface Entry {
  payload: AdapterPayload;
  /** Milliseconds since the epoch, or `Infinity`. */
  expiresAt: number;
}

/** Options of {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /** Clock in milliseconds, replaceable in tests. */
  now?: () => number;
}

/** One store shared by every model's adapter. */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>();
  readonly #grants = new Map<string, Set<string>>();
  readonly #now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** The adapter factory for the provider's `adapter` setting. */
  adapterFactory(): (model: string) => Adapter {
    return (model) => this.#adapter(model);
  }

  /** Number of live entries (expired ones are dropped first). */
  size(): number {
    this.sweep();
    return this.#entries.size;
  }

  /** Drops expired entries; runs on its own as entries are written. */
  sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#delete(key);
    }
  }

  #adapter(model: string): Adapter {
    const key = (id: string) => `${model}:${id}`;
    let writes = 0;

    return {
      upsert: async (id, payload, expiresIn) => {
        // Sweep now and then, so memory follows the live entries without a timer.
        if (++writes % 256 === 0) this.sweep();
        const expiresAt = expiresIn ? this.#now() + expiresIn * 1000 : Infinity;
        this.#entries.set(key(id), { payload: structuredClone(payload), expiresAt });
        if (payload.grantId) this.#indexGrant(payload.grantId, key(id));
        await Promise.resolve();
      },
      find: async (id) => await Promise.resolve(this.#get(key(id))),
      findByUid: async (uid) => {
        const found = [...this.#entries.entries()].find(([name, entry]) => {
          return name.startsWith(`${model}:`) && entry.payload.uid === uid;
        });
        return await Promise.resolve(found ? this.#get(found[0]) : undefined);
      },
      findByUserCode: async (userCode) => {
        const found = [...this.#entries.entries()].find(([name, entry]) => {
          return name.startsWith(`${model}:`) && entry.payload.userCode === userCode;
        });
        return await Promise.resolve(found ? this.#get(found[0]) : undefined);
      },
      consume: async (id) => {
        const entry = this.#entries.get(key(id));
        if (entry) entry.payload.consumed = Math.floor(this.#now() / 1000);
        await Promise.resolve();
      },
      destroy: async (id) => {
        this.#delete(key(id));
        await Promise.resolve();
      },
      revokeByGrantId: async (grantId) => {
        for (const name of this.#grants.get(grantId) ?? []) this.#delete(name);
        this.#grants.delete(grantId);
        await Promise.resolve();
      },
    };
  }

  #get(key: string): AdapterPayload | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#delete(key);
      return undefined;
    }
    return structuredClone(entry.payload);
  }

  #indexGrant(grantId: string, key: string): void {
    const members = this.#grants.get(grantId) ?? new Set<string>();
    members.add(key);
    this.#grants.set(grantId, members);
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    const grantId = entry?.payload.grantId;
    if (grantId === undefined) return;

    const members = this.#grants.get(grantId);
    members?.delete(key);
    if (members?.size === 0) this.#grants.delete(grantId);
  }
}
