/**
 * Writes one batch of checked device messages in the caller's transaction: raw rows by COPY, hour
 * roll-ups and live state each merged with one statement from a COPY-filled staging table.
 *
 * A message is reduced to what the writer needs as soon as it is accepted (`prepare`): its raw row as
 * CSV bytes (outside the JavaScript heap), its roll-up signals, its health. The parsed sample is
 * dropped at once, so what waits for the next batch is a few small objects, not a tree of objects and
 * kilobytes of strings for the garbage collector to copy again and again.
 *
 * Two modes. The fast one COPYs straight into the tables: re-deliveries are rare, and a COPY is the
 * cheapest write there is. If any row already exists, that COPY fails with a unique violation, the
 * caller rolls the transaction back and writes the batch again in the careful mode, which stages the
 * rows and inserts them with ON CONFLICT DO NOTHING, so it learns which rows were new. Roll-ups count
 * only new rows, so a message delivered twice is counted once.
 */
import type { DeviceMessage } from '@poscare/contracts';
import { csvRows, type RawTx } from '../db/client.js';
import { assessHealth, type Health } from '../fleet/health.js';
import { featuresOf, txnFeaturesOf, type Features, type TxnFeatures } from '@poscare/alerts';
import { RollupBatch, rollupRow, ROLLUP_COLUMNS, ROLLUP_STAGE_DDL, ROLLUP_UPSERT_SQL, signalFields, signalsOf, TELEMETRY_SIGNAL_COLUMNS } from './rollups.js';

export interface PreparedTelemetry {
  kind: 'telemetry';
  msgId: string;
  atMs: number;
  /** `at` as stored: ISO 8601, UTC, milliseconds. */
  at: string;
  /** The telemetry_raw row as one line of COPY's text format (UTF-8). */
  line: Buffer;
  signals: Float64Array;
  health: Health;
  reasons: string[];
  appVersion: string | null;
  osVersion: string | null;
  /** What the alert rules read of this sample. */
  features: Features;
}

export interface PreparedOther {
  kind: 'event' | 'txn' | 'cmd_ack';
  msgId: string;
  atMs: number;
  /** The table's row: org_id, terminal_id, msg_id, at, received_at and the kind's own columns. */
  row: unknown[];
  /** A payment, as the alert rules see it. */
  txn?: TxnFeatures;
}

export type Prepared = PreparedTelemetry | PreparedOther;

export interface Accepted {
  orgId: string;
  terminalId: string;
  rec: Prepared;
}

/**
 * Raw rows as bytes, written side by side into large chunks: a Buffer of its own per row made an
 * ArrayBuffer every few rows, and allocating and collecting those cost more than encoding the rows.
 * A chunk lives until the last row in it has been written.
 */
class ByteArena {
  private chunk = Buffer.allocUnsafe(0);
  private used = 0;
  constructor(private readonly chunkBytes: number) {}

  put(text: string): Buffer {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const most = text.length * 3;
    if (most > this.chunkBytes) return Buffer.from(text);
    if (this.used + most > this.chunk.length) {
      this.chunk = Buffer.allocUnsafe(this.chunkBytes);
      this.used = 0;
    }
    const n = this.chunk.write(text, this.used);
    const bytes = this.chunk.subarray(this.used, this.used + n);
    this.used += n;
    return bytes;
  }
}
const lineArena = new ByteArena(256 * 1024);

/** Reduces a checked message to what the writer needs; `receivedAt` is an ISO 8601 instant. */
export function prepare(msg: DeviceMessage, orgId: string, terminalId: string, receivedAt: string): Prepared {
  const atMs = Date.parse(msg.at);
  const at = new Date(atMs).toISOString();
  switch (msg.kind) {
    case 'telemetry': {
      const d = msg.data;
      const h = assessHealth(d);
      const signals = signalsOf(d);
      return {
        kind: 'telemetry', msgId: msg.msgId, atMs, at,
        line: lineArena.put(`${telemetryRawHead(orgId, terminalId, msg.msgId, at, receivedAt, signals)}${telemetryDataText(JSON.stringify(d))}\n`),
        signals,
        health: h.health, reasons: h.reasons,
        appVersion: d.app?.version ?? null, osVersion: d.os?.version ?? null,
        features: featuresOf(d),
      };
    }
    case 'event': {
      const d = msg.data;
      return { kind: 'event', msgId: msg.msgId, atMs, row: [orgId, terminalId, msg.msgId, at, receivedAt, d.type, d.code ?? null, d.message ?? null] };
    }
    case 'txn': {
      const d = msg.data;
      const fields = [d.id ?? null, d.stan ?? null, d.rrn ?? null, d.amountMinor ?? null, d.currency ?? null, d.entryMode, d.outcome, d.responseCode ?? null, d.tvr?.toUpperCase() ?? null, d.tsi?.toUpperCase() ?? null, d.cardToken ?? null, d.durationMs ?? null,
        d.type ?? 'sale', d.authCode ?? null, d.originalStan ?? null, d.originalRrn ?? null,
        // merchant_id: filled from the terminal when the batch is written (TXN_MERCHANT_COLUMN).
        null];
      return { kind: 'txn', msgId: msg.msgId, atMs, row: [orgId, terminalId, msg.msgId, at, receivedAt, ...fields], txn: txnFeaturesOf(d) };
    }
    case 'cmd_ack':
      return { kind: 'cmd_ack', msgId: msg.msgId, atMs, row: [orgId, terminalId, msg.msgId, at, receivedAt, msg.data.commandId, msg.data.status, msg.data.detail ?? null, msg.data.result ? JSON.stringify(msg.data.result) : null] };
  }
}

/** telemetry_raw's columns, in the order of its COPY lines. */
export const TELEMETRY_RAW_COLUMNS = ['org_id', 'terminal_id', 'msg_id', 'at', 'received_at', ...TELEMETRY_SIGNAL_COLUMNS, 'data'] as const;

/**
 * A telemetry_raw line (COPY text format: tab-separated, `\N` for NULL, backslash escapes) up to the
 * sample. Ids and instants never hold a tab, newline or backslash; msgId is [A-Za-z0-9_-:.] by contract.
 */
export const telemetryRawHead = (orgId: string, terminalId: string, msgId: string, at: string, receivedAt: string, signals: Float64Array) =>
  `${orgId}\t${terminalId}\t${msgId}\t${at}\t${receivedAt}\t${signalFields(signals)}\t`;

/** A sample's JSON as a COPY text field. JSON.stringify writes no raw tab or newline; only its backslashes need doubling. */
export const telemetryDataText = (json: string) => (json.indexOf('\\') === -1 ? json : json.replace(/\\/g, '\\\\'));

const TEXT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** Any string as a COPY text field. */
export const copyText = (v: string | null) => (v === null ? '\\N' : v.replace(/[\\\t\n\r]/g, (c) => TEXT_ESCAPES[c]!));

/** transactions' columns, in the order of a prepared txn row. */
export const TXN_COLUMNS = ['org_id', 'terminal_id', 'msg_id', 'at', 'received_at', 'txn_id', 'stan', 'rrn', 'amount_minor', 'currency', 'entry_mode', 'outcome', 'response_code', 'tvr', 'tsi', 'card_token', 'duration_ms',
  'type', 'auth_code', 'original_stan', 'original_rrn', 'merchant_id'] as const;
/** Where a prepared txn row holds its merchant, which the writer fills from the terminal. */
export const TXN_MERCHANT_COLUMN = TXN_COLUMNS.indexOf('merchant_id');

const OTHER_TABLES: Record<PreparedOther['kind'], { table: string; columns: readonly string[] }> = {
  event: { table: 'device_events', columns: ['org_id', 'terminal_id', 'msg_id', 'at', 'received_at', 'type', 'code', 'message'] },
  txn: {
    table: 'transactions',
    columns: TXN_COLUMNS,
  },
  cmd_ack: { table: 'command_acks', columns: ['org_id', 'terminal_id', 'msg_id', 'at', 'received_at', 'command_id', 'status', 'detail', 'result'] },
};

interface LiveRow {
  orgId: string;
  lastSeenMs: number;
  newest: PreparedTelemetry | null;
}

/**
 * Writes the batch; returns, per item, whether it was new (false: stored before, or earlier in
 * this batch). Throws a unique violation (23505) in fast mode when some row already exists.
 */
export async function writeBatch(tx: RawTx, items: readonly Accepted[], careful: boolean): Promise<boolean[]> {
  const stored = new Array<boolean>(items.length).fill(false);
  // Re-deliveries within the batch: keyed by message id first (no string to build), then by the whole key.
  const byMsgId = new Map<string, number>();
  const firstOf = new Set<string>();
  const telemetry: number[] = [];
  const others: Record<PreparedOther['kind'], number[]> = { event: [], txn: [], cmd_ack: [] };
  const live = new Map<string, LiveRow>();

  for (let i = 0; i < items.length; i++) {
    const { orgId, terminalId, rec } = items[i]!;
    const other = byMsgId.get(rec.msgId);
    if (other === undefined) byMsgId.set(rec.msgId, i);
    else {
      firstOf.add(keyOf(items[other]!));
      const key = keyOf(items[i]!);
      if (firstOf.has(key)) continue;
      firstOf.add(key);
    }
    // Any message, of any kind, is a sign of life.
    let l = live.get(terminalId);
    if (!l) live.set(terminalId, (l = { orgId, lastSeenMs: rec.atMs, newest: null }));
    else if (rec.atMs > l.lastSeenMs) l.lastSeenMs = rec.atMs;
    if (rec.kind === 'telemetry') {
      telemetry.push(i);
      if (!l.newest || rec.atMs >= l.newest.atMs) l.newest = rec;
    } else others[rec.kind].push(i);
  }

  const rollups = new RollupBatch();
  if (telemetry.length) {
    const csv = Buffer.concat(telemetry.map((i) => (items[i]!.rec as PreparedTelemetry).line));
    let isNew: Set<string> | null = null;
    if (careful) {
      isNew = await insertNew(tx, 'telemetry_raw', TELEMETRY_RAW_COLUMNS, csv, 'text', 'terminal_id, at, msg_id', (k: { terminal_id: string; at: Date | string; msg_id: string }) => `${k.terminal_id}|${new Date(k.at).getTime()}|${k.msg_id}`);
    } else await tx.copyIn('telemetry_raw', TELEMETRY_RAW_COLUMNS, csv, 'text');
    for (const i of telemetry) {
      const { orgId, terminalId, rec } = items[i]! as Accepted & { rec: PreparedTelemetry };
      if (isNew && !isNew.has(`${terminalId}|${rec.atMs}|${rec.msgId}`)) continue;
      stored[i] = true;
      rollups.add(orgId, terminalId, rec.atMs, rec.signals);
    }
  }
  for (const kind of ['event', 'txn', 'cmd_ack'] as const) {
    const idx = others[kind];
    if (!idx.length) continue;
    const { table, columns } = OTHER_TABLES[kind];
    if (kind === 'txn') await fillMerchants(tx, items, idx);
    const csv = csvRows(idx.map((i) => (items[i]!.rec as PreparedOther).row));
    if (!careful) {
      await tx.copyIn(table, columns, csv);
      for (const i of idx) stored[i] = true;
    } else {
      const isNew = await insertNew(tx, table, columns, csv, 'csv', 'terminal_id, msg_id', (k: { terminal_id: string; msg_id: string }) => `${k.terminal_id}|${k.msg_id}`);
      for (const i of idx) if (isNew.has(`${items[i]!.terminalId}|${items[i]!.rec.msgId}`)) stored[i] = true;
    }
  }

  if (rollups.hours.size) {
    const rows: unknown[][] = [];
    for (const r of rollups.hours.values()) rows.push(rollupRow(r));
    await tx.query(ROLLUP_STAGE_DDL);
    await tx.copyIn('stage_rollup', ROLLUP_COLUMNS, csvRows(rows));
    await tx.query(ROLLUP_UPSERT_SQL);
  }

  if (live.size) {
    let rows = '';
    for (const [terminalId, l] of live) {
      const n = l.newest;
      const seen = new Date(l.lastSeenMs).toISOString();
      rows += n
        ? `${terminalId}\t${l.orgId}\t${seen}\t${n.at}\t${n.msgId}\t${n.health}\t${JSON.stringify(n.reasons)}\t${copyText(n.appVersion)}\t${copyText(n.osVersion)}\n`
        : `${terminalId}\t${l.orgId}\t${seen}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n`;
    }
    await tx.query(LIVE_STAGE_DDL);
    await tx.copyIn('stage_live', LIVE_COLUMNS, rows, 'text');
    await tx.query(LIVE_UPSERT_SQL);
  }
  return stored;
}

/**
 * A payment line belongs to the merchant its terminal serves when it is made: one look-up per batch,
 * for the batch's terminals, so a terminal moved to another merchant later keeps its past lines where they were.
 */
async function fillMerchants(tx: RawTx, items: readonly Accepted[], idx: readonly number[]): Promise<void> {
  const ids = [...new Set(idx.map((i) => items[i]!.terminalId))];
  const rows = await tx.query<{ id: string; merchant_id: string | null }>('SELECT id, merchant_id FROM terminals WHERE id = ANY($1::uuid[])', [ids]);
  const merchantOf = new Map(rows.map((r) => [r.id, r.merchant_id]));
  for (const i of idx) (items[i]!.rec as PreparedOther).row[TXN_MERCHANT_COLUMN] = merchantOf.get(items[i]!.terminalId) ?? null;
}

/** A message's key, as its table's primary key has it: telemetry by (terminal, at, msgId), the rest by (terminal, msgId). */
const keyOf = ({ terminalId, rec }: Accepted) => (rec.kind === 'telemetry' ? `t|${terminalId}|${rec.atMs}|${rec.msgId}` : `${rec.kind}|${terminalId}|${rec.msgId}`);

/** Stages the rows and inserts those not stored yet; returns the keys of the new ones. */
async function insertNew<K>(tx: RawTx, table: string, columns: readonly string[], data: string | Uint8Array, format: 'csv' | 'text', keyColumns: string, keyOfRow: (k: K) => string): Promise<Set<string>> {
  await tx.query(`CREATE TEMP TABLE IF NOT EXISTS stage_${table} (LIKE ${table}) ON COMMIT DELETE ROWS`);
  await tx.copyIn(`stage_${table}`, columns, data, format);
  const rows = await tx.query<K>(
    `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM stage_${table} ON CONFLICT DO NOTHING RETURNING ${keyColumns}`,
  );
  return new Set(rows.map(keyOfRow));
}

const LIVE_COLUMNS = ['terminal_id', 'org_id', 'last_seen_at', 'last_telemetry_at', 'last_msg_id', 'health', 'health_reasons', 'app_version', 'os_version'] as const;
const LIVE_STAGE_DDL = `CREATE TEMP TABLE IF NOT EXISTS stage_live (terminal_id uuid, org_id uuid, last_seen_at timestamptz, last_telemetry_at timestamptz,
  last_msg_id text, health text, health_reasons jsonb, app_version text, os_version text) ON COMMIT DELETE ROWS`;
/** A sample older than the terminal's newest one changes only last_seen_at; a newer one replaces the rest. */
const newer = `excluded.last_telemetry_at IS NOT NULL AND (l.last_telemetry_at IS NULL OR excluded.last_telemetry_at >= l.last_telemetry_at)`;
const LIVE_UPSERT_SQL = `
  INSERT INTO terminal_live AS l (${LIVE_COLUMNS.join(', ')})
  SELECT terminal_id, org_id, last_seen_at, last_telemetry_at, last_msg_id, coalesce(health, 'ok'), coalesce(health_reasons, '[]'::jsonb), app_version, os_version
  FROM stage_live ORDER BY terminal_id
  ON CONFLICT (terminal_id) DO UPDATE SET
    last_seen_at = greatest(l.last_seen_at, excluded.last_seen_at),
    last_telemetry_at = CASE WHEN ${newer} THEN excluded.last_telemetry_at ELSE l.last_telemetry_at END,
    last_msg_id = CASE WHEN ${newer} THEN excluded.last_msg_id ELSE l.last_msg_id END,
    health = CASE WHEN ${newer} THEN excluded.health ELSE l.health END,
    health_reasons = CASE WHEN ${newer} THEN excluded.health_reasons ELSE l.health_reasons END,
    app_version = CASE WHEN ${newer} THEN coalesce(excluded.app_version, l.app_version) ELSE l.app_version END,
    os_version = CASE WHEN ${newer} THEN coalesce(excluded.os_version, l.os_version) ELSE l.os_version END`;
