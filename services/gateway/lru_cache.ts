/**
 * A size-bounded map whose entries also expire: the least recently used entry goes first when
 * the map is full, and an expired entry is never returned.
 *
 * @module
 */

interface Slot<V> {
  value: V;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** LRU map with a per-entry expiry; the clock is passed in so tests control time. */
export class ExpiringLru<V> {
  readonly maxEntries: number;
  #slots = new Map<string, Slot<V>>();

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.#slots.size;
  }

  /** The value of `key` if present and not expired at `now`; marks it recently used. */
  get(key: string, now: number): V | undefined {
    const slot = this.#slots.get(key);
    if (!slot) return undefined;
    this.#slots.delete(key);
    if (slot.expiresAt <= now) return undefined;

    // A Map iterates in insertion order: re-inserting moves the key to the young end.
    this.#slots.set(key, slot);
    return slot.value;
  }

  /** Stores `value` until `expiresAt`, evicting the least recently used entry when full. */
  set(key: string, value: V, expiresAt: number): void {
    this.#slots.delete(key);
    this.#slots.set(key, { value, expiresAt });
    if (this.#slots.size > this.maxEntries) {
      const oldest = this.#slots.keys().next().value;
      if (oldest !== undefined) this.#slots.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#slots.delete(key);
  }
}
