/**
 * The whole flow under load, on the running stack (`deno task bench` starts it): orders per
 * second through the gateway at several levels of concurrency, latency from request to stored
 * invoice, the cost of each hop, the same requests sent straight to the Orders API (the
 * gateway's share), and how invoicing grows from one Invoices API instance to two.
 *
 * Hops are read from W3C `Server-Timing` (gateway token swap, token exchange, outbox write) and
 * from the databases' timestamps (relay publish, consume-verify-store), all on one clock.
 * Prints one JSON object. `BENCH_SECONDS` per level (default 6), `BENCH_LEVELS` (default
 * `1,4,16,32`), `BENCH_SCALE_ORDERS` (default 2000).
 *
 * @module
 */
import pg from "pg";
import { phantomToken } from "../idsvr/testing.ts";
import { loginWithCodeFlow } from "../tests/support/login.ts";
import { controlPart, stackEnv } from "../tests/support/stack.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 6);
const LEVELS = (Deno.env.get("BENCH_LEVELS") ?? "1,4,16,32").split(",").map(Number);
const SCALE_ORDERS = Number(Deno.env.get("BENCH_SCALE_ORDERS") ?? 2000);
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const { gatewayUrl, idsvrUrl, node, root, kafkaBootstrap } = stackEnv();
const ordersUrl = Deno.env.get("ORDERS_URL") ?? "http://127.0.0.1:3001";
const databaseUrl = Deno.env.get("TEST_DATABASE_URL")!;
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();

interface Sent {
  sentAt: number;
  ms: number;
  status: number;
  transactionID?: string;
  eventID?: string;
  timing: Record<string, number>;
}

const ORDER = JSON.stringify({ items: [{ itemID: 1, quantity: 2 }, { itemID: 3, quantity: 1 }] });

async function placeOrder(base: string, token: string): Promise<Sent> {
  const sentAt = Date.now();
  const started = performance.now();
  const response = await fetch(`${base}/orders`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: ORDER,
  });
  const body = await response.json();
  return {
    sentAt,
    ms: performance.now() - started,
    status: response.status,
    transactionID: body.transactionID,
    eventID: body.eventID,
    timing: serverTiming(response.headers.get("server-timing") ?? ""),
  };
}

/** Runs `concurrency` loops for `seconds`, or until `limit` orders were sent. */
async function load(
  base: string,
  token: string,
  concurrency: number,
  seconds: number,
  limit = Infinity,
) {
  const sent: Sent[] = [];
  const deadline = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline && sent.length < limit) sent.push(await placeOrder(base, token));
  }));
  return { sent, seconds: (performance.now() - started) / 1000 };
}

async function invoiceTimes(eventIds: string[], timeoutMs = 120_000): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query(
      `SELECT event_id, (extract(epoch FROM created_at) * 1000)::float8 AS at
       FROM invoices.invoices WHERE event_id = ANY($1)`,
      [eventIds],
    );
    if (rows.length >= eventIds.length || Date.now() > deadline) {
      return new Map(rows.map((row) => [row.event_id, row.at]));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function publishTimes(
  ids: string[],
): Promise<Map<string, { created: number; sent: number }>> {
  const { rows } = await db.query(
    `SELECT o.transaction_id::text AS id,
            (extract(epoch FROM o.created_at) * 1000)::float8 AS created,
            (extract(epoch FROM x.sent_at) * 1000)::float8 AS sent
     FROM orders.orders o JOIN orders.outbox x USING (transaction_id)
     WHERE o.transaction_id::text = ANY($1)`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, { created: row.created, sent: row.sent }]));
}

/** CPU time (user + system, ms) used so far by each part, PostgreSQL and this load generator. */
function cpuByProcess(): Record<string, number> {
  const state = JSON.parse(
    Deno.readTextFileSync(`${Deno.env.get("STACK_DATA_DIR")}/stack.json`),
  ) as { parts: Record<string, number> };
  const used: Record<string, number> = {};
  for (const [name, pid] of Object.entries(state.parts)) used[name] = cpuMs(pid);
  used["load generator"] = cpuMs(Deno.pid);
  used.postgresql = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const comm = Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim();
      if (comm === "postgres") used.postgresql += cpuMs(Number(entry.name));
    } catch {
      // The process ended while being looked at.
    }
  }
  return used;
}

function cpuMs(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) * (1000 / TICKS_PER_SECOND);
  } catch {
    return 0;
  }
}

async function level(token: string, jwt: string, concurrency: number) {
  const direct = await load(ordersUrl, jwt, concurrency, SECONDS);
  const cpuBefore = cpuByProcess();
  const { sent, seconds } = await load(gatewayUrl, token, concurrency, SECONDS);
  const ok = sent.filter((s) => s.status === 201);
  const invoiced = await invoiceTimes(ok.map((s) => s.eventID!));
  const cpuAfter = cpuByProcess();
  const published = await publishTimes(ok.map((s) => s.transactionID!));
  const cpuMsPerOrder = Object.fromEntries(
    Object.keys(cpuAfter).map((name) => [
      name,
      round((cpuAfter[name] - (cpuBefore[name] ?? 0)) / Math.max(1, ok.length)),
    ]),
  );

  const endToEnd = ok.flatMap((s) =>
    invoiced.has(s.eventID!) ? [invoiced.get(s.eventID!)! - s.sentAt] : []
  );
  const relay = ok.flatMap((s) => {
    const p = published.get(s.transactionID!);
    return p?.sent
      ? [p.sent - p.created - (s.timing["token-exchange"] ?? 0) - (s.timing["outbox-write"] ?? 0)]
      : [];
  });
  const consume = ok.flatMap((s) => {
    const p = published.get(s.transactionID!);
    const at = invoiced.get(s.eventID!);
    return p?.sent && at ? [at - p.sent] : [];
  });
  const lastInvoice = Math.max(...invoiced.values());
  const firstSent = Math.min(...ok.map((s) => s.sentAt));

  return {
    concurrency,
    orders: sent.length,
    accepted: ok.length,
    invoiced: invoiced.size,
    acceptedPerSecond: ok.length / seconds,
    invoicedPerSecond: invoiced.size / ((lastInvoice - firstSent) / 1000),
    directPerSecond: direct.sent.filter((s) => s.status === 201).length / direct.seconds,
    latencyMs: {
      request: percentiles(ok.map((s) => s.ms)),
      requestDirect: percentiles(direct.sent.map((s) => s.ms)),
      requestToInvoice: percentiles(endToEnd),
    },
    cpuMsPerOrder,
    hopMedianMs: {
      introspection: median(ok.map((s) => s.timing["gateway-token"] ?? 0)),
      tokenExchange: median(ok.map((s) => s.timing["token-exchange"] ?? 0)),
      outboxWrite: median(ok.map((s) => s.timing["outbox-write"] ?? 0)),
      relayPublish: median(relay),
      consumeVerifyStore: median(consume),
    },
  };
}

/** Invoicing rate with `instances` consumers, on events queued while none ran. */
async function invoicingRate(token: string, instances: 1 | 2): Promise<number> {
  await controlPart("invoices", "stop");
  const { sent } = await load(gatewayUrl, token, 8, 600, SCALE_ORDERS);
  const ok = sent.filter((s) => s.status === 201);
  const ids = ok.map((s) => s.transactionID!);
  for (let i = 0; i < 300; i++) {
    const times = await publishTimes(ids);
    if ([...times.values()].every((t) => t.sent)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  let second: Deno.ChildProcess | undefined;
  await controlPart("invoices", "start");
  if (instances === 2) {
    second = new Deno.Command(node, {
      args: [`${root}/services/invoices/main.ts`],
      env: {
        APP_ENV: "test",
        LOG_LEVEL: "warn",
        INVOICES_PORT: "3012",
        DATABASE_URL: databaseUrl,
        KAFKA_BOOTSTRAP: kafkaBootstrap,
        OAUTH_ISSUER: `${idsvrUrl}/oauth/v2/oauth-anonymous`,
        DATA_DIR: Deno.env.get("STACK_DATA_DIR") ?? "/tmp",
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
  }
  try {
    const times = [...(await invoiceTimes(ok.map((s) => s.eventID!))).values()];
    return (times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);
  } finally {
    if (second) {
      second.kill("SIGTERM");
      await second.status;
    }
  }
}

try {
  const token = (await loginWithCodeFlow()).accessToken;
  const jwt = await phantomToken(idsvrUrl, token);
  await load(gatewayUrl, token, 4, 2); // warm-up: JIT, connections, caches

  const levels = [];
  for (const concurrency of LEVELS) levels.push(await level(token, jwt, concurrency));
  const one = await invoicingRate(token, 1);
  const two = await invoicingRate(token, 2);

  // deno-lint-ignore no-console
  console.log(JSON.stringify({
    benchmark: "end to end",
    secondsPerLevel: SECONDS,
    levels,
    scaling: { orders: SCALE_ORDERS, oneInstance: one, twoInstances: two, ratio: two / one },
  }));
} finally {
  await db.end();
}

function serverTiming(header: string): Record<string, number> {
  const timings: Record<string, number> = {};
  for (const entry of header.split(",")) {
    const [name, ...params] = entry.trim().split(";");
    const dur = params.find((p) => p.trim().startsWith("dur="));
    if (name && dur) timings[name] = Number(dur.trim().slice(4));
  }
  return timings;
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)) };
}

function median(values: number[]): number {
  return percentiles(values).p50;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
