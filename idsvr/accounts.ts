/**
 * The user directory: the demo account, plus any extra accounts configured from the
 * environment (`IDSVR_EXTRA_USERS`), e.g. a second user to show that one user never sees
 * another's orders.
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

/** An account store holding the demo user and any extra users. */
export function demoAccounts(user: DemoUser, extra: DemoUser[] = []): Accounts {
  const users = [user, ...extra].map((entry) => ({
    name: entry.username,
    username: digest(entry.username),
    password: digest(entry.password),
  }));

  return {
    verify(givenUser, givenPassword) {
      const givenName = digest(givenUser);
      const givenSecret = digest(givenPassword);
      let found: string | undefined;
      // Every account is compared, so the time taken does not tell which one matched.
      for (const entry of users) {
        const userMatches = timingSafeEqual(givenName, entry.username);
        const passwordMatches = timingSafeEqual(givenSecret, entry.password);
        if (userMatches && passwordMatches) found = entry.name;
      }
      return found;
    },
    exists: (accountId) => users.some((entry) => entry.name === accountId),
    claims: (accountId) => ({ sub: accountId, preferred_username: accountId }),
  };
}

/**
 * Parses `IDSVR_EXTRA_USERS`: comma-separated `name:password` pairs. Throws `TypeError` on a
 * malformed entry.
 */
export function parseExtraUsers(value: string | undefined): DemoUser[] {
  if (!value) return [];
  return value.split(",").map((entry) => {
    const at = entry.indexOf(":");
    const username = entry.slice(0, at).trim();
    const password = entry.slice(at + 1);
    if (at < 1 || !/^[\w.@-]{1,64}$/.test(username) || password.length < 8) {
      throw new TypeError(
        "IDSVR_EXTRA_USERS must list name:password pairs with passwords of 8 or more characters",
      );
    }
    return { username, password };
  });
}

// Hashing first gives equal-length inputs to timingSafeEqual, whatever was typed.
function digest(value: string): Uint8Array {
  return createHash("sha256").update(value, "utf8").digest();
}
