/**
 * The request id that ties the gateway's log lines to the API's. A client or an outer proxy may
 * choose it; a value that could break a header or a log line is replaced.
 *
 * @module
 */

/** What an incoming `X-Request-Id` may look like: 1 to 128 of `A-Z a-z 0-9 _ . : -`. */
export const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** The incoming id when it is sane, else a new random UUID. */
export function requestIdFor(
  incoming: string | undefined | null,
): { id: string; replaced: boolean } {
  if (incoming && REQUEST_ID_PATTERN.test(incoming)) return { id: incoming, replaced: false };
  return { id: crypto.randomUUID(), replaced: Boolean(incoming) };
}
