/**
 * Hop-by-hop headers (RFC 9110 section 7.6.1) belong to one connection and must not be passed
 * on by a proxy, in either direction.
 *
 * @module
 */

const ALWAYS = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

/** A copy of `source` without hop-by-hop headers, including those named by `Connection`. */
export function withoutHopByHop(source: Headers): Headers {
  const headers = new Headers(source);
  const listed = source.get("connection")?.split(",") ?? [];
  for (const name of listed) {
    const trimmed = name.trim();
    // Header names are tokens; anything else in Connection is noise and cannot name a header.
    if (/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(trimmed)) headers.delete(trimmed);
  }
  for (const name of ALWAYS) headers.delete(name);
  return headers;
}
