/**
 * `npm run bench:ingest`: telemetry end to end through the embedded MQTT broker — publish (QoS 1) →
 * validated → committed (raw, roll-ups, live state) → PUBACK — on PGlite and on PostgreSQL, with the
 * raw COPY rate of the same rows into the same database measured in the same run as the baseline.
 * Prints JSON.
 *   BENCH_TERMINALS (connections, default 200), BENCH_SECONDS (default 20), BENCH_WINDOW (unacked per connection, 100)
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { topicFor } from '@poscare/contracts';
import { loadConfig } from '../src/config.js';
import { csvRows, openDatabase, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { DeviceService } from '../src/devices/service.js';
import { startBroker } from '../src/ingest/broker.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { systemClock } from '../src/platform/clock.js';

const TERMINALS = Number(process.env.BENCH_TERMINALS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 100);
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function sample(i: number, at: Date) {
  return {
    battery: { pct: 50 + (i % 50), charging: i % 3 === 0 },
    tempC: 35 + (i % 10),
    network: { type: 'cellular', connected: true, signalDbm: -70 - (i % 30), latencyMs: 80 + (i % 50), lossPct: 0.5 },
    printer: { status: 'ok' },
    reader: { chip: { attempts: 3, failures: i % 17 === 0 ? 1 : 0 }, contactless: { attempts: 5, failures: 0 } },
    app: { version: '3.9.1', crashes: 0 },
    os: { version: 'Android 11' },
    memory: { freeMb: 512, totalMb: 2048 },
    at: at.toISOString(),
  };
}

async function seed(db: Database) {
  await migrate(db);
  const orgId = randomUUID();
  const secret = 'bench-secret';
  const ids = Array.from({ length: TERMINALS }, () => randomUUID());
  await db.rawTransaction(async (tx) => {
    await tx.query(`INSERT INTO organizations (id, name, kind) VALUES ($1, 'bench', 'acquirer')`, [orgId]);
    await tx.copyIn('terminals', ['id', 'org_id', 'serial_number', 'vendor', 'model', 'lifecycle_state'], csvRows(ids.map((id, i) => [id, orgId, `BENCH${i}`, 'PAX', 'A920', 'active'])));
    const hash = createHash('sha256').update(secret).digest('hex');
    await tx.copyIn('device_credentials', ['terminal_id', 'org_id', 'secret_hash', 'enrolled_at'], csvRows(ids.map((id) => [id, orgId, hash, new Date()])));
  });
  return { orgId, secret, ids };
}

async function measure(kind: 'pglite' | 'postgres', db: Database) {
  const { orgId, secret, ids } = await seed(db);
  const log = pino({ level: 'silent' });
  const ctx = { db, config: loadConfig({ LOG_LEVEL: 'silent' }), clock: systemClock, log };
  const pipeline = new IngestPipeline(ctx);
  const devices = new DeviceService(ctx);
  const broker = await startBroker({ port: 0, devices, pipeline, log });
  const clients = await Promise.all(
    ids.map((id) => mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username: id, password: secret, clientId: id, reconnectPeriod: 0 })),
  );
  const latencies: number[] = [];
  let acked = 0;
  let peakRss = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const stopAt = Date.now() + SECONDS * 1000;
  const t0 = performance.now();
  let seq = 0;
  await Promise.all(
    clients.map(async (c, ci) => {
      const topic = topicFor(orgId, ids[ci]!, 'telemetry');
      const inflight = new Set<Promise<void>>();
      while (Date.now() < stopAt) {
        const i = seq++;
        const at = new Date(Date.parse('2026-11-22T00:00:00Z') + i * 10);
        const { at: _a, ...data } = sample(i, at);
        const body = JSON.stringify({ v: 1, msgId: `bench-${ci}-${i}`, at: at.toISOString(), kind: 'telemetry', data });
        const sent = performance.now();
        const p = c.publishAsync(topic, body, { qos: 1 }).then(() => {
          latencies.push(performance.now() - sent);
          acked++;
        });
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        if (inflight.size >= WINDOW) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(rssTimer);
  await Promise.all(clients.map((c) => c.endAsync()));
  await broker.close();
  await pipeline.close();
  latencies.sort((a, b) => a - b);
  const stored = Number((await db.rawTransaction((tx) => tx.query<{ n: string }>('SELECT count(*) AS n FROM telemetry_raw')))[0]!.n);

  // Baseline: the same number of rows, already encoded, COPYed straight into the raw table.
  const now = new Date();
  const rows = Array.from({ length: Math.min(stored, 200_000) }, (_, i) => [orgId, ids[i % ids.length], `copy-${i}`, now, now, sample(i, now)]);
  const c0 = performance.now();
  await db.rawTransaction((tx) => tx.copyIn('telemetry_raw', ['org_id', 'terminal_id', 'msg_id', 'at', 'received_at', 'data'], csvRows(rows)));
  const copySeconds = (performance.now() - c0) / 1000;

  return {
    database: kind,
    connections: TERMINALS,
    window_per_connection: WINDOW,
    seconds: +seconds.toFixed(1),
    acked,
    stored,
    records_per_second: Math.round(acked / seconds),
    p50_ack_ms: +(latencies[Math.floor(latencies.length * 0.5)] ?? 0).toFixed(1),
    p99_ack_ms: +(latencies[Math.floor(latencies.length * 0.99)] ?? 0).toFixed(1),
    peak_rss_mib: Math.round(peakRss / 1048576),
    baseline_raw_copy_rows_per_second: Math.round(rows.length / copySeconds),
    target_records_per_second: kind === 'postgres' ? 50_000 : 20_000,
    target_p99_ack_ms: 250,
  };
}

const results: unknown[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'poscare-bench-ingest-'));
const lite = await openDatabase({ dataDir: dir });
results.push(await measure('pglite', lite));
await lite.close();
rmSync(dir, { recursive: true, force: true });

try {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const name = `poscare_bench_${Date.now().toString(36)}`;
  await c.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ dataDir: 'memory://', databaseUrl: url.toString() });
  try {
    results.push(await measure('postgres', db));
  } finally {
    await db.close();
    await c.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await c.end();
  }
} catch (err) {
  results.push({ database: 'postgres', skipped: `PostgreSQL not usable at ${PG_URL}: ${(err as Error).message}` });
}
console.log(JSON.stringify({ benchmark: 'ingest-telemetry-mqtt', machine: { cpus: cpus().length, node: process.version }, results }, null, 2));
process.exit(0);
