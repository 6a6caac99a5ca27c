/**
 * A {@linkcode Database} on a PostgreSQL server through node-postgres (`pg`), which runs on
 * Node, Deno and Bun.
 *
 * @module
 */
import pg from "pg";
import type { Database, Queryable, Row } from "./database.ts";

/** Options of {@linkcode connectPostgres}. */
export interface PostgresOptions {
  /** `postgres://user@host:port/database` */
  url: string;
  /** Most connections the pool opens. Default 10. */
  maxConnections?: number;
  /** Give up connecting after this long. Default 5000 ms. */
  connectTimeoutMs?: number;
}

/** Opens a connection pool; the first query proves the server answers. */
export async function connectPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    // A restarted server leaves dead connections in the pool: drop idle ones soon.
    idleTimeoutMillis: 10_000,
  });
  // A server restart ends every connection. The pool reports it for idle clients, and a client
  // checked out at that moment emits it itself; with no listener either would crash the
  // process. Its query rejects all the same, and the next one reconnects.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));

  const run = async <T>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) => {
    const result = await client.query(sql, params as unknown[] | undefined);
    return result.rows as T[];
  };

  const db: Database = {
    kind: "postgres",
    query: <T = Row>(sql: string, params?: unknown[]) => run<T>(pool, sql, params),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        const result = await work({ query: (sql, params) => run(client, sql, params) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };

  await db.query("SELECT 1");
  return db;
}
