/**
 * The HTML of the sign-in form and of the error page. Plain, server-rendered, usable with a
 * keyboard and a screen reader: labelled fields, the error announced through `role="alert"`
 * and tied to the fields with `aria-describedby`, no script.
 *
 * @module
 */

import { CSRF_FIELD } from "./csrf.ts";

/** What the sign-in form shows. */
export interface LoginPageOptions {
  /** Where the form posts to. */
  action: string;
  /** Where the "Cancel" button posts to. */
  abortAction: string;
  csrfToken: string;
  /** Name of the application asking the user to sign in. */
  clientId: string;
  /** The username typed before, kept after a failed attempt. */
  username?: string;
  /** Set after a failed attempt. Never says whether the user exists. */
  error?: string;
}

/** The message for a failed sign-in, the same whether the username or the password is wrong. */
export const WRONG_CREDENTIALS = "The username or password is incorrect.";

/**
 * Security headers for every page: nothing may be loaded or framed. `form-action` is left out
 * on purpose: browsers apply it to the redirects after the post, which end at the client.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

/** Renders the sign-in form. */
export function loginPage(options: LoginPageOptions): string {
  const invalid = options.error === undefined ? "" : ' aria-invalid="true"';
  const described = options.error === undefined ? "" : ' aria-describedby="error"';
  const alert = options.error === undefined
    ? ""
    : `<p id="error" class="error" role="alert">${escapeHtml(options.error)}</p>`;

  const body = `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(options.clientId)}</strong></p>
${alert}
<form method="post" action="${escapeHtml(options.action)}" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(options.csrfToken)}">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none"
  spellcheck="false" required value="${escapeHtml(options.username ?? "")}"${invalid}${described}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${described}>
<button type="submit">Sign in</button>
</form>
<form method="post" action="${escapeHtml(options.abortAction)}">
<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(options.csrfToken)}">
<button type="submit" class="secondary">Cancel</button>
</form>`;
  return layout("Sign in", body);
}

/** Renders a page that explains a failure and what to do next. */
export function errorPage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}
main{max-width:22rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px}
label{display:block;margin-top:1rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #6b7280}
input:focus,button:focus{outline:3px solid #2563eb;outline-offset:2px}
button{margin-top:1.5rem;width:100%;padding:.6rem;font:inherit;border:0;border-radius:4px;
background:#1d4ed8;color:#fff;cursor:pointer}
button.secondary{margin-top:.75rem;background:#e5e7eb;color:#1b1f24}
.error{padding:.75rem;border-left:4px solid #b91c1c;background:#fef2f2;color:#7f1d1d}`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
