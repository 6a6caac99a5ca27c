import assert from "node:assert/strict";
import { assertRoutes, matchRoute, upstreamUrl } from "./routes.ts";

const routes = [
  { prefix: "/orders", target: new URL("http://orders.test") },
  { prefix: "/orders/archive", target: new URL("http://archive.test/v2/") },
];

Deno.test("matchRoute() matches on segment boundaries and prefers the longest prefix", () => {
  assert.equal(matchRoute(routes, "/orders")?.target.host, "orders.test");
  assert.equal(matchRoute(routes, "/orders/")?.target.host, "orders.test");
  assert.equal(matchRoute(routes, "/orders/archive/3")?.target.host, "archive.test");
  assert.equal(matchRoute(routes, "/ordersx"), undefined);
  assert.equal(matchRoute(routes, "/"), undefined);
});

Deno.test("upstreamUrl() appends path and query to the target's path", () => {
  const url = upstreamUrl(routes[1], new URL("http://gw.test/orders/archive/3?a=1&b=2"));
  assert.equal(url.href, "http://archive.test/v2/orders/archive/3?a=1&b=2");
});

Deno.test("assertRoutes() refuses a prefix that cannot match a path", () => {
  for (const prefix of ["orders", "/", "/orders/", "/a b"]) {
    assert.throws(() => assertRoutes([{ prefix, target: new URL("http://x.test") }]), TypeError);
  }
});
