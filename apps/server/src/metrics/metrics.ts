/**
 * What a process tells Prometheus at /metrics (text format, prom-client): ingest messages stored and
 * refused and the ingest queue depth, alert evaluation lag, jobs run and failed and the job queues'
 * depth, HTTP request durations by route pattern (never the URL as sent: no ids, no query strings), and
 * Node's own (memory, event-loop lag, GC). One registry per process; see docs/operations.md.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/client.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { JobQueue } from '../jobs/queue.js';
import { queueDepths } from '../jobs/repository.js';
import { errors } from '../errors/errors.js';

export class Metrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly jobRuns: Counter<'name' | 'outcome'>;
  private readonly jobSeconds: Histogram<'name'>;
  private readonly alertLag: Histogram;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'poscare_' });
    this.httpDuration = new Histogram({
      name: 'poscare_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.jobRuns = new Counter({ name: 'poscare_jobs_total', help: 'Job tries run in this process, by job and outcome (completed, failed)', labelNames: ['name', 'outcome'], registers: [this.registry] });
    this.jobSeconds = new Histogram({ name: 'poscare_job_duration_seconds', help: 'Job tries run in this process, by job', labelNames: ['name'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600], registers: [this.registry] });
    this.alertLag = new Histogram({
      name: 'poscare_alert_evaluation_lag_seconds',
      help: 'From a committed ingest batch reaching the alert engine to its alert changes stored',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
  }

  private watching = new Set<string>();

  /** Messages stored, duplicate and refused (by reason), and what waits to be written. */
  watchIngest(pipeline: IngestPipeline): void {
    if (this.watching.has('ingest')) return;
    this.watching.add('ingest');
    const seen = { stored: 0, duplicate: 0, refused: new Map<string, number>() };
    // The pipeline counts; each scrape adds what it counted since the last one (refused is registered after, so it is read after the sync).
    let refused: Counter<'reason'> | null = null;
    const messages = new Counter({
      name: 'poscare_ingest_messages_total',
      help: 'Device messages by outcome: stored, duplicate (a re-delivery), refused',
      labelNames: ['outcome'],
      registers: [this.registry],
      collect() {
        const s = pipeline.stats;
        this.inc({ outcome: 'stored' }, s.stored - seen.stored);
        this.inc({ outcome: 'duplicate' }, s.duplicates - seen.duplicate);
        seen.stored = s.stored;
        seen.duplicate = s.duplicates;
        for (const [reason, n] of Object.entries(s.rejected)) {
          const d = n - (seen.refused.get(reason) ?? 0);
          if (d <= 0) continue;
          refused?.inc({ reason }, d);
          this.inc({ outcome: 'refused' }, d);
          seen.refused.set(reason, n);
        }
      },
    });
    refused = new Counter({ name: 'poscare_ingest_refused_total', help: 'Device messages refused, by reason', labelNames: ['reason'], registers: [this.registry] });
    for (const outcome of ['stored', 'duplicate', 'refused']) messages.inc({ outcome }, 0);
    new Gauge({
      name: 'poscare_ingest_queue_depth',
      help: 'Device messages accepted and waiting to be written (or being decoded)',
      registers: [this.registry],
      collect() {
        this.set(pipeline.depth);
      },
    });
  }

  /** Tries of jobs run in this process. */
  countJobs(queue: JobQueue): void {
    queue.onOutcome((name, outcome, ms) => {
      this.jobRuns.inc({ name, outcome });
      this.jobSeconds.observe({ name }, ms / 1000);
    });
  }

  /** The depth of every job queue (shared by all processes), read from the database at each scrape. */
  watchJobQueues(db: Database): void {
    if (this.watching.has('jobs')) return;
    this.watching.add('jobs');
    new Gauge({
      name: 'poscare_job_queue_depth',
      help: 'Jobs by name and state: waiting (incl. waiting for a retry), active, failed (dead letters)',
      labelNames: ['name', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const q of await queueDepths(db).catch(() => [])) {
          this.set({ name: q.name, state: 'waiting' }, q.waiting);
          this.set({ name: q.name, state: 'active' }, q.active);
          this.set({ name: q.name, state: 'failed' }, q.failed);
        }
      },
    });
  }

  /**
   * Alert records waiting in `alert_handoff` for the worker that holds their partition (alerts/partitions.ts),
   * by partition and age of the oldest, read from the database at each scrape. Growing means a partition
   * has no live holder: a worker process is missing or stuck.
   */
  watchAlertHandoff(db: Database): void {
    if (this.watching.has('handoff')) return;
    this.watching.add('handoff');
    let rows: { partition: number; n: number; oldest: number }[] = [];
    const read = async () => {
      rows = await db
        .executeSql(
          `SELECT partition, count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest FROM alert_handoff GROUP BY partition`,
        )
        .then((r) => r.rows as typeof rows)
        .catch(() => []);
    };
    // Both gauges are collected at one scrape, maybe at once: one query serves both.
    let pending: Promise<void> | null = null;
    const readOnce = () => (pending ??= read().finally(() => (pending = null)));
    new Gauge({
      name: 'poscare_alert_handoff_backlog',
      help: 'Alert records handed off to another worker and not yet taken, by partition',
      labelNames: ['partition'],
      registers: [this.registry],
      async collect() {
        await readOnce();
        this.reset();
        for (const r of rows) this.set({ partition: String(r.partition) }, Number(r.n));
      },
    });
    new Gauge({
      name: 'poscare_alert_handoff_oldest_seconds',
      help: 'Age of the oldest handed-off alert record not yet taken (0 when none wait)',
      registers: [this.registry],
      async collect() {
        await readOnce();
        this.set(rows.reduce((a, r) => Math.max(a, Number(r.oldest)), 0));
      },
    });
  }

  observeAlertLag(ms: number): void {
    this.alertLag.observe(ms / 1000);
  }

  /** Times every request under its route pattern (`/api/v1/tickets/:id`); requests no route matched count as `unmatched`. */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      this.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  }
}

/**
 * Who may read /metrics. With METRICS_TOKEN set: whoever sends `Authorization: Bearer <token>`.
 * Unset: only a scraper on this machine (the socket's peer is loopback and no proxy header is present,
 * so a reverse proxy on the same host does not open it to the world).
 */
export function metricsAccess(token: string | undefined) {
  const want = token ? createHash('sha256').update(token).digest() : null;
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    if (want) {
      const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const got = createHash('sha256').update(m?.[1] ?? '').digest();
      if (!m || !timingSafeEqual(got, want)) throw errors.unauthenticated();
      return;
    }
    const peer = req.socket.remoteAddress ?? '';
    const local = peer === '127.0.0.1' || peer === '::1' || peer === '::ffff:127.0.0.1';
    if (!local || req.headers['x-forwarded-for'] || req.headers.forwarded) throw errors.forbidden();
  };
}
