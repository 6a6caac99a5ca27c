/**
 * Start-up of the authorization server: loads or generates keys, builds the provider and the
 * interaction pages, and listens. Also the key rotation command.
 *
 * @module
 */

import type Provider from "oidc-provider";
import type { Logger } from "../shared/log/logger.ts";
import { demoAccounts } from "./accounts.ts";
import { FIRST_PARTY_CLIENTS } from "./clients.ts";
import type { IdsvrConfig } from "./config.ts";
import { createCsrfGuard } from "./csrf.ts";
import { loadKeySet, loadOrCreateCookieKeys, saveKeySet } from "./data_dir.ts";
import { providerBackend } from "./interaction_backend.ts";
import { createInteractionApp } from "./interactions.ts";
import {
  activeKey,
  type KeyPolicyOptions,
  type KeySet,
  keySetFromJwks,
  prepareKeys,
  rotateKeys,
} from "./keys.ts";
import { MemoryStore } from "./memory_store.ts";
import { createProvider } from "./provider.ts";
import { createHandler, listen } from "./server.ts";

/** A running server. */
export interface RunningIdsvr {
  /** Base URL, e.g. `http://localhost:8443`. */
  url: string;
  port: number;
  /** Reads the key set again and swaps in a provider that uses it. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

// Retired keys stay published this long past the longest token lifetime (clock skew, caches).
const RETAIN_MARGIN_SECONDS = 3600;

/** Starts the server described by `config`. */
export async function startIdsvr(config: IdsvrConfig, logger: Logger): Promise<RunningIdsvr> {
  const cookieKeys = config.cookieKeys ?? await loadOrCreateCookieKeys(config.dataDir);
  const accounts = demoAccounts(config.demoUser, config.extraUsers);
  const store = new MemoryStore();

  async function build(): Promise<Provider> {
    const keys = await loadKeys(config, logger);
    return createProvider({ config, keys, cookieKeys, accounts, store, logger });
  }

  let provider = await build();
  const interactions = createInteractionApp({
    backend: providerBackend(() => provider),
    accounts,
    csrf: createCsrfGuard(cookieKeys[0]),
    firstParty: FIRST_PARTY_CLIENTS,
    logger,
  });
  const handler = createHandler({
    current: () => provider,
    interactions,
    issuerPath: new URL(config.issuer).pathname,
    logger,
  });

  const listening = await listen(handler, config.host, config.port);
  const url = `http://${config.host}:${listening.port}`;
  logger.info("idsvr listening", { url, addresses: listening.addresses, issuer: config.issuer });

  return {
    url,
    port: listening.port,
    async reload() {
      provider = await build();
      logger.info("idsvr reloaded its keys");
    },
    close: () => listening.close(),
  };
}

/**
 * The key set in service: the operator's keys when configured, else the generated set from
 * the data folder, brought up to date (first key generated, expired keys dropped) and saved.
 */
export async function loadKeys(config: IdsvrConfig, logger: Logger): Promise<KeySet> {
  const now = Math.floor(Date.now() / 1000);
  if (config.configuredKeys !== undefined) return keySetFromJwks(config.configuredKeys, now);

  const stored = await loadKeySet(config.dataDir);
  const prepared = await prepareKeys(stored, policy(config, now));
  if (prepared !== stored) {
    await saveKeySet(config.dataDir, prepared);
    logger.info("signing keys updated", summary(prepared));
  }
  return prepared;
}

/**
 * Rotates the generated keys in the data folder: the published `next` key starts signing, the
 * active one retires and stays published until its tokens have expired. A running server picks
 * the change up on `SIGHUP` or restart.
 */
export async function rotateStoredKeys(config: IdsvrConfig, logger: Logger): Promise<KeySet> {
  if (config.configuredKeys !== undefined) {
    throw new TypeError("Keys come from IDSVR_SIGNING_KEYS: rotate them there");
  }
  const now = Math.floor(Date.now() / 1000);
  const stored = await prepareKeys(await loadKeySet(config.dataDir), policy(config, now));
  const rotated = await rotateKeys(stored, policy(config, now));
  await saveKeySet(config.dataDir, rotated);

  logger.info("signing keys rotated", summary(rotated));
  return rotated;
}

function policy(config: IdsvrConfig, now: number): KeyPolicyOptions {
  const longest = Math.max(config.exchangeTokenTtl, config.userTokenTtl);
  return { alg: config.signingAlg, now, retainSeconds: longest + RETAIN_MARGIN_SECONDS };
}

function summary(set: KeySet) {
  return {
    active: activeKey(set).kid,
    keys: set.keys.map((key) => ({ kid: key.kid, alg: key.alg, state: key.state })),
  };
}
