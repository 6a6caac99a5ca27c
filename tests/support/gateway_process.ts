/**
 * Starts `services/gateway/main.ts` as a child process on Deno, Bun or Node, on a free loopback
 * port, and waits until `GET /health` answers (whatever the log level).
 *
 * @module
 */

/** A runtime the gateway runs on. */
export type Runtime = "deno" | "bun" | "node";

/** A started gateway. */
export interface GatewayProcess {
  runtime: Runtime;
  url: string;
  /** Log lines so far (JSON), for assertions and for failure messages. */
  lines: string[];
  /** SIGTERM, then the exit code; SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<number>;
}

const ROOT = new URL("../../", import.meta.url);
const MAIN = new URL("services/gateway/main.ts", ROOT).pathname;

function command(runtime: Runtime): [string, string[]] {
  switch (runtime) {
    case "deno":
      return [Deno.execPath(), ["run", "-A", MAIN]];
    case "bun":
      return [new URL("node_modules/.bin/bun", ROOT).pathname, [MAIN]];
    case "node":
      return [new URL(".cache/node/bin/node", ROOT).pathname, [MAIN]];
  }
}

/** Starts the gateway with `env` added to the current environment; waits until it listens. */
export async function startGateway(
  runtime: Runtime,
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<GatewayProcess> {
  const [program, args] = command(runtime);
  const port = freePort();
  const child = new Deno.Command(program, {
    args,
    cwd: ROOT.pathname,
    env: { GATEWAY_HOSTNAME: "127.0.0.1", GATEWAY_PORT: String(port), ...env },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();

  const lines: string[] = [];
  const drained = readLines(child.stderr, (line) => lines.push(line));
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });

  async function stop(graceMs = 10_000): Promise<number> {
    if (!exited) child.kill("SIGTERM");
    const timer = setTimeout(() => exited || child.kill("SIGKILL"), graceMs);
    const { code } = await status;
    clearTimeout(timer);
    await drained;
    return code;
  }

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (!(await healthy(url))) {
    if (exited || Date.now() > deadline) {
      const code = await stop(1_000);
      throw new Error(`${runtime} gateway did not come up (exit ${code}):\n${lines.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { runtime, url, lines, stop };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let buffered = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const part of parts) if (part.trim()) onLine(part);
  }
  if (buffered.trim()) onLine(buffered);
}
