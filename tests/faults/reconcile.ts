/**
 * Compares what was accepted, published, invoiced and dead-lettered, and names every order
 * that differs. The source of truth for "accepted" is the answers the clients got (201), checked
 * against the Orders API's database.
 *
 * @module
 */
import pg from "pg";
import { ORDER_CREATED, ORDER_CREATED_REJECTED } from "../../shared/kafka/topics.ts";
import { scan } from "../support/kafka.ts";
import type { OrderOutcome } from "./driver.ts";

/** The differences found; all empty means the books balance. */
export interface Reconciliation {
  accepted: number;
  /** Accepted orders that were invoiced. */
  invoiced: number;
  /** Orders stored in the window whose client got no 201 (the API died before answering). */
  storedUnanswered: number;
  /** Accepted orders with no message, or with more than one. */
  unpublished: string[];
  duplicateMessages: string[];
  /** Accepted orders with no invoice (lost), or more than one. */
  lost: string[];
  duplicateInvoices: string[];
  /** Invoices whose amount or user differs from the order's. */
  wrongInvoices: string[];
  /** Accepted by the API but missing from its database. */
  missingOrders: string[];
  /** Invoices in the window that belong to no order. */
  orphanInvoices: string[];
  /** Dead-letter records without a reason header. */
  deadLettersWithoutReason: number;
}

interface OrderRow {
  transaction_id: string;
  event_id: string;
  user_id: string;
  total_cents: number;
}

interface InvoiceRow {
  event_id: string;
  transaction_id: string;
  user_id: string;
  amount_cents: string | number;
}

/** Counts invoices for the given event ids. */
export async function countInvoiced(databaseUrl: string, eventIds: string[]): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT count(DISTINCT event_id)::int AS n FROM invoices.invoices WHERE event_id = ANY($1)",
      [eventIds],
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}

/**
 * Reconciles the orders in `outcomes` and every order stored since `since` (an order may be
 * stored although its client never heard back); `since` also bounds the window for orphan
 * invoices.
 */
export async function reconcile(
  databaseUrl: string,
  outcomes: OrderOutcome[],
  since: Date,
): Promise<Reconciliation> {
  const accepted = outcomes.filter((outcome) => outcome.status === 201);
  const ids = accepted.map((outcome) => outcome.transactionID!);
  const acceptedIds = new Set(ids);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let orders: OrderRow[];
  let invoices: InvoiceRow[];
  let knownEvents: Set<string>;
  try {
    orders = (await client.query(
      `SELECT transaction_id::text AS transaction_id, event_id::text AS event_id, user_id,
              total_cents FROM orders.orders
       WHERE transaction_id::text = ANY($1) OR created_at >= $2`,
      [ids, since],
    )).rows;
    invoices = (await client.query(
      `SELECT event_id, transaction_id, user_id, amount_cents FROM invoices.invoices
       WHERE event_id = ANY($1) OR created_at >= $2`,
      [orders.map((order) => order.event_id), since],
    )).rows;
    // An order can be stored although its client never heard back (the API died before
    // answering): such an invoice has an order, just not one in `outcomes`.
    knownEvents = new Set((await client.query(
      "SELECT event_id::text AS event_id FROM orders.orders WHERE event_id::text = ANY($1)",
      [invoices.map((invoice) => invoice.event_id)],
    )).rows.map((row) => row.event_id));
  } finally {
    await client.end();
  }

  const messages = await scan(ORDER_CREATED);
  const messagesByKey = countBy(messages.map((message) => message.key ?? ""));
  const invoicesByEvent = new Map<string, InvoiceRow[]>();
  for (const invoice of invoices) {
    invoicesByEvent.set(invoice.event_id, [
      ...(invoicesByEvent.get(invoice.event_id) ?? []),
      invoice,
    ]);
  }
  const stored = new Set(orders.map((order) => order.transaction_id));

  const rejected = await scan(ORDER_CREATED_REJECTED);
  const withoutReason = rejected.filter((record) =>
    !record.headers.some((header) => /reason/i.test(header.name) && header.value !== "")
  );

  return {
    accepted: accepted.length,
    invoiced:
      orders.filter((order) =>
        acceptedIds.has(order.transaction_id) && invoicesByEvent.has(order.event_id)
      ).length,
    storedUnanswered: orders.filter((order) => !acceptedIds.has(order.transaction_id)).length,
    missingOrders: ids.filter((id) => !stored.has(id)),
    unpublished: orders.filter((o) => !messagesByKey.has(o.transaction_id)).map((o) =>
      o.transaction_id
    ),
    duplicateMessages: orders.filter((o) => (messagesByKey.get(o.transaction_id) ?? 0) > 1)
      .map((o) => o.transaction_id),
    lost: orders.filter((o) => !invoicesByEvent.has(o.event_id)).map((o) => o.transaction_id),
    duplicateInvoices: orders.filter((o) => (invoicesByEvent.get(o.event_id)?.length ?? 0) > 1)
      .map((o) => o.transaction_id),
    wrongInvoices: orders.filter((o) => {
      const [invoice] = invoicesByEvent.get(o.event_id) ?? [];
      return invoice !== undefined &&
        (Number(invoice.amount_cents) !== o.total_cents || invoice.user_id !== o.user_id ||
          invoice.transaction_id !== o.transaction_id);
    }).map((o) => o.transaction_id),
    orphanInvoices: invoices.filter((invoice) => !knownEvents.has(invoice.event_id))
      .map((invoice) => invoice.event_id),
    deadLettersWithoutReason: withoutReason.length,
  };
}

/** The differences, one line each, naming the orders concerned; empty when none. */
export function differences(result: Reconciliation): string[] {
  const lines: string[] = [];
  const named: Array<[keyof Reconciliation, string]> = [
    ["missingOrders", "accepted but not stored"],
    ["unpublished", "accepted but never published"],
    ["duplicateMessages", "published more than once"],
    ["lost", "accepted but never invoiced"],
    ["duplicateInvoices", "invoiced more than once"],
    ["wrongInvoices", "invoiced with the wrong amount, user or transaction"],
    ["orphanInvoices", "invoices without an order (event ids)"],
  ];
  for (const [key, what] of named) {
    const ids = result[key] as string[];
    if (ids.length > 0) lines.push(`${ids.length} ${what}: ${ids.slice(0, 10).join(", ")}`);
  }
  if (result.deadLettersWithoutReason > 0) {
    lines.push(`${result.deadLettersWithoutReason} dead-letter records without a reason`);
  }
  return lines;
}

function countBy(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
