/**
 * Files the server keeps in its data folder between runs: the signing key set (`keys.json`)
 * and, outside production, generated cookie keys (`cookie-keys.json`). Files are written
 * atomically (temporary file, then rename) and readable by their owner only.
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import type { KeySet } from "./keys.ts";

const KEYS_FILE = "keys.json";
const COOKIE_KEYS_FILE = "cookie-keys.json";

/** Reads the key set, or returns an empty one when the folder has none yet. */
export async function loadKeySet(dataDir: string): Promise<KeySet> {
  const stored = await readJson(join(dataDir, KEYS_FILE));
  if (stored === undefined) return { version: 1, keys: [] };

  const set = stored as Partial<KeySet>;
  if (set.version !== 1 || !Array.isArray(set.keys)) {
    throw new TypeError(`Cannot read the key set in "${join(dataDir, KEYS_FILE)}"`);
  }
  return set as KeySet;
}

/** Writes the key set. */
export async function saveKeySet(dataDir: string, set: KeySet): Promise<void> {
  await writeJson(join(dataDir, KEYS_FILE), set);
}

/** Reads the generated cookie keys, generating and saving them on first use. */
export async function loadOrCreateCookieKeys(dataDir: string): Promise<string[]> {
  const path = join(dataDir, COOKIE_KEYS_FILE);
  const stored = await readJson(path);
  if (Array.isArray(stored) && stored.every((key) => typeof key === "string")) return stored;

  const keys = [randomBytes(32).toString("base64url")];
  await writeJson(path, keys);
  return keys;
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
  return JSON.parse(text);
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
  await rename(temporary, path);
}
