import assert from "node:assert/strict";
import { createLogger } from "./logger.ts";

function capture(level?: "debug" | "info" | "warn" | "error") {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    name: "test",
    level,
    write: (line) => lines.push(JSON.parse(line)),
    now: () => new Date("2026-12-03T10:00:00Z"),
  });
  return { logger, lines };
}

Deno.test("createLogger() writes one JSON object a line with time, level, name and message", () => {
  const { logger, lines } = capture();
  logger.info("order accepted", { transactionId: "t-1" });
  assert.deepEqual(lines, [{
    time: "2026-12-03T10:00:00.000Z",
    level: "info",
    name: "test",
    message: "order accepted",
    transactionId: "t-1",
  }]);
});

Deno.test("createLogger() drops lines below its level", () => {
  const { logger, lines } = capture("warn");
  logger.debug("a");
  logger.info("b");
  logger.warn("c");
  logger.error("d");
  assert.deepEqual(lines.map((line) => line.message), ["c", "d"]);
});

Deno.test("child() adds its fields to every line, and no field replaces the message", () => {
  const { logger, lines } = capture();
  logger.child({ requestId: "r-1" }).warn("slow", { message: "overwritten?", level: "debug" });
  assert.equal(lines[0].requestId, "r-1");
  assert.equal(lines[0].message, "slow");
  assert.equal(lines[0].level, "warn");
});

Deno.test("createLogger() keeps an error's name, code and message", () => {
  const { logger, lines } = capture();
  const error = Object.assign(new Error("broker down", { cause: new Error("refused") }), {
    code: "broker_unavailable",
  });
  logger.error("publish failed", { error });
  assert.deepEqual(lines[0].error, {
    name: "Error",
    message: "broker down",
    code: "broker_unavailable",
    cause: "refused",
  });
});
