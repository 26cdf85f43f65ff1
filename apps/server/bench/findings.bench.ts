/**
 * `npm run bench:findings`: the live findings path — terminal payment lines through the ingest pipeline
 * (checks, batches, COPY, commit) into the payment feed and the live findings engine, which stores what
 * it finds — on PGlite and PostgreSQL. Prints JSON.
 *
 * The stream is the seeded generator's (packages/txn, seed 1, its terminal lines; patterns included),
 * sent as device `txn` messages in time order, BENCH_CONCURRENCY at a time. Measured: records/s with the
 * engine, and per stored finding the latency from the moment its last payment was handed to ingest to the
 * moment its row was written (p50/p99, ms). Same-run baseline: the same records through ingest alone.
 * With `node --expose-gc`, also the heap one organization's analyzer holds after BENCH_MEMORY_RECORDS
 * (200,000) generated records.
 *
 *   BENCH_DB (pglite|postgres, default both), BENCH_RECORDS (20000), BENCH_CONCURRENCY (200),
 *   BENCH_MEMORY_RECORDS (200000; 0 skips), BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test)
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import pino from 'pino';
import type { TxnFinding, TxnRecord } from '@poscare/contracts';
import { TxnAnalyzer } from '@poscare/txn';
import { generateStream } from '../../../packages/txn/src/testing/generate.js';
import { loadConfig } from '../src/config.js';
import { csvRows, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { FindingsRuntime } from '../src/findings/runtime.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { PaymentFeed } from '../src/payments/feed.js';
import { feedPaymentsFrom } from '../src/payments/ingestFeed.js';
import { freshDatabase } from './benchDb.js';

const env = process.env;
const RECORDS = Number(env.BENCH_RECORDS ?? 20_000);
const CONCURRENCY = Number(env.BENCH_CONCURRENCY ?? 200);
const MEMORY_RECORDS = Number(env.BENCH_MEMORY_RECORDS ?? 200_000);
const PG_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KINDS = (env.BENCH_DB ? [env.BENCH_DB] : ['pglite', 'postgres']) as ('pglite' | 'postgres')[];

const stream = generateStream({ seed: 1, records: Math.round(RECORDS * 1.1) }).records.filter((r) => r.source === 'terminal').slice(0, RECORDS);
const endAt = new Date(Date.parse(stream[stream.length - 1]!.at) + 60_000);

async function seed(db: Database) {
  await migrate(db);
  const orgId = randomUUID();
  const merchants = new Map<string, string>();
  const terminals = new Map<string, { id: string; merchantId: string }>();
  for (const r of stream) {
    if (!merchants.has(r.merchantId)) merchants.set(r.merchantId, randomUUID());
    if (!terminals.has(r.terminalId)) terminals.set(r.terminalId, { id: randomUUID(), merchantId: merchants.get(r.merchantId)! });
  }
  await db.rawTransaction(async (tx) => {
    await tx.query(`INSERT INTO organizations (id, name, kind) VALUES ($1, 'bench', 'acquirer')`, [orgId]);
    await tx.copyIn('merchants', ['id', 'org_id', 'mid', 'name'], csvRows([...merchants].map(([k, id]) => [id, orgId, k, k])));
    await tx.copyIn('terminals', ['id', 'org_id', 'merchant_id', 'serial_number', 'vendor', 'model', 'lifecycle_state'], csvRows([...terminals].map(([k, t]) => [t.id, orgId, t.merchantId, k, 'PAX', 'A920', 'active'])));
  });
  return { orgId, terminals };
}

/** A generated record as the terminal sends it. */
const message = (r: TxnRecord) => ({
  v: 1,
  msgId: r.id.replace(/[^A-Za-z0-9_-]/g, '_').slice(-60),
  at: r.at,
  kind: 'txn',
  data: {
    type: r.type, stan: r.stan, amountMinor: r.amountMinor, currency: r.currency, entryMode: r.entryMode, outcome: r.outcome,
    ...(r.rrn && { rrn: r.rrn }), ...(r.authCode && { authCode: r.authCode }), ...(r.responseCode && { responseCode: r.responseCode }),
    ...(r.cardToken && { cardToken: r.cardToken }), ...(r.originalStan && { originalStan: r.originalStan }), ...(r.originalRrn && { originalRrn: r.originalRrn }),
  },
});

const pct = (xs: number[], q: number) => (xs.length ? Math.round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!) : null);

async function run(kind: 'pglite' | 'postgres', engine: boolean) {
  const { db, drop } = await freshDatabase(kind, PG_URL, 'poscare-bench-findings');
  try {
    const { orgId, terminals } = await seed(db);
    const ctx = { db, config: loadConfig({ DATA_DIR: 'memory://', LOG_LEVEL: 'warn' }), clock: { now: () => endAt }, log: pino({ level: 'error' }) };
    const feed = new PaymentFeed();
    const pipeline = feedPaymentsFrom(new IngestPipeline(ctx), feed, ctx);
    const handedAt = new Map<string, number>();
    const latencies: number[] = [];
    let runtime: FindingsRuntime | null = null;
    if (engine) {
      runtime = new FindingsRuntime(ctx, { feed, catchUp: false });
      runtime.onStored = (_org, opened: TxnFinding[], storedAt) => {
        for (const f of opened) {
          const last = Math.max(...f.txnIds.map((id) => handedAt.get(id) ?? 0));
          if (last) latencies.push(storedAt - last);
        }
      };
      await runtime.start();
    }
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < stream.length; i += CONCURRENCY) {
      await Promise.all(
        stream.slice(i, i + CONCURRENCY).map((r) => {
          const term = terminals.get(r.terminalId)!;
          const m = message(r);
          handedAt.set(`${term.id}/${m.msgId}`, Date.now());
          return pipeline.submit({ channel: 'simulator', orgId, terminalId: term.id }, m);
        }),
      );
    }
    await pipeline.flush();
    await runtime?.settled();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const [stored] = await db.rawTransaction((tx) => tx.query<{ n: string }>('SELECT count(*) AS n FROM txn_findings'));
    await runtime?.stop();
    await pipeline.close();
    return {
      records: stream.length,
      wallMs: Math.round(wallMs),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      recordsPerSecond: Math.round(stream.length / (wallMs / 1000)),
      ...(engine && { findingsStored: Number(stored?.n ?? 0), findingLatencyMs: { p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), max: pct(latencies, 1), n: latencies.length } }),
    };
  } finally {
    await drop();
  }
}

function memory() {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc || !MEMORY_RECORDS) return { skipped: gc ? 'BENCH_MEMORY_RECORDS=0' : 'run with node --expose-gc' };
  const heap = () => (gc(), gc(), process.memoryUsage().heapUsed);
  const { records } = generateStream({ seed: 1, records: MEMORY_RECORDS });
  const before = heap();
  const a = new TxnAnalyzer();
  for (let k = 0; k < records.length; k += 1000) a.addMany(records.slice(k, k + 1000));
  const held = heap() - before;
  const days = (Date.parse(records[records.length - 1]!.at) - Date.parse(records[0]!.at)) / 86_400_000;
  return { records: records.length, days: Math.round(days * 10) / 10, heapHeldMB: Math.round(held / 1048576), bytesPerRecord: Math.round(held / records.length), findingsStanding: a.findings().length };
}

const results: Record<string, unknown> = {};
for (const kind of KINDS) {
  try {
    results[kind] = { baselineIngestOnly: await run(kind, false), ingestAndLiveEngine: await run(kind, true) };
  } catch (err) {
    results[kind] = { error: (err as Error).message };
  }
}
console.log(
  JSON.stringify(
    { bench: 'findings', note: 'terminal lines through ingest and the live findings engine; baseline: ingest alone, same run', machine: { cpus: cpus().length, load: loadavg().map((x) => +x.toFixed(1)) }, ...results, analyzerMemory: memory() },
    null,
    2,
  ),
);
process.exit(0);
