// deno-lint-ignore-file no-console
/**
 * The console client: signs you in through the system browser, places an order through the API
 * gateway, and follows it until its invoice exists. Runs on Deno, Node 24 and Bun:
 *
 * - `deno run -A client/main.ts --item 1:2`
 * - `node client/main.ts --file my-order.json`
 * - `bun client/main.ts --help`
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type ConsoleArgs, DEFAULT_ORDER_FILE, parseConsoleArgs, USAGE } from "./args.ts";
import { CLIENT_ERRORS, ServiceError } from "./errors.ts";
import { formatInvoice, formatOrder, shortToken } from "./format.ts";
import { createGatewayApi } from "./gateway_api.ts";
import { openInBrowser } from "./open_browser.ts";
import { type OrderLine, parseOrderFile } from "./order_lines.ts";
import { loadServe } from "./serve.ts";
import { signIn } from "./sign_in.ts";

/** What to do next, per failure code, for the one line a failed run ends with. */
const HINTS: Record<string, string> = {
  [CLIENT_ERRORS.serverUnavailable]: "is the stack running? Start it with: deno task dev",
  [CLIENT_ERRORS.gatewayUnavailable]: "is the stack running? Start it with: deno task dev",
  [CLIENT_ERRORS.loginCancelled]: "run the client again to sign in",
  [CLIENT_ERRORS.loginTimeout]: "run the client again and finish the sign-in in time",
  [CLIENT_ERRORS.stateMismatch]: "run the client again; the redirect was not for this sign-in",
};

async function main(argv: string[]): Promise<number> {
  let args: ConsoleArgs;
  let items: OrderLine[];
  try {
    args = parseConsoleArgs(argv);
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    items = args.items.length > 0 ? args.items : await readOrderFile(args.file);
  } catch (error) {
    console.error(`client: ${(error as Error).message} (see --help)`);
    return 2;
  }

  try {
    await run(args, items);
    return 0;
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    const hint = HINTS[error.code];
    console.error(`client: ${error.message}${hint ? `; ${hint}` : ""} [${error.code}]`);
    return 1;
  }
}

async function run(args: ConsoleArgs, items: OrderLine[]): Promise<void> {
  const { serve } = await loadServe();
  const tokens = await signIn({
    issuer: args.issuer,
    serve,
    port: args.port,
    prompt: args.forceLogin ? "login" : undefined,
    loginTimeoutMs: args.loginTimeoutMs,
    onListening: (uri) => console.log(`Waiting for the sign-in redirect at ${uri}`),
    openBrowser: (url) => showSignIn(url, args.openBrowser),
  });
  const who = tokens.idTokenClaims?.sub ? ` as "${tokens.idTokenClaims.sub}"` : "";
  console.log(
    `Signed in${who}. Access token (opaque to this client): ${shortToken(tokens.accessToken)}`,
  );
  console.log(`  expires in ${tokens.expiresIn ?? "?"} s, scope "${tokens.scope ?? ""}"\n`);

  const api = createGatewayApi({ gatewayUrl: args.gateway, accessToken: tokens.accessToken });
  const order = await api.placeOrder(items);
  console.log(`${formatOrder(order)}\n`);

  console.log(`Waiting up to ${args.invoiceTimeoutMs / 1000} s for the invoice of this order...`);
  const invoice = await api.waitForInvoice(order.transactionID, {
    timeoutMs: args.invoiceTimeoutMs,
  });
  console.log(formatInvoice(invoice));
}

async function showSignIn(url: URL, tryBrowser: boolean): Promise<void> {
  if (tryBrowser && await openInBrowser(url)) {
    console.log("Opened your browser to sign in. If it did not appear, open this address:");
  } else {
    console.log("Open this address in a browser to sign in:");
  }
  console.log(`  ${url.href}`);
}

async function readOrderFile(file: string): Promise<OrderLine[]> {
  // The default file sits beside this script, wherever the client is started from.
  const path = file === DEFAULT_ORDER_FILE
    ? fileURLToPath(new URL("./example-order.json", import.meta.url))
    : file;
  const text = await readFile(path, "utf8").catch((error: Error) => {
    throw new RangeError(`Failed to read order file "${file}": ${error.message}`);
  });
  return parseOrderFile(text, file);
}

process.exitCode = await main(process.argv.slice(2));
