/**
 * Renders the results of `deno task bench` as Markdown: a headline table of the ratios that do
 * not depend on the machine, then one section per benchmark.
 *
 * @module
 */

/** What scripts/bench.ts collects. */
export interface BenchReport {
  date: string;
  machine: Record<string, unknown>;
  results: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/** The report as Markdown. */
export function renderMarkdown(report: BenchReport): string {
  const lines = [
    "# Benchmark report",
    "",
    `Measured ${report.date} on ${describeMachine(report.machine)}.`,
    "Every rate below depends on the machine; each is shown next to a reference measured in the",
    "same run, and the ratios are what carries over to other machines.",
    "",
    ...headline(report.results),
    "",
  ];
  for (const [name, result] of Object.entries(report.results)) {
    lines.push(`## ${title(name)}`, "");
    const body = result as Json;
    if (typeof body?.error === "string") {
      lines.push(`Failed: ${body.error}`, "");
      continue;
    }
    lines.push(...(RENDERERS[name]?.(body) ?? fallback(body)), "");
  }
  return lines.join("\n");
}

const RENDERERS: Record<string, (result: Json) => string[]> = {
  token_exchange(result) {
    const rows = Object.entries(result.results as Record<string, Json>).map(([alg, figures]) => {
      const sequential = figures.sequential as Json;
      const concurrent = figures.concurrent as Json;
      return [alg, rate(sequential?.perSecond), rate(concurrent?.perSecond)];
    });
    return [
      `Token exchanges per second at the authorization server alone (${result.concurrency} ` +
      "concurrent; median of alternating rounds), the reference for the end-to-end rate. " +
      "ES256 is idsvr's default.",
      "",
      ...table(["signing key", "one at a time", "concurrent"], rows),
    ];
  },
  gateway(result) {
    const direct = result.direct as Json;
    const cached = result.cached as Json;
    const miss = result.miss as Json;
    return [
      `Requests per second, ${result.concurrency} concurrent, ` +
      `gateway on ${result.gatewayRuntime}, ` +
      "against an API that does no work (an echo server): the gateway's own cost laid bare.",
      "",
      ...table(["path", "requests/s", "vs direct"], [
        ["straight to the API (reference)", rate(direct.rps), "1.00"],
        ["through the gateway, cached token", rate(cached.rps), ratio(cached.rps, direct.rps)],
        ["through the gateway, every token new", rate(miss.rps), ratio(miss.rps, direct.rps)],
      ]),
      "",
      "Against an API that does real work the share is small: see the end-to-end section.",
    ];
  },
  broker(result) {
    const produce = result.produce as Json;
    const consume = result.consume as Json;
    return [
      `${result.messages} messages of an event's size (value ${result.valueBytes} bytes, ` +
      `header ${result.headerBytes} bytes), no tokens checked: the reference for the event hops.`,
      "",
      ...table(["step", "messages/s"], [
        ["produce (idempotent, acks=all)", rate(produce.rps)],
        ["consume (consumer group)", rate(consume.rps)],
      ]),
    ];
  },
  invoices(result) {
    return [
      `Events validated and stored per second by the Invoices API's pipeline (${result.alg}, ` +
      `${result.database}, batches of ${result.batchSize}), next to the raw concurrent ` +
      "verification rate of the same tokens with jose in the same process.",
      "",
      ...table(["measure", "per second"], [
        ["raw jose verification (reference)", rate(result.joseVerifyPerSec)],
        ["verified and stored", rate(result.pipelinePerSec)],
        ["ratio (aim: at least 0.5)", ratio(result.pipelinePerSec, result.joseVerifyPerSec)],
      ]),
    ];
  },
  end_to_end(result) {
    const levels = result.levels as Json[];
    const scaling = result.scaling as Json;
    const rows = levels.map((level) => {
      const latency = level.latencyMs as Record<string, Json>;
      return [
        String(level.concurrency),
        rate(level.acceptedPerSecond),
        rate(level.invoicedPerSecond),
        rate(level.directPerSecond),
        `${latency.request.p50} / ${latency.requestDirect.p50}`,
        `${latency.requestToInvoice.p50} / ${latency.requestToInvoice.p95} / ` +
        `${latency.requestToInvoice.p99}`,
      ];
    });
    const top = levels.at(-1)!;
    const hops = top.hopMedianMs as Record<string, number>;
    const cpu = Object.entries(top.cpuMsPerOrder as Record<string, number> ?? {})
      .sort((a, b) => b[1] - a[1]);
    return [
      `Orders through the real stack, ${result.secondsPerLevel} s per level. "Direct" sends the ` +
      "same orders straight to the Orders API with the phantom JWT, without the gateway.",
      "",
      "![throughput and latency against concurrency](end_to_end.svg)",
      "",
      ...table([
        "concurrency",
        "orders/s accepted",
        "invoiced/s",
        "orders/s direct",
        "request p50 ms (gateway / direct)",
        "request to stored invoice ms p50 / p95 / p99",
      ], rows),
      "",
      `Median cost of each hop at concurrency ${top.concurrency} (ms):`,
      "",
      ...table(
        Object.keys(hops),
        [Object.values(hops).map((value) => String(value))],
      ),
      "",
      `CPU time per order by process at concurrency ${top.concurrency} (ms), highest first; ` +
      "on two cores shared by every part, this is what holds the rate back:",
      "",
      ...table(cpu.map(([name]) => name), [cpu.map(([, ms]) => String(ms))]),
      "",
      ceiling(cpu, Number(top.invoicedPerSecond)),
      "",
      `Invoicing ${scaling.orders} queued events: ${rate(scaling.oneInstance)}/s with one ` +
      `Invoices API instance, ${rate(scaling.twoInstances)}/s with two ` +
      `(x${Number(scaling.ratio).toFixed(2)}; the topic has 2 partitions, the machine 2 cores).`,
    ];
  },
};

/** The headline ratios, each against its reference from the same run. */
export function headline(results: Record<string, unknown>): string[] {
  const e2e = results.end_to_end as Json | undefined;
  const exchange = results.token_exchange as Json | undefined;
  const invoices = results.invoices as Json | undefined;
  const rows: string[][] = [];
  if (e2e?.levels && exchange?.results) {
    const best = Math.max(
      ...(e2e.levels as Json[]).map((level) => Number(level.invoicedPerSecond)),
    );
    // The stack signs with idsvr's default algorithm, ES256: compare with that server's rate.
    const es256 = (exchange.results as Json).ES256 as Json | undefined;
    const raw = Number((es256?.concurrent as Json | undefined)?.perSecond);
    rows.push([
      "end-to-end orders/s vs raw token exchanges/s (ES256)",
      `${rate(best)} / ${rate(raw)}`,
      ratio(best, raw),
      "0.5 or more",
    ]);
    const top = (e2e.levels as Json[]).at(-1)!;
    const latency = top.latencyMs as Record<string, Json>;
    rows.push([
      `gateway overhead on a real request (p50, concurrency ${top.concurrency})`,
      `${latency.request.p50} ms / ${latency.requestDirect.p50} ms`,
      `${
        (100 * (Number(latency.request.p50) / Number(latency.requestDirect.p50) - 1)).toFixed(0)
      }%`,
      "under 20%",
    ]);
  }
  if (invoices && typeof invoices.pipelinePerSec === "number") {
    rows.push([
      "invoicing vs raw verification",
      `${rate(invoices.pipelinePerSec)} / ${rate(invoices.joseVerifyPerSec)}`,
      ratio(invoices.pipelinePerSec, invoices.joseVerifyPerSec),
      "0.5 or more",
    ]);
  }
  return rows.length ? table(["figure", "measured", "ratio", "aim"], rows) : [];
}

// Every order costs CPU in every process; on a saturated machine their sum sets the rate.
function ceiling(cpu: Array<[string, number]>, measured: number): string {
  const total = cpu.reduce((sum, [, ms]) => sum + ms, 0);
  const cores = navigator.hardwareConcurrency;
  const [name, most] = cpu[0] ?? ["none", 0];
  return `Together ${total.toFixed(1)} ms of CPU per order: ${cores} cores allow at most ` +
    `${rate((cores * 1000) / total)} orders/s, and ${rate(measured)}/s were measured. The ` +
    `largest share is the ${name} process (${most} ms). ` +
    "The token exchange measured alone has both cores to itself; in the flow it shares them with every other hop, which is why the end-to-end " +
    "rate is measured against it rather than expected to match it.";
}

function fallback(result: Json): string[] {
  return ["```json", JSON.stringify(result, null, 2), "```"];
}

/** A Markdown table. */
export function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
}

/** A rate with a thousands separator and no decimals. */
export function rate(value: unknown): string {
  return typeof value === "number" ? Math.round(value).toLocaleString("en-US") : "n/a";
}

/** `a / b` with two decimals. */
export function ratio(a: unknown, b: unknown): string {
  return typeof a === "number" && typeof b === "number" && b > 0 ? (a / b).toFixed(2) : "n/a";
}

function title(name: string): string {
  return name.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
}

function describeMachine(machine: Record<string, unknown>): string {
  return `${machine.cpus} CPUs, ${machine.os}, Deno ${machine.deno}, Node ${machine.node}`;
}
