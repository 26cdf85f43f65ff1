/**
 * `npm run bench:ingest`: telemetry ingest end to end, on PGlite and on PostgreSQL. Prints JSON.
 *
 * Each database is measured in fresh processes (so that one run's memory does not count in the next):
 *
 * 1. MQTT. The embedded broker and the ingest pipeline run in the measured process; the simulated
 *    terminals run in a child process (ingest-load.ts), one MQTT connection each, each keeping
 *    BENCH_WINDOW QoS 1 publishes in flight for BENCH_SECONDS after BENCH_WARMUP seconds that are not
 *    measured. Their samples come from the fleet
 *    simulator. A record counts when its PUBACK arrives, which is sent only after the batch committed:
 *    raw sample, minute and hour roll-ups and live state. Afterwards every acknowledged record must be
 *    in telemetry_raw and every terminal's live state must hold its newest acknowledged sample.
 *    Baseline, in the same process and database: a raw COPY of as many of the same rows (same
 *    samples, same encoding) into telemetry_raw.
 * 2. Broker alone (phase `broker`, run once): the same terminals and load against the same embedded
 *    broker, with every publish acknowledged at once and nothing checked or stored: what MQTT itself
 *    costs here, so that the end-to-end figure can be read against it.
 * 3. Fleet. BENCH_FLEET (100,000) terminals sign in (the device-credential lookups the broker makes)
 *    and send BENCH_ROUNDS samples each through the pipeline (as MQTT payloads, without the
 *    connections), one per terminal per round, so every batch touches as many terminals as it has
 *    records. Reports what keeping their live state current costs: terminal_live's size, the heap the
 *    server keeps, and how far its memory grew while they reported.
 *
 *   BENCH_DB (pglite|postgres, default both), BENCH_PHASES (broker,mqtt,fleet), BENCH_TERMINALS (connections, 200), BENCH_SECONDS (15),
 *   BENCH_WARMUP (5), BENCH_WINDOW (10), BENCH_FLEET (100000, 0 skips), BENCH_ROUNDS (3), BENCH_WRITERS, BENCH_BATCH,
 *   BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test), BENCH_CPU_PROF (a folder: CPU profiles of the
 *   measured stretches)
 */
import { fork, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import pino from 'pino';
import { topicFor, type Telemetry } from '@poscare/contracts';
import { loadConfig } from '../src/config.js';
import { csvRows, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { freshDatabase } from './benchDb.js';
import { DeviceService } from '../src/devices/service.js';
import { startBroker } from '../src/ingest/broker.js';
import { IngestPipeline, type PipelineOptions } from '../src/ingest/pipeline.js';
import { TELEMETRY_RAW_COLUMNS, telemetryDataText, telemetryRawHead } from '../src/ingest/store.js';
import { signalsOf } from '../src/ingest/rollups.js';
import { systemClock } from '../src/platform/clock.js';
import type { LoadConfig, LoadResult } from './ingest-load.js';
import { BENCH_START, telemetryPool, type TelemetryPool } from './telemetryPool.js';

const env = process.env;
const TERMINALS = Number(env.BENCH_TERMINALS ?? 200);
const SECONDS = Number(env.BENCH_SECONDS ?? 15);
const WARMUP = Number(env.BENCH_WARMUP ?? 5);
const WINDOW = Number(env.BENCH_WINDOW ?? 10);
const FLEET = Number(env.BENCH_FLEET ?? 100_000);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const PHASES = (env.BENCH_PHASES ?? 'broker,mqtt,fleet').split(',');
const PG_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const POOL_MINUTES = 240;
const SECRET = 'bench-secret';
const HERE = fileURLToPath(import.meta.url);
const MIB = 1_048_576;

function pipelineOptions(): PipelineOptions {
  return {
    ...(env.BENCH_WRITERS ? { writers: Number(env.BENCH_WRITERS) } : {}),
    ...(env.BENCH_BATCH ? { maxBatch: Number(env.BENCH_BATCH) } : {}),
  };
}

/** With BENCH_CPU_PROF (a folder), a CPU profile of the measured stretch only; returns the function that ends it. */
async function profile(name: string): Promise<() => Promise<void>> {
  if (!env.BENCH_CPU_PROF) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  if (env.BENCH_HEAP_PROF) await session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async () => {
    const { profile: p } = await session.post('Profiler.stop');
    writeFileSync(path.join(env.BENCH_CPU_PROF!, `${name}.cpuprofile`), JSON.stringify(p));
    if (env.BENCH_HEAP_PROF) writeFileSync(path.join(env.BENCH_CPU_PROF!, `${name}.heapprofile`), JSON.stringify((await session.post('HeapProfiler.stopSampling')).profile));
    session.disconnect();
  };
}

function gc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function seed(db: Database, ids: string[]) {
  await migrate(db);
  const orgId = randomUUID();
  const hash = createHash('sha256').update(SECRET).digest('hex');
  await db.rawTransaction(async (tx) => {
    await tx.query(`INSERT INTO organizations (id, name, kind) VALUES ($1, 'bench', 'acquirer')`, [orgId]);
  });
  for (let i = 0; i < ids.length; i += 20_000) {
    const part = ids.slice(i, i + 20_000);
    await db.rawTransaction(async (tx) => {
      await tx.copyIn('terminals', ['id', 'org_id', 'serial_number', 'vendor', 'model', 'lifecycle_state'], csvRows(part.map((id, k) => [id, orgId, `BENCH${i + k}`, 'PAX', 'A920', 'active'])));
      await tx.copyIn('device_credentials', ['terminal_id', 'org_id', 'secret_hash', 'enrolled_at'], csvRows(part.map((id) => [id, orgId, hash, new Date()])));
    });
  }
  return orgId;
}

/**
 * CPU time of this database's PostgreSQL backends (the server is on this machine), sampled while the
 * run lasts, so that the figures say where the machine's two cores went.
 */
function postgresCpu(db: Database): { stop(): Promise<number> } {
  const ticks = new Map<number, { first: number; last: number }>();
  // Backends that exist at the start count from then; those that appear later were started by the run.
  let started = false;
  const sample = async () => {
    const pids = await db.rawTransaction((tx) => tx.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()'));
    for (const { pid } of pids) {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        const t = Number(f[11]) + Number(f[12]);
        const e = ticks.get(pid);
        if (e) e.last = t;
        else ticks.set(pid, { first: started ? 0 : t, last: t });
      } catch {
        // Not on this machine, or gone.
      }
    }
  };
  void sample().finally(() => (started = true));
  const timer = setInterval(() => void sample().catch(() => undefined), 500);
  return {
    async stop() {
      clearInterval(timer);
      await sample().catch(() => undefined);
      let sum = 0;
      for (const { first, last } of ticks.values()) sum += last - first;
      return +(sum / 100).toFixed(1);
    },
  };
}

const count = async (db: Database, sql: string, params: unknown[] = []) => Number((await db.rawTransaction((tx) => tx.query<{ n: string }>(sql, params)))[0]!.n);

/** Raw COPY of `rows` of the pool's samples (terminal i % n, sample k) into telemetry_raw, in one transaction. */
async function baselineCopy(db: Database, pool: TelemetryPool, orgId: string, rows: number, perTerminal: number[]) {
  const ids = pool.fleet.terminals.map((t) => t.id);
  const n = ids.length;
  const received = new Date().toISOString();
  const signals = pool.samples.map((own) => own.map((json) => signalsOf(JSON.parse(json) as Telemetry)));
  const t0 = performance.now();
  // COPY in transactions of 5,000 rows, as a raw-only ingest would commit.
  for (let start = 0; start < rows; start += 5_000) {
    await db.rawTransaction(async (tx) => {
      const lines: Buffer[] = [];
      for (let i = start; i < Math.min(rows, start + 5_000); i++) {
        const c = i % n;
        // The same days as the measured run (so the same partitions), other message ids.
        const k = Math.floor(i / n) % Math.max(1, perTerminal[c]! + 1);
        const own = pool.samples[c]!;
        const at = new Date(BENCH_START.getTime() + k * 60_000).toISOString();
        lines.push(Buffer.from(`${telemetryRawHead(orgId, ids[c]!, `copy-${c}-${i}`, at, received, signals[c]![k % own.length]!)}${telemetryDataText(own[k % own.length]!)}\n`));
      }
      const csv = Buffer.concat(lines);
      await tx.copyIn('telemetry_raw', TELEMETRY_RAW_COLUMNS, csv, 'text');
    });
  }
  return Math.round(rows / ((performance.now() - t0) / 1000));
}

/** CPU microseconds per record (or message), from CPU seconds. */
const perRecord = (seconds: number, records: number) => +((seconds * 1e6) / Math.max(1, records)).toFixed(1);

async function measureMqtt(kind: 'pglite' | 'postgres', brokerOnly = false) {
  const pool = telemetryPool(TERMINALS, POOL_MINUTES);
  const ids = pool.fleet.terminals.map((t) => t.id);
  const { db, drop } = await freshDatabase(kind, PG_URL, 'poscare-bench-ingest');
  try {
    const orgId = await seed(db, ids);
    const log = pino({ level: 'silent' });
    const ctx = { db, config: loadConfig({ LOG_LEVEL: 'silent' }), clock: systemClock, log };
    const pipeline = new IngestPipeline(ctx, pipelineOptions());
    const devices = new DeviceService(ctx);
    // The broker-alone baseline: every publish is answered at once; nothing is checked or stored.
    if (brokerOnly) pipeline.submit = () => Promise.resolve({ status: 'stored' });
    const broker = await startBroker({ port: 0, devices, pipeline, log });
    // Partitions for the days the run will cover, as a running server would have them.
    await pipeline.partitions.ensure([BENCH_START.getTime(), BENCH_START.getTime() + 86_400_000, BENCH_START.getTime() + 2 * 86_400_000], Date.now());

    const child = fork(path.join(path.dirname(HERE), 'ingest-load.ts'), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    let measuring: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (measuring = resolve));
    const done = new Promise<LoadResult>((resolve, reject) => {
      child.on('message', (m: { measuring?: boolean; ok?: boolean; result?: LoadResult; error?: string }) => {
        if (m.measuring) measuring();
        else if (m.ok) resolve(m.result!);
        else reject(new Error(m.error));
      });
      child.once('exit', (code) => code && reject(new Error(`load process exited with ${code}`)));
    });
    const rssAtStart = process.memoryUsage().rss;
    let peakRss = rssAtStart;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    child.send({ port: broker.port, orgId, secret: SECRET, terminals: TERMINALS, poolMinutes: POOL_MINUTES, seconds: SECONDS, warmup: WARMUP, window: WINDOW } satisfies LoadConfig);
    // CPU and profile cover the measured stretch, after the warm-up.
    await Promise.race([started, done]);
    const stopProfile = await profile(`mqtt-${kind}`);
    const pgCpu = kind === 'postgres' ? postgresCpu(db) : null;
    const cpu0 = process.cpuUsage();
    const load = await done;
    const cpu = process.cpuUsage(cpu0);
    const postgresCpuSeconds = pgCpu ? await pgCpu.stop() : null;
    await stopProfile();
    clearInterval(sampler);
    await broker.close();
    await pipeline.close();
    const cpuSeconds = {
      server: +((cpu.user + cpu.system) / 1e6).toFixed(1),
      terminals: load.cpuSeconds,
      ...(postgresCpuSeconds !== null ? { postgres_backends: postgresCpuSeconds } : {}),
    };
    const cpuPerRecord = Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, perRecord(v, load.acked)]));
    if (brokerOnly) {
      return {
        phase: 'broker',
        what: 'baseline: the embedded broker alone, every QoS 1 publish acknowledged at once, nothing checked or stored',
        connections: TERMINALS,
        window_per_connection: WINDOW,
        seconds: load.seconds,
        acked: load.acked,
        messages_per_second: Math.round(load.acked / load.seconds),
        p50_ack_ms: load.p50,
        p99_ack_ms: load.p99,
        cpu_seconds: cpuSeconds,
        cpu_us_per_message: cpuPerRecord,
      };
    }

    const stored = await count(db, 'SELECT count(*) AS n FROM telemetry_raw');
    // Live state: each terminal's newest acknowledged sample.
    const live = await db.rawTransaction((tx) => tx.query<{ terminal_id: string; last_telemetry_at: Date }>('SELECT terminal_id, last_telemetry_at FROM terminal_live'));
    const liveAt = new Map(live.map((r) => [r.terminal_id, new Date(r.last_telemetry_at).getTime()]));
    const liveCurrent = ids.filter((id, c) => load.newest[c]! < 0 || liveAt.get(id) === BENCH_START.getTime() + load.newest[c]! * 60_000).length;
    const hourSamples = await count(db, 'SELECT coalesce(sum(samples), 0) AS n FROM telemetry_hour');

    const baseline = await baselineCopy(db, pool, orgId, Math.min(stored, 300_000), load.newest);
    const recordsPerSecond = Math.round(load.acked / load.seconds);
    const steady = [...load.perSecond].sort((a, b) => a - b);
    return {
      phase: 'mqtt',
      database: kind,
      connections: TERMINALS,
      window_per_connection: WINDOW,
      warmup_seconds: WARMUP,
      writers: (pipeline as unknown as { lanes: unknown[] }).lanes.length,
      seconds: load.seconds,
      sent: load.sent,
      acked: load.acked,
      stored,
      every_acked_record_stored: stored >= load.acked + load.warmupAcked && load.unacked === 0 ? true : `stored ${stored}, acked ${load.acked + load.warmupAcked}, unacked ${load.unacked}`,
      rollups_consistent: hourSamples === stored ? true : `hour samples ${hourSamples} ≠ stored ${stored}`,
      live_state_current: `${liveCurrent} of ${ids.length} terminals`,
      records_per_second: recordsPerSecond,
      records_per_second_median_1s: steady[Math.floor(steady.length / 2)] ?? 0,
      records_per_second_worst_1s: steady[0] ?? 0,
      records_each_second: load.perSecond,
      p50_ack_ms: load.p50,
      p90_ack_ms: load.p90,
      p99_ack_ms: load.p99,
      max_ack_ms: load.max,
      peak_rss_mib: Math.round(peakRss / MIB),
      rss_before_load_mib: Math.round(rssAtStart / MIB),
      cpu_seconds: cpuSeconds,
      cpu_us_per_record: cpuPerRecord,
      batches: pipeline.stats.batches,
      mean_batch: Math.round(pipeline.stats.stored / Math.max(1, pipeline.stats.batches)),
      baseline_raw_copy_rows_per_second: baseline,
      end_to_end_vs_baseline: +(recordsPerSecond / baseline).toFixed(2),
      target_records_per_second: kind === 'postgres' ? 50_000 : 20_000,
      target_p99_ack_ms: 250,
    };
  } finally {
    await drop();
  }
}

async function measureFleet(kind: 'pglite' | 'postgres') {
  const collect = gc();
  const pool = telemetryPool(500, ROUNDS);
  const { db, drop } = await freshDatabase(kind, PG_URL, 'poscare-bench-ingest');
  try {
    const ids = Array.from({ length: FLEET }, () => randomUUID());
    const orgId = await seed(db, ids);
    const log = pino({ level: 'silent' });
    const ctx = { db, config: loadConfig({ LOG_LEVEL: 'silent' }), clock: systemClock, log };
    const pipeline = new IngestPipeline(ctx, pipelineOptions());
    const devices = new DeviceService(ctx);
    await pipeline.partitions.ensure([BENCH_START.getTime()], Date.now());
    collect();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

    // What the broker does when they connect: each terminal's credential is looked up and cached.
    const s0 = performance.now();
    for (let i = 0; i < ids.length; i += 500) {
      const r = await Promise.all(ids.slice(i, i + 500).map((id) => devices.authenticate(id, SECRET)));
      if (r.some((x) => !x.ok)) throw new Error('sign-in failed');
    }
    const signInSeconds = (performance.now() - s0) / 1000;

    const stopProfile = await profile(`fleet-${kind}`);
    const rates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const at = new Date(BENCH_START.getTime() + round * 60_000).toISOString();
      const t0 = performance.now();
      for (let i = 0; i < ids.length; i += 10_000) {
        const wave = ids.slice(i, i + 10_000).map((id, k) => {
          const own = pool.samples[(i + k) % pool.samples.length]!;
          const body = `{"v":1,"msgId":"fleet-${round}-${i + k}","at":"${at}","kind":"telemetry","data":${own[round % own.length]}}`;
          return pipeline.submit({ channel: 'mqtt', orgId, terminalId: id, topic: topicFor(orgId, id, 'telemetry') }, Buffer.from(body));
        });
        const outcomes = await Promise.all(wave);
        if (outcomes.some((o) => o.status !== 'stored')) throw new Error(`not stored: ${JSON.stringify(outcomes.find((o) => o.status !== 'stored'))}`);
      }
      rates.push(Math.round(ids.length / ((performance.now() - t0) / 1000)));
    }
    await pipeline.close();
    await stopProfile();
    clearInterval(sampler);
    collect();
    const after = process.memoryUsage();
    const current = await count(db, 'SELECT count(*) AS n FROM terminal_live WHERE last_telemetry_at = $1', [new Date(BENCH_START.getTime() + (ROUNDS - 1) * 60_000)]);
    const tableBytes = await count(db, `SELECT pg_total_relation_size('terminal_live') AS n`);
    return {
      phase: 'fleet',
      database: kind,
      terminals: FLEET,
      rounds: ROUNDS,
      writers: (pipeline as unknown as { lanes: unknown[] }).lanes.length,
      sign_in_seconds: +signInSeconds.toFixed(1),
      records_per_second_by_round: rates,
      live_state_current: `${current} of ${FLEET} terminals`,
      // What holding 100,000 terminals costs: the live rows in the database, the server's heap after
      // garbage collection (credential cache and all), and, as an upper bound, how far the process grew
      // while they signed in and reported (with the decode thread and the messages in flight).
      terminal_live_table_mib: +(tableBytes / MIB).toFixed(1),
      heap_growth_mib: Math.round((after.heapUsed - before.heapUsed) / MIB),
      peak_rss_growth_mib: Math.round((Math.max(peakRss, process.resourceUsage().maxRSS * 1024) - before.rss) / MIB),
      rss_mib: Math.round(after.rss / MIB),
      target_live_state_mib: 400,
    };
  } finally {
    await drop();
  }
}

const role = env.BENCH_ROLE;
if (role === 'mqtt' || role === 'fleet' || role === 'broker') {
  const kind = env.BENCH_DB === 'postgres' ? 'postgres' : 'pglite';
  const result = await (role === 'fleet' ? measureFleet(kind) : measureMqtt(kind, role === 'broker')).catch((err: unknown) => ({ phase: role, database: kind, failed: String((err as Error).stack ?? err) }));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** The orchestrator: each measurement in a process of its own. */
async function inChild(roleName: 'broker' | 'mqtt' | 'fleet', kind: 'pglite' | 'postgres'): Promise<unknown> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', HERE], { env: { ...env, BENCH_ROLE: roleName, BENCH_DB: kind }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? ''));
      } catch {
        resolve({ phase: roleName, database: kind, failed: out.slice(-2000) });
      }
    });
  });
}

async function postgresUsable(): Promise<string | null> {
  const c = new pg.Client({ connectionString: PG_URL });
  try {
    await c.connect();
    await c.end();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const kinds = (env.BENCH_DB ? [env.BENCH_DB] : ['pglite', 'postgres']) as ('pglite' | 'postgres')[];
const results: unknown[] = [];
const load: { before: number[]; after?: number[] } = { before: loadavg().map((x) => +x.toFixed(2)) };
// The broker baseline does not depend on the database (it needs one only for the terminals' credentials).
if (PHASES.includes('broker')) results.push(await inChild('broker', kinds[0]!));
for (const kind of kinds) {
  const unusable = kind === 'postgres' ? await postgresUsable() : null;
  if (unusable) {
    results.push({ database: kind, skipped: `PostgreSQL not usable at ${PG_URL}: ${unusable}` });
    continue;
  }
  if (PHASES.includes('mqtt')) results.push(await inChild('mqtt', kind));
  if (PHASES.includes('fleet') && FLEET > 0) results.push(await inChild('fleet', kind));
}
load.after = loadavg().map((x) => +x.toFixed(2));
console.log(JSON.stringify({ benchmark: 'ingest-telemetry', date: new Date().toISOString().slice(0, 10), machine: { cpus: cpus().length, node: process.version, load_average_1_5_15: load }, results }, null, 2));
