/**
 * `npm run bench:alerts`: how long from a telemetry sample's commit to its alert being stored, while
 * the pipeline ingests BENCH_RATE (10,000) records a second. Prints JSON.
 *
 * In one process, per database: the ingest pipeline (payloads as the broker hands them over, checked on
 * the decode thread under load) and the alert runtime with the shipped rules, fed by every committed
 * batch. BENCH_TERMINALS (12,500) simulated terminals replay the fleet simulator's samples at BENCH_RATE
 * for BENCH_SECONDS (20) after BENCH_WARMUP (5) seconds, one simulated minute apart per terminal; 80% carry
 * the load, and every 100 ms one of the others reports tamper (rule sec.tamper fires on the first such
 * sample). Measured per probe: from the moment its batch committed to the moment the alert row was
 * written. The runtime's clock is the newest simulated minute stored, so time-driven rules (offline,
 * site outage…) tick as they would, every second here.
 * Baseline, same run and database: the same load with no alert runtime — its commit (ack) latency, to
 * show what alerting adds to ingest.
 *
 *   BENCH_DB (pglite|postgres, default both), BENCH_RATE, BENCH_TERMINALS, BENCH_SECONDS, BENCH_WARMUP,
 *   BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test)
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { csvRows, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { freshDatabase } from './benchDb.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { AlertRuntime } from '../src/alerts/runtime.js';
import type { Clock } from '../src/platform/clock.js';
import { BENCH_START, telemetryPool, type TelemetryPool } from './telemetryPool.js';

const env = process.env;
const RATE = Number(env.BENCH_RATE ?? 10_000);
const TERMINALS = Number(env.BENCH_TERMINALS ?? 12_500);
const SECONDS = Number(env.BENCH_SECONDS ?? 20);
const WARMUP = Number(env.BENCH_WARMUP ?? 5);
const PG_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const STEP_MS = 10;
const PROBE_EVERY_MS = 100;
const PROBE_EVERY_RECORDS = Math.max(1, Math.round((RATE * PROBE_EVERY_MS) / 1000));

async function seed(db: Database, pool: TelemetryPool): Promise<{ orgId: string; ids: string[] }> {
  await migrate(db);
  const orgId = randomUUID();
  const ids = pool.fleet.terminals.map((t) => t.id);
  await db.rawTransaction(async (tx) => {
    await tx.query(`INSERT INTO organizations (id, name, kind) VALUES ($1, 'bench', 'acquirer')`, [orgId]);
    await tx.copyIn('merchants', ['id', 'org_id', 'mid', 'name', 'acquirer_host'], csvRows(pool.fleet.merchants.map((m) => [m.id, orgId, m.mid, m.name, m.hostId])));
    await tx.copyIn('sites', ['id', 'org_id', 'merchant_id', 'code', 'name'], csvRows(pool.fleet.sites.map((s) => [s.id, orgId, s.merchantId, s.code, s.name])));
    await tx.copyIn(
      'terminals',
      ['id', 'org_id', 'merchant_id', 'site_id', 'serial_number', 'vendor', 'model', 'app_version', 'lifecycle_state'],
      csvRows(pool.fleet.terminals.map((t) => [t.id, orgId, t.merchantId, t.siteId, t.serialNumber, t.vendor, t.model, t.appVersion, 'active'])),
    );
  });
  return { orgId, ids };
}

const pct = (xs: number[], q: number) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(1);
};

/** One load run; with `alerts`, the runtime evaluates every committed record and tamper probes are sent. */
async function run(kind: 'pglite' | 'postgres', alerts: boolean, pool: TelemetryPool) {
  const { db, drop } = await freshDatabase(kind, PG_URL, 'poscare-bench-alerts');
  try {
    const { orgId, ids } = await seed(db, pool);
    const simStart = BENCH_START.getTime();
    // Simulated time: the newest minute stored so far (terminals send minute k before k + 1), so that a
    // backlog in the database never looks like terminals gone silent.
    let cursor = 0;
    let committedMinute = 0;
    const clock: Clock = { now: () => new Date(simStart + committedMinute * 60_000) };
    const log = pino({ level: "error" });
    const ctx = { db, config: loadConfig({ DATA_DIR: 'memory://', LOG_LEVEL: 'warn' }), clock, log };
    const pipeline = new IngestPipeline(ctx);
    let runtime: AlertRuntime | null = null;
    const committed = new Map<string, number>();
    const firedByRule: Record<string, number> = {};
    let probesSent = 0;
    const latencies: number[] = [];
    if (alerts) {
      runtime = new AlertRuntime(ctx, { localIngest: true, tickMs: 1_000 });
      runtime.attach(pipeline);
      await runtime.start();
      runtime.onStored = (changes, at) => {
        for (const c of changes) {
          if (c.type === 'fired') firedByRule[c.alert.ruleCode] = (firedByRule[c.alert.ruleCode] ?? 0) + 1;
          if (c.type !== 'fired' || c.alert.ruleCode !== 'sec.tamper') continue;
          const t0 = committed.get(c.alert.terminalId ?? '');
          if (t0 !== undefined && measuring) latencies.push(at - t0);
        }
      };
    }
    // Terminals 0..probeFrom-1 carry the load; later ones are probes, each tampered once.
    const probeFrom = Math.floor(ids.length * 0.8);
    const minuteOf = new Array<number>(ids.length).fill(0);
    const acks: number[] = [];
    let storedInWindow = 0;
    let measuring = false;
    let sent = 0;
    let stored = 0;
    let nextProbe = probeFrom;
    const send = (i: number, tamper: boolean) => {
      // A probe reports at the load's current minute; a load terminal at its own next minute.
      const k = tamper ? Math.floor(cursor / probeFrom) : minuteOf[i]!;
      minuteOf[i] = k + 1;
      const own = pool.samples[i]!;
      let data = own[k % own.length]!;
      if (tamper) data = data.replace(/"tamper":false/, '"tamper":true');
      const at = new Date(simStart + k * 60_000).toISOString();
      const payload = Buffer.from(`{"v":1,"msgId":"bench-${i}-${k}","at":"${at}","kind":"telemetry","data":${data}}`);
      const t0 = Date.now();
      const counting = measuring;
      sent++;
      void pipeline.submit({ channel: 'mqtt', orgId, terminalId: ids[i]! }, payload).then((o) => {
        const now = Date.now();
        if (k > committedMinute) committedMinute = k;
        if (o.status === 'stored') stored++;
        if (counting && measuring) {
          acks.push(now - t0);
          storedInWindow++;
        }
        if (tamper) committed.set(ids[i]!, now);
      });
    };
    const cpu0 = { at: 0, usage: process.cpuUsage() };
    let measuredSent = 0;
    const total = WARMUP + SECONDS;
    const begin = Date.now();
    while (Date.now() - begin < total * 1000) {
      const elapsed = Date.now() - begin;
      if (!measuring && elapsed >= WARMUP * 1000) {
        measuring = true;
        cpu0.at = Date.now();
        cpu0.usage = process.cpuUsage();
        measuredSent = sent;
      }
      // Keep to the rate: send what is due by now.
      const due = Math.floor((elapsed / 1000) * RATE);
      while (cursor < due) {
        send(cursor++ % probeFrom, false);
        // One probe per PROBE_EVERY_MS worth of load, in the same stream.
        if (alerts && cursor % PROBE_EVERY_RECORDS === 0 && nextProbe < ids.length) {
          send(nextProbe++, true);
          probesSent++;
        }
      }
      await new Promise((r) => setTimeout(r, STEP_MS));
    }
    measuring = false;
    const seconds = (Date.now() - cpu0.at) / 1000;
    const cpu = process.cpuUsage(cpu0.usage);
    const measured = sent - measuredSent;
    await pipeline.flush();
    await runtime?.settled();
    runtime?.stop();
    const [{ n } = { n: 0 }] = await db.rawTransaction((tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts`));
    await pipeline.close();
    return {
      alerts,
      sent_per_s: Math.round(measured / seconds),
      committed_per_s: Math.round(storedInWindow / seconds),
      stored_total: stored,
      ack_ms: { p50: pct(acks, 0.5), p99: pct(acks, 0.99) },
      ...(alerts
        ? {
            probes_sent: probesSent,
            probes: latencies.length,
            fired_by_rule: firedByRule,
            commit_to_alert_ms: { p50: pct(latencies, 0.5), p95: pct(latencies, 0.95), p99: pct(latencies, 0.99), max: pct(latencies, 1) },
            alerts_stored: Number(n),
          }
        : {}),
      cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(1),
    };
  } finally {
    await drop();
  }
}

const kinds = (env.BENCH_DB ? [env.BENCH_DB] : ['pglite', 'postgres']) as ('pglite' | 'postgres')[];
const load = { before: loadavg().map((x) => +x.toFixed(2)), after: [] as number[] };
// Ten minutes of samples per terminal, cycled: enough variety, little memory.
const pool = telemetryPool(TERMINALS, 10);
const results = [];
for (const kind of kinds) {
  try {
    const baseline = env.BENCH_ONLY === 'alerts' ? null : await run(kind, false, pool);
    const withAlerts = await run(kind, true, pool);
    const p99 = withAlerts.commit_to_alert_ms?.p99 ?? null;
    results.push({ database: kind, target: { rate: RATE, commit_to_alert_p99_ms: 1000 }, met: p99 !== null && p99 <= 1000 && withAlerts.committed_per_s >= RATE * 0.95, with_alerts: withAlerts, baseline_without_alerts: baseline });
  } catch (err) {
    results.push({ database: kind, skipped: (err as Error).message });
  }
}
load.after = loadavg().map((x) => +x.toFixed(2));
console.log(JSON.stringify({ benchmark: 'alerts', date: new Date().toISOString().slice(0, 10), machine: { cpus: cpus().length, node: process.version, load_average_1_5_15: load }, terminals: TERMINALS, seconds: SECONDS, results }, null, 2));
process.exit(0);
