/**
 * Confluent's Kafka client, set up the one way the project uses it. Node only: the client is a
 * native addon that Deno and Bun cannot load, so nothing that must run on every runtime may
 * import this file.
 *
 * @module
 */
import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { LogFields, Logger } from "../log/logger.ts";

/** Options of {@linkcode createKafka}. */
export interface KafkaOptions {
  /** `host:port` bootstrap servers, e.g. `["127.0.0.1:29092"]`. */
  brokers: string[];
  /** Shown in the broker's request logs. */
  clientId: string;
  logger: Logger;
}

/** Creates a client whose log lines go to the project's structured logger. */
export function createKafka(options: KafkaOptions): KafkaJS.Kafka {
  return new KafkaJS.Kafka({
    kafkaJS: {
      brokers: options.brokers,
      clientId: options.clientId,
      logger: bridgeLogger(options.logger.child({ component: "kafka-client" })),
      logLevel: KafkaJS.logLevel.WARN,
    },
  });
}

/** Parses a comma-separated bootstrap list such as `KAFKA_BOOTSTRAP`. */
export function parseBrokers(value: string): string[] {
  const brokers = value.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
  for (const broker of brokers) {
    if (!/^[\w.-]+:\d{1,5}$/.test(broker)) {
      throw new TypeError(`KAFKA_BOOTSTRAP must list host:port pairs, got "${broker}"`);
    }
  }
  if (brokers.length === 0) throw new TypeError("KAFKA_BOOTSTRAP must name at least one broker");
  return brokers;
}

function bridgeLogger(logger: Logger): KafkaJS.Logger {
  let level: number = KafkaJS.logLevel.WARN;
  const at =
    (threshold: number, write: (m: string, f?: LogFields) => void) =>
    (message: string, extra?: object) => {
      if (level >= threshold) write(message, extra as LogFields | undefined);
    };

  const bridged: KafkaJS.Logger = {
    error: at(KafkaJS.logLevel.ERROR, logger.error),
    warn: at(KafkaJS.logLevel.WARN, logger.warn),
    info: at(KafkaJS.logLevel.INFO, logger.info),
    debug: at(KafkaJS.logLevel.DEBUG, logger.debug),
    namespace: () => bridged,
    setLogLevel: (next) => {
      level = next;
    },
  };
  return bridged;
}
