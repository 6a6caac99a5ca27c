/**
 * A local HTTP endpoint through which tests and benchmarks stop, crash and restart parts of the
 * stack that the supervisor runs. Runs on Deno.
 *
 * @module
 */
import type { Supervisor } from "./supervisor.ts";

/**
 * `POST /parts/<name>/stop`, `/kill` (SIGKILL, as a crash), `/start` (waits until ready) and
 * `/expect-exit?timeoutMs=N` (a crash the test caused itself), on 127.0.0.1 and a free port, for
 * the tests of faults.
 */
export function serveControl(target: Supervisor): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    const match = url.pathname.match(/^\/parts\/([\w-]+)\/(stop|kill|start|expect-exit)$/);
    if (request.method !== "POST" || !match) return new Response("not found", { status: 404 });
    const [, name, action] = match;
    try {
      if (action === "start") await target.startPart(name);
      else if (action === "expect-exit") {
        await target.expectExit(name, Number(url.searchParams.get("timeoutMs") ?? 30_000));
      } else await target.stopPart(name, { kill: action === "kill" });
      return Response.json({ part: name, action, pids: target.pids() });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return Response.json({ part: name, action, error: message }, { status: 409 });
    }
  });
}
