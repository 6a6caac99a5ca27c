/**
 * The calls the console makes through the API gateway with the user's opaque token: place an
 * order, read it back, and wait for its invoice. Problem answers (RFC 9457) become
 * {@linkcode ServiceError}s with the API's own `code`.
 *
 * @module
 */

import { CLIENT_ERRORS, ServiceError } from "./errors.ts";
import type { OrderLine } from "./order_lines.ts";

/** An order as the Orders API shows it. */
export interface Order {
  transactionID: string;
  eventID: string;
  utcTime: string;
  currency: string;
  items: Array<{ itemID: number; name: string; quantity: number; price: number; amount: number }>;
  total: number;
  publication: {
    status: "pending" | "published";
    topic?: string;
    partition?: number;
    offset?: number | string;
    publishedAt?: string;
  };
}

/** An invoice as the Invoices API shows it; only the fields the console relies on are named. */
export interface Invoice {
  transactionID: string;
  [field: string]: unknown;
}

/** Options of {@linkcode createGatewayApi}. */
export interface GatewayApiOptions {
  /** E.g. `http://localhost:3000`. */
  gatewayUrl: URL;
  accessToken: string;
  /** Per HTTP call. Default 10 s. */
  timeoutMs?: number;
  /** Replaceable in tests. */
  fetch?: typeof fetch;
}

/**
 * Options of {@linkcode GatewayApi.waitForInvoice} and
 * {@linkcode GatewayApi.waitForPublication}.
 */
export interface PollOptions {
  /** Give up after this long. Default 30 s. */
  timeoutMs?: number;
  /** Pause between two looks. Default 500 ms. */
  intervalMs?: number;
  signal?: AbortSignal;
}

/** The APIs behind the gateway, as one signed-in user sees them. */
export interface GatewayApi {
  placeOrder(items: OrderLine[]): Promise<Order>;
  getOrder(transactionID: string): Promise<Order>;
  listInvoices(): Promise<Invoice[]>;
  /** Polls the order until the relay has published its event; else `publication_timeout`. */
  waitForPublication(transactionID: string, poll?: PollOptions): Promise<Order>;
  /** Polls the invoices until one names `transactionID`; throws `invoice_timeout` otherwise. */
  waitForInvoice(transactionID: string, poll?: PollOptions): Promise<Invoice>;
}

/** Creates the API calls for one access token. */
export function createGatewayApi(options: GatewayApiOptions): GatewayApi {
  const call = caller(options);

  const api: GatewayApi = {
    placeOrder: (items) => call<Order>("POST", "/orders", { items }),
    getOrder: (id) => call<Order>("GET", `/orders/${encodeURIComponent(id)}`),
    async listInvoices() {
      const body = await call<Invoice[] | { invoices: Invoice[] }>("GET", "/invoices");
      return Array.isArray(body) ? body : body.invoices;
    },
    waitForPublication(id, poll) {
      return pollUntil(async () => {
        const order = await api.getOrder(id);
        return order.publication.status === "published" ? order : undefined;
      }, {
        ...poll,
        what: `the event of order "${id}" to be published`,
        code: CLIENT_ERRORS.publicationTimeout,
      });
    },
    waitForInvoice(id, poll) {
      return pollUntil(async () => {
        const invoices = await api.listInvoices();
        return invoices.find((invoice) => invoice.transactionID === id);
      }, {
        ...poll,
        what: `an invoice for order "${id}"`,
        code: CLIENT_ERRORS.invoiceTimeout,
      });
    },
  };
  return api;
}

function caller(options: GatewayApiOptions) {
  const doFetch = options.fetch ?? fetch;

  return async function callApi<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, options.gatewayUrl);
    const headers = new Headers({
      authorization: `Bearer ${options.accessToken}`,
      accept: "application/json",
    });
    if (body !== undefined) headers.set("content-type", "application/json");

    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      throw new ServiceError(
        CLIENT_ERRORS.gatewayUnavailable,
        `Gateway at "${url.origin}" is unavailable (${(cause as Error).name})`,
        { status: 503, cause },
      );
    }
    if (!response.ok) throw await problemError(method, url, response);
    return await readJson<T>(method, url, response);
  };
}

async function problemError(method: string, url: URL, response: Response): Promise<ServiceError> {
  const text = await response.text();
  let problem: { code?: unknown; detail?: unknown; title?: unknown } = {};
  try {
    problem = JSON.parse(text);
  } catch {
    // Not JSON: the status alone tells what failed.
  }
  const code = typeof problem.code === "string" ? problem.code : CLIENT_ERRORS.unexpectedAnswer;
  const detail = typeof problem.detail === "string"
    ? problem.detail
    : typeof problem.title === "string"
    ? problem.title
    : "no details";
  return new ServiceError(
    code,
    `${method} ${url.pathname} failed with status ${response.status} (${code}): ${detail}`,
    { status: response.status },
  );
}

async function readJson<T>(method: string, url: URL, response: Response): Promise<T> {
  try {
    return await response.json() as T;
  } catch (cause) {
    throw new ServiceError(
      CLIENT_ERRORS.unexpectedAnswer,
      `${method} ${url.pathname} answered ${response.status} without a JSON body`,
      { status: 502, cause },
    );
  }
}

async function pollUntil<T>(
  look: () => Promise<T | undefined>,
  poll: PollOptions & { what: string; code: string },
): Promise<T> {
  const timeoutMs = poll.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;

  while (true) {
    poll.signal?.throwIfAborted();
    const found = await look();
    if (found !== undefined) return found;
    if (Date.now() >= deadline) {
      throw new ServiceError(
        poll.code,
        `Gave up waiting for ${poll.what} after ${Math.round(timeoutMs / 1000)} s`,
        { status: 504 },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, poll.intervalMs ?? 500));
  }
}
