/**
 * A steady stream of orders through the gateway, as a user would send them, recording what
 * each got. Signs in again when the token stops working (the authorization server keeps opaque
 * tokens in memory, so a restart of it ends every session).
 *
 * @module
 */
import { loginWithCodeFlow } from "../support/login.ts";

/** The answer one order got. */
export interface OrderOutcome {
  at: number;
  status: number;
  code?: string;
  transactionID?: string;
  eventID?: string;
  total?: number;
}

/** A running stream. */
export interface OrderStream {
  outcomes: OrderOutcome[];
  /** Orders answered 201. */
  accepted(): OrderOutcome[];
  /** Stops sending and waits for the order in flight. */
  stop(): Promise<void>;
}

const ITEMS = [1, 2, 3, 4, 5];

/** Sends one order every `intervalMs` (one at a time) until stopped. */
export function startOrderStream(gatewayUrl: string, intervalMs = 100): OrderStream {
  const outcomes: OrderOutcome[] = [];
  let token: string | undefined;
  let stopping = false;
  let n = 0;

  async function signIn(): Promise<string | undefined> {
    try {
      return (await loginWithCodeFlow({ timeoutMs: 3_000 })).accessToken;
    } catch {
      return undefined; // The authorization server is down: try again on the next order.
    }
  }

  async function once(): Promise<void> {
    token ??= await signIn();
    if (!token) {
      outcomes.push({ at: Date.now(), status: 0, code: "sign_in_failed" });
      return;
    }
    n++;
    const body = {
      items: [
        { itemID: ITEMS[n % ITEMS.length], quantity: 1 + (n % 3) },
        { itemID: ITEMS[(n + 2) % ITEMS.length], quantity: 1 },
      ],
    };
    try {
      const response = await fetch(`${gatewayUrl}/orders`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const answer = await response.json().catch(() => ({}));
      outcomes.push({
        at: Date.now(),
        status: response.status,
        code: answer.code,
        transactionID: answer.transactionID,
        eventID: answer.eventID,
        total: answer.total,
      });
      if (response.status === 401) token = undefined;
    } catch (error) {
      outcomes.push({ at: Date.now(), status: 0, code: (error as Error).name });
    }
  }

  const loop = (async () => {
    while (!stopping) {
      const started = Date.now();
      await once();
      const pause = intervalMs - (Date.now() - started);
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  })();

  return {
    outcomes,
    accepted: () => outcomes.filter((outcome) => outcome.status === 201),
    async stop() {
      stopping = true;
      await loop;
    },
  };
}
