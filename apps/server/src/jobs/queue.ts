/**
 * The durable job queue: pg-boss on PostgreSQL tables (schema `pgboss`), reached through the same
 * `Database` the rest of PosCare uses, so it runs on the embedded PGlite store in one process and on a
 * PostgreSQL server across many (see docs/decisions/008-durable-jobs.md). Jobs and their payloads are
 * typed by the registry (registry.ts); a try that throws is retried with back-off, and after the last
 * retry the job stays as a dead letter an operator can read (repository.ts, GET /api/v1/admin/jobs/failed).
 */
import { retryOnDeadlock } from '../db/retry.js';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { JOBS, type JobDefinition, type JobHandlers, type JobName, type JobPayload } from './registry.js';

export const JOB_SCHEMA = 'pgboss';

export type JobOutcome = 'completed' | 'failed';

export interface JobQueueOptions {
  /** How often an idle worker asks for work (seconds, ≥ 0.5). */
  pollingIntervalSeconds?: number;
  /** Overrides of the registry's retry settings (tests shorten delays). */
  overrides?: Partial<Record<JobName, Partial<JobDefinition>>>;
  /** Overrides of the schedules; `null` turns a job's schedule off. */
  schedules?: Partial<Record<JobName, string | null>>;
  /** How often each process checks whether a scheduled slot is due (seconds). */
  cronMonitorIntervalSeconds?: number;
}

export interface StartOptions {
  /** Handlers of the jobs this process works; without, it only sends. */
  handlers?: Partial<JobHandlers>;
  /** Whether this process takes part in sending scheduled jobs and in the queue's upkeep (expiry, archive). */
  supervise?: boolean;
}

export class JobQueue {
  private boss: PgBoss | null = null;
  private readonly listeners: ((name: JobName, outcome: JobOutcome, ms: number) => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly opts: JobQueueOptions = {},
  ) {}

  get started(): boolean {
    return this.boss !== null;
  }

  /** Called after each try of a job in this process (metrics). */
  onOutcome(fn: (name: JobName, outcome: JobOutcome, ms: number) => void): void {
    this.listeners.push(fn);
  }

  definition(name: JobName): JobDefinition {
    return { ...JOBS[name], ...this.opts.overrides?.[name] } as JobDefinition;
  }

  async start(start: StartOptions = {}): Promise<void> {
    if (this.boss) return;
    const supervise = start.supervise ?? true;
    const boss = new PgBoss({
      db: { executeSql: (text: string, values: unknown[]) => this.db.executeSql(text, values) },
      schema: JOB_SCHEMA,
      supervise,
      schedule: supervise,
      migrate: true,
      // Dead letters stay readable for a month, then go.
      archiveFailedAfterSeconds: 30 * 86_400,
      deleteAfterDays: 30,
      ...(this.opts.cronMonitorIntervalSeconds ? { cronMonitorIntervalSeconds: this.opts.cronMonitorIntervalSeconds, cronWorkerIntervalSeconds: Math.min(5, this.opts.cronMonitorIntervalSeconds) } : {}),
    });
    boss.on('error', (err) => this.log.warn({ err }, 'job queue error'));
    await boss.start();
    for (const name of Object.keys(JOBS) as JobName[]) {
      const d = this.definition(name);
      const queue = { name, policy: d.policy, retryLimit: d.retryLimit, retryDelay: d.retryDelay, retryBackoff: d.retryBackoff, expireInSeconds: d.expireInSeconds };
      // Settings follow the registry when it changes between versions. Processes starting together
      // on an empty database create the queues' partitions at once, which PostgreSQL may answer with a
      // deadlock for one of them: that one tries again.
      await retryOnDeadlock(async () => {
        if (await boss.getQueue(name)) await boss.updateQueue(name, queue);
        else await boss.createQueue(name, queue).catch(async (err: unknown) => {
          // Another process created it a moment ago.
          if (!(await boss.getQueue(name))) throw err;
        });
      });
    }
    this.boss = boss;
    if (supervise) {
      for (const name of Object.keys(JOBS) as JobName[]) {
        const cron = this.opts.schedules && name in this.opts.schedules ? this.opts.schedules[name] : this.definition(name).schedule;
        if (cron) await retryOnDeadlock(() => boss.schedule(name, cron, {}, { tz: 'UTC' }));
        else await boss.unschedule(name).catch(() => undefined);
      }
    }
    for (const [name, handler] of Object.entries(start.handlers ?? {}) as [JobName, (p: unknown) => Promise<unknown>][]) {
      const workers = this.db.kind === 'postgres' ? (this.definition(name).concurrency ?? 1) : 1;
      for (let i = 0; i < workers; i++) {
        let id: string | null = null;
        id = await boss.work(name, { pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 2, batchSize: 1 }, async (jobs) => {
          for (const job of jobs) await this.run(name, handler, job.data);
          // pg-boss 10 waits its polling interval even after finding work; a worker that found a job asks again at once.
          if (jobs.length && id) boss.notifyWorker(id);
        });
      }
    }
  }

  private async run(name: JobName, handler: (p: unknown) => Promise<unknown>, data: unknown): Promise<void> {
    const t0 = performance.now();
    try {
      await handler(JOBS[name].payload.parse(data));
      for (const l of this.listeners) l(name, 'completed', performance.now() - t0);
    } catch (err) {
      for (const l of this.listeners) l(name, 'failed', performance.now() - t0);
      this.log.warn({ err, job: name }, 'job failed; it is retried with back-off until its limit, then kept as a dead letter');
      throw err;
    }
  }

  /** Stores a job; it runs in whichever worker process takes it first. */
  async send<N extends JobName>(name: N, payload: JobPayload<N>, opts: { singletonKey?: string; startAfterSeconds?: number } = {}): Promise<string | null> {
    if (!this.boss) throw new Error('job queue not started');
    const data = JOBS[name].payload.parse(payload) as object;
    return this.boss.send(name, data, {
      ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
      ...(opts.startAfterSeconds ? { startAfter: opts.startAfterSeconds } : {}),
    });
  }

  /** Stops taking work; running jobs finish (up to `timeoutMs`), the rest wait in the database. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const boss = this.boss;
    if (!boss) return;
    this.boss = null;
    await boss.stop({ graceful: true, wait: true, close: false, timeout: timeoutMs });
  }
}

