/**
 * Fault injection on the real stack: a steady stream of orders runs through the gateway while
 * one part after another fails, and after each fault the books are reconciled: every accepted
 * order published once and invoiced once with the right amount and user, no invoice without an
 * order, every dead letter with a reason. A summary goes to `reports/faults.md` and `.json`.
 *
 * `FAULT_SECONDS` sets how long each fault lasts (default 3; `deno task test:faults` runs the
 * longer variant).
 */
import assert from "node:assert/strict";
import { startOrderStream } from "./faults/driver.ts";
import { countInvoiced, differences, reconcile } from "./faults/reconcile.ts";
import { controlPart, hasPart, stackEnv } from "./support/stack.ts";

const FAULT_SECONDS = Number(Deno.env.get("FAULT_SECONDS") ?? 3);
const SETTLE_TIMEOUT_MS = 120_000;
const { gatewayUrl, root, node } = stackEnv();
const databaseUrl = Deno.env.get("TEST_DATABASE_URL") ?? "";
const dataDir = Deno.env.get("STACK_DATA_DIR") ?? "";
const ignore = !["kafka", "idsvr", "gateway", "orders", "invoices"].every(hasPart) || !databaseUrl;

interface FaultSummary {
  fault: string;
  ordersSent: number;
  accepted: number;
  refused: number;
  /** Why orders were refused: `status code`, counted. */
  refusals: Record<string, number>;
  invoiced: number;
  storedUnanswered: number;
  duplicates: number;
  lost: number;
  recoverySeconds: number;
  differences: string[];
}

const summaries: FaultSummary[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the stream, injects the fault, lets the stream go on, waits until every accepted order
 * is invoiced, and reconciles. `inject` resolves with the time the fault was repaired.
 */
async function underFault(name: string, inject: () => Promise<number>): Promise<FaultSummary> {
  const since = new Date(Date.now() - 1_000);
  const stream = startOrderStream(gatewayUrl);
  let repairedAt: number;
  try {
    await sleep(1_500);
    repairedAt = await inject();
    await sleep(1_500);
  } finally {
    await stream.stop();
  }

  const eventIds = stream.accepted().map((outcome) => outcome.eventID!);
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let invoiced = 0;
  while (Date.now() < deadline) {
    invoiced = await countInvoiced(databaseUrl, eventIds).catch(() => invoiced);
    if (invoiced >= eventIds.length) break;
    await sleep(250);
  }
  const recoverySeconds = Math.max(0, (Date.now() - repairedAt) / 1000);

  const result = await reconcile(databaseUrl, stream.outcomes, since);
  const summary: FaultSummary = {
    fault: name,
    ordersSent: stream.outcomes.length,
    accepted: result.accepted,
    refused: stream.outcomes.length - result.accepted,
    refusals: countRefusals(stream.outcomes),
    invoiced: result.invoiced,
    storedUnanswered: result.storedUnanswered,
    duplicates: result.duplicateInvoices.length + result.duplicateMessages.length,
    lost: result.lost.length + result.unpublished.length + result.missingOrders.length,
    recoverySeconds: Math.round(recoverySeconds * 10) / 10,
    differences: differences(result),
  };
  summaries.push(summary);
  assert.ok(summary.accepted > 0, `${name}: no order was accepted at all`);
  assert.deepEqual(summary.differences, [], `${name}: the books do not balance`);
  return summary;
}

function countRefusals(outcomes: { status: number; code?: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes.filter((o) => o.status !== 201)) {
    const key = `${outcome.status} ${outcome.code ?? ""}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
}

function postgresRestartCommand(): string[] | undefined {
  const host = databaseUrl ? new URL(databaseUrl).hostname : "";
  if (host !== "127.0.0.1" && host !== "localhost") return undefined;
  try {
    const versions = [...Deno.readDirSync("/etc/postgresql")].map((entry) => entry.name);
    return versions.length === 1
      ? ["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "restart"]
      : undefined;
  } catch {
    return undefined;
  }
}

Deno.test({
  name: "faults: nothing accepted is lost or doubled while parts fail",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    try {
      await t.step("the broker stopped for a while, then started", async () => {
        await underFault("broker stopped", async () => {
          await controlPart("kafka", "stop");
          await sleep(FAULT_SECONDS * 1000);
          await controlPart("kafka", "start");
          return Date.now();
        });
      });

      await t.step(
        "the Orders API's relay killed between the outbox write and the publish",
        async () => {
          await underFault("orders relay killed before publishing", async () => {
            await controlPart("kafka", "stop"); // orders now wait in the outbox
            await sleep(FAULT_SECONDS * 1000);
            await controlPart("orders", "kill");
            await controlPart("kafka", "start");
            await controlPart("orders", "start");
            return Date.now();
          });
        },
      );

      await t.step(
        "the Invoices API killed after storing invoices, before committing",
        async () => {
          await underFault("invoices killed before committing", async () => {
            // The service removes the file and kills itself right after its next stored batch.
            await Deno.mkdir(`${dataDir}/invoices`, { recursive: true });
            await Deno.writeTextFile(`${dataDir}/invoices/crash-after-store`, "");
            await controlPart("invoices", "expect-exit", { timeoutMs: 30_000 });
            await sleep(FAULT_SECONDS * 500);
            await controlPart("invoices", "start");
            return Date.now();
          });
        },
      );

      await t.step("the Invoices API killed in the middle of a batch", async () => {
        await underFault("invoices killed mid-batch", async () => {
          await sleep(FAULT_SECONDS * 500);
          await controlPart("invoices", "kill");
          await sleep(FAULT_SECONDS * 500);
          await controlPart("invoices", "start");
          return Date.now();
        });
      });

      await t.step(
        "the authorization server stopped: queued events are still invoiced",
        async () => {
          await underFault("authorization server stopped", async () => {
            await controlPart("kafka", "stop"); // queue some events in the outbox
            await sleep(1_500);
            await controlPart("idsvr", "stop");
            await controlPart("kafka", "start");
            await sleep(FAULT_SECONDS * 1000);
            await controlPart("idsvr", "start");
            return Date.now();
          });
        },
      );

      await t.step("the JWKS unreachable during a key rotation", async () => {
        await underFault("JWKS unreachable during key rotation", async () => {
          await controlPart("invoices", "stop");
          await controlPart("idsvr", "stop");
          await run(node, [`${root}/idsvr/main.ts`, "rotate-keys"], {
            IDSVR_DATA_DIR: `${dataDir}/idsvr`,
          });
          await controlPart("idsvr", "start");
          await sleep(2_000); // events signed by the new key wait on the topic
          await controlPart("idsvr", "stop");
          await controlPart("invoices", "start"); // no keys cached, and none to be had
          await sleep(FAULT_SECONDS * 1000);
          await controlPart("idsvr", "start");
          return Date.now();
        });
      });

      const restart = postgresRestartCommand();
      await t.step({
        name: "PostgreSQL restarted under both services",
        ignore: !restart,
        fn: async () => {
          await underFault("PostgreSQL restarted", async () => {
            await run(restart![0], restart!.slice(1));
            return Date.now();
          });
        },
      });

      await t.step("a second Invoices API instance joins and leaves the group", async () => {
        await underFault("consumer group rebalance", async () => {
          const second = new Deno.Command(node, {
            args: [`${root}/services/invoices/main.ts`],
            env: {
              APP_ENV: "test",
              INVOICES_PORT: "3012",
              DATABASE_URL: databaseUrl,
              DATA_DIR: dataDir,
              KAFKA_BOOTSTRAP: stackEnv().kafkaBootstrap,
              OAUTH_ISSUER: `${stackEnv().idsvrUrl}/oauth/v2/oauth-anonymous`,
            },
            stdout: "null",
            stderr: "null",
          }).spawn();
          try {
            await sleep(FAULT_SECONDS * 1000);
          } finally {
            second.kill("SIGTERM");
            await second.status;
          }
          return Date.now();
        });
      });
    } finally {
      await writeSummary();
    }
  },
});

function why(refusals: Record<string, number>): string {
  const entries = Object.entries(refusals);
  return entries.length ? ` (${entries.map(([key, n]) => `${n}x ${key}`).join(", ")})` : "";
}

async function writeSummary(): Promise<void> {
  const head =
    "| fault | orders sent | accepted | refused (why) | invoiced | stored, unanswered | " +
    "duplicates | lost | recovery (s) |";
  const rows = summaries.map((s) =>
    `| ${s.fault} | ${s.ordersSent} | ${s.accepted} | ${s.refused}${why(s.refusals)} | ` +
    `${s.invoiced} | ${s.storedUnanswered} | ${s.duplicates} | ${s.lost} | ${s.recoverySeconds} |`
  );
  const problems = summaries.flatMap((s) => s.differences.map((d) => `- ${s.fault}: ${d}`));
  const markdown = [
    "# Fault injection summary",
    "",
    `Written ${new Date().toISOString()} by tests/faults_test.ts; each fault lasted about ` +
    `${FAULT_SECONDS} s while orders streamed through the gateway. Refused orders got a clean ` +
    'error (401/502/503) and were never accepted; "stored, unanswered" counts orders the API ' +
    "stored before it died without answering (reconciled like the rest); recovery is the time " +
    "from the repair until every accepted order was invoiced.",
    "",
    head,
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    problems.length
      ? "Differences:\n" + problems.join("\n")
      : "No differences: nothing lost, nothing doubled.",
    "",
  ].join("\n");
  await Deno.mkdir(`${root}/reports`, { recursive: true });
  await Deno.writeTextFile(`${root}/reports/faults.md`, markdown);
  await Deno.writeTextFile(
    `${root}/reports/faults.json`,
    JSON.stringify({ faultSeconds: FAULT_SECONDS, summaries }, null, 2) + "\n",
  );
}
