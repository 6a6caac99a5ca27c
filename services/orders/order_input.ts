/**
 * Checks the body of `POST /orders`: `{ "items": [{ "itemID": n, "quantity": n }] }` and
 * nothing else. Every refusal names the field that is wrong.
 *
 * @module
 */
import { ServiceError } from "../../shared/errors.ts";
import type { CatalogueItem } from "./catalogue.ts";

/** Limits on one order. */
export const ORDER_LIMITS = { maxItems: 20, maxQuantity: 100 } as const;

/** An order line, checked and priced from the catalogue. */
export interface OrderLine {
  itemID: number;
  name: string;
  quantity: number;
  priceCents: number;
}

/** Refusal of a field of the request body: 400 with code `invalid_order` and the field. */
export class InvalidOrderError extends ServiceError {
  readonly field: string;

  constructor(field: string, message: string) {
    super("invalid_order", message, { status: 400 });
    this.name = "InvalidOrderError";
    this.field = field;
  }
}

/** Checks `body` against the catalogue; returns the priced lines or throws InvalidOrderError. */
export function parseOrder(
  body: unknown,
  catalogue: ReadonlyMap<number, CatalogueItem>,
): OrderLine[] {
  const order = asObject(body, "(body)", ["items"]);
  const items = order.items;
  if (!Array.isArray(items)) throw new InvalidOrderError("items", '"items" must be an array');
  if (items.length === 0) throw new InvalidOrderError("items", '"items" must not be empty');
  if (items.length > ORDER_LIMITS.maxItems) {
    throw new InvalidOrderError(
      "items",
      `"items" has ${items.length} entries, at most ${ORDER_LIMITS.maxItems} are allowed`,
    );
  }

  const seen = new Map<number, number>();
  return items.map((entry, index): OrderLine => {
    const field = `items[${index}]`;
    const item = asObject(entry, field, ["itemID", "quantity"]);
    const itemID = wholeNumber(item.itemID, `${field}.itemID`, 1, Number.MAX_SAFE_INTEGER);
    const quantity = wholeNumber(item.quantity, `${field}.quantity`, 1, ORDER_LIMITS.maxQuantity);

    const known = catalogue.get(itemID);
    if (!known) throw new InvalidOrderError(`${field}.itemID`, `Item ${itemID} is not for sale`);
    const first = seen.get(itemID);
    if (first !== undefined) {
      throw new InvalidOrderError(
        `${field}.itemID`,
        `Item ${itemID} is already ordered in items[${first}]: ` +
          "order it once with the total quantity",
      );
    }
    seen.set(itemID, index);
    return { itemID, name: known.name, quantity, priceCents: known.priceCents };
  });
}

function asObject(value: unknown, field: string, allowed: string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidOrderError(field, `"${field}" must be a JSON object`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const where = field === "(body)" ? key : `${field}.${key}`;
      throw new InvalidOrderError(where, `Unknown field "${where}"`);
    }
  }
  for (const key of allowed) {
    if (!(key in value)) {
      const where = field === "(body)" ? key : `${field}.${key}`;
      throw new InvalidOrderError(where, `Missing field "${where}"`);
    }
  }
  return value as Record<string, unknown>;
}

function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new InvalidOrderError(field, `"${field}" must be a whole number`);
  }
  if (value < min || value > max) {
    throw new InvalidOrderError(field, `"${field}" must be from ${min} to ${max}, got ${value}`);
  }
  return value;
}
