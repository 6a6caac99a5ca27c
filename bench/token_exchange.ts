/**
 * Token exchanges per second on the authorization server, for RSA (RS256) and EC (ES256) keys,
 * one request at a time and with concurrent requests. Starts its own servers on free ports
 * with temporary data folders, one algorithm after the other so they do not share the CPU,
 * and prints one JSON object on stdout.
 *
 * ```sh
 * deno run -A bench/token_exchange.ts
 * BENCH_SECONDS=3 BENCH_CONCURRENCY=16 deno run -A bench/token_exchange.ts
 * ```
 *
 * @module
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  exchange,
  exchangeParams,
  phantomToken,
  signInDemoUser,
  spawnIdsvr,
} from "../idsvr/testing.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? "2");
const CONCURRENCY = Number(Deno.env.get("BENCH_CONCURRENCY") ?? "16");
const WARM_UP = 50;

interface Figures {
  /** Exchanges per second. */
  perSecond: number;
  count: number;
  /** Median and 99th percentile latency, milliseconds. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** Runs `workers` loops of exchanges for `seconds`; each loop waits for its answer. */
async function measure(url: string, subject: string, workers: number): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;

  async function loop(): Promise<void> {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await exchange(url, exchangeParams(subject));
      await response.body?.cancel();
      if (response.status === 200) latencies.push(performance.now() - started);
      else errors += 1;
    }
  }

  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, loop));
  const elapsed = (performance.now() - started) / 1000;

  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    perSecond: Math.round(latencies.length / elapsed),
    count: latencies.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
  };
}

interface Server {
  alg: string;
  url: string;
  subject: string;
  stop: () => Promise<void>;
}

async function startServer(alg: string): Promise<Server> {
  const dataDir = await mkdtemp(join(tmpdir(), `idsvr-bench-${alg}-`));
  const server = await spawnIdsvr({ dataDir, env: { IDSVR_SIGNING_ALG: alg } });
  const subject = await phantomToken(server.url, await signInDemoUser(server.url));
  for (let i = 0; i < WARM_UP; i++) {
    await (await exchange(server.url, exchangeParams(subject))).body?.cancel();
  }
  return {
    alg,
    url: server.url,
    subject,
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The round whose concurrent rate is the median, so one noisy round does not decide. */
function medianRound(rounds: Array<{ sequential: Figures; concurrent: Figures }>) {
  const byRate = (key: "sequential" | "concurrent") =>
    [...rounds].sort((a, b) =>
      a[key].perSecond - b[key].perSecond
    )[Math.floor(rounds.length / 2)][key];
  return {
    sequential: byRate("sequential"),
    concurrent: byRate("concurrent"),
    rounds: rounds.map((r) => [r.sequential.perSecond, r.concurrent.perSecond]),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

// Both servers run side by side and the algorithms take turns, round after round, so that a
// busy moment of the machine does not fall on one of them only; each figure is the median round.
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? "3");
const servers = [await startServer("RS256"), await startServer("ES256")];
const rounds = new Map<string, Array<{ sequential: Figures; concurrent: Figures }>>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const server of servers) {
      const sequential = await measure(server.url, server.subject, 1);
      const concurrent = await measure(server.url, server.subject, CONCURRENCY);
      rounds.set(server.alg, [...(rounds.get(server.alg) ?? []), { sequential, concurrent }]);
    }
  }
} finally {
  for (const server of servers) await server.stop();
}
const results: Record<string, unknown> = {};
for (const [alg, measured] of rounds) results[alg] = medianRound(measured);

const report = JSON.stringify({
  benchmark: "idsvr token exchange",
  unit: "exchanges per second",
  secondsPerRun: SECONDS,
  rounds: ROUNDS,
  concurrency: CONCURRENCY,
  runtime: { client: `deno ${Deno.version.deno}`, server: "node 24 (oidc-provider 9.13.3)" },
  results,
});
// The one line on stdout is the report; the servers' logs stay on their own stderr pipes.
await Deno.stdout.write(new TextEncoder().encode(report + "\n"));
