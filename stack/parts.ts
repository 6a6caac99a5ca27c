/**
 * The parts of the system in dependency order, as the supervisor starts them. A part whose
 * entry file does not exist yet is left out, so the stack grows as the system does.
 *
 * @module
 */
import { brokerPart } from "./broker.ts";
import { fileExists, type StackConfig } from "./config.ts";
import type { PartContext, PartSpec } from "./supervisor.ts";

/**
 * Every part that exists in this checkout, broker first. `extraEnv` goes to every service,
 * e.g. the `DATABASE_URL` of a test run.
 */
export function stackParts(config: StackConfig, extraEnv: Record<string, string> = {}): PartSpec[] {
  const issuer = `http://localhost:${config.idsvrPort}/oauth/v2/oauth-anonymous`;
  const shared = {
    APP_ENV: config.mode,
    KAFKA_BOOTSTRAP: config.kafkaBootstrap,
    OAUTH_ISSUER: issuer,
    IDSVR_PORT: String(config.idsvrPort),
    IDSVR_ISSUER: issuer,
    IDSVR_DATA_DIR: `${config.dataDir}/idsvr`,
    // A second user, to show that one user never sees another's orders or invoices.
    IDSVR_EXTRA_USERS: "otheruser:Password2",
    GATEWAY_PORT: String(config.gatewayPort),
    ORDERS_PORT: String(config.ordersPort),
    INVOICES_PORT: String(config.invoicesPort),
    ORDERS_API_URL: `http://localhost:${config.ordersPort}`,
    INVOICES_API_URL: `http://localhost:${config.invoicesPort}`,
    DATA_DIR: config.dataDir,
    ...extraEnv,
  };

  const candidates: Array<PartSpec & { entry?: string }> = [
    brokerPart(config),
    httpPart(config, {
      name: "idsvr",
      description: "OpenID Connect authorization server (oidc-provider, Node)",
      entry: "idsvr/main.ts",
      runtime: "node",
      port: config.idsvrPort,
      portSetting: "IDSVR_PORT",
      readyUrl: `${issuer}/.well-known/openid-configuration`,
      env: shared,
    }),
    httpPart(config, {
      name: "orders",
      description: "Orders API and outbox relay (Node)",
      entry: "services/orders/main.ts",
      runtime: "node",
      port: config.ordersPort,
      portSetting: "ORDERS_PORT",
      readyUrl: `http://127.0.0.1:${config.ordersPort}/health`,
      env: shared,
    }),
    httpPart(config, {
      name: "invoices",
      description: "Invoices API and OrderCreated consumer (Node)",
      entry: "services/invoices/main.ts",
      runtime: "node",
      port: config.invoicesPort,
      portSetting: "INVOICES_PORT",
      readyUrl: `http://127.0.0.1:${config.invoicesPort}/health`,
      env: shared,
    }),
    httpPart(config, {
      name: "gateway",
      description: "Phantom-token API gateway (Hono, Deno)",
      entry: "services/gateway/main.ts",
      runtime: "deno",
      port: config.gatewayPort,
      portSetting: "GATEWAY_PORT",
      readyUrl: `http://127.0.0.1:${config.gatewayPort}/health`,
      env: shared,
    }),
  ];

  return candidates.filter((part) => !part.entry || fileExists(`${config.root}/${part.entry}`));
}

interface HttpPartOptions {
  name: string;
  description: string;
  entry: string;
  runtime: "node" | "deno";
  port: number;
  portSetting: string;
  readyUrl: string;
  env: Record<string, string>;
}

function httpPart(config: StackConfig, options: HttpPartOptions): PartSpec & { entry: string } {
  const script = `${config.root}/${options.entry}`;
  const command = options.runtime === "node"
    ? { cmd: config.node, args: [script] }
    : { cmd: config.deno, args: ["run", "-A", script] };

  return {
    name: options.name,
    description: options.description,
    entry: options.entry,
    address: `http://localhost:${options.port}`,
    healthUrl: options.readyUrl,
    ports: [options.port],
    portSetting: options.portSetting,
    command: { ...command, env: options.env, cwd: config.root },
    ready: (context) => waitForHttp(options.readyUrl, context),
    readyTimeoutMs: 60_000,
    stopTimeoutMs: 10_000,
  };
}

/** Polls `url` until it answers 200, or the part exits, or the start is given up. */
export async function waitForHttp(url: string, context: PartContext): Promise<void> {
  let last = "no answer yet";
  while (!context.signal.aborted) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return;
      last = `HTTP ${response.status} from ${url}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(last);
}
