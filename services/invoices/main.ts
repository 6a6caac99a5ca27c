/**
 * Starts the Invoices API on Node 24 (`node services/invoices/main.ts`): the `OrderCreated`
 * consumer and the HTTP API on `INVOICES_PORT`. Settings come from environment variables (see
 * `config.ts`). SIGTERM and SIGINT let the batch in hand finish and commit, leave the consumer
 * group, close the server and exit with 0.
 *
 * @module
 */

import process from "node:process";
import { existsSync, rmSync } from "node:fs";
import { stopOnSignal } from "../../shared/process/shutdown.ts";
import { createDiscovery } from "../../shared/auth/discovery.ts";
import { discoveredKeys } from "../../shared/auth/discovered_keys.ts";
import { openDatabase } from "../../shared/db/open.ts";
import { serve } from "../../shared/http/serve/node.ts";
import { createKafka, parseBrokers } from "../../shared/kafka/kafka_node.ts";
import { createPublisher } from "../../shared/kafka/publisher_node.ts";
import { ORDER_CREATED, ORDER_CREATED_REJECTED } from "../../shared/kafka/topics.ts";
import { createLogger } from "../../shared/log/logger.ts";
import { createInvoicesApp } from "./app.ts";
import { loadInvoicesConfig } from "./config.ts";
import { CONSUMER_GROUP, startConsumer } from "./consumer_node.ts";
import { deadLetterPublisher } from "./dead_letter_node.ts";
import { processBatch } from "./pipeline.ts";
import { InvoiceStore } from "./store.ts";

const STOP_DEADLINE_MS = 8_000;

async function main(): Promise<void> {
  const config = loadInvoicesConfig(process.env);
  const logger = createLogger({ name: "invoices", level: config.logLevel });
  if (!config.requireEventHash) {
    logger.warn("event tokens without event_hash are accepted: message values are not bound", {
      setting: "INVOICES_REQUIRE_EVENT_HASH",
    });
  }

  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const store = new InvoiceStore(db);
  await store.migrate();
  const keys = discoveredKeys(createDiscovery({ issuer: config.issuer }));
  const issuer = config.issuer.href.replace(/\/$/, "");

  const kafka = createKafka({
    brokers: parseBrokers(config.kafkaBootstrap),
    clientId: CONSUMER_GROUP,
    logger,
  });
  const publisher = await createPublisher(kafka, { deliveryTimeoutMs: 10_000 });
  const consumer = await startConsumer(kafka, {
    topic: ORDER_CREATED,
    maxBatchSize: config.maxBatchSize,
    logger: logger.child({ component: "consumer" }),
    process: async (messages) => {
      const summary = await processBatch(messages, {
        check: {
          keys,
          issuer,
          requireEventHash: config.requireEventHash,
          maxMessageBytes: config.maxMessageBytes,
          logger,
        },
        store,
        deadLetterTopic: ORDER_CREATED_REJECTED,
        publish: deadLetterPublisher(publisher),
        logger,
      });
      crashIfAsked(`${config.dataDir}/crash-after-store`);
      return summary;
    },
  });

  const app = createInvoicesApp({ store, keys, issuer, logger });
  const server = await serve(app.fetch, { port: config.port, hostname: config.hostname });
  logger.info("invoices listening", {
    hostname: server.address.hostname,
    port: server.address.port,
    database: db.kind,
    issuer,
  });

  stopOnSignal({
    name: "invoices",
    logger,
    deadlineMs: STOP_DEADLINE_MS,
    // Safe: whatever was not committed is read again at the next start.
    deadlineNote: "invoices stopped before the batch in hand finished",
    steps: [() => consumer.stop(), () => publisher.close(), () => server.close(), () => db.close()],
  });
}

try {
  await main();
} catch (error) {
  // Configuration mistakes and an unreachable database or broker end up here.
  createLogger({ name: "invoices" }).error("invoices failed to start", { error });
  process.exit(1);
}

/**
 * Fault injection for the test suite, and only with `APP_ENV=test`: when `file` exists, it is
 * removed and the process dies at once (SIGKILL), after a batch was stored and before its
 * offsets are committed, which is the moment a crash is hardest on exactly-once invoicing.
 */
function crashIfAsked(file: string): void {
  if (process.env.APP_ENV !== "test" || !existsSync(file)) return;
  rmSync(file);
  process.kill(process.pid, "SIGKILL");
}
