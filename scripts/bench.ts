// deno-lint-ignore-file no-console
/**
 * `deno task bench`: starts the stack in its own data folder, runs every benchmark under
 * `bench/` one after the other (so they do not share the CPU), and writes what they measured to
 * `reports/bench.json` and `reports/bench.md`. Every machine-dependent figure is reported next
 * to a reference measured in the same run; no figure is compared with a fixed threshold.
 *
 * `deno task bench gateway invoices` runs only the named benchmarks.
 *
 * @module
 */
import { fileExists, readStackConfig } from "../stack/config.ts";
import { stackParts } from "../stack/parts.ts";
import { DEFAULT_ADMIN_URL, freshDatabase } from "../stack/postgres.ts";
import { assertPortsFree, Supervisor, SupervisorError } from "../stack/supervisor.ts";
import { renderMarkdown } from "../bench/report.ts";
import { renderChart } from "../bench/chart.ts";
import { serveControl } from "../stack/control.ts";

/** One benchmark: a script printing one JSON object on its last line of stdout. */
interface Benchmark {
  name: string;
  runtime: "deno" | "node";
  script: string;
}

const BENCHMARKS: Benchmark[] = [
  { name: "token_exchange", runtime: "deno", script: "bench/token_exchange.ts" },
  { name: "gateway", runtime: "deno", script: "bench/gateway.ts" },
  { name: "broker", runtime: "node", script: "bench/broker_node.ts" },
  { name: "invoices", runtime: "node", script: "bench/invoices.ts" },
  { name: "end_to_end", runtime: "deno", script: "bench/end_to_end.ts" },
];

const config = readStackConfig("test", {
  ...Deno.env.toObject(),
  STACK_DATA_DIR: Deno.env.get("STACK_DATA_DIR") ??
    `${new URL("..", import.meta.url).pathname}.data/bench`,
});
const chosen = BENCHMARKS.filter((bench) =>
  (Deno.args.length === 0 || Deno.args.includes(bench.name)) &&
  fileExists(`${config.root}/${bench.script}`)
);

try {
  assertPortsFree(stackParts(config));
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  Deno.exit(1);
}
await Deno.remove(config.dataDir, { recursive: true }).catch(() => {});
const databaseUrl = await freshDatabase(
  Deno.env.get("TEST_DATABASE_ADMIN_URL") ?? DEFAULT_ADMIN_URL,
  "zero_trust_events_bench",
).catch((error) => {
  console.error(`bench: ${error.message}`);
  Deno.exit(1);
});
// Per-request log lines would cost more than some hops measured: warnings only.
const parts = stackParts(config, {
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: "warn",
  IDSVR_LOG_LEVEL: "warn",
  INVOICES_LOG_LEVEL: "warn",
});
const supervisor = new Supervisor({
  logDir: config.logDir,
  stateFile: config.stateFile,
  quiet: true,
  print: (line) => console.log(`bench: ${line}`),
});
Deno.addSignalListener("SIGINT", async () => {
  await supervisor.stop();
  Deno.exit(130);
});

const control = serveControl(supervisor);
const results: Record<string, unknown> = {};
let failed = 0;
try {
  await supervisor.start(parts);
  for (const bench of chosen) {
    console.log(`bench: running ${bench.name}`);
    const started = performance.now();
    try {
      results[bench.name] = await run(bench);
      console.log(
        `bench: ${bench.name} done in ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
    } catch (error) {
      failed++;
      results[bench.name] = { error: error instanceof Error ? error.message : String(error) };
      console.error(
        `bench: ${bench.name} failed: ${(results[bench.name] as { error: string }).error}`,
      );
    }
  }
} catch (error) {
  console.error(`bench: ${error instanceof SupervisorError ? error.message : String(error)}`);
  failed++;
} finally {
  await control.shutdown();
  await supervisor.stop();
}

const report = {
  date: new Date().toISOString(),
  machine: {
    cpus: navigator.hardwareConcurrency,
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    deno: Deno.version.deno,
    node: await version(config.node),
  },
  results,
};
await Deno.mkdir(`${config.root}/reports`, { recursive: true });
await Deno.writeTextFile(
  `${config.root}/reports/bench.json`,
  JSON.stringify(report, null, 2) + "\n",
);
await Deno.writeTextFile(`${config.root}/reports/bench.md`, renderMarkdown(report));
const e2e = results.end_to_end as { levels?: Array<Record<string, unknown>> } | undefined;
if (e2e?.levels) {
  const chart = renderChart(e2e.levels.map((level) => {
    const latency = level.latencyMs as Record<string, { p50: number; p95: number }>;
    return {
      concurrency: Number(level.concurrency),
      ordersPerSecond: Number(level.invoicedPerSecond),
      p50Ms: latency.requestToInvoice.p50,
      p95Ms: latency.requestToInvoice.p95,
    };
  }));
  await Deno.writeTextFile(`${config.root}/reports/end_to_end.svg`, chart);
}
console.log("bench: wrote reports/bench.md, reports/bench.json and reports/end_to_end.svg");
Deno.exit(failed > 0 ? 1 : 0);

async function run(bench: Benchmark): Promise<unknown> {
  const [cmd, args] = bench.runtime === "node"
    ? [config.node, [bench.script]]
    : [Deno.execPath(), ["run", "-A", bench.script]];
  const output = await new Deno.Command(cmd, {
    args,
    cwd: config.root,
    env: {
      KAFKA_BOOTSTRAP: config.kafkaBootstrap,
      IDSVR_URL: `http://localhost:${config.idsvrPort}`,
      GATEWAY_URL: `http://localhost:${config.gatewayPort}`,
      STACK_DATA_DIR: config.dataDir,
      STACK_PARTS: parts.map((part) => part.name).join(","),
      TEST_DATABASE_URL: databaseUrl,
      NODE: config.node,
      STACK_CONTROL_URL: `http://127.0.0.1:${control.addr.port}`,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`exit code ${output.code}: ${stderr}`);
  }
  return JSON.parse(stdout.split("\n").at(-1)!);
}

async function version(program: string): Promise<string> {
  const output = await new Deno.Command(program, { args: ["--version"], stdout: "piped" }).output();
  return new TextDecoder().decode(output.stdout).trim();
}
