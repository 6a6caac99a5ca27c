/**
 * The supervisor behind `deno task dev`, run as a user would run it, on ports of its own so that
 * it does not meet the stack that `deno task test` started.
 */
import assert from "node:assert/strict";
import { hasPart, stackEnv } from "./support/stack.ts";

const KAFKA_PORT = 39092;
const { root } = stackEnv();

interface DevRun {
  child: Deno.ChildProcess;
  output: () => string;
  pids: () => Promise<{ supervisor: number; parts: Record<string, number> }>;
  waitFor: (text: string, timeoutMs: number) => Promise<void>;
}

function startDev(dataDir: string, extraEnv: Record<string, string> = {}): DevRun {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}/scripts/dev.ts`, "--only=kafka"],
    env: { STACK_DATA_DIR: dataDir, KAFKA_PORT: String(KAFKA_PORT), NO_COLOR: "1", ...extraEnv },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let text = "";
  let exited = false;
  child.status.then(() => exited = true);
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) text += chunk;
  };
  collect(child.stdout);
  collect(child.stderr);

  return {
    child,
    output: () => text,
    pids: async () => JSON.parse(await Deno.readTextFile(`${dataDir}/stack.json`)),
    async waitFor(needle, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(needle)) {
        // A supervisor that gave up (a taken port, say) has said why: no need to wait it out.
        if (exited) throw new Error(`the supervisor exited before "${needle}":\n${text}`);
        if (Date.now() > deadline) {
          throw new Error(`no "${needle}" within ${timeoutMs} ms:\n${text}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** True while `pid` is a live (not zombie) process. */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pids.every((pid) => !alive(pid))) return [];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return pids.filter(alive);
}

Deno.test({
  name: "supervisor stops every process it started on Ctrl-C, on its own death, and on a crash",
  ignore: Deno.build.os !== "linux" || !hasPart("kafka"),
  sanitizeResources: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "supervisor-test-" });
    try {
      await t.step("SIGINT stops the broker and the supervisor exits 0", async () => {
        const run = startDev(dataDir);
        await run.waitFor("everything is ready", 120_000);
        const { parts } = await run.pids();
        assert.ok(alive(parts.kafka), "the broker runs");

        run.child.kill("SIGINT");
        const status = await run.child.status;
        assert.equal(status.code, 0, run.output());
        assert.deepEqual(await waitGone([parts.kafka], 5_000), [], "no process survives");
        assert.match(run.output(), /kafka stopped/);
      });

      await t.step("SIGKILL of the supervisor still takes the broker down", async () => {
        const run = startDev(dataDir);
        await run.waitFor("everything is ready", 120_000);
        const { parts } = await run.pids();

        run.child.kill("SIGKILL");
        await run.child.status;
        // The JVM shuts down on the SIGTERM the kernel sends it when its parent dies.
        assert.deepEqual(await waitGone([parts.kafka], 30_000), [], "the broker survived");
      });

      await t.step("a part that dies stops the stack with a non-zero exit", async () => {
        const run = startDev(dataDir);
        await run.waitFor("everything is ready", 120_000);
        const { parts } = await run.pids();

        Deno.kill(parts.kafka, "SIGKILL");
        const status = await run.child.status;
        assert.equal(status.code, 1);
        assert.match(run.output(), /kafka died \(exit code \d+\)/);
        assert.deepEqual(await waitGone([parts.kafka], 5_000), []);
      });

      await t.step("a taken port is named in one line and nothing starts", async () => {
        using _listener = Deno.listen({ hostname: "127.0.0.1", port: KAFKA_PORT });
        const run = startDev(dataDir);
        const status = await run.child.status;
        assert.equal(status.code, 1);
        const errors = run.output().split("\n").filter((line) => line.startsWith("dev: port"));
        assert.equal(errors.length, 1, run.output());
        assert.match(errors[0], /port 39092 needed by kafka is already in use.*KAFKA_PORT/);
      });

      await t.step("a missing Java is named with its fix", async () => {
        const run = startDev(dataDir, { JAVA: "/nonexistent/java" });
        const status = await run.child.status;
        assert.equal(status.code, 1);
        assert.match(run.output(), /dev: "\/nonexistent\/java" was not found: install it/);
      });
    } finally {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
