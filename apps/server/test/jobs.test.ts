/**
 * Durable jobs (jobs/, decision record 008): retried with back-off, kept as dead letters an operator
 * reads, scheduled jobs sent once across processes, and alert diagnoses that survive a storm. On PGlite
 * in one process and, with POSCARE_TEST_DB=postgres, on a PostgreSQL server with two connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openDatabase, type Database } from '../src/db/client.js';
import { JobQueue } from '../src/jobs/queue.js';
import { retryOnDeadlock } from '../src/db/retry.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { AlertRuntime } from '../src/alerts/runtime.js';
import { createTestApp, dbKind, TEST_PG_URL, testDatabase, type TestApp } from './harness.js';
import { telemetry } from './device.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let t: TestApp;
const queues: JobQueue[] = [];
const extraDbs: Database[] = [];

async function waitFor<T>(fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out');
    await sleep(100);
  }
}

/** A second connection to the same database, as a second process would have (PGlite: the one store). */
async function secondConnection(): Promise<Database> {
  if (dbKind !== 'postgres') return t.db;
  const { rows } = await t.db.executeSql('SELECT current_database() AS name', []);
  const base = new URL(TEST_PG_URL);
  base.pathname = `/${String(rows[0]!.name)}`;
  const db = await openDatabase({ dataDir: 'memory://', databaseUrl: base.toString() });
  extraDbs.push(db);
  return db;
}

function queue(db: Database, opts: ConstructorParameters<typeof JobQueue>[2] = {}): JobQueue {
  const q = new JobQueue(db, log, { pollingIntervalSeconds: 0.5, ...opts });
  queues.push(q);
  return q;
}

beforeAll(async () => {
  t = await createTestApp();
}, 120_000);
afterAll(async () => {
  for (const q of queues) await q.stop(2_000);
  for (const db of extraDbs) await db.close();
  await t?.close();
}, 120_000);

const noop = async () => null;

describe('durable jobs', () => {
  it('retries a job that fails twice, waiting longer each time, and it then completes', async () => {
    const tries: number[] = [];
    const q = queue(t.db, { overrides: { 'alert.diagnose': { retryLimit: 3, retryDelay: 1, retryBackoff: true } }, schedules: { 'sla.pass': null, 'retention.prune': null } });
    await q.start({
      handlers: {
        'alert.diagnose': async () => {
          tries.push(Date.now());
          if (tries.length <= 2) throw new Error(`reader offline (try ${tries.length})`);
          return null;
        },
      },
    });
    const id = await q.send('alert.diagnose', { alertId: crypto.randomUUID(), orgId: crypto.randomUUID(), terminalId: null });
    await waitFor(async () => (await t.db.executeSql(`SELECT state FROM pgboss.job WHERE id = $1`, [id])).rows[0]?.state === 'completed');
    expect(tries).toHaveLength(3);
    // Back-off: no retry comes before its delay (1 s, then 2 s or more, with jitter).
    expect(tries[1]! - tries[0]!).toBeGreaterThanOrEqual(900);
    expect(tries[2]! - tries[1]!).toBeGreaterThanOrEqual(1_900);
    await q.stop();
  }, 120_000);

  it('keeps a job that fails every try as a dead letter, readable by a platform admin only', async () => {
    const q = queue(t.db, { overrides: { 'retention.prune': { retryLimit: 1, retryDelay: 1, retryBackoff: false } }, schedules: { 'sla.pass': null, 'retention.prune': null } });
    let tries = 0;
    await q.start({
      handlers: {
        'retention.prune': async () => {
          tries++;
          throw new Error('disk full');
        },
      },
    });
    const id = await q.send('retention.prune', {});
    await waitFor(async () => (await t.db.executeSql(`SELECT state FROM pgboss.job WHERE id = $1`, [id])).rows[0]?.state === 'failed');
    expect(tries).toBe(2);
    await q.stop();

    const A = await t.tenant();
    (t.ctx.config as { MFA_PLATFORM_ADMINS?: string }).MFA_PLATFORM_ADMINS = 'optional';
    const operator = await t.login((await t.f.user(A.org.id, 'admin', { platformAdmin: true })).email);
    const res = await t.app.inject({ url: '/api/v1/admin/jobs/failed', headers: { cookie: operator } });
    expect(res.statusCode, res.body).toBe(200);
    const dead = res.json().items.find((j: { id: string }) => j.id === id);
    expect(dead).toMatchObject({ name: 'retention.prune', error: 'disk full', tries: 2, data: {} });
    expect(res.json().queues).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'retention.prune', failed: expect.any(Number) })]));
    // An organization's own administrator runs their organization, not the installation.
    const orgAdmin = await t.login(A.admin.email);
    const refused = await t.app.inject({ url: '/api/v1/admin/jobs/failed', headers: { cookie: orgAdmin } });
    expect(refused.statusCode).toBe(403);
  }, 120_000);

  it('starts three job runners at the same moment on an empty database, none of them failing', async () => {
    // Processes started together by a supervisor create the queues at once; PostgreSQL may pick one
    // of them as a deadlock victim, which must try again rather than end the process.
    if (dbKind !== 'postgres') return; // one process per store on PGlite: nothing to race
    const fresh = await testDatabase('postgres');
    const others: Database[] = [];
    try {
      for (let i = 0; i < 2; i++) others.push(await openDatabase({ dataDir: 'memory://', databaseUrl: fresh.databaseUrl! }));
      const conns = [fresh.db, ...others];
      const runners = conns.map((db) => new JobQueue(db, log, { pollingIntervalSeconds: 0.5 }));
      const outcomes = await Promise.allSettled(runners.map((q) => q.start({ supervise: true, handlers: { 'sla.pass': noop } })));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      for (const q of runners) await q.stop(2_000);
    } finally {
      for (const db of others) await db.close();
      await fresh.drop();
    }
  }, 120_000);

  it('tries again when PostgreSQL picks it as a deadlock victim, and not on any other error', async () => {
    let calls = 0;
    const deadlockTwice = async () => {
      calls++;
      if (calls <= 2) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      return 'created';
    };
    await expect(retryOnDeadlock(deadlockTwice)).resolves.toBe('created');
    expect(calls).toBe(3);
    let other = 0;
    await expect(retryOnDeadlock(async () => { other++; throw Object.assign(new Error('syntax'), { code: '42601' }); })).rejects.toThrow('syntax');
    expect(other).toBe(1);
  });

  it('sends a scheduled job once per slot when two job runners (two connections) supervise', async () => {
    // The test must fit in one minute slot: start early in a minute.
    const into = Date.now() % 60_000;
    if (into > 35_000) await sleep(60_000 - into + 500);
    const runs: string[] = [];
    const runners = [queue(t.db, { cronMonitorIntervalSeconds: 1, schedules: { 'retention.prune': null } }), queue(await secondConnection(), { cronMonitorIntervalSeconds: 1, schedules: { 'retention.prune': null } })];
    await Promise.all(runners.map((q, i) => q.start({ supervise: true, handlers: { 'sla.pass': async () => void runs.push(`runner ${i}`) } })));
    await waitFor(() => runs.length > 0, 30_000);
    // Both runners check every second; give them several more chances to send the slot again.
    await sleep(6_000);
    expect(runs).toHaveLength(1);
    for (const q of runners) await q.stop();
  }, 150_000);

  it('diagnoses every alert of a storm (none dropped past 50), through the job queue', async () => {
    const org = await t.f.org();
    const merchant = await t.f.merchant(org.id);
    const terminals = [];
    for (let i = 0; i < 60; i++) {
      const site = await t.f.site(org.id, merchant.id);
      terminals.push(await t.f.terminal(org.id, { siteId: site.id, merchantId: merchant.id, lifecycleState: 'active' }));
    }
    const q = queue(t.db, { schedules: { 'sla.pass': null, 'retention.prune': null } });
    await q.start({ handlers: { ...jobHandlers(t.ctx, t.services), 'sla.pass': noop, 'retention.prune': noop } });
    const rt = new AlertRuntime(t.ctx, { localIngest: true, enqueueDiagnosis: (r) => q.send('alert.diagnose', r) });
    rt.attach(t.services.pipeline);
    await rt.start();
    try {
      await Promise.all(terminals.map((x) => t.services.pipeline.submit({ channel: 'https', orgId: org.id, terminalId: x.id }, telemetry(t.clock.now(), { tamper: true }))));
      await t.services.pipeline.flush();
      await rt.settled();
      const fired = await t.db.executeSql(`SELECT count(*)::int AS n FROM alerts WHERE org_id = $1 AND rule_code = 'sec.tamper'`, [org.id]);
      expect(fired.rows[0]!.n).toBe(60);
      const diagnosed = await waitFor(async () => {
        const { rows } = await t.db.executeSql(`SELECT count(*)::int AS n FROM alerts WHERE org_id = $1 AND diagnosis IS NOT NULL`, [org.id]);
        return rows[0]!.n === 60 ? 60 : null;
      }, 120_000);
      expect(diagnosed).toBe(60);
    } finally {
      rt.stop();
      await q.stop();
    }
  }, 240_000);
});
