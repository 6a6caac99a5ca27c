/**
 * The PostgreSQL database of a test run: the machine's server (127.0.0.1:5432 unless
 * `TEST_DATABASE_ADMIN_URL` says otherwise), with a database created fresh for each run so that
 * two runs in a row start from the same state. Runs on Deno.
 *
 * @module
 */
import pg from "pg";
import { SupervisorError } from "./supervisor.ts";

/** Default server of the machines this project runs on: trust authentication, user postgres. */
export const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * Drops and creates database `name` on the server at `adminUrl`, and returns its URL.
 * Throws a {@linkcode SupervisorError} naming the fix when the server does not answer.
 */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TypeError(`invalid database name "${name}"`);
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    const where = new URL(adminUrl).host;
    throw new SupervisorError(
      `PostgreSQL does not answer at ${where} (${
        error instanceof Error ? error.message : error
      }): ` +
        "start it, or set TEST_DATABASE_ADMIN_URL to a server where this user may create databases",
      { cause: error },
    );
  }
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}
