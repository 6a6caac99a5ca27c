/**
 * There is no Docker engine on the machines that build this project, so `compose.yaml` is
 * checked against the native stack instead: same broker settings, same topics, and one service
 * per part with the same ports, environment and health check.
 */
import assert from "node:assert/strict";
import yaml from "js-yaml";
import { readStackConfig } from "../stack/config.ts";
import { brokerProperties } from "../stack/broker.ts";
import { stackParts } from "../stack/parts.ts";
import { TOPICS } from "../shared/kafka/topics.ts";

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  network_mode?: string;
}

const root = new URL("..", import.meta.url).pathname;
const compose = yaml.load(await Deno.readTextFile(`${root}/compose.yaml`)) as {
  services: Record<string, ComposeService>;
};
// The native stack as `deno task dev` runs it, with no overrides from this test's environment.
const config = readStackConfig("development", {});
const parts = stackParts(config);

Deno.test("compose.yaml runs Apache Kafka's own image as one KRaft node on the native ports", () => {
  const kafka = compose.services.kafka;
  assert.match(kafka.image ?? "", /^apache\/kafka:4\.\d+\.\d+$/);
  const env = kafka.environment ?? {};
  const native = Object.fromEntries(
    brokerProperties(config, "/unused").trim().split("\n").map((line) => line.split("=", 2)),
  );
  assert.equal(env.KAFKA_PROCESS_ROLES, native["process.roles"]);
  assert.equal(env.KAFKA_LISTENERS, native["listeners"]);
  assert.equal(env.KAFKA_ADVERTISED_LISTENERS, native["advertised.listeners"]);
  assert.equal(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE, native["auto.create.topics.enable"]);
  assert.equal(env.KAFKA_CONTROLLER_QUORUM_VOTERS, `1@127.0.0.1:${config.kafkaControllerPort}`);
  assert.ok(kafka.healthcheck?.test.join(" ").includes(config.kafkaBootstrap));
});

Deno.test("compose.yaml creates every topic with the partitions and settings of the native stack", () => {
  const script = (compose.services["kafka-init"].command ?? []).join(" ");
  const created = [...script.matchAll(/--topic (\S+) --partitions (\d+)((?: --\S+ \S+)*)/g)];
  assert.deepEqual(
    created.map(([, name, partitions]) => ({ name, partitions: Number(partitions) })),
    TOPICS.map(({ name, partitions }) => ({ name, partitions })),
  );
  for (const [index, match] of created.entries()) {
    const configs = Object.fromEntries(
      [...match[3].matchAll(/--config (\S+)=(\S+)/g)].map(([, key, value]) => [key, value]),
    );
    assert.deepEqual(configs, TOPICS[index].config, `settings of ${TOPICS[index].name}`);
  }
});

Deno.test("compose.yaml has one service per part, with the same environment and health check", () => {
  for (const part of parts.filter((p) => p.name !== "kafka")) {
    const service = compose.services[part.name];
    assert.ok(service, `compose.yaml has no service "${part.name}"`);
    assert.equal(service.network_mode, "host", `${part.name} shares the host's ports`);

    const nativeEnv = part.command.env ?? {};
    const composeEnv = service.environment ?? {};
    for (const [key, value] of Object.entries(nativeEnv)) {
      if (key.endsWith("DATA_DIR")) {
        assert.ok(composeEnv[key], `${part.name} sets ${key}`);
        continue;
      }
      assert.equal(composeEnv[key], value, `${part.name}: ${key}`);
    }

    const probe = (service.healthcheck?.test ?? []).join(" ");
    const health = new URL(part.healthUrl ?? "");
    assert.ok(probe.includes(`:${health.port}${health.pathname}`), `${part.name} health check`);
    assert.deepEqual(service.command?.slice(-1), [part.command.args.at(-1)?.slice(root.length)]);
  }
});

Deno.test("compose.yaml starts nothing that is not a part of the native stack", () => {
  const known = new Set([...parts.map((p) => p.name), "kafka-init", "postgres"]);
  assert.deepEqual(Object.keys(compose.services).filter((name) => !known.has(name)), []);
});
