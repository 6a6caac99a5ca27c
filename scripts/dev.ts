// deno-lint-ignore-file no-console
/**
 * `deno task dev`: runs the whole system locally until Ctrl-C, or until any part dies.
 *
 * Options: `--only kafka,idsvr` starts just the named parts (in dependency order).
 *
 * @module
 */
import { readStackConfig } from "../stack/config.ts";
import { stackParts } from "../stack/parts.ts";
import { Supervisor, SupervisorError } from "../stack/supervisor.ts";

const config = readStackConfig("development");
const only = Deno.args.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
const parts = stackParts(config).filter((part) => !only || only.split(",").includes(part.name));
const supervisor = new Supervisor({ logDir: config.logDir, stateFile: config.stateFile });

let stopping: Promise<void> | undefined;
function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    console.log("dev: stopping every part");
    await supervisor.stop();
    Deno.exit(code);
  })();
  return stopping;
}
Deno.addSignalListener("SIGINT", () => shutdown(0));
Deno.addSignalListener("SIGTERM", () => shutdown(0));

console.log(`dev: starting ${parts.map((part) => part.name).join(", ")}; logs in ${config.logDir}`);
try {
  await supervisor.start(parts);
} catch (error) {
  console.error(`dev: ${error instanceof SupervisorError ? error.message : String(error)}`);
  Deno.exit(1);
}

const rows = parts.map((part) => [part.name, part.address, `${config.logDir}/${part.name}.log`]);
console.log(`\n${table(["part", "where", "log"], rows)}\n`);
if (parts.some((part) => part.name === "gateway")) {
  console.log(`dev: the APIs answer through the gateway at http://localhost:${config.gatewayPort}`);
  console.log("dev: sign in as demouser / Password1 and place an order with");
  console.log(
    "dev:   deno run -A client/main.ts --item 1:2   (or `deno task demo` for a scripted run)",
  );
}
console.log("dev: everything is ready; press Ctrl-C to stop");

const failed = await supervisor.failure;
console.error(`dev: ${failed.part} died (exit code ${failed.code}); see ${config.logDir}`);
await shutdown(1);

function table(head: string[], body: string[][]): string {
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
