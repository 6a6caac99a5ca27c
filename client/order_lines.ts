/**
 * The lines of an order as the console takes them: from `--item <itemID>:<quantity>` arguments
 * or from a JSON file shaped like the request body, `{"items":[{"itemID":1,"quantity":2}]}`.
 * Checked here so a typo is named before anyone signs in; the Orders API checks again.
 *
 * @module
 */

/** One line of an order request. */
export interface OrderLine {
  itemID: number;
  quantity: number;
}

/** Bounds the Orders API enforces on a quantity. */
export const QUANTITY_RANGE = { min: 1, max: 100 } as const;

/** Parses `"3:2"` (item 3, quantity 2) or `"3"` (quantity 1); throws `RangeError` otherwise. */
export function parseItemArgument(text: string): OrderLine {
  const match = /^\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(text);
  if (!match) {
    throw new RangeError(`Expected --item <itemID>:<quantity>, got "${text}"`);
  }
  return checkLine({ itemID: Number(match[1]), quantity: Number(match[2] ?? 1) }, `"${text}"`);
}

/** Reads the lines of an order file's JSON text; throws `RangeError` naming the bad field. */
export function parseOrderFile(json: string, name: string): OrderLine[] {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    throw new RangeError(`Order file "${name}" is not valid JSON`);
  }

  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length === 0) {
    throw new RangeError(`Order file "${name}" needs a non-empty "items" array`);
  }
  return items.map((item, index) => {
    const { itemID, quantity } = (item ?? {}) as Record<string, unknown>;
    return checkLine(
      { itemID: itemID as number, quantity: quantity as number },
      `"${name}" items[${index}]`,
    );
  });
}

function checkLine(line: OrderLine, where: string): OrderLine {
  if (!Number.isSafeInteger(line.itemID) || line.itemID < 1) {
    throw new RangeError(`Item id in ${where} must be a positive whole number`);
  }
  const { min, max } = QUANTITY_RANGE;
  if (!Number.isSafeInteger(line.quantity) || line.quantity < min || line.quantity > max) {
    throw new RangeError(`Quantity in ${where} must be a whole number from ${min} to ${max}`);
  }
  return { itemID: line.itemID, quantity: line.quantity };
}
