/**
 * Where each part of the local stack listens and keeps its files, read once from the
 * environment. Runs on Deno.
 *
 * @module
 */

/** Ports, paths and programs of one stack run. */
export interface StackConfig {
  /** Repository root. */
  root: string;
  /** `development` for `deno task dev`, `test` for `deno task test`. */
  mode: "development" | "test";
  /** Folder for broker storage, databases, keys and logs of this run. */
  dataDir: string;
  logDir: string;
  stateFile: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  kafkaBootstrap: string;
  idsvrPort: number;
  gatewayPort: number;
  ordersPort: number;
  invoicesPort: number;
  /** Node 22+ for the processes that load the Kafka client or oidc-provider. */
  node: string;
  java: string;
  deno: string;
}

/** Reads the stack's configuration; `dataDir` defaults to `.data/<dev|test>`. */
export function readStackConfig(
  mode: StackConfig["mode"],
  env: Record<string, string | undefined> = Deno.env.toObject(),
): StackConfig {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const dataDir = env.STACK_DATA_DIR ?? `${root}/.data/${mode === "test" ? "test" : "dev"}`;
  const kafkaPort = port(env, "KAFKA_PORT", 29092);
  return {
    root,
    mode,
    dataDir,
    logDir: `${dataDir}/logs`,
    stateFile: `${dataDir}/stack.json`,
    kafkaPort,
    kafkaControllerPort: port(env, "KAFKA_CONTROLLER_PORT", kafkaPort + 1),
    kafkaBootstrap: `127.0.0.1:${kafkaPort}`,
    idsvrPort: port(env, "IDSVR_PORT", 8443),
    gatewayPort: port(env, "GATEWAY_PORT", 3000),
    ordersPort: port(env, "ORDERS_PORT", 3001),
    invoicesPort: port(env, "INVOICES_PORT", 3002),
    node: env.NODE ?? toolchainNode(root) ?? "node",
    java: env.JAVA ?? "java",
    deno: Deno.execPath(),
  };
}

function port(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new RangeError(`${name} must be a TCP port from 1 to 65535, got "${raw}"`);
  }
  return value;
}

/** The Node that `scripts/bootstrap.sh` prepared, if it recorded one. */
export function toolchainNode(root: string): string | undefined {
  try {
    const text = Deno.readTextFileSync(`${root}/.cache/toolchain.env`);
    return text.match(/^NODE=(.+)$/m)?.[1];
  } catch {
    return undefined;
  }
}

/** True when `path` exists. */
export function fileExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
