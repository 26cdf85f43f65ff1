/**
 * Alerts across processes, in one test process (the three-process test with real `poscare start`
 * processes is multiprocess.test.ts): each "process" here has its own database pool, signals connection,
 * ingest pipeline and alert engine.
 *
 * - A rule saved or a silence made through the api process reaches the worker's engine at once through a
 *   signal, not after its 60 s / 30 s reload (both stores; on PGlite through the in-process emitter).
 * - PostgreSQL: two workers share the alert partitions half and half; when one stops the other holds them
 *   all; a record ingested by a process that evaluates nothing is evaluated by the holder, once.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALERT_PARTITIONS, AlertSharing } from '../src/alerts/partitions.js';
import { AlertRuntime } from '../src/alerts/runtime.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { openSignals, type Signals } from '../src/platform/signals.js';
import type { AppContext } from '../src/platform/context.js';
import { createTestApp, dbKind, type TestApp } from './harness.js';
import { telemetry } from './device.js';

const log = pino({ level: 'silent' });
const onPostgres = dbKind === 'postgres';
const MIN = 60_000;

async function until(probe: () => boolean | Promise<boolean>, ms = 10_000): Promise<number> {
  const start = Date.now();
  while (!(await probe())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let cookie: string;
const closers: (() => Promise<void> | void)[] = [];

/** Another process's database and signals (on PGlite, which serves one process, the same database). */
async function otherProcess(): Promise<{ ctx: AppContext; signals: Signals }> {
  const db: Database = onPostgres ? await openDatabase({ dataDir: 'memory://', databaseUrl: t.databaseUrl }) : t.db;
  if (onPostgres) closers.push(() => db.close());
  const signals = await openSignals({ db, databaseUrl: t.databaseUrl, log });
  closers.push(() => signals.close());
  return { ctx: { ...t.ctx, db, log }, signals };
}

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  cookie = await t.login(A.admin.email);
  const apiSignals = await openSignals({ db: t.db, databaseUrl: t.databaseUrl, log });
  closers.push(() => apiSignals.close());
  t.services.alerts.shareConfig(apiSignals);
}, 120_000);

afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await t?.close();
});

describe('alert configuration between processes', () => {
  it('a rule saved and a silence made through the api process reach the worker engine at once', async () => {
    const worker = await otherProcess();
    const runtime = new AlertRuntime(worker.ctx, { tickMs: 3_600_000 });
    await runtime.start();
    closers.push(() => runtime.stop());
    closers.push(runtime.listen(worker.signals));
    const reloads = vi.spyOn(runtime, 'reloadSuppressions');

    const rules = (await t.app.inject({ url: '/api/v1/alert-rules', headers: { cookie } })).json() as { code: string; definition: { condition: Record<string, unknown> } }[];
    const overheat = rules.find((r) => r.code === 'env.overheat')!;
    expect(runtime.engine.ruleOf(A.org.id, 'env.overheat')?.condition).toMatchObject({ value: 60 });
    const def = { ...overheat.definition, condition: { ...overheat.definition.condition, value: 55 } };
    const saved = await t.app.inject({ method: 'PUT', url: '/api/v1/alert-rules/env.overheat', headers: { cookie }, payload: { definition: def, comment: 'hot kitchen sites' } });
    expect(saved.statusCode, saved.body).toBe(200);
    // Well under the engine's 60 s reload: the signal did it.
    expect(await until(() => (runtime.engine.ruleOf(A.org.id, 'env.overheat')?.condition as { value?: number }).value === 55, 5_000)).toBeLessThan(5_000);

    const silence = await t.app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      headers: { cookie },
      payload: { matchers: { terminalId: A.terminal.id }, endsAt: new Date(t.clock.now().getTime() + 60 * MIN).toISOString(), comment: 'battery swap today' },
    });
    expect(silence.statusCode, silence.body).toBe(201);
    expect(await until(() => reloads.mock.calls.length > 0, 5_000)).toBeLessThan(5_000);
  }, 60_000);
});

describe.skipIf(!onPostgres)('alert partitions (PostgreSQL)', () => {
  it('two workers share the partitions, one takes them all when the other stops, and a handed-off record is evaluated once', async () => {
    const workers: { runtime: AlertRuntime; sharing: AlertSharing; pipeline: IngestPipeline }[] = [];
    for (let i = 0; i < 2; i++) {
      const p = await otherProcess();
      const pipeline = new IngestPipeline(p.ctx);
      let sharing: AlertSharing | null = null;
      const runtime = new AlertRuntime(p.ctx, { tickMs: 3_600_000, owns: (orgId) => sharing?.owns(orgId) ?? false });
      sharing = new AlertSharing({ db: p.ctx.db, databaseUrl: t.databaseUrl!, log, signals: p.signals, pipeline, rebalanceMs: 250, pollMs: 250 });
      await runtime.start();
      await sharing.evaluate(runtime);
      workers.push({ runtime, sharing, pipeline });
      closers.push(() => runtime.stop());
    }
    const held = () => workers.map((w) => w.sharing.leases!.owned().length);
    await until(() => held()[0] === ALERT_PARTITIONS / 2 && held()[1] === ALERT_PARTITIONS / 2);

    // The api process: ingests over HTTPS, evaluates nothing, hands every record off.
    const api = await otherProcess();
    const apiPipeline = new IngestPipeline(api.ctx);
    const apiSharing = new AlertSharing({ db: api.ctx.db, databaseUrl: t.databaseUrl!, log, signals: api.signals, pipeline: apiPipeline });
    closers.push(() => apiSharing.stop());

    // The second worker stops: the first holds every partition.
    await workers[1]!.sharing.stop();
    await until(() => held()[0] === ALERT_PARTITIONS);

    // Seven minutes at 70 °C, sent to the api process.
    const base = t.clock.now().getTime() - 10 * MIN;
    for (let k = 0; k < 8; k++) {
      const r = await apiPipeline.submit({ channel: 'https', orgId: A.org.id, terminalId: A.terminal.id }, telemetry(new Date(base + k * MIN), { tempC: 70 }));
      expect(r.status).toBe('stored');
    }
    await apiPipeline.flush();
    const overheating = async () =>
      (await t.db.rawTransaction((tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts WHERE terminal_id = $1 AND rule_code = 'env.overheat'`, [A.terminal.id])))[0]!.n;
    await until(async () => (await overheating()) === 1);
    await until(async () => (await t.db.rawTransaction((tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_handoff')))[0]!.n === 0);
    expect(apiSharing.stats.handedOff).toBe(8);
    expect(workers[0]!.sharing.stats.taken).toBe(8);
    await workers[0]!.sharing.stop();
    expect(await overheating()).toBe(1);
  }, 60_000);
});
