/**
 * Picks the `serve` adapter of the runtime this process runs on, so the loopback listener works
 * unchanged on Deno, Bun and Node. Each adapter is loaded only on its own runtime.
 *
 * @module
 */

import type { Serve } from "../shared/http/serve/types.ts";

/** The runtime's name and its `serve` adapter. */
export async function loadServe(): Promise<{ runtime: "deno" | "bun" | "node"; serve: Serve }> {
  if ("Deno" in globalThis) {
    return { runtime: "deno", serve: (await import("../shared/http/serve/deno.ts")).serve };
  }
  if ("Bun" in globalThis) {
    return { runtime: "bun", serve: (await import("../shared/http/serve/bun.ts")).serve };
  }
  return { runtime: "node", serve: (await import("../shared/http/serve/node.ts")).serve };
}
