/**
 * Opens a URL in the person's default browser with the platform's own opener: `open` on macOS,
 * `start` on Windows, `xdg-open` elsewhere. Uses `node:child_process`, which Deno, Bun and Node
 * all provide; only the CLI entry imports this file.
 *
 * @module
 */

import { spawn } from "node:child_process";
import process from "node:process";

/** How long an opener may take to fail before it counts as having worked. */
const SETTLE_MS = 3_000;

/**
 * Resolves `true` when the opener started and did not fail within a few seconds, `false` when
 * there is none or it failed (then the caller prints the URL). Never rejects.
 */
export function openInBrowser(url: URL): Promise<boolean> {
  const [command, args] = opener(url.href);
  const { promise, resolve } = Promise.withResolvers<boolean>();

  const child = spawn(command, args, { stdio: "ignore", detached: true });
  const settled = setTimeout(() => {
    child.unref();
    resolve(true);
  }, SETTLE_MS);
  child.once("error", () => {
    clearTimeout(settled);
    resolve(false);
  });
  child.once("exit", (code) => {
    clearTimeout(settled);
    resolve(code === 0);
  });
  return promise;
}

function opener(href: string): [string, string[]] {
  if (process.platform === "darwin") return ["open", [href]];
  // `start` is a cmd built-in; its first quoted argument is the window title.
  if (process.platform === "win32") {
    return ["cmd", ["/c", "start", '""', href.replaceAll("&", "^&")]];
  }
  return ["xdg-open", [href]];
}
