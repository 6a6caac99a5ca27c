/**
 * The console's command line: what each option means, its default, and the parser. Kept apart
 * from `main.ts` so it is tested without a network or a runtime.
 *
 * @module
 */

import { parseItemArgument } from "./order_lines.ts";
import type { OrderLine } from "./order_lines.ts";
import { CONSOLE_DEFAULTS } from "./sign_in.ts";

/** The settings of one run of the console. */
export interface ConsoleArgs {
  help: boolean;
  issuer: URL;
  gateway: URL;
  /** Loopback port; `0` takes any free one. */
  port: number;
  /** Lines from `--item`; empty when the order comes from `file`. */
  items: OrderLine[];
  /** The order file, used when no `--item` is given. */
  file: string;
  openBrowser: boolean;
  /** Sends `prompt=login`, so the form shows even when the browser has a session. */
  forceLogin: boolean;
  loginTimeoutMs: number;
  invoiceTimeoutMs: number;
}

export const DEFAULT_ISSUER = "http://localhost:8443/oauth/v2/oauth-anonymous";
export const DEFAULT_GATEWAY = "http://localhost:3000";
export const DEFAULT_ORDER_FILE = "client/example-order.json";

/** The text of `--help`. */
export const USAGE = `Usage: client/main.ts [options]

Signs you in through your browser, places an order through the API gateway, prints it, then
waits for its invoice and prints that.

Options:
  --item <itemID>:<quantity>  Order this item (repeatable). Item ids 1 to 5, quantities 1 to 100;
                              "<itemID>" alone means quantity 1. Replaces --file.
  --file <path>               Order the items of this JSON file, shaped like the API's body:
                              {"items":[{"itemID":1,"quantity":2}]}.
                              Default: ${DEFAULT_ORDER_FILE}
  --issuer <url>              The authorization server's issuer; its endpoints are discovered
                              from <url>/.well-known/openid-configuration.
                              Default: ${DEFAULT_ISSUER}
  --gateway <url>             The API gateway in front of the Orders and Invoices APIs.
                              Default: ${DEFAULT_GATEWAY}
  --port <n>                  Port of the loopback listener on 127.0.0.1 that receives the
                              sign-in redirect (http://127.0.0.1:<n>/callback); 0 picks a free
                              port. Default: ${CONSOLE_DEFAULTS.port}
  --no-browser                Do not open a browser; print the sign-in URL to open yourself.
  --force-login               Show the sign-in form even if the browser is still signed in
                              (prompt=login).
  --login-timeout <seconds>   Give up when the sign-in has not finished in time. Default: 300
  --invoice-timeout <seconds> Give up when no invoice has appeared in time. Default: 60
  -h, --help                  Show this text.

Exit codes: 0 done, 1 the flow failed (the message names the step), 2 bad options.`;

const VALUED = new Set([
  "--item",
  "--file",
  "--issuer",
  "--gateway",
  "--port",
  "--login-timeout",
  "--invoice-timeout",
]);
const FLAGS = new Set(["--no-browser", "--force-login", "--help", "-h"]);

/** Parses the arguments; throws `RangeError` naming the first bad one. */
export function parseConsoleArgs(argv: readonly string[]): ConsoleArgs {
  const args: ConsoleArgs = {
    help: false,
    issuer: new URL(DEFAULT_ISSUER),
    gateway: new URL(DEFAULT_GATEWAY),
    port: CONSOLE_DEFAULTS.port,
    items: [],
    file: DEFAULT_ORDER_FILE,
    openBrowser: true,
    forceLogin: false,
    loginTimeoutMs: 300_000,
    invoiceTimeoutMs: 60_000,
  };

  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = splitOption(argv[i]);
    if (FLAGS.has(name) && inline === undefined) {
      applyFlag(args, name);
      continue;
    }
    if (!VALUED.has(name)) throw new RangeError(`Unknown option "${argv[i]}"`);

    const value = inline ?? argv[++i];
    if (value === undefined) throw new RangeError(`Option "${name}" needs a value`);
    applyValue(args, name, value);
  }
  return args;
}

function splitOption(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

function applyFlag(args: ConsoleArgs, name: string): void {
  if (name === "--no-browser") args.openBrowser = false;
  else if (name === "--force-login") args.forceLogin = true;
  else args.help = true;
}

function applyValue(args: ConsoleArgs, name: string, value: string): void {
  switch (name) {
    case "--item":
      args.items.push(parseItemArgument(value));
      break;
    case "--file":
      args.file = value;
      break;
    case "--issuer":
      args.issuer = httpUrl(name, value);
      break;
    case "--gateway":
      args.gateway = httpUrl(name, value);
      break;
    case "--port":
      args.port = wholeNumber(name, value, 0, 65535);
      break;
    case "--login-timeout":
      args.loginTimeoutMs = wholeNumber(name, value, 1, 3600) * 1000;
      break;
    case "--invoice-timeout":
      args.invoiceTimeoutMs = wholeNumber(name, value, 1, 3600) * 1000;
      break;
  }
}

function httpUrl(name: string, value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new RangeError(`Option "${name}" needs an http or https URL, got "${value}"`);
  }
  return url;
}

function wholeNumber(name: string, value: string, min: number, max: number): number {
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max)) {
    throw new RangeError(
      `Option "${name}" needs a whole number from ${min} to ${max}, got "${value}"`,
    );
  }
  return number;
}
