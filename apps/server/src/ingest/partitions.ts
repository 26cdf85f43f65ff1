/**
 * telemetry_raw is partitioned by day of `at` (UTC), so that retention drops whole days instead of
 * deleting rows one by one under the ingest load. See docs/decisions/003-telemetry-write-path.md.
 * The payment tables (transactions, host_records: migration 0013) are partitioned the same way; each
 * partitioned table has its own `DayPartitions`.
 *
 * Day partitions are made when the first sample of a day arrives, for days from the retention
 * horizon to two days ahead (ingest does it before writing the batch, in a transaction of its own); a sample outside that window (a terminal whose clock is far off) goes to
 * the default partition, so no sample is ever refused for its date and a wrong clock cannot create
 * partitions without end. A day partition made later takes over its rows from the default partition.
 */
import type { Database, RawTx } from '../db/client.js';

export const DAY_MS = 86_400_000;
const LOCK_KEY = 4_815_162_343;
/** The tables partitioned by day of `at`, each with a default partition `{name}_default`. */
export type PartitionedTable = 'telemetry_raw' | 'transactions' | 'host_records';

export const partitionName = (day: number, parent: PartitionedTable = 'telemetry_raw') => `${parent}_p${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '')}`;
const bound = (day: number) => `'${new Date(day * DAY_MS).toISOString()}'`;

export class DayPartitions {
  /** Days known to have their own partition. */
  private known = new Set<number>();

  constructor(
    private db: Database,
    private retentionDays: () => number,
    readonly parent: PartitionedTable = 'telemetry_raw',
  ) {}

  /** Makes sure each day of these instants has its partition, if it is in the window. Runs its own transactions. */
  async ensure(atMs: Iterable<number>, nowMs: number): Promise<void> {
    const today = Math.floor(nowMs / DAY_MS);
    // Days retention would drop at once are left to the default partition (and its pruning).
    const from = today - this.retentionDays();
    const to = today + 2;
    const missing = new Set<number>();
    for (const ms of atMs) {
      const day = Math.floor(ms / DAY_MS);
      if (day >= from && day <= to && !this.known.has(day)) missing.add(day);
    }
    for (const day of [...missing].sort((a, b) => a - b)) {
      await this.db.rawTransaction((tx) => createDay(tx, day, this.parent));
      this.known.add(day);
    }
  }
}

/** telemetry_raw's day partitions (the first table partitioned so). */
export class TelemetryPartitions extends DayPartitions {
  constructor(db: Database, retentionDays: () => number) {
    super(db, retentionDays, 'telemetry_raw');
  }
}

/**
 * Retention: drops the day partitions wholly older than the cutoff and deletes older rows from the
 * default partition. A day partition goes when its last instant is older than the cutoff, so raw
 * samples are kept for the retention period and at most a day longer.
 */
export async function dropExpiredPartitions(tx: RawTx, cutoff: Date, parent: PartitionedTable = 'telemetry_raw'): Promise<string[]> {
  const cutoffDay = Math.floor(cutoff.getTime() / DAY_MS);
  const dropped: string[] = [];
  for (const { name } of await listDayPartitions(tx, parent)) {
    const day = dayOf(name);
    if (day !== null && day + 1 <= cutoffDay) {
      await tx.query(`DROP TABLE ${name}`);
      dropped.push(name);
    }
  }
  await tx.query(`DELETE FROM ${parent}_default WHERE at < $1`, [cutoff]);
  return dropped;
}

function dayOf(name: string): number | null {
  const m = /_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS : null;
}

async function listDayPartitions(tx: RawTx, parent: PartitionedTable): Promise<{ name: string }[]> {
  return tx.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = '${parent}'::regclass AND c.relname <> '${parent}_default'`,
  );
}

/** Creates one day's partition unless it exists; rows of that day already in the default partition move into it. */
async function createDay(tx: RawTx, day: number, parent: PartitionedTable): Promise<void> {
  const PARENT = parent;
  const DEFAULT_PARTITION = `${parent}_default`;
  // Several ingest processes may want the same day at once: one creates it, the others find it.
  await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
  const name = partitionName(day, parent);
  const [exists] = await tx.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [name]);
  if (exists?.r) return;
  const range = `FOR VALUES FROM (${bound(day)}) TO (${bound(day + 1)})`;
  const [stray] = await tx.query(`SELECT 1 FROM ${DEFAULT_PARTITION} WHERE at >= ${bound(day)} AND at < ${bound(day + 1)} LIMIT 1`);
  if (!stray) {
    await tx.query(`CREATE TABLE ${name} PARTITION OF ${PARENT} ${range}`);
    return;
  }
  await tx.query(`CREATE TABLE ${name} (LIKE ${PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  await tx.query(
    `WITH moved AS (DELETE FROM ${DEFAULT_PARTITION} WHERE at >= ${bound(day)} AND at < ${bound(day + 1)} RETURNING *) INSERT INTO ${name} SELECT * FROM moved`,
  );
  await tx.query(`ALTER TABLE ${PARENT} ATTACH PARTITION ${name} ${range}`);
}
