import assert from "node:assert/strict";
import { sha256Base64url } from "./digest.ts";

Deno.test("sha256Base64url() gives the RFC 4648 base64url form without padding", async () => {
  // SHA-256("abc") from FIPS 180-2, appendix B.1.
  assert.equal(await sha256Base64url("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  assert.equal(
    await sha256Base64url(new TextEncoder().encode("abc")),
    "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0",
  );
});
