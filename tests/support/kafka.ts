/**
 * Kafka access for tests that run on Deno: each call runs `kafka_cli.ts` on Node.
 *
 * @module
 */
import { stackEnv } from "./stack.ts";

/** A message as read back from the broker. */
export interface ReadMessage {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  valueBase64: string | null;
  headers: Array<{ name: string; value: string }>;
}

/** A message to write. `headers` values may repeat a name by giving an array. */
export interface ProduceMessage {
  key?: string;
  value?: string;
  valueBase64?: string;
  headers?: Record<string, string | string[]>;
}

async function call<T>(request: Record<string, unknown>): Promise<T> {
  const { node, kafkaBootstrap } = stackEnv();
  const cli = new URL("./kafka_cli.ts", import.meta.url).pathname;
  const output = await new Deno.Command(node, {
    args: [cli, JSON.stringify(request)],
    env: { KAFKA_BOOTSTRAP: kafkaBootstrap },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (!output.success) throw new Error(`kafka_cli ${request.op} failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** Produces each message in order; returns where each landed. */
export function produce(
  topic: string,
  messages: ProduceMessage[],
): Promise<Array<{ partition: number; offset: string }>> {
  return call({ op: "produce", topic, messages });
}

/** Reads up to `count` messages from a partition, starting at `offset`. */
export function readAt(
  topic: string,
  position: { partition: number; offset: number | string; count?: number; timeoutMs?: number },
): Promise<ReadMessage[]> {
  return call({ op: "read", topic, ...position });
}

/** Every message of `topic` (2 partitions unless told), or only those with `key`. */
export function scan(
  topic: string,
  options: { key?: string; partitions?: number } = {},
): Promise<ReadMessage[]> {
  return call({ op: "scan", topic, ...options });
}

/**
 * Resolves once consumer group `group` has committed past the last message of every partition
 * of `topic` (so every message written before the call was fully handled); rejects after
 * `timeoutMs`.
 */
export function waitUntilDrained(
  group: string,
  topic: string,
  options: { timeoutMs?: number } = {},
): Promise<Array<{ partition: number; committed: number; high: number }>> {
  return call({ op: "drained", group, topic, timeoutMs: options.timeoutMs });
}
