/**
 * One SVG chart of the end-to-end benchmark: orders per second (bars) and the latency from
 * request to stored invoice (p50 and p95 lines) against concurrency. Plain SVG, no library.
 *
 * @module
 */

/** One concurrency level as the chart needs it. */
export interface ChartLevel {
  concurrency: number;
  ordersPerSecond: number;
  p50Ms: number;
  p95Ms: number;
}

const WIDTH = 640;
const HEIGHT = 360;
const PAD = { left: 60, right: 60, top: 40, bottom: 50 };

/** The chart as an SVG document. */
export function renderChart(levels: ChartLevel[]): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const maxRate = niceMax(Math.max(...levels.map((l) => l.ordersPerSecond)));
  const maxMs = niceMax(Math.max(...levels.map((l) => l.p95Ms)));
  const step = plotW / levels.length;
  const x = (i: number) => PAD.left + step * i + step / 2;
  const yRate = (v: number) => PAD.top + plotH - (v / maxRate) * plotH;
  const yMs = (v: number) => PAD.top + plotH - (v / maxMs) * plotH;
  const line = (key: "p50Ms" | "p95Ms") =>
    levels.map((l, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${yMs(l[key]).toFixed(1)}`).join(" ");

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" ` +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">` +
    "Orders end to end: throughput and latency against concurrency</text>",
    ...[0, 0.25, 0.5, 0.75, 1].flatMap((f) => [
      `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${yRate(maxRate * f)}" ` +
      `y2="${yRate(maxRate * f)}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${yRate(maxRate * f) + 4}" text-anchor="end">` +
      `${Math.round(maxRate * f)}</text>`,
      `<text x="${WIDTH - PAD.right + 6}" y="${yMs(maxMs * f) + 4}">${
        Math.round(maxMs * f)
      }</text>`,
    ]),
    ...levels.flatMap((l, i) => [
      `<rect x="${(x(i) - step * 0.3).toFixed(1)}" y="${yRate(l.ordersPerSecond).toFixed(1)}" ` +
      `width="${(step * 0.6).toFixed(1)}" height="${
        (PAD.top + plotH - yRate(l.ordersPerSecond)).toFixed(1)
      }" ` +
      `fill="#4e79a7"/>`,
      `<text x="${x(i)}" y="${
        HEIGHT - PAD.bottom + 18
      }" text-anchor="middle">${l.concurrency}</text>`,
    ]),
    `<path d="${line("p50Ms")}" fill="none" stroke="#e15759" stroke-width="2"/>`,
    `<path d="${
      line("p95Ms")
    }" fill="none" stroke="#e15759" stroke-width="2" stroke-dasharray="5,4"/>`,
    `<text x="${WIDTH / 2}" y="${HEIGHT - 12}" text-anchor="middle">concurrent clients</text>`,
    `<text transform="translate(16,${HEIGHT / 2}) rotate(-90)" text-anchor="middle" ` +
    `fill="#4e79a7">orders invoiced per second (bars)</text>`,
    `<text transform="translate(${WIDTH - 14},${HEIGHT / 2}) rotate(90)" text-anchor="middle" ` +
    `fill="#e15759">request to invoice, ms (p50 solid, p95 dashed)</text>`,
    "</svg>",
  ];
  return parts.join("\n") + "\n";
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= value)!;
}
