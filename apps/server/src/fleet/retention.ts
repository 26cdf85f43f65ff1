/**
 * Retention. Raw telemetry is kept for TELEMETRY_RETENTION_DAYS and goes a whole day partition at a
 * time (ingest/partitions.ts); hour roll-ups, events and payments (transactions, host records: day
 * partitions too) are kept for ROLLUP_RETENTION_DAYS.
 */
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { dropExpiredPartitions } from '../ingest/partitions.js';

export async function pruneHistory(db: Database, now: Date, config: Pick<Config, 'TELEMETRY_RETENTION_DAYS' | 'ROLLUP_RETENTION_DAYS'>) {
  const day = 86_400_000;
  const raw = new Date(now.getTime() - config.TELEMETRY_RETENTION_DAYS * day);
  const rollup = new Date(now.getTime() - config.ROLLUP_RETENTION_DAYS * day);
  const rejections = new Date(now.getTime() - Math.min(config.ROLLUP_RETENTION_DAYS, 31) * day);
  await db.rawTransaction(async (tx) => {
    await dropExpiredPartitions(tx, raw);
    // Payments from both sides are kept as long as roll-ups, a whole day at a time.
    await dropExpiredPartitions(tx, rollup, 'transactions');
    await dropExpiredPartitions(tx, rollup, 'host_records');
    await tx.query('DELETE FROM device_events WHERE at < $1', [rollup]);
    await tx.query('DELETE FROM telemetry_hour WHERE bucket < $1', [rollup]);
    await tx.query('DELETE FROM rejected_messages WHERE received_at < $1', [rejections]);
  });
}
