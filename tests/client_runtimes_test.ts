/**
 * The console client, unchanged, on Deno, Node and Bun: each runtime runs `client/main.ts` as a
 * child process against a fake authorization server and a fake gateway (started here on free
 * ports). The test plays the browser: it opens the printed sign-in URL, whose redirect lands on
 * the client's loopback listener. Needs no stack.
 */
import assert from "node:assert/strict";
import { closedPort, startFakes } from "../client/_fakes.ts";

type Runtime = "deno" | "node" | "bun";

const ROOT = new URL("../", import.meta.url);
const MAIN = new URL("client/main.ts", ROOT).pathname;
const PROGRAMS: Record<Runtime, [string, string[]]> = {
  deno: [Deno.execPath(), ["run", "-A", MAIN]],
  node: [new URL(".cache/node/bin/node", ROOT).pathname, [MAIN]],
  bun: [new URL("node_modules/.bin/bun", ROOT).pathname, [MAIN]],
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onLine` sees each stdout line as it comes. Killed after 30 s. */
async function runClient(
  runtime: Runtime,
  args: string[],
  onLine: (line: string) => void = () => {},
): Promise<Run> {
  const [program, base] = PROGRAMS[runtime];
  const child = new Deno.Command(program, {
    args: [...base, ...args],
    cwd: ROOT.pathname,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);

  let stdout = "";
  const stderr = new Response(child.stderr).text();
  let pending = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    stdout += chunk;
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    lines.forEach(onLine);
  }
  const status = await child.status;
  clearTimeout(killer);
  return { code: status.code, stdout, stderr: await stderr };
}

for (const runtime of ["deno", "node", "bun"] as const) {
  Deno.test(`client/main.ts on ${runtime}`, async (t) => {
    await t.step("signs in with PKCE, places the order and prints its invoice", async () => {
      const fakes = startFakes();
      const browsing: Promise<void>[] = [];
      try {
        const run = await runClient(runtime, [
          "--no-browser",
          `--issuer=${fakes.issuer}`,
          `--gateway=${fakes.gatewayUrl}`,
          "--port=0",
          "--item=1:2",
          "--invoice-timeout=10",
        ], (line) => {
          // The test is the browser: it follows the authorization server back to the listener.
          const url = line.trim();
          if (url.startsWith(`${fakes.issuer.replace(/\/issuer$/, "")}/authorize?`)) {
            browsing.push(fetch(url).then((response) => response.body?.cancel()));
          }
        });
        await Promise.all(browsing);

        assert.equal(run.code, 0, run.stderr);
        assert.equal(browsing.length, 1);
        assert.equal(fakes.authorizeRequests[0].get("code_challenge_method"), "S256");
        assert.match(run.stdout, /Open this address in a browser to sign in/);
        assert.match(run.stdout, /Signed in\. Access token \(opaque to this client\): opaque-a…/);
        assert.match(run.stdout, /2 x Widget \(item 1\)/);
        assert.match(run.stdout, /Invoice inv-1/);
        assert.ok(!run.stdout.includes("opaque-access-token-for-demouser"), "token printed whole");
      } finally {
        await fakes.close();
      }
    });

    await t.step(
      "an authorization server that is down ends with exit 1 and one clear line",
      async () => {
        const issuer = `http://127.0.0.1:${closedPort()}/oauth/v2/oauth-anonymous`;
        const run = await runClient(runtime, ["--no-browser", `--issuer=${issuer}`, "--port=0"]);

        assert.equal(run.code, 1);
        assert.match(
          run.stderr,
          /^client: Authorization server at "http:\/\/127\.0\.0\.1:\d+" is unavailable/,
        );
        assert.match(
          run.stderr,
          /is the stack running\? .*\[authorization_server_unavailable\]\n$/,
        );
        assert.doesNotMatch(run.stdout, /Open this address/);
      },
    );

    await t.step("bad options end with exit 2 and --help exits 0", async () => {
      const bad = await runClient(runtime, ["--item", "9:0"]);
      assert.equal(bad.code, 2);
      assert.match(
        bad.stderr,
        /Quantity in "9:0" must be a whole number from 1 to 100 \(see --help\)/,
      );

      const help = await runClient(runtime, ["--help"]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: client\/main\.ts \[options\]/);
    });
  });
}
