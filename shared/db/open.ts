/**
 * Chooses the database: PostgreSQL when a URL is given, the embedded one otherwise.
 *
 * @module
 */
import type { Database } from "./database.ts";

/** Options of {@linkcode openDatabase}. */
export interface OpenDatabaseOptions {
  /** `DATABASE_URL`; when unset the embedded database in `dataDir` is used. */
  url?: string;
  /** Folder of the embedded database. */
  dataDir: string;
}

/** Opens the configured database; the driver not chosen is never loaded. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) {
    const { connectPostgres } = await import("./postgres.ts");
    return await connectPostgres({ url: options.url });
  }
  const { openPglite } = await import("./pglite.ts");
  return await openPglite(options.dataDir);
}
