/**
 * Run by the supervisor on Node once the broker process is up: waits until the broker answers a
 * metadata request, creates the system's topics, and waits for their leaders. Prints one JSON
 * line with what it did; exits 1 with a one-line reason when the broker does not become ready.
 *
 * Usage: node stack/kafka_setup.ts   (KAFKA_BOOTSTRAP, default 127.0.0.1:29092)
 *
 * @module
 */
import process from "node:process";
import { silentLogger } from "../shared/log/logger.ts";
import { createKafka, parseBrokers } from "../shared/kafka/kafka_node.ts";
import { ensureTopics, waitForBroker } from "../shared/kafka/admin_node.ts";
import { TOPICS } from "../shared/kafka/topics.ts";

const brokers = parseBrokers(process.env.KAFKA_BOOTSTRAP ?? "127.0.0.1:29092");
const timeoutMs = Number(process.env.KAFKA_READY_TIMEOUT_MS ?? 60_000);
// While the broker starts, every attempt logs a refused connection: the one line this script
// prints on failure says more than those.
const admin = createKafka({ brokers, clientId: "kafka-setup", logger: silentLogger }).admin();

try {
  const started = performance.now();
  await admin.connect();
  await waitForBroker(admin, { timeoutMs });
  const created = await ensureTopics(admin, TOPICS, { timeoutMs });
  const ms = Math.round(performance.now() - started);
  process.stdout.write(JSON.stringify({ ready: true, brokers, created, ms }) + "\n");
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`kafka-setup: ${reason}\n`);
  process.exitCode = 1;
} finally {
  await admin.disconnect().catch(() => {});
}
