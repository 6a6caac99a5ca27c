/**
 * Starts the Orders API and its outbox relay on Node (the relay holds the Kafka producer):
 * `node services/orders/main.ts`. Settings come from the environment (see `config.ts`).
 * SIGTERM and SIGINT stop the HTTP server, let the relay finish its round, and exit 0.
 *
 * @module
 */
import process from "node:process";
import { createLogger } from "../../shared/log/logger.ts";
import { stopOnSignal } from "../../shared/process/shutdown.ts";
import {
  ASYMMETRIC_ALGORITHMS,
  type KeySource,
  remoteKeys,
} from "../../shared/auth/access_token.ts";
import { createDiscovery } from "../../shared/auth/discovery.ts";
import { migrate } from "../../shared/db/database.ts";
import { openDatabase } from "../../shared/db/open.ts";
import { createKafka, parseBrokers } from "../../shared/kafka/kafka_node.ts";
import { createPublisher } from "../../shared/kafka/publisher_node.ts";
import { connectReader } from "../../shared/kafka/reader_node.ts";
import { serve } from "../../shared/http/serve/node.ts";
import { createOrdersApp } from "./app.ts";
import { loadOrdersConfig } from "./config.ts";
import { startRelay } from "./relay_node.ts";
import { MIGRATIONS, SCHEMA } from "./store.ts";
import { createTokenExchange } from "./token_exchange.ts";

async function main(): Promise<void> {
  const config = loadOrdersConfig(process.env);
  const logger = createLogger({ name: "orders-api", level: config.logLevel });

  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const applied = await migrate(db, SCHEMA, MIGRATIONS);
  logger.info("database ready", { kind: db.kind, migrationsApplied: applied });

  const brokers = parseBrokers(config.kafkaBootstrap);
  const kafka = createKafka({ brokers, clientId: "orders-api", logger });
  const publisher = await createPublisher(kafka);
  const relay = startRelay({ db, publisher, openReader: () => connectReader(brokers), logger });

  const discover = createDiscovery({ issuer: config.issuer });
  let keys: KeySource | undefined;
  const app = createOrdersApp({
    db,
    logger,
    keys: async () => keys ??= remoteKeys(new URL((await discover()).jwks_uri!)),
    policy: {
      issuer: config.issuer.href,
      audience: config.audience,
      scopes: ["orders"],
      algorithms: ASYMMETRIC_ALGORITHMS,
      clockToleranceSec: 30,
      // User tokens live 15 minutes; an hour leaves room and still refuses 7-day event tokens.
      maxLifetimeSec: 3600,
    },
    exchangeToken: createTokenExchange({
      issuer: config.issuer,
      discover,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
    }),
    onOrderStored: () => relay.wake(),
    bodyLimitBytes: config.bodyLimitBytes,
  });

  const server = await serve(app.fetch, { port: config.port, hostname: config.hostname });
  logger.info("orders api listening", { ...server.address, issuer: config.issuer.href });

  stopOnSignal({
    name: "orders api",
    logger,
    deadlineMs: 8_000,
    // Safe: a message not yet published stays in the outbox for the next start.
    deadlineNote: "orders api stopped before the relay finished its round",
    steps: [() => server.close(), () => relay.stop(), () => publisher.close(), () => db.close()],
  });
}

try {
  await main();
} catch (error) {
  createLogger({ name: "orders-api" }).error("orders api failed to start", { error });
  process.exit(1);
}
