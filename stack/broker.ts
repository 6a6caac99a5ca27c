/**
 * The local Apache Kafka broker: one JVM acting as broker and KRaft controller, PLAINTEXT on
 * 127.0.0.1, its jars fetched from Maven Central by `scripts/bootstrap.sh`. Runs on Deno.
 *
 * @module
 */
import type { PartContext, PartSpec } from "./supervisor.ts";
import { fileExists, type StackConfig } from "./config.ts";

/** The `server.properties` for a single-node KRaft broker sized for a 2-core machine. */
export function brokerProperties(config: StackConfig, logDir: string): string {
  const { kafkaPort: port, kafkaControllerPort: controller } = config;
  const settings: Record<string, string | number> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.bootstrap.servers": `127.0.0.1:${controller}`,
    "listeners": `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "log.dirs": logDir,
    // Topics are created on purpose, with their partition counts, never by a typo.
    "auto.create.topics.enable": "false",
    "num.partitions": 1,
    "offsets.topic.replication.factor": 1,
    "offsets.topic.num.partitions": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "transaction.state.log.num.partitions": 1,
    "share.coordinator.state.topic.replication.factor": 1,
    "share.coordinator.state.topic.min.isr": 1,
    "group.initial.rebalance.delay.ms": 0,
    // Small on purpose: two cores are shared with every service and the tests.
    "num.network.threads": 2,
    "num.io.threads": 2,
    "background.threads": 2,
    "num.recovery.threads.per.data.dir": 1,
    "log.cleaner.threads": 1,
    "log.cleaner.dedupe.buffer.size": 8 * 1024 * 1024,
  };
  return Object.entries(settings).map(([key, value]) => `${key}=${value}`).join("\n") + "\n";
}

/** A Kafka cluster id: 16 random bytes, base64url without padding, as Kafka writes them. */
export function newClusterId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The broker as a supervised part. */
export function brokerPart(config: StackConfig): PartSpec {
  const home = `${config.dataDir}/kafka`;
  const logDir = `${home}/data`;
  const propertiesFile = `${home}/server.properties`;
  const classpath = `${config.root}/.cache/kafka/libs/*`;
  const jvm = [
    "-Xms256m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${config.root}/broker/log4j2.properties`,
    "-cp",
    classpath,
  ];

  return {
    name: "kafka",
    description: "Apache Kafka 4.3 broker and KRaft controller",
    address: `PLAINTEXT 127.0.0.1:${config.kafkaPort}`,
    ports: [config.kafkaPort, config.kafkaControllerPort],
    portSetting: "KAFKA_PORT",
    async prepare(context: PartContext) {
      await assertJarsPresent(config.root);
      await Deno.mkdir(logDir, { recursive: true });
      await Deno.writeTextFile(propertiesFile, brokerProperties(config, logDir));
      if (fileExists(`${logDir}/meta.properties`)) return;
      context.log(`formatting storage in ${logDir}`);
      await context.run(config.java, [
        ...jvm,
        "kafka.tools.StorageTool",
        "format",
        "--cluster-id",
        newClusterId(),
        "--config",
        propertiesFile,
        "--standalone",
        "--ignore-formatted",
      ], { timeoutMs: 120_000 });
    },
    command: { cmd: config.java, args: [...jvm, "kafka.Kafka", propertiesFile] },
    async ready(context: PartContext) {
      // A metadata request through the client's admin API, which also creates the topics.
      const output = await context.run(config.node, [`${config.root}/stack/kafka_setup.ts`], {
        env: { KAFKA_BOOTSTRAP: config.kafkaBootstrap, KAFKA_READY_TIMEOUT_MS: "90000" },
        timeoutMs: 100_000,
      });
      if (context.signal.aborted) throw new Error("the broker stopped during set-up");
      context.log(`topics ready: ${output.trim()}`);
    },
    readyTimeoutMs: 120_000,
    stopTimeoutMs: 30_000,
  };
}

async function assertJarsPresent(root: string): Promise<void> {
  if (!fileExists(`${root}/.cache/kafka/libs/.stamp`)) {
    throw new TypeError(
      "the Kafka broker's jars are missing from .cache/kafka/libs: run `deno task bootstrap`",
    );
  }
}
