/**
 * The issuer's signing keys, found through discovery: the JWKS address comes from the
 * server's metadata (`jwks_uri`), so no service hard-codes it. Discovery and the first key
 * fetch happen on the first token, so a service can start before the authorization server
 * does; a failure then is a 503 error (transient) and the next token tries again.
 *
 * Web APIs only.
 *
 * @module
 */

import type { KeySource } from "./access_token.ts";
import { remoteKeys } from "./access_token.ts";
import type { Discover } from "./discovery.ts";
import { ServiceError } from "../errors.ts";

/** Options of {@linkcode discoveredKeys}, passed on to {@linkcode remoteKeys}. */
export interface DiscoveredKeysOptions {
  cooldownMs?: number;
  maxAgeMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * A {@linkcode KeySource} for `verifyAccessToken` that discovers the JWKS on first use.
 *
 * @example
 * ```ts
 * const keys = discoveredKeys(createDiscovery({ issuer }));
 * const verified = await verifyAccessToken(token, keys, policy);
 * ```
 */
export function discoveredKeys(discover: Discover, options: DiscoveredKeysOptions = {}): KeySource {
  let keys: Promise<KeySource> | undefined;

  function load(): Promise<KeySource> {
    keys ??= discover().then((metadata) => {
      if (typeof metadata.jwks_uri !== "string") {
        throw new ServiceError("discovery_failed", "The issuer's metadata names no jwks_uri", {
          status: 502,
        });
      }
      return remoteKeys(new URL(metadata.jwks_uri), options);
    }).catch((error) => {
      keys = undefined;
      throw error;
    });
    return keys;
  }

  return async function keyFromDiscoveredJwks(header, token) {
    return await (await load())(header, token);
  };
}
