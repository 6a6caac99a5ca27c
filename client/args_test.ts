import assert from "node:assert/strict";
import {
  DEFAULT_GATEWAY,
  DEFAULT_ISSUER,
  DEFAULT_ORDER_FILE,
  parseConsoleArgs,
  USAGE,
} from "./args.ts";

Deno.test("parseConsoleArgs() gives the documented defaults when no option is given", () => {
  const args = parseConsoleArgs([]);
  assert.equal(args.issuer.href, DEFAULT_ISSUER);
  assert.equal(args.gateway.href, `${DEFAULT_GATEWAY}/`);
  assert.equal(args.port, 3003);
  assert.equal(args.file, DEFAULT_ORDER_FILE);
  assert.deepEqual(args.items, []);
  assert.equal(args.openBrowser, true);
  assert.equal(args.forceLogin, false);
  assert.equal(args.help, false);
});

Deno.test("parseConsoleArgs() collects repeated --item options in order", () => {
  const args = parseConsoleArgs(["--item", "1:2", "--item=3:1", "--item", "5"]);
  assert.deepEqual(args.items, [
    { itemID: 1, quantity: 2 },
    { itemID: 3, quantity: 1 },
    { itemID: 5, quantity: 1 },
  ]);
});

Deno.test("parseConsoleArgs() reads every valued option and flag", () => {
  const args = parseConsoleArgs([
    "--issuer=https://as.example/issuer",
    "--gateway",
    "http://127.0.0.1:3999",
    "--port",
    "0",
    "--file",
    "order.json",
    "--no-browser",
    "--force-login",
    "--login-timeout",
    "20",
    "--invoice-timeout=5",
  ]);
  assert.equal(args.issuer.href, "https://as.example/issuer");
  assert.equal(args.gateway.origin, "http://127.0.0.1:3999");
  assert.equal(args.port, 0);
  assert.equal(args.file, "order.json");
  assert.equal(args.openBrowser, false);
  assert.equal(args.forceLogin, true);
  assert.equal(args.loginTimeoutMs, 20_000);
  assert.equal(args.invoiceTimeoutMs, 5_000);
});

Deno.test("parseConsoleArgs() sets help for -h and --help", () => {
  assert.equal(parseConsoleArgs(["-h"]).help, true);
  assert.equal(parseConsoleArgs(["--help"]).help, true);
});

Deno.test("parseConsoleArgs() refuses bad options with a RangeError naming them", async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [["--colour"], /Unknown option "--colour"/],
    [["--port"], /"--port" needs a value/],
    [["--port", "70000"], /"--port" needs a whole number from 0 to 65535, got "70000"/],
    [["--port", "-1"], /got "-1"/],
    [["--issuer", "ftp://as"], /"--issuer" needs an http or https URL/],
    [["--gateway", "not a url"], /"--gateway" needs an http or https URL/],
    [["--item", "one:2"], /Expected --item <itemID>:<quantity>, got "one:2"/],
    [["--item", "1:0"], /Quantity in "1:0" must be a whole number from 1 to 100/],
    [["--login-timeout", "0"], /"--login-timeout" needs a whole number from 1 to 3600/],
    [["--no-browser=yes"], /Unknown option "--no-browser=yes"/],
  ];
  for (const [argv, message] of cases) {
    await t.step(argv.join(" "), () => {
      assert.throws(() => parseConsoleArgs(argv), (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

Deno.test("USAGE explains every option the parser accepts", () => {
  const options = [
    "--item",
    "--file",
    "--issuer",
    "--gateway",
    "--port",
    "--no-browser",
    "--force-login",
    "--login-timeout",
    "--invoice-timeout",
    "--help",
  ];
  for (const option of options) assert.ok(USAGE.includes(option), option);
});
