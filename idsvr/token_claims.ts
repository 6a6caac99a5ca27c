/**
 * Extra claims for one token being minted. oidc-provider computes a token's extra claims in
 * its `extraTokenClaims` hook, which sees only the token; the code minting a token records
 * the claims here first, keyed by the token object, and the hook reads them back.
 *
 * @module
 */

const pending = new WeakMap<object, Record<string, unknown>>();

/** Records the extra claims of `token` before it is saved. */
export function attachClaims(token: object, claims: Record<string, unknown>): void {
  pending.set(token, claims);
}

/** The extra claims recorded for `token`, if any. */
export function attachedClaims(token: object): Record<string, unknown> | undefined {
  return pending.get(token);
}
