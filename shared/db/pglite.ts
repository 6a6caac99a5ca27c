/**
 * A {@linkcode Database} embedded in the process (PGlite: PostgreSQL compiled to WebAssembly),
 * used when no `DATABASE_URL` is set. Runs on Node, Deno and Bun. One process owns a data
 * folder at a time; PGlite serializes queries on its single connection.
 *
 * @module
 */
import { PGlite } from "@electric-sql/pglite";
import type { Database, Queryable, Row } from "./database.ts";

/** Opens (creating if needed) an embedded database in `dataDir`, or in memory when omitted. */
export async function openPglite(dataDir?: string): Promise<Database> {
  const pglite = dataDir ? new PGlite(dataDir) : new PGlite();
  await pglite.waitReady;

  const db: Database = {
    kind: "pglite",
    async query<T = Row>(sql: string, params?: unknown[]): Promise<T[]> {
      return (await pglite.query<T>(sql, params)).rows;
    },
    transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      return pglite.transaction((tx) =>
        work({
          query: async <R = Row>(sql: string, params?: unknown[]) =>
            (await tx.query<R>(sql, params)).rows,
        })
      );
    },
    async exec(sql: string): Promise<void> {
      await pglite.exec(sql);
    },
    close: () => pglite.close(),
  };
  return db;
}
