/**
 * Renders orders and invoices as short, aligned text for the terminal.
 *
 * @module
 */

import type { Invoice, Order } from "./gateway_api.ts";

/** The order as a few lines: one per item, the total, and where its event stands. */
export function formatOrder(order: Order): string {
  const rows = order.items.map((item) => [
    `${item.quantity} x ${item.name} (item ${item.itemID})`,
    `at ${money(item.price)}`,
    `= ${money(item.amount)} ${order.currency}`,
  ]);
  const event = order.publication.status === "published"
    ? `published to ${order.publication.topic ?? "OrderCreated"} partition ` +
      `${order.publication.partition} offset ${order.publication.offset}`
    : "waiting in the outbox to be published";

  return [
    `Order ${order.transactionID} (event ${order.eventID}) at ${order.utcTime}`,
    ...table(rows).map((line) => `  ${line}`),
    `  total ${money(order.total)} ${order.currency}`,
    `  event: ${event}`,
  ].join("\n");
}

/** The invoice as `name: value` lines, amounts with two decimals. */
export function formatInvoice(invoice: Invoice): string {
  const lines = Object.entries(invoice).map(([name, value]) => {
    const shown = name === "amount" && typeof value === "number"
      ? money(value)
      : name === "amountCents" && typeof value === "number"
      ? `${value} (${money(value / 100)})`
      : typeof value === "object"
      ? JSON.stringify(value)
      : String(value);
    return [`${name}:`, shown];
  });
  const id = invoice.invoiceID ?? invoice.id ?? "";
  return [`Invoice ${id}`.trimEnd(), ...table(lines).map((line) => `  ${line}`)].join("\n");
}

function money(amount: number): string {
  return amount.toFixed(2);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i].length))) ?? [];
  return rows.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i])).join("  ")
  );
}

/** A token cut to its first and last characters, so output can name it without leaking it. */
export function shortToken(token: string): string {
  if (token.length <= 16) return `${"*".repeat(token.length)} (${token.length} chars)`;
  return `${token.slice(0, 8)}…${token.slice(-4)} (${token.length} chars)`;
}
