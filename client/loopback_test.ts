import assert from "node:assert/strict";
import { serve } from "../shared/http/serve/deno.ts";
import { CLIENT_ERRORS, ServiceError } from "./errors.ts";
import { startLoopbackListener } from "./loopback.ts";

Deno.test("startLoopbackListener() serves /callback on 127.0.0.1 and hands over the redirect", async () => {
  const listener = await startLoopbackListener({ serve, port: 0 });
  try {
    assert.match(listener.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const received = listener.waitForRedirect((url) => url.searchParams.get("code"));

    const page = await fetch(`${listener.redirectUri}?code=abc&state=s`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Signed in/);
    assert.equal(await received, "abc");
  } finally {
    await listener.close();
  }
});

Deno.test("startLoopbackListener() shows a failed check in the browser and rejects with it", async () => {
  const listener = await startLoopbackListener({ serve, port: 0 });
  try {
    const received = listener.waitForRedirect(() => {
      throw new ServiceError(CLIENT_ERRORS.stateMismatch, "Refused <the> redirect", {
        status: 400,
      });
    });
    received.catch(() => {});

    const page = await fetch(`${listener.redirectUri}?state=forged`);
    assert.equal(page.status, 400);
    assert.match(await page.text(), /Refused &#60;the&#62; redirect/);
    await assert.rejects(
      received,
      (error: ServiceError) => error.code === CLIENT_ERRORS.stateMismatch,
    );
  } finally {
    await listener.close();
  }
});

Deno.test("startLoopbackListener() answers only the first redirect and only on its path", async () => {
  const listener = await startLoopbackListener({ serve, port: 0 });
  try {
    const early = await fetch(`${listener.redirectUri}?code=too-early`);
    assert.equal(early.status, 400, "no sign-in is waiting yet");
    await early.body?.cancel();

    const received = listener.waitForRedirect((url) => url.searchParams.get("code"));
    const other = await fetch(new URL("/favicon.ico", listener.redirectUri));
    assert.equal(other.status, 404);
    await other.body?.cancel();

    await (await fetch(`${listener.redirectUri}?code=first`)).body?.cancel();
    const again = await fetch(`${listener.redirectUri}?code=second`);
    assert.equal(again.status, 400);
    await again.body?.cancel();
    assert.equal(await received, "first");
  } finally {
    await listener.close();
  }
});

Deno.test("startLoopbackListener() names a taken port as listener_failed", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    await assert.rejects(startLoopbackListener({ serve, port }), (error: ServiceError) => {
      assert.equal(error.code, CLIENT_ERRORS.listenerFailed);
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}.*--port`));
      return true;
    });
  } finally {
    taken.close();
  }
});
