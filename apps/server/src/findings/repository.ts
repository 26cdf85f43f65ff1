/**
 * The queries of live findings: store what the engine opened (idempotent by organization and key),
 * grow a finding in place, close what it resolved, what arrived since a cursor (for a process that did
 * not ingest it), the organization's newest thresholds, and the reads of the findings API. Typed rows
 * in and out; services build no SQL.
 */
import type { TxnFinding, TxnRecord } from '@poscare/contracts';
import type { RawTx } from '../db/client.js';
import { hostTxnRecord, terminalTxnRecord, type HostRecordRow, type TerminalTxnRow } from '../payments/records.js';

/** The stored identity of a finding: its code and the payments it names (the engine's own identity). */
export const findingKey = (f: Pick<TxnFinding, 'code' | 'txnIds'>) => `${f.code}|${f.txnIds.join(',')}`;

export interface StoredFinding {
  id: string;
  org_id: string;
  key: string;
  code: string;
  status: string;
  merchant_id: string | null;
  merchant_name: string | null;
  terminal_id: string | null;
  terminal_serial: string | null;
  card_token: string | null;
  amount_minor: string | number;
  currency: string | null;
  first_at: Date;
  last_at: Date;
  txn_ids: string[] | string;
  summary_zh: string;
  summary_en: string;
  action: string;
  thresholds_version: number | null;
  opened_at: Date;
  resolved_at: Date | null;
  resolved_reason: string | null;
  ticket_id: string | null;
  ticket_number: string | null;
  notified_at: Date | null;
}

const SELECT_FINDING = `SELECT f.id, f.org_id, f.key, f.code, f.status, f.merchant_id, m.name AS merchant_name, f.terminal_id, t.serial_number AS terminal_serial,
  f.card_token, f.amount_minor, f.currency, f.first_at, f.last_at, f.txn_ids, f.summary_zh, f.summary_en, f.action, f.thresholds_version,
  f.opened_at, f.resolved_at, f.resolved_reason, f.ticket_id, tk.number AS ticket_number, f.notified_at
  FROM txn_findings f
  LEFT JOIN merchants m ON m.id = f.merchant_id
  LEFT JOIN terminals t ON t.id = f.terminal_id
  LEFT JOIN tickets tk ON tk.id = f.ticket_id`;

export const txnIdsOf = (r: Pick<StoredFinding, 'txn_ids'>): string[] => (typeof r.txn_ids === 'string' ? (JSON.parse(r.txn_ids) as string[]) : r.txn_ids);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrNull = (v: string | undefined) => (v && UUID.test(v) ? v : null);

/** The values of one finding row (everything but its state). */
function values(orgId: string, f: TxnFinding, currency: string | null, version: number | null) {
  return [
    orgId, findingKey(f), f.code, uuidOrNull(f.merchantId), uuidOrNull(f.terminalId), f.cardToken ?? null, f.amountMinor, currency,
    f.firstAt, f.lastAt, JSON.stringify(f.txnIds), f.summary['zh-CN'], f.summary['en-US'], f.action, version,
  ];
}

/**
 * Stores findings the engine opened. A finding already stored (another worker, a replay, a restart)
 * is left as it is — including one a person closed — so each finding is one row whoever writes it.
 * Returns the rows this call created.
 */
export async function storeOpened(tx: RawTx, orgId: string, items: { finding: TxnFinding; currency: string | null }[], version: number | null, now: Date): Promise<{ id: string; code: string }[]> {
  if (!items.length) return [];
  const params: unknown[] = [];
  const rows = items.map(({ finding, currency }) => {
    const v = [...values(orgId, finding, currency, version), now];
    const start = params.length;
    params.push(...v);
    return `(${v.map((_, i) => `$${start + i + 1}`).join(', ')})`;
  });
  return tx.query<{ id: string; code: string }>(
    `INSERT INTO txn_findings (org_id, key, code, merchant_id, terminal_id, card_token, amount_minor, currency, first_at, last_at, txn_ids, summary_zh, summary_en, action, thresholds_version, opened_at)
     VALUES ${rows.join(', ')}
     ON CONFLICT (org_id, key) DO NOTHING
     RETURNING id, code`,
    params,
  );
}

/**
 * A finding that grew (a card-testing burst with one more attempt): the open row of the old key takes
 * the new key and payments, keeping its id, notes, assignee and notification. False when there is no
 * such open row (then the grown finding is stored as a new one), or the new key is already stored.
 */
export async function growFinding(tx: RawTx, orgId: string, oldKey: string, f: TxnFinding, currency: string | null, version: number | null, now: Date): Promise<boolean> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE txn_findings SET key = $3, amount_minor = $4, first_at = $5, last_at = $6, txn_ids = $7, summary_zh = $8, summary_en = $9,
            currency = coalesce(currency, $10), thresholds_version = $11, updated_at = $12,
            merchant_id = $13, terminal_id = $14, card_token = $15
      WHERE org_id = $1 AND key = $2 AND status = 'open'
        AND NOT EXISTS (SELECT 1 FROM txn_findings x WHERE x.org_id = $1 AND x.key = $3)
      RETURNING id`,
    [orgId, oldKey, findingKey(f), f.amountMinor, f.firstAt, f.lastAt, JSON.stringify(f.txnIds), f.summary['zh-CN'], f.summary['en-US'], currency, version, now,
      uuidOrNull(f.merchantId), uuidOrNull(f.terminalId), f.cardToken ?? null],
  );
  return rows.length > 0;
}

/** Closes open findings of these keys (a later record explained them); a closed one stays as it was. */
export async function resolveKeys(tx: RawTx, orgId: string, keys: string[], reason: string, now: Date): Promise<{ id: string; code: string; key: string }[]> {
  if (!keys.length) return [];
  return tx.query<{ id: string; code: string; key: string }>(
    `UPDATE txn_findings SET status = 'resolved', resolved_at = $3, resolved_reason = $4, updated_at = $3
      WHERE org_id = $1 AND key = ANY($2::text[]) AND status = 'open' RETURNING id, code, key`,
    [orgId, keys, now, reason],
  );
}

/** Open findings of an organization first seen at or after `since` (what a warm-up can judge afresh). */
export async function openKeysSince(tx: RawTx, orgId: string, since: Date): Promise<{ key: string; code: string; thresholds_version: number | null }[]> {
  return tx.query(`SELECT key, code, thresholds_version FROM txn_findings WHERE org_id = $1 AND status = 'open' AND first_at >= $2`, [orgId, since]);
}

/** A note by PosCare itself (no author id) on findings, e.g. why a re-evaluation closed them. */
export async function addSystemNotes(tx: RawTx, orgId: string, notes: { findingId: string; body: string }[], now: Date): Promise<void> {
  for (const n of notes) {
    await tx.query(`INSERT INTO txn_finding_notes (org_id, finding_id, author_id, author_name, body, at) VALUES ($1, $2, NULL, 'PosCare', $3, $4)`, [orgId, n.findingId, n.body, now]);
  }
}

/** The organization's newest threshold version (B2's editor writes them); none: the contract's defaults. */
export async function newestThresholds(tx: RawTx, orgId: string): Promise<{ version: number; overrides: Record<string, unknown> } | null> {
  const [row] = await tx.query<{ version: number; overrides: Record<string, unknown> | string }>(
    'SELECT version, overrides FROM txn_threshold_versions WHERE org_id = $1 ORDER BY version DESC LIMIT 1',
    [orgId],
  );
  if (!row) return null;
  return { version: Number(row.version), overrides: typeof row.overrides === 'string' ? (JSON.parse(row.overrides) as Record<string, unknown>) : row.overrides };
}

export async function newestThresholdVersions(tx: RawTx): Promise<Map<string, number>> {
  const rows = await tx.query<{ org_id: string; v: number }>('SELECT org_id, max(version) AS v FROM txn_threshold_versions GROUP BY org_id');
  return new Map(rows.map((r) => [r.org_id, Number(r.v)]));
}

export async function organizationIds(tx: RawTx): Promise<string[]> {
  return (await tx.query<{ id: string }>('SELECT id FROM organizations ORDER BY created_at')).map((r) => r.id);
}

const TERMINAL_COLUMNS = `t.org_id, t.received_at, t.terminal_id, t.msg_id, coalesce(t.merchant_id, term.merchant_id) AS merchant_id, t.at, t.type, t.stan, t.rrn,
  t.auth_code, t.amount_minor, t.currency, t.entry_mode, t.outcome, t.response_code, t.card_token, t.original_stan, t.original_rrn`;
const HOST_COLUMNS = `h.org_id, h.received_at, h.id, h.terminal_id, h.merchant_id, h.at, h.type, h.stan, h.rrn, h.auth_code, h.amount_minor, h.currency,
  h.entry_mode, h.outcome, h.response_code, h.card_token, h.original_stan, h.original_rrn, h.mcc`;

type Arrived = { org_id: string; received_at: Date | string };

/**
 * Records of every organization that arrived after `after` (by received_at), at most `limit` per side,
 * with the newest arrival time seen: a worker that did not ingest them catches up from here.
 */
export async function arrivedSince(tx: RawTx, after: Date, limit: number): Promise<{ byOrg: Map<string, TxnRecord[]>; newest: Date | null; full: boolean }> {
  const [terminal, host] = await Promise.all([
    tx.query<TerminalTxnRow & Arrived>(
      `SELECT ${TERMINAL_COLUMNS} FROM transactions t JOIN terminals term ON term.id = t.terminal_id WHERE t.received_at > $1 ORDER BY t.received_at LIMIT $2`,
      [after, limit],
    ),
    tx.query<HostRecordRow & Arrived>(`SELECT ${HOST_COLUMNS} FROM host_records h WHERE h.received_at > $1 ORDER BY h.received_at LIMIT $2`, [after, limit]),
  ]);
  const byOrg = new Map<string, TxnRecord[]>();
  let newest: Date | null = null;
  const seen = (r: Arrived, x: TxnRecord | null) => {
    const at = r.received_at instanceof Date ? r.received_at : new Date(r.received_at);
    if (!newest || at > newest) newest = at;
    if (!x) return;
    const list = byOrg.get(r.org_id) ?? byOrg.set(r.org_id, []).get(r.org_id)!;
    list.push(x);
  };
  for (const r of terminal) seen(r, terminalTxnRecord(r));
  for (const r of host) seen(r, hostTxnRecord(r));
  return { byOrg, newest, full: terminal.length >= limit || host.length >= limit };
}

export async function newestArrival(tx: RawTx): Promise<Date | null> {
  const [row] = await tx.query<{ t: Date | string | null }>(
    'SELECT greatest((SELECT max(received_at) FROM transactions), (SELECT max(received_at) FROM host_records)) AS t',
  );
  return row?.t ? new Date(row.t) : null;
}

// --- notification -----------------------------------------------------------------------------

/** Marks a finding notified; only the first caller gets the row (two workers notify once). */
export async function claimNotification(tx: RawTx, id: string, now: Date): Promise<StoredFinding | null> {
  const [row] = await tx.query<{ id: string }>('UPDATE txn_findings SET notified_at = $2 WHERE id = $1 AND notified_at IS NULL RETURNING id', [id, now]);
  if (!row) return null;
  return findingById(tx, id);
}

export interface FindingRecipient {
  user_id: string;
  email: string;
  language: 'zh-CN' | 'en-US';
  console: boolean | null;
  email_on: boolean | null;
}

/** The merchant's own users, or the organization's risk analysts; enabled accounts only. */
export async function findingRecipients(tx: RawTx, orgId: string, who: { merchantId: string } | { role: 'risk_analyst' }): Promise<FindingRecipient[]> {
  const [cond, arg] = 'merchantId' in who ? ["u.role = 'merchant' AND u.merchant_id = $2", who.merchantId] : ['u.role = $2', who.role];
  return tx.query<FindingRecipient>(
    `SELECT u.id AS user_id, u.email, u.language, p.console, p.email AS email_on
       FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id
      WHERE u.org_id = $1 AND u.disabled = false AND ${cond}`,
    [orgId, arg],
  );
}

// --- reads of the API -------------------------------------------------------------------------

export async function findingById(tx: RawTx, id: string): Promise<StoredFinding | null> {
  const [row] = await tx.query<StoredFinding>(`${SELECT_FINDING} WHERE f.id = $1`, [id]);
  return row ?? null;
}

export interface FindingFilter {
  orgId: string;
  /** A merchant user: this merchant's only. */
  merchantScope: string | null;
  status?: 'open' | 'resolved';
  code?: string;
  codePrefix?: 'dup.' | 'risk.';
  merchantId?: string;
  terminalId?: string;
  cardToken?: string;
  from?: string;
  to?: string;
  ids?: string[];
}

function where(f: FindingFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [f.orgId];
  const parts = ['f.org_id = $1'];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    parts.push(sql.replace('?', `$${params.length}`));
  };
  if (f.merchantScope) add('f.merchant_id = ?', f.merchantScope);
  if (f.status) add('f.status = ?', f.status);
  if (f.code) add('f.code = ?', f.code);
  if (f.codePrefix) add("f.code LIKE ? || '%'", f.codePrefix);
  if (f.merchantId) add('f.merchant_id = ?', f.merchantId);
  if (f.terminalId) add('f.terminal_id = ?', f.terminalId);
  if (f.cardToken) add('f.card_token = ?', f.cardToken);
  if (f.from) add('f.last_at >= ?', f.from);
  if (f.to) add('f.first_at < ?', f.to);
  if (f.ids) add('f.id = ANY(?::uuid[])', f.ids);
  return { sql: parts.join(' AND '), params };
}

export async function listFindings(tx: RawTx, f: FindingFilter, limit: number, offset: number): Promise<{ rows: StoredFinding[]; total: number }> {
  const w = where(f);
  const n = w.params.length;
  const [rows, [count]] = await Promise.all([
    tx.query<StoredFinding>(`${SELECT_FINDING} WHERE ${w.sql} ORDER BY f.last_at DESC, f.id LIMIT $${n + 1} OFFSET $${n + 2}`, [...w.params, limit, offset]),
    tx.query<{ n: string | number }>(`SELECT count(*) AS n FROM txn_findings f WHERE ${w.sql}`, w.params),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

/** Findings of the organization (merchant scope applied) naming any of these record ids. */
export async function findingsNaming(tx: RawTx, orgId: string, merchantScope: string | null, ids: string[], codePrefix?: 'dup.'): Promise<StoredFinding[]> {
  if (!ids.length) return [];
  const params: unknown[] = [orgId, JSON.stringify(ids)];
  let extra = '';
  if (merchantScope) {
    params.push(merchantScope);
    extra += ` AND f.merchant_id = $${params.length}`;
  }
  if (codePrefix) extra += ` AND f.code LIKE 'dup.%'`;
  // jsonb ?| needs a text[]; the overlap of the two arrays is written portably for PGlite and PostgreSQL.
  return tx.query<StoredFinding>(
    `${SELECT_FINDING} WHERE f.org_id = $1 ${extra}
       AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(f.txn_ids) x WHERE x IN (SELECT jsonb_array_elements_text($2::jsonb)))
     ORDER BY f.last_at DESC`,
    params,
  );
}

/** Links a ticket to a finding once: the first ticket wins; returns the ticket now linked. */
export async function linkTicket(tx: RawTx, id: string, ticketId: string, now: Date): Promise<string> {
  const [row] = await tx.query<{ ticket_id: string }>(
    'UPDATE txn_findings SET ticket_id = coalesce(ticket_id, $2), updated_at = $3 WHERE id = $1 RETURNING ticket_id',
    [id, ticketId, now],
  );
  return row!.ticket_id;
}

// --- payments of a finding, both sides ----------------------------------------------------------

export interface LineRow {
  source: 'terminal' | 'host';
  id: string;
  terminal_id: string;
  merchant_id: string | null;
  at: Date;
  type: string;
  amount_minor: string | number | null;
  currency: string | null;
  entry_mode: string;
  outcome: string;
  response_code: string | null;
  stan: string | null;
  rrn: string | null;
  auth_code: string | null;
  card_token: string | null;
  original_stan: string | null;
  original_rrn: string | null;
}

const LINE_T = `'terminal' AS source, t.terminal_id || '/' || t.msg_id AS id, t.terminal_id, coalesce(t.merchant_id, term.merchant_id) AS merchant_id, t.at, t.type,
  t.amount_minor, t.currency, t.entry_mode, t.outcome, t.response_code, t.stan, t.rrn, t.auth_code, t.card_token, t.original_stan, t.original_rrn`;
const LINE_H = `'host' AS source, 'host:' || h.id AS id, h.terminal_id, h.merchant_id, h.at, h.type, h.amount_minor, h.currency, h.entry_mode, h.outcome,
  h.response_code, h.stan, h.rrn, h.auth_code, h.card_token, h.original_stan, h.original_rrn`;

/** Terminal lines by (terminal, msg id) and host lines by id, of one organization. */
export async function linesByIds(tx: RawTx, orgId: string, terminalKeys: { terminalId: string; msgId: string }[], hostIds: string[]): Promise<LineRow[]> {
  const [a, b] = await Promise.all([
    terminalKeys.length
      ? tx.query<LineRow>(
          `SELECT ${LINE_T} FROM transactions t JOIN terminals term ON term.id = t.terminal_id
            WHERE t.org_id = $1 AND (t.terminal_id::text || '/' || t.msg_id) = ANY($2::text[])`,
          [orgId, terminalKeys.map((k) => `${k.terminalId}/${k.msgId}`)],
        )
      : [],
    hostIds.length ? tx.query<LineRow>(`SELECT ${LINE_H} FROM host_records h WHERE h.org_id = $1 AND h.id = ANY($2::text[])`, [orgId, hostIds]) : [],
  ]);
  return [...a, ...b];
}

/**
 * Every line that belongs to these payments (terminal, stan) from both sides, and what undoes them:
 * voids and reversals naming the stan, refunds naming the rrn.
 */
export async function paymentLines(tx: RawTx, orgId: string, payments: { terminalId: string; stan: string }[], rrns: string[]): Promise<LineRow[]> {
  if (!payments.length) return [];
  const keys = new Set(payments.map((p) => `${p.terminalId}|${p.stan}`));
  const terminalIds = [...new Set(payments.map((p) => p.terminalId))];
  const stans = [...new Set(payments.map((p) => p.stan))];
  const six = (col: string) => `right(lpad(coalesce(${col}, ''), 6, '0'), 6)`;
  const [a, b] = await Promise.all([
    tx.query<LineRow>(
      `SELECT ${LINE_T} FROM transactions t JOIN terminals term ON term.id = t.terminal_id
        WHERE t.org_id = $1 AND ((t.terminal_id = ANY($2::uuid[]) AND (${six('t.stan')} = ANY($3::text[]) OR ${six('t.original_stan')} = ANY($3::text[]))) OR t.original_rrn = ANY($4::text[]))`,
      [orgId, terminalIds, stans, rrns],
    ),
    tx.query<LineRow>(
      `SELECT ${LINE_H} FROM host_records h
        WHERE h.org_id = $1 AND ((h.terminal_id = ANY($2::uuid[]) AND (${six('h.stan')} = ANY($3::text[]) OR ${six('h.original_stan')} = ANY($3::text[]))) OR h.original_rrn = ANY($4::text[]))`,
      [orgId, terminalIds, stans, rrns],
    ),
  ]);
  const pad = (v: string | null) => (v ? v.slice(-6).padStart(6, '0') : '');
  const rrnSet = new Set(rrns);
  // The stan lists matched any terminal's; keep the lines of these very payments.
  return [...a, ...b].filter(
    (l) => keys.has(`${l.terminal_id}|${pad(l.stan)}`) || keys.has(`${l.terminal_id}|${pad(l.original_stan)}`) || (l.original_rrn !== null && rrnSet.has(l.original_rrn)),
  );
}

/** Terminal sales of the organization (merchant scope applied) with this amount in [from, to]. */
export async function salesNear(tx: RawTx, orgId: string, merchantScope: string | null, terminalId: string | null, amountMinor: number, from: Date, to: Date): Promise<LineRow[]> {
  const params: unknown[] = [orgId, amountMinor, from, to];
  let extra = '';
  if (merchantScope) {
    params.push(merchantScope);
    extra += ` AND coalesce(t.merchant_id, term.merchant_id) = $${params.length}`;
  }
  if (terminalId) {
    params.push(terminalId);
    extra += ` AND t.terminal_id = $${params.length}`;
  }
  return tx.query<LineRow>(
    `SELECT ${LINE_T} FROM transactions t JOIN terminals term ON term.id = t.terminal_id
      WHERE t.org_id = $1 AND t.type = 'sale' AND t.amount_minor = $2 AND t.at >= $3 AND t.at <= $4 ${extra}
      ORDER BY t.at LIMIT 50`,
    params,
  );
}
