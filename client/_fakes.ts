/**
 * Fakes for the client's tests, on real sockets (`Deno.serve`, free loopback ports): an
 * authorization server that does the code flow with PKCE for `console-client` without a form,
 * and a gateway with just enough of the Orders and Invoices APIs.
 *
 * @module
 */

import { calculatePKCECodeChallenge } from "oauth4webapi";

/** How the fake authorization server answers an authorization request. */
export type AuthorizeOutcome = "code" | "access_denied" | "wrong_state" | "server_error";

/** Options of {@linkcode startFakes}. */
export interface FakeOptions {
  /** Default `"code"`. */
  authorize?: AuthorizeOutcome;
  /** Answer the token request with `invalid_grant`. */
  refuseCode?: boolean;
  /** The invoice appears on this look at `GET /invoices` (1 = the first). Default 2. */
  invoiceOnLook?: number;
}

/** The running fakes and what they saw. */
export interface Fakes {
  issuer: string;
  gatewayUrl: string;
  /** Authorization requests received, as query parameters. */
  authorizeRequests: URLSearchParams[];
  /** Bearer tokens the gateway received. */
  bearerTokens: string[];
  close(): Promise<void>;
}

const ACCESS_TOKEN = "opaque-access-token-for-demouser";
const TRANSACTION_ID = "7d5b7c1e-2f9a-4b6e-9a51-3f1c2d4e5a6b";

/** Starts both fakes; `close()` stops them. */
export function startFakes(options: FakeOptions = {}): Fakes {
  const authorizeRequests: URLSearchParams[] = [];
  const bearerTokens: string[] = [];
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  let looks = 0;

  const as = listen(async function fakeAuthorizationServer(request) {
    const url = new URL(request.url);
    if (url.pathname.endsWith("/.well-known/openid-configuration")) {
      return Response.json(metadata());
    }
    if (url.pathname === "/authorize") return authorize(url.searchParams);
    if (url.pathname === "/token") return await token(await request.formData());
    return new Response("not found", { status: 404 });
  });
  const issuer = `${as.url}/issuer`;

  function metadata() {
    return {
      issuer,
      authorization_endpoint: `${as.url}/authorize`,
      token_endpoint: `${as.url}/token`,
      code_challenge_methods_supported: ["S256"],
      authorization_response_iss_parameter_supported: true,
    };
  }

  function authorize(query: URLSearchParams): Response {
    authorizeRequests.push(query);
    if (options.authorize === "server_error") return new Response("boom", { status: 500 });
    const back = new URL(query.get("redirect_uri") ?? "");
    const state = options.authorize === "wrong_state" ? "not-the-state" : query.get("state")!;
    back.search = new URLSearchParams({ state, iss: issuer }).toString();
    if (options.authorize === "access_denied") {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set("error_description", "the user cancelled the sign-in");
    } else {
      const code = crypto.randomUUID();
      codes.set(code, {
        challenge: query.get("code_challenge") ?? "",
        redirectUri: query.get("redirect_uri") ?? "",
      });
      back.searchParams.set("code", code);
    }
    return Response.redirect(back, 303);
  }

  async function token(form: FormData): Promise<Response> {
    const grant = codes.get(String(form.get("code")));
    codes.delete(String(form.get("code")));
    const verifier = String(form.get("code_verifier") ?? "");
    const valid = grant && !options.refuseCode && form.get("client_id") === "console-client" &&
      form.get("redirect_uri") === grant.redirectUri &&
      await calculatePKCECodeChallenge(verifier) === grant.challenge;
    if (!valid) return Response.json({ error: "invalid_grant" }, { status: 400 });
    return Response.json({
      access_token: ACCESS_TOKEN,
      token_type: "bearer",
      expires_in: 900,
      scope: "orders invoices",
    });
  }

  const gateway = listen(function fakeGateway(request) {
    const url = new URL(request.url);
    const bearer = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
    bearerTokens.push(bearer);
    if (bearer !== ACCESS_TOKEN) {
      return problem(401, "token_inactive", "The access token is not active");
    }
    if (request.method === "POST" && url.pathname === "/orders") {
      return Response.json(order(), { status: 201 });
    }
    if (request.method === "GET" && url.pathname === "/invoices") {
      looks++;
      const ready = looks >= (options.invoiceOnLook ?? 2);
      return Response.json({ invoices: ready ? [invoice()] : [] });
    }
    return problem(404, "route_not_found", "No such resource");
  });

  return {
    issuer,
    gatewayUrl: gateway.url,
    authorizeRequests,
    bearerTokens,
    async close() {
      await as.server.shutdown();
      await gateway.server.shutdown();
    },
  };
}

/** A free TCP port on 127.0.0.1 with nothing listening, for "server down" cases. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function listen(handler: Deno.ServeHandler): { server: Deno.HttpServer; url: string } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  return { server, url: `http://127.0.0.1:${server.addr.port}` };
}

function problem(status: number, code: string, detail: string): Response {
  return new Response(JSON.stringify({ type: "about:blank", status, code, detail }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

function order() {
  return {
    transactionID: TRANSACTION_ID,
    eventID: "0b8f3c2a-5d1e-4f7a-8c9b-1a2b3c4d5e6f",
    utcTime: "2026-12-03T12:00:00.000Z",
    currency: "USD",
    items: [{ itemID: 1, name: "Widget", quantity: 2, price: 19.99, amount: 39.98 }],
    total: 39.98,
    publication: { status: "pending", attempts: 0 },
  };
}

function invoice() {
  return {
    invoiceID: "inv-1",
    transactionID: TRANSACTION_ID,
    userID: "demouser",
    amountCents: 3998,
    currency: "USD",
  };
}
