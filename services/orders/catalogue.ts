/**
 * What the shop sells and at what price. Prices live here and only here: a client says which
 * items and how many, never what they cost. Amounts are integer cents, so no sum is ever off
 * by a rounding error.
 *
 * @module
 */

/** One item for sale. */
export interface CatalogueItem {
  itemID: number;
  name: string;
  priceCents: number;
}

/** The demo catalogue. */
export const CATALOGUE: ReadonlyMap<number, CatalogueItem> = new Map(
  [
    { itemID: 1, name: "Widget", priceCents: 1_999 },
    { itemID: 2, name: "Gadget", priceCents: 4_950 },
    { itemID: 3, name: "Gizmo", priceCents: 12_500 },
    { itemID: 4, name: "Doohickey", priceCents: 300 },
    { itemID: 5, name: "Thingamajig", priceCents: 99_900 },
  ].map((item) => [item.itemID, item]),
);

/** The currency every price is in. */
export const CURRENCY = "USD";

/** `1999` cents as the decimal number `19.99`, as the message and the API show prices. */
export function centsToDecimal(cents: number): number {
  return Math.round(cents) / 100;
}
