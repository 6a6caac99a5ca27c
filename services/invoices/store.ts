/**
 * The invoices and the dead-letter ledger in schema `invoices`, on PostgreSQL or the embedded
 * database alike.
 *
 * An invoice is unique on its event id and records where its message was read (topic,
 * partition, offset). The same event id again at the same position is a redelivery (the
 * offset commit was lost); at any other position it is a replay. Either way no second invoice
 * is made. The ledger of dead-lettered positions keeps a redelivered bad message from being
 * dead-lettered twice.
 *
 * Web APIs only (the driver is chosen by `shared/db/open.ts`).
 *
 * @module
 */

import type { Database, Migration, Queryable } from "../../shared/db/database.ts";
import { migrate } from "../../shared/db/database.ts";

/** The schema the service owns. */
export const SCHEMA = "invoices";

/** The schema's history; never edit a step that has shipped, add one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: "invoices and dead letters",
    sql: `
      CREATE TABLE invoices.invoices (
        invoice_id uuid PRIMARY KEY,
        event_id text NOT NULL UNIQUE,
        transaction_id text NOT NULL,
        user_id text NOT NULL,
        utc_time timestamptz NOT NULL,
        amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
        currency char(3) NOT NULL,
        token_jti text NOT NULL,
        source_topic text NOT NULL,
        source_partition integer NOT NULL,
        source_offset bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX invoices_by_user ON invoices.invoices (user_id, created_at DESC);
      CREATE TABLE invoices.dead_letters (
        source_topic text NOT NULL,
        source_partition integer NOT NULL,
        source_offset bigint NOT NULL,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source_topic, source_partition, source_offset)
      );
    `,
  },
];

/** Where a message was read. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** An invoice to store. */
export interface NewInvoice {
  eventId: string;
  transactionId: string;
  userId: string;
  utcTime: string;
  amountCents: number;
  currency: string;
  tokenJti: string;
  source: SourcePosition;
}

/** A stored invoice, as the API shows it. */
export interface Invoice {
  invoiceID: string;
  eventID: string;
  transactionID: string;
  userID: string;
  utcTime: string;
  amountCents: number;
  currency: string;
  createdAt: string;
}

/** What became of one {@linkcode NewInvoice}. */
export type StoreOutcome = "created" | "redelivered" | "replayed";

/** Options of {@linkcode InvoiceStore.listForUser}. */
export interface ListOptions {
  limit: number;
}

/** The repository the consumer and the HTTP API use. */
export class InvoiceStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Brings the schema up to date; call once at start-up. */
  async migrate(): Promise<void> {
    await migrate(this.#db, SCHEMA, MIGRATIONS);
  }

  /**
   * Stores a batch of invoices in one transaction and says, per invoice in the same order,
   * whether it was created, redelivered (already stored from the same position) or replayed
   * (its event id was stored from another position, or earlier in this batch).
   */
  async record(invoices: readonly NewInvoice[]): Promise<StoreOutcome[]> {
    if (invoices.length === 0) return [];
    return await this.#db.transaction(async (tx) => {
      const created = await insertNew(tx, invoices);
      const pending = invoices.filter((invoice) => !created.has(invoice));
      const stored = await positionsOf(tx, pending.map((invoice) => invoice.eventId));

      return invoices.map((invoice): StoreOutcome => {
        if (created.has(invoice)) return "created";
        const at = stored.get(invoice.eventId);
        return at !== undefined && samePosition(at, invoice.source) ? "redelivered" : "replayed";
      });
    });
  }

  /** The positions among `positions` that were dead-lettered already. */
  async deadLettered(positions: readonly SourcePosition[]): Promise<Set<string>> {
    if (positions.length === 0) return new Set();
    const rows = await this.#db.query<{ topic: string; partition: number; offset: string }>(
      `SELECT source_topic AS topic, source_partition AS partition,
              source_offset::text AS offset
         FROM invoices.dead_letters
        WHERE (source_topic, source_partition, source_offset) IN (
          SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[]))`,
      columns(positions),
    );
    return new Set(rows.map(positionKey));
  }

  /** Records that the messages at `entries` were dead-lettered. */
  async recordDeadLetters(
    entries: ReadonlyArray<{ source: SourcePosition; reason: string }>,
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.#db.query(
      `INSERT INTO invoices.dead_letters (source_topic, source_partition, source_offset, reason)
       SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::text[])
       ON CONFLICT DO NOTHING`,
      [...columns(entries.map((entry) => entry.source)), entries.map((entry) => entry.reason)],
    );
  }

  /** The user's invoices, newest first. */
  async listForUser(userId: string, options: ListOptions): Promise<Invoice[]> {
    const rows = await this.#db.query<InvoiceRow>(
      `${SELECT_INVOICE} WHERE user_id = $1 ORDER BY created_at DESC, invoice_id LIMIT $2`,
      [userId, options.limit],
    );
    return rows.map(toInvoice);
  }

  /** One of the user's invoices; `undefined` when it does not exist or is someone else's. */
  async findForUser(userId: string, invoiceId: string): Promise<Invoice | undefined> {
    if (!UUID.test(invoiceId)) return undefined;
    const rows = await this.#db.query<InvoiceRow>(
      `${SELECT_INVOICE} WHERE user_id = $1 AND invoice_id = $2::uuid`,
      [userId, invoiceId],
    );
    return rows.map(toInvoice)[0];
  }
}

/** `topic/partition/offset`, to compare positions as strings. */
export function positionKey(position: SourcePosition): string {
  return `${position.topic}/${position.partition}/${position.offset}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SELECT_INVOICE = `
  SELECT invoice_id::text, event_id, transaction_id, user_id, utc_time, amount_cents::text,
         currency, created_at
    FROM invoices.invoices`;

interface InvoiceRow {
  invoice_id: string;
  event_id: string;
  transaction_id: string;
  user_id: string;
  utc_time: Date | string;
  amount_cents: string;
  currency: string;
  created_at: Date | string;
}

function toInvoice(row: InvoiceRow): Invoice {
  return {
    invoiceID: row.invoice_id,
    eventID: row.event_id,
    transactionID: row.transaction_id,
    userID: row.user_id,
    utcTime: new Date(row.utc_time).toISOString(),
    amountCents: Number(row.amount_cents),
    currency: row.currency,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

// Only the first invoice of each event id in the batch is a candidate: a later one in the
// same batch is a replay of it, whatever the database holds.
async function insertNew(
  tx: Queryable,
  invoices: readonly NewInvoice[],
): Promise<Set<NewInvoice>> {
  const firsts = new Map<string, NewInvoice>();
  for (const invoice of invoices) {
    if (!firsts.has(invoice.eventId)) firsts.set(invoice.eventId, invoice);
  }
  const candidates = [...firsts.values()];

  const rows = await tx.query<{ event_id: string }>(
    `INSERT INTO invoices.invoices (invoice_id, event_id, transaction_id, user_id, utc_time,
       amount_cents, currency, token_jti, source_topic, source_partition, source_offset)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
       $6::bigint[], $7::char(3)[], $8::text[], $9::text[], $10::integer[], $11::bigint[])
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id`,
    [
      candidates.map(() => crypto.randomUUID()),
      candidates.map((invoice) => invoice.eventId),
      candidates.map((invoice) => invoice.transactionId),
      candidates.map((invoice) => invoice.userId),
      candidates.map((invoice) => invoice.utcTime),
      candidates.map((invoice) => String(invoice.amountCents)),
      candidates.map((invoice) => invoice.currency),
      candidates.map((invoice) => invoice.tokenJti),
      ...columns(candidates.map((invoice) => invoice.source)),
    ],
  );
  const inserted = new Set(rows.map((row) => row.event_id));
  return new Set(candidates.filter((invoice) => inserted.has(invoice.eventId)));
}

async function positionsOf(
  tx: Queryable,
  eventIds: readonly string[],
): Promise<Map<string, SourcePosition>> {
  if (eventIds.length === 0) return new Map();
  const rows = await tx.query<
    { event_id: string; topic: string; partition: number; offset: string }
  >(
    `SELECT event_id, source_topic AS topic, source_partition AS partition,
            source_offset::text AS offset
       FROM invoices.invoices WHERE event_id = ANY($1::text[])`,
    [[...new Set(eventIds)]],
  );
  return new Map(rows.map((row) => [row.event_id, row]));
}

function samePosition(a: SourcePosition, b: SourcePosition): boolean {
  return positionKey(a) === positionKey(b);
}

function columns(positions: readonly SourcePosition[]): [string[], number[], string[]] {
  return [
    positions.map((position) => position.topic),
    positions.map((position) => position.partition),
    positions.map((position) => position.offset),
  ];
}
