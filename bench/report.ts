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
      return [alg, rate(sequential?.rps), rate(concurrent?.rps)];
    });
    return [
      `Token exchanges per second at the authorization server (${result.concurrency} concurrent).`,
      "",
      ...table(["signing key", "one at a time", "concurrent"], rows),
    ];
  },
  gateway(result) {
    const direct = result.direct as Json;
    const cached = result.cached as Json;
    const miss = result.miss as Json;
    const overhead = 100 * (Number(direct.rps) / Number(cached.rps) - 1);
    return [
      `Requests per second, ${result.concurrency} concurrent, gateway on ${result.gatewayRuntime}.`,
      "",
      ...table(["path", "requests/s", "vs direct"], [
        ["straight to the API (reference)", rate(direct.rps), "1.00"],
        ["through the gateway, cached token", rate(cached.rps), ratio(cached.rps, direct.rps)],
        ["through the gateway, every token new", rate(miss.rps), ratio(miss.rps, direct.rps)],
      ]),
      "",
      `Gateway cost on the cached path: ${overhead.toFixed(0)}% more time per request than a ` +
      "direct call to an API that does no work; see the end-to-end section for the share of a " +
      "real request.",
    ];
  },
};

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
