/**
 * The user directory: one demo account, configured from the environment.
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";

/** The demo user's credentials. */
export interface DemoUser {
  username: string;
  password: string;
}

/** Looks users up and checks their passwords. */
export interface Accounts {
  /**
   * Returns the account id when both the username and the password match, else `undefined`.
   * Both comparisons always run, in constant time, so timing tells nothing about which one
   * failed or whether the user exists.
   */
  verify(username: string, password: string): string | undefined;
  /** True when `accountId` names a known account. */
  exists(accountId: string): boolean;
  /** The OpenID Connect claims of an account. */
  claims(accountId: string): Record<string, unknown>;
}

/** An account store holding the single demo user. */
export function demoAccounts(user: DemoUser): Accounts {
  const username = digest(user.username);
  const password = digest(user.password);

  return {
    verify(givenUser, givenPassword) {
      const userMatches = timingSafeEqual(digest(givenUser), username);
      const passwordMatches = timingSafeEqual(digest(givenPassword), password);
      return userMatches && passwordMatches ? user.username : undefined;
    },
    exists: (accountId) => accountId === user.username,
    claims: (accountId) => ({ sub: accountId, preferred_username: accountId }),
  };
}

// Hashing first gives equal-length inputs to timingSafeEqual, whatever was typed.
function digest(value: string): Uint8Array {
  return createHash("sha256").update(value, "utf8").digest();
}
