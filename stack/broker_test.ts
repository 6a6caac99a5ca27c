import assert from "node:assert/strict";
import { brokerProperties, newClusterId } from "./broker.ts";
import { readStackConfig } from "./config.ts";

Deno.test("brokerProperties() describes one KRaft node listening on 127.0.0.1 only", () => {
  const config = readStackConfig("test", { KAFKA_PORT: "39092" });
  const lines = brokerProperties(config, "/data/kafka").trim().split("\n");
  const props = Object.fromEntries(lines.map((line) => line.split("=", 2)));
  assert.equal(props["process.roles"], "broker,controller");
  assert.equal(props["listeners"], "PLAINTEXT://127.0.0.1:39092,CONTROLLER://127.0.0.1:39093");
  assert.equal(props["advertised.listeners"], "PLAINTEXT://127.0.0.1:39092");
  assert.equal(props["controller.quorum.bootstrap.servers"], "127.0.0.1:39093");
  assert.equal(props["log.dirs"], "/data/kafka");
  assert.equal(props["auto.create.topics.enable"], "false");
});

Deno.test("newClusterId() returns 22 base64url characters from 16 random bytes", () => {
  const ids = new Set(Array.from({ length: 50 }, newClusterId));
  assert.equal(ids.size, 50);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{22}$/);
});

Deno.test("readStackConfig() refuses a port that is not a TCP port", () => {
  assert.throws(() => readStackConfig("test", { KAFKA_PORT: "99999" }), {
    name: "RangeError",
    message: 'KAFKA_PORT must be a TCP port from 1 to 65535, got "99999"',
  });
});
