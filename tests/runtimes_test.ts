/**
 * The services' Web-API-only code (token checks, the event message, the Orders API's
 * handlers) runs unchanged on Deno, Node and Bun: the same probe gives the same answers on each.
 * (The gateway has its own such test, `gateway_runtimes_test.ts`.)
 */
import assert from "node:assert/strict";
import { stackEnv } from "./support/stack.ts";

const { root, node } = stackEnv();
const probe = `${root}/tests/support/runtime_probe.ts`;
const RUNTIMES: Record<string, string[]> = {
  deno: [Deno.execPath(), "run", "-A", probe],
  node: [node, probe],
  bun: [`${root}/node_modules/.bin/bun`, probe],
};

async function runProbe(command: string[]): Promise<Record<string, unknown>> {
  const output = await new Deno.Command(command[0], {
    args: command.slice(1),
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.success, `${command[0]} failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
}

Deno.test("the services' Web-API code gives the same answers on Deno, Node and Bun", async () => {
  const answers = await Promise.all(Object.values(RUNTIMES).map(runProbe));
  for (const [index, name] of Object.keys(RUNTIMES).entries()) {
    const { runtime, ...rest } = answers[index];
    assert.equal(runtime, name);
    assert.deepEqual(rest, {
      userTokenSub: "demouser",
      eventTokenRefusal: "token_wrong_audience",
      eventHash: answers[0].eventHash,
      createStatus: 201,
      orderTotal: 99,
      invalidField: "items[0].quantity",
      listed: 1,
    });
  }
});
