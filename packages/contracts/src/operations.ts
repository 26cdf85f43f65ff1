/** Running PosCare: readiness, background jobs that failed for good (dead letters). See docs/operations.md. */
import { z } from 'zod';

export const Readiness = z.object({
  ready: z.boolean(),
  checks: z.object({
    database: z.boolean(),
    /** Every migration this version ships is applied. */
    migrations: z.boolean(),
    /** Every role this process was started with (api, ingest, worker) has started. */
    roles: z.boolean(),
  }),
  roles: z.array(z.enum(['api', 'ingest', 'worker'])),
});
export type Readiness = z.infer<typeof Readiness>;

/** A job that failed its every try; kept for an operator to read (and for 30 days). */
export const FailedJob = z.object({
  id: z.string(),
  name: z.string(),
  /** The job's payload: ids only, never card data or secrets. */
  data: z.record(z.string(), z.unknown()),
  /** The last try's error message. */
  error: z.string().nullable(),
  tries: z.number().int(),
  createdAt: z.string(),
  failedAt: z.string().nullable(),
});
export type FailedJob = z.infer<typeof FailedJob>;

export const FailedJobsQuery = z.object({
  name: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const FailedJobs = z.object({
  items: z.array(FailedJob),
  /** Jobs waiting, running and failed per job name (the same figures /metrics gives). */
  queues: z.array(z.object({ name: z.string(), waiting: z.number().int(), active: z.number().int(), failed: z.number().int() })),
});
export type FailedJobs = z.infer<typeof FailedJobs>;
