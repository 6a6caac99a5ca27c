/**
 * Broker readiness and topic creation through the client's admin API. Node only.
 *
 * @module
 */
import type { KafkaJS } from "@confluentinc/kafka-javascript";
import type { TopicSpec } from "./topics.ts";

/** Options of {@linkcode waitForBroker} and {@linkcode ensureTopics}. */
export interface AdminWaitOptions {
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Pause between attempts. Default 250 ms. */
  intervalMs?: number;
}

/**
 * Resolves once the broker answers a metadata request, which it does only when it can serve
 * clients. Rejects with the last error after `timeoutMs`.
 */
export async function waitForBroker(
  admin: KafkaJS.Admin,
  options: AdminWaitOptions,
): Promise<void> {
  await retryUntil(
    () => admin.listTopics({ timeout: 2_000 }),
    options,
    "answer a metadata request",
  );
}

/**
 * Creates each topic that does not exist yet, then waits until every partition of every topic
 * has a leader, so that producing right after cannot fail on a missing leader. Returns the names
 * of the topics it created.
 */
export async function ensureTopics(
  admin: KafkaJS.Admin,
  topics: readonly TopicSpec[],
  options: AdminWaitOptions,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics({ timeout: 5_000 }));
  const missing = topics.filter((topic) => !existing.has(topic.name));
  if (missing.length > 0) {
    await admin.createTopics({
      timeout: options.timeoutMs,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: 1,
        configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })),
      })),
    });
  }

  await retryUntil(
    async () => {
      const metadata = await admin.fetchTopicMetadata({
        topics: topics.map((topic) => topic.name),
        timeout: 2_000,
      });
      for (const spec of topics) {
        const found = metadata.find((entry) => entry.name === spec.name);
        if (!found) throw new Error(`topic "${spec.name}" has no metadata yet`);
        if (found.partitions.length !== spec.partitions) {
          throw new RangeError(
            `topic "${spec.name}" has ${found.partitions.length} partitions, ` +
              `expected ${spec.partitions}`,
          );
        }
        const leaderless = found.partitions.filter((p) => p.leader === undefined || p.leader < 0);
        if (leaderless.length > 0) {
          throw new Error(
            `topic "${spec.name}" has partitions without leader`,
          );
        }
      }
    },
    options,
    "give every partition a leader",
  );

  return missing.map((topic) => topic.name);
}

async function retryUntil<T>(
  attempt: () => Promise<T>,
  options: AdminWaitOptions,
  what: string,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await attempt();
    } catch (error) {
      // A wrong partition count will not fix itself: say so at once.
      if (error instanceof RangeError) throw error;
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`Broker did not ${what} within ${options.timeoutMs} ms: ${reason}`, {
    cause: lastError,
  });
}
