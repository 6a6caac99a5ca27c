// deno-lint-ignore-file no-console
/**
 * `deno task test`: starts a fresh stack (its own data folder, wiped first), runs every test
 * with `deno test`, stops everything, and exits non-zero on any failure. Ends with one line
 * `test: N passed, M failed`.
 *
 * Extra arguments go to `deno test`, e.g. `deno task test tests/kafka_roundtrip_test.ts`;
 * `STACK_ONLY=kafka,idsvr` starts only those parts, and the tests of the others are skipped.
 *
 * @module
 */
import { readStackConfig } from "../stack/config.ts";
import { stackParts } from "../stack/parts.ts";
import { assertPortsFree, Supervisor, SupervisorError } from "../stack/supervisor.ts";
import { DEFAULT_ADMIN_URL, freshDatabase } from "../stack/postgres.ts";
import { serveControl } from "../stack/control.ts";

const TEST_TIMEOUT_MS = Number(Deno.env.get("TEST_TIMEOUT_MS") ?? 25 * 60_000);

const config = readStackConfig("test");

// Services and tests share one PostgreSQL database and one data folder, both created anew for
// this run; first make sure no other run is using them (its parts would hold the ports).
let databaseUrl: string;
try {
  assertPortsFree(stackParts(config));
  await Deno.remove(config.dataDir, { recursive: true }).catch(() => {});
  const adminUrl = Deno.env.get("TEST_DATABASE_ADMIN_URL") ?? DEFAULT_ADMIN_URL;
  databaseUrl = await freshDatabase(adminUrl, "zero_trust_events_test");
} catch (error) {
  console.error(`test: ${error instanceof Error ? error.message : String(error)}`);
  Deno.exit(1);
}

// STACK_ONLY=kafka,idsvr starts a subset (tests of the others are skipped).
const only = Deno.env.get("STACK_ONLY")?.split(",");
const parts = stackParts(config, { DATABASE_URL: databaseUrl })
  .filter((part) => !only || only.includes(part.name));
const supervisor = new Supervisor({
  logDir: config.logDir,
  stateFile: config.stateFile,
  quiet: true,
  print: (line) => console.log(`test: ${line}`),
});

let testRun: Deno.ChildProcess | undefined;
let interrupted = false;
const interrupt = () => {
  interrupted = true;
  try {
    testRun?.kill("SIGTERM");
  } catch {
    // Not running.
  }
};
Deno.addSignalListener("SIGINT", interrupt);
Deno.addSignalListener("SIGTERM", interrupt);

console.log(`test: starting ${parts.map((p) => p.name).join(", ")}; logs in ${config.logDir}`);
// Fault-injection tests stop, kill and restart parts through this local endpoint.
const control = serveControl(supervisor);

let code = 1;
let partDied = false;
let summary = { passed: 0, failed: 0 };
try {
  await supervisor.start(parts);
  // A part that dies on its own (not stopped by a fault test) would fail every later test for
  // the wrong reason: end the run at once, naming it.
  supervisor.failure.then((failed) => {
    console.error(
      `test: ${failed.part} died during the tests (exit code ${failed.code}); ` +
        `see ${config.logDir}/${failed.part}.log`,
    );
    partDied = true;
    interrupt();
  });
  ({ code, summary } = await runTests(parts.map((part) => part.name)));
} catch (error) {
  console.error(`test: ${error instanceof SupervisorError ? error.message : String(error)}`);
} finally {
  await control.shutdown();
  await supervisor.stop();
}

if (interrupted) code = partDied ? 1 : 130;
console.log(`test: ${summary.passed} passed, ${summary.failed} failed`);
Deno.exit(code === 0 && summary.failed === 0 ? 0 : code || 1);

async function runTests(running: string[]): Promise<{ code: number; summary: typeof summary }> {
  testRun = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", ...Deno.args],
    cwd: config.root,
    env: {
      APP_ENV: "test",
      STACK_PARTS: running.join(","),
      STACK_DATA_DIR: config.dataDir,
      KAFKA_BOOTSTRAP: config.kafkaBootstrap,
      IDSVR_URL: `http://localhost:${config.idsvrPort}`,
      GATEWAY_URL: `http://localhost:${config.gatewayPort}`,
      NODE: config.node,
      TEST_DATABASE_URL: databaseUrl,
      STACK_CONTROL_URL: `http://127.0.0.1:${control.addr.port}`,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();

  const watchdog = setTimeout(() => {
    console.error(`test: the suite ran longer than ${TEST_TIMEOUT_MS / 60_000} min: stopping it`);
    interrupt();
  }, TEST_TIMEOUT_MS);

  const found = { passed: 0, failed: 0 };
  const encoder = new TextEncoder();
  let buffered = "";
  for await (const chunk of testRun.stdout.pipeThrough(new TextDecoderStream())) {
    await Deno.stdout.write(encoder.encode(chunk));
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) readSummary(line, found);
  }
  readSummary(buffered, found);
  const status = await testRun.status;
  clearTimeout(watchdog);
  return { code: status.code, summary: found };
}

// `deno test` closes with `ok | 12 passed (3 steps) | 0 failed (2s)`, or `FAILED | ...`.
function readSummary(line: string, into: { passed: number; failed: number }): void {
  // deno-lint-ignore no-control-regex
  const plain = line.replace(/\x1b\[[0-9;]*m/g, "");
  const match = plain.match(/^(?:ok|FAILED) \| (\d+) passed.*\| (\d+) failed/);
  if (match) {
    into.passed = Number(match[1]);
    into.failed = Number(match[2]);
  }
}
