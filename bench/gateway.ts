/**
 * Throughput of the gateway, measured side by side in one run:
 *
 * - `direct`: requests straight to the API (a small echo server), the baseline;
 * - `cached`: the same requests through the gateway with one token, so every request after the
 *   first is a cache hit;
 * - `miss`: through the gateway with a new token on every request, so each one costs an
 *   introspection at the (fake, local) authorization server.
 *
 * The gateway runs as its own process (`services/gateway/main.ts`); the load, the fake
 * authorization server and the API share this process. Prints one JSON object on stdout.
 *
 * Environment: `BENCH_SECONDS` per phase (default 5), `BENCH_CONCURRENCY` (default 32),
 * `BENCH_GATEWAY_RUNTIME` `deno` | `bun` | `node` (default `deno`).
 *
 * @module
 */

import { startGateway } from "../tests/support/gateway_process.ts";
import type { Runtime } from "../tests/support/gateway_process.ts";
import {
  fakeJwt,
  startEchoUpstream,
  startFakeAuthorizationServer,
} from "../tests/support/gateway_fakes.ts";

interface PhaseResult {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
const CONCURRENCY = Number(Deno.env.get("BENCH_CONCURRENCY") ?? 32);
const RUNTIME = (Deno.env.get("BENCH_GATEWAY_RUNTIME") ?? "deno") as Runtime;
if (!(SECONDS > 0 && SECONDS <= 10)) throw new RangeError("BENCH_SECONDS must be from 1 to 10");
if (!(CONCURRENCY >= 1 && CONCURRENCY <= 256)) {
  throw new RangeError("BENCH_CONCURRENCY must be from 1 to 256");
}
if (!["deno", "bun", "node"].includes(RUNTIME)) {
  throw new TypeError(`BENCH_GATEWAY_RUNTIME must be deno, bun or node, got "${RUNTIME}"`);
}

/** Runs `CONCURRENCY` loops of requests for `seconds`; `next` makes the i-th request. */
async function phase(seconds: number, next: (i: number) => Request): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;

  async function worker(): Promise<void> {
    while (performance.now() < deadline) {
      const request = next(issued++);
      const t0 = performance.now();
      try {
        const response = await fetch(request);
        await response.arrayBuffer();
        if (response.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  }

  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    requests: latencies.length,
    errors,
    rps: Math.round(latencies.length / elapsed),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function main(): Promise<void> {
  const jwt = fakeJwt({ sub: "bench", exp: Math.floor(Date.now() / 1000) + 3600 });
  const as = startFakeAuthorizationServer({ jwtFor: () => jwt });
  const upstream = startEchoUpstream();
  const gateway = await startGateway(RUNTIME, {
    OAUTH_ISSUER: as.issuer,
    ORDERS_API_URL: upstream.url,
    LOG_LEVEL: "warn",
  });

  try {
    const cachedAuth = { authorization: "Bearer bench-cached" };
    const direct = (_: number) => new Request(`${upstream.url}/orders/1`, { headers: cachedAuth });
    const cached = (_: number) => new Request(`${gateway.url}/orders/1`, { headers: cachedAuth });
    const miss = (i: number) =>
      new Request(`${gateway.url}/orders/1`, {
        headers: { authorization: `Bearer bench-miss-${i}-${crypto.randomUUID()}` },
      });

    await phase(1, cached); // warm-up: JIT, connections, discovery, the one cached token
    const directResult = await phase(SECONDS, direct);
    const cachedResult = await phase(SECONDS, cached);
    const introspectionsBefore = as.introspections;
    const missResult = await phase(SECONDS, miss);

    const report = {
      benchmark: "gateway",
      gatewayRuntime: RUNTIME,
      gatewayLogLevel: "warn",
      concurrency: CONCURRENCY,
      phaseSeconds: SECONDS,
      direct: directResult,
      cached: cachedResult,
      miss: { ...missResult, introspections: as.introspections - introspectionsBefore },
      // How many times slower the gateway's cached path is than going straight to the API.
      overheadRatio: round(directResult.rps / Math.max(1, cachedResult.rps)),
      missVsCached: round(missResult.rps / Math.max(1, cachedResult.rps)),
    };
    await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(report) + "\n"));
  } finally {
    await gateway.stop(5_000);
    await Promise.all([as.close(), upstream.close()]);
  }
}

await main();
