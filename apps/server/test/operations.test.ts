/**
 * What an operator's tooling reads: readiness (database, migrations, roles) and /metrics in Prometheus
 * text format — who may read it, ingest counts and queue depth, alert evaluation lag, job queue depth,
 * request durations by route pattern (never an id or a query string as sent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { AlertRuntime } from '../src/alerts/runtime.js';
import { JobQueue } from '../src/jobs/queue.js';
import { createTestApp, type TestApp } from './harness.js';
import { telemetry } from './device.js';

let t: TestApp;
let admin: string;
let A: Awaited<ReturnType<TestApp['tenant']>>;

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  admin = await t.login(A.admin.email);
}, 120_000);
afterAll(async () => t?.close());

const scrape = (headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') => t.app.inject({ url: '/metrics', headers, remoteAddress });

/** The value of one sample line, e.g. `poscare_ingest_messages_total{outcome="refused"}`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

describe('readiness', () => {
  it('is ready when the database answers, every migration is applied and every role has started', async () => {
    const res = await t.app.inject({ url: '/api/v1/ready' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ready: true, checks: { database: true, migrations: true, roles: true } });
  });

  it('answers 503 while roles are still starting, and when the schema lags behind this version', async () => {
    const starting = await buildApp(t.ctx, { rolesStarted: () => false });
    const res = await starting.app.inject({ url: '/api/v1/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toEqual({ database: true, migrations: true, roles: false });
    await starting.app.close();

    const [last] = (await t.db.executeSql('SELECT tag, applied_at FROM poscare_migrations ORDER BY tag DESC LIMIT 1', [])).rows;
    await t.db.executeSql('DELETE FROM poscare_migrations WHERE tag = $1', [last!.tag]);
    try {
      const behind = await t.app.inject({ url: '/api/v1/ready' });
      expect(behind.statusCode).toBe(503);
      expect(behind.json().checks.migrations).toBe(false);
    } finally {
      await t.db.executeSql('INSERT INTO poscare_migrations (tag, applied_at) VALUES ($1, $2)', [last!.tag, last!.applied_at]);
    }
  });
});

describe('/metrics', () => {
  it('is readable on this machine only when no METRICS_TOKEN is set, not through a proxy', async () => {
    expect((await scrape()).statusCode).toBe(200);
    expect((await scrape({}, '203.0.113.7')).statusCode).toBe(403);
    // A reverse proxy on the same host connects from loopback: its header gives it away.
    expect((await scrape({ 'x-forwarded-for': '203.0.113.7' })).statusCode).toBe(403);
  });

  it('asks for the bearer METRICS_TOKEN when one is set, from anywhere', async () => {
    const token = 'scrape-me-0123456789abcdef';
    const ctx = { ...t.ctx, config: { ...t.ctx.config, METRICS_TOKEN: token } };
    const { app } = await buildApp(ctx);
    try {
      expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
      expect((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode).toBe(401);
      const ok = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` }, remoteAddress: '203.0.113.7' });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toContain('text/plain');
    } finally {
      await app.close();
    }
  });

  it('counts device messages stored and refused, times requests by route pattern, and shows job queues and alert lag', async () => {
    const before = (await scrape()).body;
    const rt = new AlertRuntime(t.ctx, { localIngest: true });
    rt.attach(t.services.pipeline);
    rt.onLag((ms) => t.services.metrics.observeAlertLag(ms));
    await rt.start();
    const jobs = new JobQueue(t.db, pino({ level: 'silent' }));
    await jobs.start({ supervise: false });
    try {
      const terminal = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
      const src = { channel: 'https' as const, orgId: A.org.id, terminalId: terminal.id };
      await t.services.pipeline.submit(src, telemetry(t.clock.now(), { battery: { level: 80 } }));
      await t.services.pipeline.submit(src, { v: 1, kind: 'telemetry' });
      await t.services.pipeline.flush();
      await rt.settled();
      await jobs.send('retention.prune', {}, { startAfterSeconds: 3600 });
      // Two batches of records waiting for whichever worker holds partition 3, the older one from 90 s ago.
      await t.db.executeSql(`INSERT INTO alert_handoff (partition, records, created_at) VALUES (3, '[]', now() - interval '90 seconds'), (3, '[]', now())`);
      // A request whose URL holds an id and a query string.
      expect((await t.app.inject({ url: `/api/v1/terminals/${terminal.id}?secret=xyz`, headers: { cookie: admin } })).statusCode).toBe(200);

      const res = await scrape();
      expect(res.statusCode).toBe(200);
      const text = res.body;
      expect(sample(text, 'poscare_ingest_messages_total{outcome="stored"}') - (sample(before, 'poscare_ingest_messages_total{outcome="stored"}') || 0)).toBe(1);
      expect(sample(text, 'poscare_ingest_messages_total{outcome="refused"}') - (sample(before, 'poscare_ingest_messages_total{outcome="refused"}') || 0)).toBe(1);
      expect(sample(text, 'poscare_ingest_queue_depth')).toBe(0);
      expect(sample(text, 'poscare_alert_evaluation_lag_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'poscare_job_queue_depth{name="retention.prune",state="waiting"}')).toBe(1);
      expect(sample(text, 'poscare_alert_handoff_backlog{partition="3"}')).toBe(2);
      expect(sample(text, 'poscare_alert_handoff_oldest_seconds')).toBeGreaterThanOrEqual(60);
      expect(text).toMatch(/poscare_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/terminals\/:id",status="200"\} 1/);
      expect(text).not.toContain(terminal.id);
      expect(text).not.toContain('secret=xyz');
      expect(text).toContain('poscare_nodejs_heap_size_total_bytes');
    } finally {
      rt.stop();
      await jobs.stop();
    }
  }, 120_000);
});
