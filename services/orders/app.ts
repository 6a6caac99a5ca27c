/**
 * The Orders API: a Hono app on Web APIs only. An order is accepted only once it and its
 * event-bound `OrderCreated` message are durably recorded; publishing is the relay's job.
 *
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ServiceError } from "../../shared/errors.ts";
import type { Database } from "../../shared/db/database.ts";
import type { Logger } from "../../shared/log/logger.ts";
import type { KeySource, TokenPolicy } from "../../shared/auth/access_token.ts";
import {
  type AuthVariables,
  errorAnswer,
  requestIdOf,
  requireToken,
} from "../../shared/http/resource_server.ts";
import { ORDER_CREATED } from "../../shared/kafka/topics.ts";
import { CATALOGUE, type CatalogueItem, centsToDecimal, CURRENCY } from "./catalogue.ts";
import { InvalidOrderError, parseOrder } from "./order_input.ts";
import { encodeOrderCreated, eventHash } from "./event_message.ts";
import type { ExchangeToken } from "./token_exchange.ts";
import { findOrder, insertOrder, listOrders, type StoredOrder } from "./store.ts";

/** What the app needs; everything with I/O is passed in. */
export interface OrdersAppOptions {
  db: Database;
  /** The issuer's keys (discovered lazily). */
  keys: () => Promise<KeySource>;
  /** Rules for the callers' access tokens. */
  policy: TokenPolicy;
  exchangeToken: ExchangeToken;
  logger: Logger;
  /** Called after an order is committed, so the relay publishes without waiting to poll. */
  onOrderStored?: () => void;
  catalogue?: ReadonlyMap<number, CatalogueItem>;
  bodyLimitBytes?: number;
  now?: () => Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Builds the app. */
export function createOrdersApp(options: OrdersAppOptions): Hono<{ Variables: AuthVariables }> {
  const catalogue = options.catalogue ?? CATALOGUE;
  const now = options.now ?? (() => new Date());
  const app = new Hono<{ Variables: AuthVariables }>();

  app.onError((error, c) => errorAnswer(error, c, { logger: options.logger, scope: "orders" }));
  app.notFound(() => {
    throw new ServiceError("route_not_found", "No such resource", { status: 404 });
  });

  app.get("/health", (c) => c.json({ status: "ok" }));

  app.use("/orders", setRequestId);
  app.use("/orders/*", setRequestId);
  app.use("/orders", requireToken(options.keys, options.policy));
  app.use("/orders/*", requireToken(options.keys, options.policy));

  app.post(
    "/orders",
    bodyLimit({
      maxSize: options.bodyLimitBytes ?? 16 * 1024,
      onError: () => {
        throw new ServiceError("body_too_large", "The request body is too large", { status: 413 });
      },
    }),
    async function createOrder(c) {
      const lines = parseOrder(await readJson(c.req.raw), catalogue);
      const user = c.var.token;
      const log = options.logger.child({ requestId: c.var.requestId, userId: user.sub });

      const transactionId = crypto.randomUUID();
      const eventId = crypto.randomUUID();
      const createdAt = now().toISOString();
      const value = encodeOrderCreated({ eventID: eventId, utcTime: createdAt, lines });
      const binding = { transactionId, eventId, eventHash: await eventHash(value) };

      // No event token, no order: an order that cannot be invoiced must not be accepted.
      const exchangeStarted = performance.now();
      const eventToken = await options.exchangeToken(c.var.rawToken, binding);
      const exchangeMs = performance.now() - exchangeStarted;

      const totalCents = lines.reduce((sum, line) => sum + line.priceCents * line.quantity, 0);
      const storeStarted = performance.now();
      await insertOrder(options.db, {
        transactionId,
        eventId,
        userId: user.sub,
        createdAt,
        currency: CURRENCY,
        lines,
        totalCents,
        message: {
          topic: ORDER_CREATED,
          key: transactionId,
          value,
          headers: { Authorization: `Bearer ${eventToken.token}` },
        },
      }).catch((cause) => {
        throw new ServiceError("database_unavailable", "The order could not be stored", {
          status: 503,
          cause,
        });
      });
      const storeMs = performance.now() - storeStarted;
      options.onOrderStored?.();
      log.info("order accepted", { transactionId, eventId, eventHash: binding.eventHash });

      c.header("location", `/orders/${transactionId}`);
      c.header(
        "server-timing",
        `token-exchange;dur=${exchangeMs.toFixed(2)}, outbox-write;dur=${storeMs.toFixed(2)}`,
      );
      return c.json(
        present({
          transactionId,
          eventId,
          userId: user.sub,
          createdAt: new Date(createdAt),
          currency: CURRENCY,
          lines,
          totalCents,
          publication: { status: "pending", attempts: 0 },
        }),
        201,
      );
    },
  );

  app.get("/orders", async function listOwnOrders(c) {
    const orders = await listOrders(options.db, c.var.token.sub).catch(databaseDown);
    return c.json({ orders: orders.map(present) });
  });

  app.get("/orders/:id", async function getOwnOrder(c) {
    const id = c.req.param("id");
    // Someone else's order and no order at all get the same answer.
    const order = UUID.test(id)
      ? await findOrder(options.db, c.var.token.sub, id).catch(databaseDown)
      : undefined;
    if (!order) throw new ServiceError("order_not_found", `No order "${id}"`, { status: 404 });
    return c.json(present(order));
  });

  return app;
}

const setRequestId: MiddlewareHandler<{ Variables: AuthVariables }> = async (c, next) => {
  const requestId = requestIdOf(c.req.raw);
  c.set("requestId", requestId);
  c.header("x-request-id", requestId);
  await next();
};

async function readJson(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    throw new ServiceError(
      "unsupported_media_type",
      `The request body must be application/json, got ${type ? `"${type}"` : "none"}`,
      { status: 415 },
    );
  }
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidOrderError("(body)", "The request body is not valid JSON");
  }
}

function databaseDown(cause: unknown): never {
  throw new ServiceError("database_unavailable", "The orders could not be read", {
    status: 503,
    cause,
  });
}

/** The order as the API shows it. */
function present(order: StoredOrder) {
  return {
    transactionID: order.transactionId,
    eventID: order.eventId,
    utcTime: order.createdAt.toISOString(),
    currency: order.currency,
    items: order.lines.map((line) => ({
      itemID: line.itemID,
      name: line.name,
      quantity: line.quantity,
      price: centsToDecimal(line.priceCents),
      amount: centsToDecimal(line.priceCents * line.quantity),
    })),
    total: centsToDecimal(order.totalCents),
    publication: {
      status: order.publication.status,
      attempts: order.publication.attempts,
      publishedAt: order.publication.publishedAt?.toISOString(),
      topic: ORDER_CREATED,
      partition: order.publication.partition,
      offset: order.publication.offset,
    },
  };
}
