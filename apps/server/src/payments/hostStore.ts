/**
 * Writing host records: staged by COPY, inserted once per (organization, host id). A record stored
 * before (under any time) or twice in the same batch is skipped; a writer running at the same moment
 * waits on the key and then skips it too. Returns the rows stored now, as records.ts reads them.
 */
import { csvRows, type Database, type RawTx } from '../db/client.js';
import { DayPartitions } from '../ingest/partitions.js';
import type { HostRecordRow } from './records.js';

/** host_records' columns, in the order of a row given to insertHostRecords. */
export const HOST_COLUMNS = [
  'org_id', 'id', 'at', 'received_at', 'terminal_id', 'merchant_id', 'type', 'amount_minor', 'currency', 'entry_mode', 'card_token', 'stan', 'rrn',
  'auth_code', 'outcome', 'response_code', 'original_stan', 'original_rrn', 'mcc', 'origin', 'mti',
] as const;

export async function insertHostRecords(tx: RawTx, rows: readonly unknown[][]): Promise<HostRecordRow[]> {
  if (!rows.length) return [];
  await tx.query('CREATE TEMP TABLE IF NOT EXISTS stage_host_records (LIKE host_records) ON COMMIT DELETE ROWS');
  await tx.copyIn('stage_host_records', HOST_COLUMNS, csvRows(rows as unknown[][]));
  return tx.query<HostRecordRow>(
    `INSERT INTO host_records (${HOST_COLUMNS.join(', ')})
     SELECT DISTINCT ON (s.org_id, s.id) ${HOST_COLUMNS.map((c) => `s.${c}`).join(', ')} FROM stage_host_records s
     WHERE NOT EXISTS (SELECT 1 FROM host_records h WHERE h.org_id = s.org_id AND h.id = s.id)
     ORDER BY s.org_id, s.id, s.at
     ON CONFLICT DO NOTHING
     RETURNING id, terminal_id, merchant_id, at, type, stan, rrn, auth_code, amount_minor, currency, entry_mode, outcome, response_code, card_token, original_stan, original_rrn, mcc`,
  );
}

/** host_records' day partitions, kept as long as roll-ups; made before a write, in transactions of their own. */
export const hostPartitions = (db: Database, retentionDays: () => number) => new DayPartitions(db, retentionDays, 'host_records');

/** The `at` of each row given to insertHostRecords, as instants. */
export const rowTimes = (rows: readonly unknown[][]) => rows.map((r) => Date.parse(String(r[HOST_COLUMNS.indexOf('at')])));
