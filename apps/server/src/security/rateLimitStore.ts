/**
 * Counters shared by every process: rate-limiter-flexible's PostgreSQL store on our `rate_limits`
 * table (created by migration 0009), reached through our Database so the same code runs on PGlite.
 * The library calls `query({ text, values, name })` and reads `rows` and `rowCount`.
 */
import { sql, type SQL } from 'drizzle-orm';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Database } from '../db/client.js';

export interface StoreClient {
  query(q: { text: string; values?: unknown[] }): Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;
}

/** `$1`-style placeholders become drizzle parameters, so one statement works on both drivers. */
function toSql(text: string, values: unknown[] = []): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) chunks.push(sql.raw(parts[i]!));
    else chunks.push(sql`${values[Number(parts[i]) - 1] ?? null}`);
  }
  return sql.join(chunks);
}

export function storeClient(db: Database): StoreClient {
  return {
    async query(q) {
      const res = (await db.orm.execute(toSql(q.text, q.values))) as unknown as { rows: Record<string, unknown>[] };
      const rows = res.rows.map((r) => ({ ...r, ...(r.points !== undefined ? { points: Number(r.points) } : {}), ...(r.expire != null ? { expire: Number(r.expire) } : {}) }));
      return { rows, rowCount: rows.length };
    },
  };
}

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  /** Seconds. */
  duration: number;
}

/** A limiter whose counts live in `rate_limits`; expired rows are cleared by the worker (see clearExpiredLimits). */
export function sharedLimiter(client: StoreClient, opts: LimiterOptions): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: client,
    storeType: 'client',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
    ...opts,
  });
}

/** Deletes counters that expired more than an hour ago (the library's own timer is off: one sweeper, not one per limiter). */
export async function clearExpiredLimits(db: Database, nowMs = Date.now()): Promise<void> {
  await db.orm.execute(sql`DELETE FROM rate_limits WHERE expire < ${nowMs - 3_600_000}`);
}
