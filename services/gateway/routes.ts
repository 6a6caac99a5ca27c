/**
 * The route table: which path prefix goes to which API.
 *
 * @module
 */

/** One entry of the route table. */
export interface Route {
  /** Path prefix, e.g. `"/orders"`; matches itself and everything below it. */
  prefix: string;
  /** Base URL of the API; the request path is appended to its path unchanged. */
  target: URL;
}

/** Checks a route table at start-up; throws `TypeError` on a prefix that cannot match. */
export function assertRoutes(routes: readonly Route[]): void {
  for (const route of routes) {
    if (!/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(route.prefix)) {
      throw new TypeError(`Route prefix must look like "/orders", got "${route.prefix}"`);
    }
  }
}

/**
 * Finds the route for a path: the longest prefix that matches on a segment boundary, so
 * `/orders` covers `/orders` and `/orders/7` but not `/orders-archive`.
 */
export function matchRoute(routes: readonly Route[], pathname: string): Route | undefined {
  let best: Route | undefined;
  for (const route of routes) {
    const covers = pathname === route.prefix || pathname.startsWith(route.prefix + "/");
    if (covers && (!best || route.prefix.length > best.prefix.length)) best = route;
  }
  return best;
}

/** The upstream URL of a request: the target, then the request path and query appended. */
export function upstreamUrl(route: Route, requestUrl: URL): URL {
  const url = new URL(route.target.href);
  url.pathname = url.pathname.replace(/\/$/, "") + requestUrl.pathname;
  url.search = requestUrl.search;

  // RFC 6750 section 2.3 lets a client put its token in the query; the gateway does not accept
  // it there, and must not pass it on either.
  if (url.searchParams.has("access_token")) url.searchParams.delete("access_token");
  return url;
}
