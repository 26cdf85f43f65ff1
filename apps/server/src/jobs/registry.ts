/**
 * Every background job PosCare runs, in one place: its name, the zod schema of its payload, how it
 * retries, and, for scheduled jobs, when it runs (cron, UTC). The queue (queue.ts) refuses a payload its
 * schema refuses, on sending and again on working, so a job stored by an older version fails visibly
 * (a dead letter) instead of running on half a payload.
 */
import { z } from 'zod';

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  payload: S;
  /** Tries after the first; then the job is a dead letter (GET /api/v1/admin/jobs/failed). */
  retryLimit: number;
  /** Seconds before the first retry; with back-off it doubles each time (with jitter). */
  retryDelay: number;
  retryBackoff: boolean;
  /** A try running longer than this counts as failed (a process killed mid-job is retried this way). */
  expireInSeconds: number;
  /** `stately`: at most one waiting and one running, whatever the number of processes. */
  policy: 'standard' | 'stately';
  /** Cron (UTC): sent once per slot across all processes (pg-boss keeps one sender per minute). */
  schedule?: string;
  /** Jobs of this name one worker process runs at once on PostgreSQL (the embedded store has one connection: 1). */
  concurrency?: number;
}

const define = <S extends z.ZodType>(d: JobDefinition<S>) => d;
const empty = z.object({}).strict();

export const JOBS = {
  /** A fired alert's diagnosis (alerts/runtime.ts sends it; stored on the alert). */
  'alert.diagnose': define({
    payload: z.object({ alertId: z.string().uuid(), orgId: z.string().uuid(), terminalId: z.string().uuid().nullable() }),
    retryLimit: 4,
    retryDelay: 5,
    retryBackoff: true,
    expireInSeconds: 120,
    policy: 'standard',
    concurrency: 2,
  }),
  /** Ticket SLAs: escalation steps that came due, acted on once each (tickets/sla.ts). */
  'sla.pass': define({ payload: empty, retryLimit: 0, retryDelay: 0, retryBackoff: false, expireInSeconds: 300, policy: 'stately', schedule: '* * * * *' }),
  /** Disputes: reminders before the deadline, escalation when nobody acts, expiry (disputes/schedule.ts). */
  'disputes.pass': define({ payload: empty, retryLimit: 0, retryDelay: 0, retryBackoff: false, expireInSeconds: 300, policy: 'stately', schedule: '*/5 * * * *' }),
  /** Rollouts: follow the install acknowledgements, halt a failing wave, send the next wave (rollouts/runner.ts). */
  'rollouts.pass': define({ payload: empty, retryLimit: 0, retryDelay: 0, retryBackoff: false, expireInSeconds: 300, policy: 'stately', schedule: '* * * * *' }),
  /** Telemetry partitions and roll-ups past retention, expired sessions, challenges, remembered browsers, limits. */
  'retention.prune': define({ payload: empty, retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 1_800, policy: 'stately', schedule: '17 * * * *' }),
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;
export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>) => Promise<unknown> };
