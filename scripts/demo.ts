// deno-lint-ignore-file no-console
/**
 * `deno task demo`: the whole zero-trust flow in one run, printed hop by hop. Starts the stack
 * in `.data/demo/` (wiped first) unless a gateway already answers on its port, in which case
 * the running stack is used and left running. Headless Chromium signs the demo user in on the
 * real sign-in page; then the console client's own code places an order and follows it to its
 * invoice. Everything the demo started is stopped at the end, also on failure or Ctrl-C.
 *
 * @module
 */
import { readStackConfig, type StackConfig } from "../stack/config.ts";
import { stackParts } from "../stack/parts.ts";
import { Supervisor, SupervisorError } from "../stack/supervisor.ts";
import { CONSOLE_DEFAULTS, signIn, type UserTokens } from "../client/sign_in.ts";
import { loadServe } from "../client/serve.ts";
import { createGatewayApi, type GatewayApi, type Order } from "../client/gateway_api.ts";
import { formatInvoice, formatOrder, shortToken } from "../client/format.ts";
import { parseOrderFile } from "../client/order_lines.ts";
import { decodeJwt } from "jose";
import { ServiceError } from "../client/errors.ts";
import { launchHeadlessBrowser } from "../client/demo/headless_browser.ts";
import { fetchPhantomToken } from "../client/demo/phantom_token.ts";
import { readKafkaMessage } from "../client/demo/kafka_message.ts";
import {
  bearerToken,
  describeBinding,
  describeJwt,
  describeMessage,
  heading,
} from "../client/demo/hops.ts";

const env = Deno.env.toObject();
const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const config = readStackConfig("development", {
  ...env,
  STACK_DATA_DIR: env.STACK_DATA_DIR ?? `${root}/.data/demo`,
});
const issuer = new URL(`http://localhost:${config.idsvrPort}/oauth/v2/oauth-anonymous`);
const gatewayUrl = new URL(`http://localhost:${config.gatewayPort}`);
const user = {
  username: env.IDSVR_DEMO_USER ?? "demouser",
  password: env.IDSVR_DEMO_USER_PASSWORD ?? "Password1",
};

let supervisor: Supervisor | undefined;
let stopping: Promise<void> | undefined;
function finish(code: number): Promise<void> {
  stopping ??= (async () => {
    if (supervisor) {
      console.log("\ndemo: stopping the stack it started");
      await supervisor.stop();
    }
    Deno.exit(code);
  })();
  return stopping;
}
Deno.addSignalListener("SIGINT", () => finish(130));
Deno.addSignalListener("SIGTERM", () => finish(143));

let code = 1;
try {
  const parts = await startStackUnlessRunning(config);
  await runFlow(parts);
  code = 0;
} catch (error) {
  const known = error instanceof ServiceError || error instanceof SupervisorError;
  console.error(`\ndemo: failed: ${known ? error.message : String(error)}`);
  if (!known && error instanceof Error && error.stack) console.error(error.stack);
}
await finish(code);

/** Starts the stack unless a gateway already answers; returns the parts that run. */
async function startStackUnlessRunning(stack: StackConfig): Promise<string[]> {
  if (await answers(`http://127.0.0.1:${stack.gatewayPort}/health`)) {
    console.log(`demo: using the stack already running (gateway on port ${stack.gatewayPort})`);
    return ["kafka", "idsvr", "orders", "invoices", "gateway"];
  }

  await Deno.remove(stack.dataDir, { recursive: true }).catch(() => {});
  const parts = stackParts(stack);
  supervisor = new Supervisor({
    logDir: stack.logDir,
    stateFile: stack.stateFile,
    quiet: true,
    print: (line) => console.log(`demo: ${line}`),
  });
  const names = parts.map((part) => part.name);
  console.log(`demo: starting ${names.join(", ")}; logs in ${stack.logDir}`);
  await supervisor.start(parts);
  return names;
}

async function runFlow(parts: string[]): Promise<void> {
  const tokens = await signInHeadless();
  const delegationId = await showPhantomToken(tokens);

  const api = createGatewayApi({ gatewayUrl, accessToken: tokens.accessToken });
  const order = await placeOrder(api);
  if (!parts.includes("orders")) return;

  const published = await api.waitForPublication(order.transactionID, { timeoutMs: 30_000 });
  await showEvent(published, delegationId);
  if (!parts.includes("invoices")) {
    console.log("\ndemo: the invoices part does not exist in this checkout yet; stopping here");
    return;
  }

  console.log(heading(6, "The invoice, read back through the gateway"));
  console.log("The Invoices API consumed the event, checked its token, and created the invoice:");
  const invoice = await api.waitForInvoice(order.transactionID, { timeoutMs: 60_000 });
  console.log(formatInvoice(invoice));
}

async function signInHeadless(): Promise<UserTokens> {
  console.log(heading(1, "Sign-in: the console client and the user's token"));
  const { serve } = await loadServe();
  const browser = await launchHeadlessBrowser();
  try {
    const tokens = await signIn({
      issuer,
      serve,
      port: 0,
      prompt: "login",
      loginTimeoutMs: 30_000,
      onListening: (uri) => console.log(`The client listens for the redirect at ${uri}`),
      async openBrowser(url) {
        console.log(`Headless Chromium opens the sign-in page and signs in as "${user.username}"`);
        const outcome = await browser.signIn(url, user);
        if (outcome.alert) throw new Error(`The sign-in page refused: ${outcome.alert}`);
        console.log(`The browser was sent back to ${outcome.redirectedTo?.origin}/callback`);
      },
    });
    console.log(`Code exchanged (PKCE S256). Access token as the client sees it: opaque,`);
    console.log(`  ${shortToken(tokens.accessToken)}, expires in ${tokens.expiresIn} s,`);
    console.log(`  scope "${tokens.scope}", for client "${CONSOLE_DEFAULTS.clientId}"`);
    return tokens;
  } finally {
    await browser.close();
  }
}

/** Prints the phantom JWT; returns its `delegation_id`, which every derived token shares. */
async function showPhantomToken(tokens: UserTokens): Promise<unknown> {
  console.log(heading(2, "The JWT the Orders API receives (phantom token)"));
  const metadata = await (await fetch(`${issuer.href}/.well-known/openid-configuration`)).json();
  const jwt = await fetchPhantomToken(tokens.accessToken, {
    introspectionEndpoint: metadata.introspection_endpoint,
    clientId: "introspect-client",
    clientSecret: env.IDSVR_INTROSPECT_CLIENT_SECRET ?? "Password1",
  });
  console.log("The gateway swaps the opaque token for a JWT by introspection");
  console.log(
    '("introspect-client", Accept: application/jwt). The demo asked the same way, so this',
  );
  console.log("is the JWT the Orders API gets, except for its own jti and iat:");
  console.log(describeJwt(jwt));
  return decodeJwt(jwt).delegation_id;
}

async function placeOrder(api: GatewayApi): Promise<Order> {
  console.log(heading(3, "The order, placed through the gateway"));
  const file = `${root}/client/example-order.json`;
  const items = parseOrderFile(await Deno.readTextFile(file), "client/example-order.json");
  console.log(`POST ${gatewayUrl.origin}/orders ${JSON.stringify({ items })}`);
  const order = await api.placeOrder(items);
  console.log(formatOrder(order));
  return order;
}

async function showEvent(order: Order, delegationId: unknown): Promise<void> {
  const { topic = "OrderCreated", partition, offset } = order.publication;
  console.log(heading(4, "The Kafka message"));
  console.log("The Orders API exchanged the user's JWT for an event token (RFC 8693) and its");
  console.log(`outbox relay published the event at ${order.publication.publishedAt}:`);
  const message = await readKafkaMessage({
    topic,
    partition: partition ?? 0,
    offset: offset ?? 0,
    node: config.node,
    kafkaBootstrap: config.kafkaBootstrap,
  });
  console.log(describeMessage(message));

  console.log(heading(5, "The event token, from the message's Authorization header"));
  const token = bearerToken(message);
  if (!token) throw new Error("The message carries no bearer token");
  console.log("Bound to this one event, for the invoicing job only, acting for the user:");
  console.log(describeJwt(token));
  console.log("What binds it, compared here (the Invoices API checks the first three, besides");
  console.log("signature, issuer, audience and scope; delegation_id ties it to the sign-in):");
  console.log(await describeBinding(token, message, delegationId));
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
