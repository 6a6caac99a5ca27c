/**
 * The one database interface the services use, whatever serves it: a PostgreSQL server when
 * `DATABASE_URL` is set, an embedded PostgreSQL (PGlite) otherwise. Both speak the same SQL, so
 * each service has one schema and one set of queries.
 *
 * @module
 */

/** A row as the driver returns it. */
export type Row = Record<string, unknown>;

/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** A connection pool (or embedded database) with transactions. */
export interface Database extends Queryable {
  readonly kind: "postgres" | "pglite";
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** One step of a service's schema; applied once, in `id` order. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/**
 * Brings `schema` up to date: creates it, then applies the migrations not recorded yet, each in
 * its own transaction. An advisory lock keeps two instances starting together from applying the
 * same step twice.
 */
export async function migrate(
  db: Database,
  schema: string,
  migrations: readonly Migration[],
): Promise<number[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new TypeError(`invalid schema name "${schema}"`);

  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
    const done = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`migrate:${schema}`]);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
           id integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const found = await tx.query(`SELECT 1 FROM ${schema}.schema_migrations WHERE id = $1`, [
        migration.id,
      ]);
      if (found.length > 0) return false;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query(`INSERT INTO ${schema}.schema_migrations (id, name) VALUES ($1, $2)`, [
        migration.id,
        migration.name,
      ]);
      return true;
    });
    if (done) applied.push(migration.id);
  }
  return applied;
}

// Migrations are plain DDL written in this repository: semicolons end statements, and none
// appears inside a string or a function body.
function splitStatements(sql: string): string[] {
  return sql.split(";").map((part) => part.trim()).filter((part) => part !== "");
}
