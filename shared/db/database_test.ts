import assert from "node:assert/strict";
import type { Database, Migration } from "./database.ts";
import { migrate } from "./database.ts";
import { openPglite } from "./pglite.ts";
import { connectPostgres } from "./postgres.ts";

const MIGRATIONS: Migration[] = [
  { id: 1, name: "items", sql: "CREATE TABLE t_db.items (id integer PRIMARY KEY, v bytea);" },
  { id: 2, name: "note", sql: "ALTER TABLE t_db.items ADD COLUMN note text; SELECT 1;" },
];

async function exercise(db: Database): Promise<void> {
  assert.deepEqual(await migrate(db, "t_db", MIGRATIONS), [1, 2]);
  assert.deepEqual(await migrate(db, "t_db", MIGRATIONS), [], "a second run applies nothing");

  const bytes = new TextEncoder().encode('{"exact":"bytes"}');
  await db.transaction(async (tx) => {
    await tx.query("INSERT INTO t_db.items (id, v, note) VALUES ($1, $2, $3)", [1, bytes, "a"]);
  });
  await assert.rejects(db.transaction(async (tx) => {
    await tx.query("INSERT INTO t_db.items (id, v) VALUES ($1, $2)", [2, bytes]);
    throw new Error("abandon");
  }));

  const rows = await db.query<{ id: number; v: Uint8Array }>("SELECT id, v FROM t_db.items");
  assert.deepEqual(rows.map((row) => row.id), [1], "the failed transaction left nothing");
  assert.deepEqual(new Uint8Array(rows[0].v), bytes, "bytea comes back byte for byte");
}

Deno.test("the embedded database migrates once, commits and rolls back", async () => {
  const db = await openPglite();
  try {
    await exercise(db);
  } finally {
    await db.close();
  }
});

Deno.test({
  name: "PostgreSQL migrates once, commits and rolls back",
  ignore: !Deno.env.get("TEST_DATABASE_URL"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const db = await connectPostgres({ url: Deno.env.get("TEST_DATABASE_URL")! });
    try {
      await db.exec("DROP SCHEMA IF EXISTS t_db CASCADE");
      await exercise(db);
    } finally {
      await db.exec("DROP SCHEMA IF EXISTS t_db CASCADE").catch(() => {});
      await db.close();
    }
  },
});
