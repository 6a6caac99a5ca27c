/**
 * Orders and their outbox in the database. An order and the message that announces it are
 * written in one transaction: both exist, or neither does. The relay later publishes the
 * message and marks it sent.
 *
 * @module
 */
import type { Database, Migration, Queryable } from "../../shared/db/database.ts";
import type { OrderLine } from "./order_input.ts";

/** The schema of this service. */
export const SCHEMA = "orders";

/** Steps of the schema, applied once each at start. */
export const MIGRATIONS: readonly Migration[] = [{
  id: 1,
  name: "orders and outbox",
  sql: `
    CREATE TABLE orders.orders (
      transaction_id uuid PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      user_id text NOT NULL,
      created_at timestamptz NOT NULL,
      currency text NOT NULL,
      items jsonb NOT NULL,
      total_cents integer NOT NULL CHECK (total_cents > 0)
    );
    CREATE INDEX orders_by_user ON orders.orders (user_id, created_at DESC);
    CREATE TABLE orders.outbox (
      id bigserial PRIMARY KEY,
      transaction_id uuid NOT NULL UNIQUE REFERENCES orders.orders (transaction_id),
      topic text NOT NULL,
      message_key text NOT NULL,
      message_value bytea NOT NULL,
      headers jsonb NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      sent_at timestamptz,
      sent_partition integer,
      sent_offset bigint
    );
    CREATE INDEX outbox_unsent ON orders.outbox (id) WHERE sent_at IS NULL;
  `,
}];

/** A new order with its message. */
export interface NewOrder {
  transactionId: string;
  eventId: string;
  userId: string;
  createdAt: string;
  currency: string;
  lines: OrderLine[];
  totalCents: number;
  message: {
    topic: string;
    key: string;
    value: Uint8Array;
    headers: Record<string, string>;
  };
}

/** An order as stored, with where its message stands. */
export interface StoredOrder {
  transactionId: string;
  eventId: string;
  userId: string;
  createdAt: Date;
  currency: string;
  lines: OrderLine[];
  totalCents: number;
  publication: {
    status: "pending" | "published";
    attempts: number;
    publishedAt?: Date;
    partition?: number;
    offset?: string;
  };
}

/** A message waiting in the outbox. */
export interface OutboxEntry {
  id: string;
  transactionId: string;
  topic: string;
  key: string;
  value: Uint8Array;
  headers: Record<string, string>;
  attempts: number;
}

/** Writes the order and its outbox row in one transaction. */
export async function insertOrder(db: Database, order: NewOrder): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO orders.orders
         (transaction_id, event_id, user_id, created_at, currency, items, total_cents)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        order.transactionId,
        order.eventId,
        order.userId,
        order.createdAt,
        order.currency,
        JSON.stringify(order.lines),
        order.totalCents,
      ],
    );
    await tx.query(
      `INSERT INTO orders.outbox (transaction_id, topic, message_key, message_value, headers)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        order.transactionId,
        order.message.topic,
        order.message.key,
        order.message.value,
        JSON.stringify(order.message.headers),
      ],
    );
  });
}

const ORDER_COLUMNS = `
  o.transaction_id::text AS transaction_id, o.event_id::text AS event_id, o.user_id,
  o.created_at, o.currency, o.items, o.total_cents, x.attempts, x.sent_at, x.sent_partition,
  x.sent_offset::text AS sent_offset`;

interface OrderRow {
  transaction_id: string;
  event_id: string;
  user_id: string;
  created_at: Date;
  currency: string;
  items: OrderLine[] | string;
  total_cents: number;
  attempts: number;
  sent_at: Date | null;
  sent_partition: number | null;
  sent_offset: string | null;
}

/** The user's orders, newest first. */
export async function listOrders(
  db: Queryable,
  userId: string,
  limit = 100,
): Promise<StoredOrder[]> {
  const rows = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders.orders o JOIN orders.outbox x USING (transaction_id)
     WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.transaction_id LIMIT $2`,
    [userId, limit],
  );
  return rows.map(toOrder);
}

/** One order of the user, or undefined when it does not exist or is someone else's. */
export async function findOrder(
  db: Queryable,
  userId: string,
  transactionId: string,
): Promise<StoredOrder | undefined> {
  const rows = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders.orders o JOIN orders.outbox x USING (transaction_id)
     WHERE o.user_id = $1 AND o.transaction_id = $2`,
    [userId, transactionId],
  );
  return rows[0] && toOrder(rows[0]);
}

/**
 * Locks up to `limit` unsent messages, oldest first, for the duration of `work`; rows another
 * relay holds are skipped. `work` returns, per entry, where it was published or why not.
 */
export async function withUnsent(
  db: Database,
  limit: number,
  work: (entries: OutboxEntry[]) => Promise<Map<string, PublishOutcome>>,
): Promise<number> {
  return await db.transaction(async (tx) => {
    const rows = await tx.query<{
      id: string;
      transaction_id: string;
      topic: string;
      message_key: string;
      message_value: Uint8Array;
      headers: Record<string, string> | string;
      attempts: number;
    }>(
      `SELECT id::text AS id, transaction_id::text AS transaction_id, topic, message_key,
              message_value, headers, attempts
       FROM orders.outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    if (rows.length === 0) return 0;

    const outcomes = await work(rows.map((row) => ({
      id: row.id,
      transactionId: row.transaction_id,
      topic: row.topic,
      key: row.message_key,
      value: new Uint8Array(row.message_value),
      headers: typeof row.headers === "string" ? JSON.parse(row.headers) : row.headers,
      attempts: row.attempts,
    })));

    // One statement for all successes and one for all failures, however large the round.
    const sent = [...outcomes].filter(([, outcome]) => !("error" in outcome)) as Array<
      [string, { partition: number; offset: string }]
    >;
    const failed = [...outcomes].filter(([, outcome]) => "error" in outcome) as Array<
      [string, { error: string }]
    >;
    if (sent.length > 0) {
      await tx.query(
        `UPDATE orders.outbox AS x SET attempts = x.attempts + 1, last_error = NULL,
           sent_at = now(), sent_partition = s.partition, sent_offset = s.sent_offset
         FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS s(id, partition, sent_offset)
         WHERE x.id = s.id`,
        [
          sent.map(([id]) => id),
          sent.map(([, where]) => where.partition),
          sent.map(([, where]) => where.offset),
        ],
      );
    }
    if (failed.length > 0) {
      await tx.query(
        `UPDATE orders.outbox AS x SET attempts = x.attempts + 1, last_error = f.error
         FROM unnest($1::bigint[], $2::text[]) AS f(id, error) WHERE x.id = f.id`,
        [failed.map(([id]) => id), failed.map(([, outcome]) => outcome.error.slice(0, 500))],
      );
    }
    return rows.length;
  });
}

/** Where a message went, or why it did not. */
export type PublishOutcome = { partition: number; offset: string } | { error: string };

/** How many messages wait to be published. */
export async function countUnsent(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM orders.outbox WHERE sent_at IS NULL",
  );
  return row.n;
}

function toOrder(row: OrderRow): StoredOrder {
  const published = row.sent_at !== null;
  return {
    transactionId: row.transaction_id,
    eventId: row.event_id,
    userId: row.user_id,
    createdAt: new Date(row.created_at),
    currency: row.currency,
    lines: typeof row.items === "string" ? JSON.parse(row.items) : row.items,
    totalCents: row.total_cents,
    publication: published
      ? {
        status: "published",
        attempts: row.attempts,
        publishedAt: new Date(row.sent_at!),
        partition: row.sent_partition ?? undefined,
        offset: row.sent_offset ?? undefined,
      }
      : { status: "pending", attempts: row.attempts },
  };
}

/** Per partition, the offset after the last message this outbox marked as sent. */
export async function publishedTail(db: Queryable, topic: string): Promise<Map<number, number>> {
  const rows = await db.query<{ partition: number; next: string }>(
    `SELECT sent_partition AS partition, (max(sent_offset) + 1)::text AS next
     FROM orders.outbox WHERE topic = $1 AND sent_at IS NOT NULL GROUP BY sent_partition`,
    [topic],
  );
  return new Map(rows.map((row) => [row.partition, Number(row.next)]));
}

/** Unsent messages by key, with their bytes, for matching against what the broker holds. */
export async function unsentByKey(
  db: Queryable,
  topic: string,
): Promise<Map<string, { id: string; value: Uint8Array }>> {
  const rows = await db.query<{ id: string; message_key: string; message_value: Uint8Array }>(
    `SELECT id::text AS id, message_key, message_value FROM orders.outbox
     WHERE topic = $1 AND sent_at IS NULL`,
    [topic],
  );
  return new Map(
    rows.map((row) => [row.message_key, { id: row.id, value: new Uint8Array(row.message_value) }]),
  );
}

/** Marks a message sent that is found on the broker already. */
export async function markFound(
  db: Queryable,
  id: string,
  where: { partition: number; offset: string },
): Promise<void> {
  await db.query(
    `UPDATE orders.outbox SET sent_at = now(), sent_partition = $2, sent_offset = $3,
       last_error = NULL WHERE id = $1 AND sent_at IS NULL`,
    [id, where.partition, where.offset],
  );
}
