/** Raw history is kept for a configurable period; roll-ups (minute, hour) much longer, for charts and reports. */
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';

export async function pruneHistory(db: Database, now: Date, config: Pick<Config, 'TELEMETRY_RETENTION_DAYS' | 'ROLLUP_RETENTION_DAYS'>) {
  const day = 86_400_000;
  const raw = new Date(now.getTime() - config.TELEMETRY_RETENTION_DAYS * day);
  const rollup = new Date(now.getTime() - config.ROLLUP_RETENTION_DAYS * day);
  const minute = new Date(now.getTime() - Math.min(config.ROLLUP_RETENTION_DAYS, 31) * day);
  await db.rawTransaction(async (tx) => {
    await tx.query('DELETE FROM telemetry_raw WHERE at < $1', [raw]);
    await tx.query('DELETE FROM device_events WHERE at < $1', [rollup]);
    await tx.query('DELETE FROM telemetry_minute WHERE bucket < $1', [minute]);
    await tx.query('DELETE FROM telemetry_hour WHERE bucket < $1', [rollup]);
    await tx.query('DELETE FROM rejected_messages WHERE received_at < $1', [minute]);
  });
}
