/**
 * Where the stack under test listens, as `scripts/test.ts` announces it through the
 * environment (with the contract's defaults when a test file is run by hand).
 *
 * @module
 */
import { toolchainNode } from "../../stack/config.ts";

/** Addresses and programs of the running stack. */
export interface StackEnv {
  /** Parts the test runner started, e.g. `["kafka", "idsvr"]`. */
  parts: string[];
  kafkaBootstrap: string;
  idsvrUrl: string;
  gatewayUrl: string;
  /** Node 22+, for helpers that load the Kafka client. */
  node: string;
  root: string;
}

/** Reads the stack's addresses from the environment. */
export function stackEnv(): StackEnv {
  const env = Deno.env.toObject();
  const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
  return {
    parts: (env.STACK_PARTS ?? "").split(",").filter((part) => part !== ""),
    kafkaBootstrap: env.KAFKA_BOOTSTRAP ?? "127.0.0.1:29092",
    idsvrUrl: env.IDSVR_URL ?? "http://localhost:8443",
    gatewayUrl: env.GATEWAY_URL ?? "http://localhost:3000",
    node: env.NODE ?? toolchainNode(root) ?? "node",
    root,
  };
}

/** True when the test runner started `part`; tests that need it are skipped otherwise. */
export function hasPart(part: string): boolean {
  return stackEnv().parts.includes(part);
}

/**
 * Stops (`stop`), crashes (`kill`, SIGKILL), starts again (`start`, resolving once ready) a
 * part of the stack that `deno task test` runs, or waits for a crash the test caused
 * (`expect-exit`).
 */
export async function controlPart(
  part: string,
  action: "stop" | "kill" | "start" | "expect-exit",
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const base = Deno.env.get("STACK_CONTROL_URL");
  if (!base) throw new Error("STACK_CONTROL_URL is not set: run the tests with `deno task test`");
  const query = options.timeoutMs ? `?timeoutMs=${options.timeoutMs}` : "";
  const response = await fetch(`${base}/parts/${part}/${action}${query}`, { method: "POST" });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${action} ${part} failed: ${answer.error}`);
}
