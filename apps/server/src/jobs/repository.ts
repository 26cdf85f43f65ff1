/** What the job tables hold, read for operators (dead letters) and for /metrics (queue depth). */
import type { FailedJob } from '@poscare/contracts';
import type { Database } from '../db/client.js';
import { JOB_SCHEMA } from './queue.js';

export interface QueueDepth {
  name: string;
  waiting: number;
  active: number;
  failed: number;
}

/** The job tables appear at the first start of a worker; before that there is nothing to read. */
async function hasJobTables(db: Database): Promise<boolean> {
  const { rows } = await db.executeSql(`SELECT to_regclass('${JOB_SCHEMA}.job') IS NOT NULL AS ok`, []);
  return rows[0]?.ok === true;
}

export async function failedJobs(db: Database, opts: { name?: string | undefined; limit: number }): Promise<FailedJob[]> {
  if (!(await hasJobTables(db))) return [];
  const cols = `id::text AS id, name, data, output, retry_count, created_on, completed_on`;
  const { rows } = await db.executeSql(
    `SELECT * FROM (
       SELECT ${cols} FROM ${JOB_SCHEMA}.job WHERE state = 'failed' AND name NOT LIKE '\\_\\_pgboss%' AND ($1::text IS NULL OR name = $1)
       UNION ALL
       SELECT ${cols} FROM ${JOB_SCHEMA}.archive WHERE state = 'failed' AND name NOT LIKE '\\_\\_pgboss%' AND ($1::text IS NULL OR name = $1)
     ) f ORDER BY completed_on DESC NULLS LAST LIMIT $2`,
    [opts.name ?? null, opts.limit],
  );
  return rows.map((r) => {
    const output = r.output as { message?: unknown } | null;
    return {
      id: String(r.id),
      name: String(r.name),
      data: (r.data ?? {}) as Record<string, unknown>,
      error: output && typeof output.message === 'string' ? output.message : null,
      tries: Number(r.retry_count) + 1,
      createdAt: new Date(r.created_on as string).toISOString(),
      failedAt: r.completed_on ? new Date(r.completed_on as string).toISOString() : null,
    };
  });
}

export async function queueDepths(db: Database): Promise<QueueDepth[]> {
  if (!(await hasJobTables(db))) return [];
  const { rows } = await db.executeSql(
    `SELECT name,
            count(*) FILTER (WHERE state IN ('created', 'retry'))::int AS waiting,
            count(*) FILTER (WHERE state = 'active')::int AS active,
            count(*) FILTER (WHERE state = 'failed')::int AS failed
       FROM ${JOB_SCHEMA}.job WHERE name NOT LIKE '\\_\\_pgboss%' GROUP BY name ORDER BY name`,
    [],
  );
  return rows.map((r) => ({ name: String(r.name), waiting: Number(r.waiting), active: Number(r.active), failed: Number(r.failed) }));
}
