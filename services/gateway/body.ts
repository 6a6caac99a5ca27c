/**
 * Reads a request body up to a limit, so an oversized upload is refused with 413 before it is
 * held in memory or sent upstream.
 *
 * @module
 */

import { ServiceError } from "../../shared/errors.ts";

/** Throws `body_too_large` (413) when the declared `Content-Length` exceeds `limit`. */
export function assertDeclaredLength(request: Request, limit: number): void {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
}

/**
 * The whole body as bytes, or `null` when there is none. Counts bytes as they arrive, so a
 * chunked body without `Content-Length` is bounded too.
 */
export async function readBodyWithin(
  request: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  assertDeclaredLength(request, limit);
  if (!request.body) return null;

  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

function concat(chunks: Uint8Array<ArrayBuffer>[], total: number): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError("body_too_large", `Request body exceeds the limit of ${limit} bytes`, {
    status: 413,
  });
}
