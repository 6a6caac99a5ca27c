/**
 * Throughput of the Invoices API's consumer pipeline, next to the raw rate of the signature
 * checks it cannot beat, both measured in this run on the same tokens:
 *
 * - `joseVerify`: `jose.jwtVerify` of every event token, a batch at a time, all of a batch
 *   concurrently, and nothing else;
 * - `pipeline`: `processBatch` (`services/invoices/pipeline.ts`), the function the consumer runs
 *   on each batch: size and header checks, JSON parsing, the full token policy, the event-id,
 *   transaction-id and SHA-256 bindings, and one transaction storing the batch's invoices. Two
 *   partitions are processed side by side, each batch after the other, as the consumer does.
 *
 * The Kafka client is left out on purpose: it is the same for any consumer and would measure
 * the broker. Tokens are RS256 (the authorization server's default), signed by a local key.
 * The database is PostgreSQL when `BENCH_DATABASE_URL` or `TEST_DATABASE_URL` is set (as
 * `deno task bench` does), else the embedded one in memory.
 *
 * Run: `.cache/node/bin/node bench/invoices.ts` (or `deno task bench invoices`). Environment:
 * `BENCH_EVENTS` (default 4000), `BENCH_BATCH_SIZE` (default 256). Prints one JSON object.
 *
 * @module
 */

import process from "node:process";
import * as jose from "jose";
import { openPglite } from "../shared/db/pglite.ts";
import { connectPostgres } from "../shared/db/postgres.ts";
import { silentLogger } from "../shared/log/logger.ts";
import { sha256Base64url } from "../services/invoices/digest.ts";
import type { SourceMessage } from "../services/invoices/event_check.ts";
import { processBatch } from "../services/invoices/pipeline.ts";
import { InvoiceStore } from "../services/invoices/store.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 4000);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 256);
if (!(EVENTS >= 100 && EVENTS <= 50_000)) throw new RangeError("BENCH_EVENTS must be 100-50000");
if (!(BATCH_SIZE >= 1 && BATCH_SIZE <= 5_000)) throw new RangeError("BENCH_BATCH_SIZE: 1-5000");

const ISSUER = "https://bench.test/oauth/v2/oauth-anonymous";
const encoder = new TextEncoder();

async function makeMessages(privateKey: jose.CryptoKey, count: number): Promise<SourceMessage[]> {
  const now = Math.floor(Date.now() / 1000);
  const messages: SourceMessage[] = [];
  for (let i = 0; i < count; i++) {
    const eventId = crypto.randomUUID();
    const transactionId = crypto.randomUUID();
    const value = encoder.encode(JSON.stringify({
      eventID: eventId,
      utcTime: new Date().toISOString(),
      currency: "USD",
      items: [{ itemID: i % 50, quantity: 1 + (i % 3), price: 19.99 }],
    }));
    const token = await new jose.SignJWT({
      sub: `bench-user-${i % 20}`,
      aud: "jobs.example.com",
      scope: "trigger_invoicing",
      client_id: "orders-api-client",
      jti: crypto.randomUUID(),
      event_id: eventId,
      transaction_id: transactionId,
      event_hash: await sha256Base64url(value),
    }).setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid: "bench" })
      .setIssuer(ISSUER).setIssuedAt(now).setExpirationTime(now + 7 * 24 * 3600)
      .sign(privateKey);
    messages.push({
      topic: "OrderCreated",
      partition: i % 2,
      offset: String(1_000_000 + i),
      key: encoder.encode(transactionId),
      value,
      headers: [["Authorization", encoder.encode(`Bearer ${token}`)]],
    });
  }
  return messages;
}

function batches<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) out.push(items.slice(i, i + BATCH_SIZE));
  return out;
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const { privateKey, publicKey } = await jose.generateKeyPair("RS256");
  const jwks = { keys: [{ ...await jose.exportJWK(publicKey), kid: "bench", alg: "RS256" }] };
  const keys = jose.createLocalJWKSet(jwks);
  const messages = await makeMessages(privateKey, EVENTS);
  const tokens = messages.map((m) => new TextDecoder().decode(m.headers[0][1]).slice(7));

  const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const db = databaseUrl ? await connectPostgres({ url: databaseUrl }) : await openPglite();
  const store = new InvoiceStore(db);
  await store.migrate();
  const options = {
    check: {
      keys,
      issuer: ISSUER,
      requireEventHash: true,
      maxMessageBytes: 65_536,
      logger: silentLogger,
    },
    store,
    deadLetterTopic: "OrderCreated.rejected",
    publish: () => Promise.reject(new Error("no message should be dead-lettered")),
    logger: silentLogger,
  };

  // Warm both paths up (JIT, key import, connection pool) on a slice that is not measured.
  const warm = Math.min(200, Math.floor(EVENTS / 10));
  await Promise.all(tokens.slice(0, warm).map((t) => jose.jwtVerify(t, keys, { issuer: ISSUER })));
  await processBatch(messages.slice(0, warm), options);

  const verifyTokens = tokens.slice(warm);
  const joseSeconds = await timed(async () => {
    for (const batch of batches(verifyTokens)) {
      await Promise.all(batch.map((t) => jose.jwtVerify(t, keys, { issuer: ISSUER })));
    }
  });

  // As the consumer does: each partition's batches in order, the two partitions side by side.
  let created = 0;
  const measured = messages.slice(warm);
  const pipelineSeconds = await timed(async () => {
    await Promise.all([0, 1].map(async (partition) => {
      for (const batch of batches(measured.filter((m) => m.partition === partition))) {
        const summary = await processBatch(batch, options);
        created += summary.created;
      }
    }));
  });
  await db.close();
  if (created !== EVENTS - warm) throw new Error(`created ${created} of ${EVENTS - warm} invoices`);

  const joseRate = (EVENTS - warm) / joseSeconds;
  const pipelineRate = (EVENTS - warm) / pipelineSeconds;
  process.stdout.write(
    JSON.stringify({
      events: EVENTS - warm,
      batchSize: BATCH_SIZE,
      alg: "RS256",
      database: databaseUrl ? "postgres" : "pglite",
      runtime: `node ${process.versions.node}`,
      joseVerifyPerSec: Math.round(joseRate),
      pipelinePerSec: Math.round(pipelineRate),
      ratio: Number((pipelineRate / joseRate).toFixed(2)),
    }) + "\n",
  );
}

await main();
