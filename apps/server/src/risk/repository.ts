/**
 * Every query of risk work: fraud findings as cases, their notes, the block list, threshold versions,
 * and what the decide index loads. Typed rows in and out; services build no SQL.
 */
import { REPORT_TIME_ZONE, type RiskCaseQuery, type RiskDecision, type RiskBlockQuery, type ThresholdOverrides } from '@poscare/contracts';
import { localDay } from '../reports/range.js';
import type { RawTx } from '../db/client.js';

/** Fraud findings only: the `dup.*` kinds are the merchant's, not the analysts'. */
const RISK = `f.code LIKE 'risk.%'`;

export interface CaseRow {
  id: string;
  org_id: string;
  code: string;
  status: string;
  resolved_reason: string | null;
  merchant_id: string | null;
  merchant_name: string | null;
  terminal_id: string | null;
  terminal_label: string | null;
  card_token: string | null;
  amount_minor: number | string;
  currency: string | null;
  first_at: Date | string;
  last_at: Date | string;
  opened_at: Date | string;
  txn_ids: string[];
  summary_zh: string;
  summary_en: string;
  action: string;
  thresholds_version: number | null;
  assignee_id: string | null;
  assignee_name: string | null;
  decision: RiskDecision | null;
  decision_note: string | null;
  decided_at: Date | string | null;
  decided_by_name: string | null;
}

const CASE_COLUMNS = `f.id, f.org_id, f.code, f.status, f.resolved_reason, f.merchant_id, m.name AS merchant_name, f.terminal_id,
  coalesce(term.tid, term.serial_number) AS terminal_label, f.card_token, f.amount_minor, f.currency, f.first_at, f.last_at,
  f.opened_at, f.txn_ids, f.summary_zh, f.summary_en, f.action, f.thresholds_version, f.assignee_id, a.name AS assignee_name,
  f.decision, f.decision_note, f.decided_at, d.name AS decided_by_name`;
const CASE_FROM = `txn_findings f LEFT JOIN merchants m ON m.id = f.merchant_id LEFT JOIN terminals term ON term.id = f.terminal_id
  LEFT JOIN users a ON a.id = f.assignee_id LEFT JOIN users d ON d.id = f.decided_by`;

export async function listCases(tx: RawTx, orgId: string, q: RiskCaseQuery, meId: string): Promise<{ rows: CaseRow[]; total: number }> {
  const params: unknown[] = [orgId];
  const where = ['f.org_id = $1', RISK];
  if (q.code) where.push(`f.code = $${params.push(q.code)}`);
  if (q.status === 'open') where.push(`f.status = 'open' AND f.decision IS NULL`);
  else if (q.status === 'decided') where.push('f.decision IS NOT NULL');
  else if (q.status === 'resolved') where.push(`f.status = 'resolved'`);
  if (q.assignee === 'none') where.push('f.assignee_id IS NULL');
  else if (q.assignee) where.push(`f.assignee_id = $${params.push(q.assignee === 'me' ? meId : q.assignee)}`);
  if (q.decision === 'none') where.push('f.decision IS NULL');
  else if (q.decision) where.push(`f.decision = $${params.push(q.decision)}`);
  if (q.cardToken) where.push(`(f.card_token = $${params.push(q.cardToken)} OR f.txn_ids ?| ARRAY(SELECT t.terminal_id || '/' || t.msg_id FROM transactions t WHERE t.org_id = $1 AND t.card_token = $${params.length}))`);
  if (q.terminalId) where.push(`(f.terminal_id = $${params.push(q.terminalId)} OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(f.txn_ids) x(rid) WHERE x.rid LIKE $${params.length}::text || '/%'))`);
  const w = where.join(' AND ');
  const [count] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM txn_findings f WHERE ${w}`, params);
  const rows = await tx.query<CaseRow>(
    `SELECT ${CASE_COLUMNS} FROM ${CASE_FROM} WHERE ${w} ORDER BY f.last_at DESC, f.id DESC LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`,
    params,
  );
  return { rows, total: Number(count?.n ?? 0) };
}

export async function getCase(tx: RawTx, orgId: string, id: string, lock = false): Promise<CaseRow | undefined> {
  if (lock) await tx.query(`SELECT 1 FROM txn_findings WHERE id = $1 AND org_id = $2 FOR UPDATE`, [id, orgId]);
  const [row] = await tx.query<CaseRow>(`SELECT ${CASE_COLUMNS} FROM ${CASE_FROM} WHERE f.id = $1 AND f.org_id = $2 AND ${RISK}`, [id, orgId]);
  return row;
}

export async function casesOf(tx: RawTx, orgId: string, cardTokens: string[], terminalIds: string[], exceptId: string, limit = 20): Promise<CaseRow[]> {
  if (!cardTokens.length && !terminalIds.length) return [];
  return tx.query<CaseRow>(
    `SELECT ${CASE_COLUMNS} FROM ${CASE_FROM}
      WHERE f.org_id = $1 AND ${RISK} AND f.id <> $2 AND (f.card_token = ANY($3::text[]) OR f.terminal_id = ANY($4::uuid[]))
      ORDER BY f.last_at DESC LIMIT $5`,
    [orgId, exceptId, cardTokens, terminalIds, limit],
  );
}

/** A record of either side as the case page shows it. */
export interface PaymentRow {
  id: string;
  source: 'terminal' | 'host';
  at: Date | string;
  terminal_id: string;
  terminal_label: string | null;
  merchant_id: string | null;
  merchant_name: string | null;
  type: string;
  amount_minor: number | string | null;
  currency: string | null;
  entry_mode: string;
  outcome: string;
  response_code: string | null;
  card_token: string | null;
  stan: string | null;
  rrn: string | null;
}

const TERMINAL_PAYMENT = `SELECT t.terminal_id || '/' || t.msg_id AS id, 'terminal' AS source, t.at, t.terminal_id, coalesce(term.tid, term.serial_number) AS terminal_label,
    coalesce(t.merchant_id, term.merchant_id) AS merchant_id, m.name AS merchant_name, t.type, t.amount_minor, t.currency, t.entry_mode,
    t.outcome, t.response_code, t.card_token, t.stan, t.rrn
  FROM transactions t JOIN terminals term ON term.id = t.terminal_id LEFT JOIN merchants m ON m.id = coalesce(t.merchant_id, term.merchant_id)`;
const HOST_PAYMENT = `SELECT 'host:' || h.id AS id, 'host' AS source, h.at, h.terminal_id, coalesce(term.tid, term.serial_number) AS terminal_label,
    h.merchant_id, m.name AS merchant_name, h.type, h.amount_minor, h.currency, h.entry_mode, h.outcome, h.response_code, h.card_token, h.stan, h.rrn
  FROM host_records h JOIN terminals term ON term.id = h.terminal_id LEFT JOIN merchants m ON m.id = h.merchant_id`;

/**
 * The records a case names, and the other side of each payment (the host's line of a terminal
 * sale, by terminal and STAN on the same day).
 */
export async function casePayments(tx: RawTx, orgId: string, txnIds: string[]): Promise<PaymentRow[]> {
  const terminalIds = txnIds.filter((x) => !x.startsWith('host:'));
  const hostIds = txnIds.filter((x) => x.startsWith('host:')).map((x) => x.slice(5));
  const terminal = terminalIds.length
    ? await tx.query<PaymentRow>(`${TERMINAL_PAYMENT} WHERE t.org_id = $1 AND (t.terminal_id || '/' || t.msg_id) = ANY($2::text[])`, [orgId, terminalIds])
    : [];
  // A payment is its terminal, STAN and day in REPORT_TIME_ZONE, as the payments explorer and reconciliation read it.
  const keys = terminal.filter((p) => p.stan).map((p) => `${p.terminal_id}|${String(p.stan).slice(-6).padStart(6, '0')}|${localDay(new Date(p.at))}`);
  const host = await tx.query<PaymentRow>(
    `${HOST_PAYMENT} WHERE h.org_id = $1 AND (h.id = ANY($2::text[])
       OR (h.terminal_id::text || '|' || right(lpad(h.stan, 6, '0'), 6) || '|' || to_char(h.at AT TIME ZONE '${REPORT_TIME_ZONE}', 'YYYY-MM-DD')) = ANY($3::text[]))`,
    [orgId, hostIds, keys],
  );
  return [...terminal, ...host].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
}

export async function cardHistory(tx: RawTx, orgId: string, cardTokens: string[], from: Date, to: Date, limit = 200): Promise<PaymentRow[]> {
  return tx.query<PaymentRow>(`${TERMINAL_PAYMENT} WHERE t.org_id = $1 AND t.card_token = ANY($2::text[]) AND t.at >= $3 AND t.at < $4 ORDER BY t.at DESC LIMIT $5`, [orgId, cardTokens, from, to, limit]);
}

export async function terminalHistory(tx: RawTx, orgId: string, terminalId: string, from: Date, to: Date, limit = 200): Promise<PaymentRow[]> {
  return tx.query<PaymentRow>(`${TERMINAL_PAYMENT} WHERE t.org_id = $1 AND t.terminal_id = $2 AND t.at >= $3 AND t.at < $4 ORDER BY t.at DESC LIMIT $5`, [orgId, terminalId, from, to, limit]);
}

/** The latest telemetry sample of a terminal at or before `at`, within `withinMs`. */
export async function telemetryBefore(tx: RawTx, terminalId: string, at: Date, withinMs: number): Promise<{ at: Date | string; data: unknown } | undefined> {
  const [row] = await tx.query<{ at: Date | string; data: unknown }>(
    `SELECT at, data FROM telemetry_raw WHERE terminal_id = $1 AND at <= $2 AND at >= $3 ORDER BY at DESC LIMIT 1`,
    [terminalId, at, new Date(at.getTime() - withinMs)],
  );
  return row;
}

export async function terminalLabels(tx: RawTx, orgId: string, ids: string[]): Promise<Map<string, string | null>> {
  if (!ids.length) return new Map();
  const rows = await tx.query<{ id: string; label: string | null }>(`SELECT id, coalesce(tid, serial_number) AS label FROM terminals WHERE org_id = $1 AND id = ANY($2::uuid[])`, [orgId, ids]);
  return new Map(rows.map((r) => [r.id, r.label]));
}

// ---- Changes to a case --------------------------------------------------------------------------

export async function setAssignee(tx: RawTx, orgId: string, id: string, assigneeId: string | null, now: Date): Promise<string | null | undefined> {
  const [before] = await tx.query<{ assignee_id: string | null }>(`SELECT assignee_id FROM txn_findings f WHERE id = $1 AND org_id = $2 AND ${RISK} FOR UPDATE`, [id, orgId]);
  if (!before) return undefined;
  await tx.query(`UPDATE txn_findings SET assignee_id = $3, updated_at = $4 WHERE id = $1 AND org_id = $2`, [id, orgId, assigneeId, now]);
  return before.assignee_id;
}

export async function assignees(tx: RawTx, orgId: string): Promise<{ id: string; name: string; role: string }[]> {
  return tx.query(`SELECT id, name, role FROM users WHERE org_id = $1 AND role IN ('risk_analyst', 'admin') AND NOT disabled ORDER BY role DESC, name`, [orgId]);
}

export async function isAnalyst(tx: RawTx, orgId: string, userId: string): Promise<boolean | undefined> {
  const [u] = await tx.query<{ role: string }>(`SELECT role FROM users WHERE id = $1 AND org_id = $2`, [userId, orgId]);
  return u ? u.role === 'risk_analyst' || u.role === 'admin' : undefined;
}

export async function addNote(tx: RawTx, orgId: string, findingId: string, authorId: string | null, authorName: string, body: string, now: Date): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO txn_finding_notes (org_id, finding_id, author_id, author_name, body, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [orgId, findingId, authorId, authorName, body, now],
  );
  return row!.id;
}

export async function notesOf(tx: RawTx, findingId: string): Promise<{ id: string; author_name: string | null; body: string; at: Date | string }[]> {
  return tx.query(`SELECT id, author_name, body, at FROM txn_finding_notes WHERE finding_id = $1 ORDER BY at, id`, [findingId]);
}

/**
 * Records the decision only if nobody decided the case meanwhile (the guard is the WHERE): of two
 * analysts deciding at once, one row comes back and the other gets none.
 */
export async function decide(tx: RawTx, orgId: string, id: string, d: { decision: RiskDecision; note: string | null; by: string | null }, now: Date): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE txn_findings SET decision = $3, decision_note = $4, decided_by = $5, decided_at = $6,
            status = 'resolved', resolved_at = coalesce(resolved_at, $6), resolved_reason = coalesce(resolved_reason, 'decided'), updated_at = $6
      WHERE id = $1 AND org_id = $2 AND decision IS NULL AND code LIKE 'risk.%' RETURNING id`,
    [id, orgId, d.decision, d.note, d.by, now],
  );
  return rows.length === 1;
}

/** The card tokens and terminals of a case's terminal records (card testing names many cards). */
export async function involvedOf(tx: RawTx, orgId: string, txnIds: string[]): Promise<{ cardTokens: string[]; terminalIds: string[] }> {
  const ids = txnIds.filter((x) => !x.startsWith('host:'));
  if (!ids.length) return { cardTokens: [], terminalIds: [] };
  const rows = await tx.query<{ card_token: string | null; terminal_id: string }>(
    `SELECT DISTINCT t.card_token, t.terminal_id FROM transactions t WHERE t.org_id = $1 AND (t.terminal_id || '/' || t.msg_id) = ANY($2::text[])`,
    [orgId, ids],
  );
  return {
    cardTokens: [...new Set(rows.map((r) => r.card_token).filter((x): x is string => !!x))].sort(),
    terminalIds: [...new Set(rows.map((r) => r.terminal_id))].sort(),
  };
}

// ---- Block list ---------------------------------------------------------------------------------

export interface BlockRow {
  id: string;
  kind: 'card_token' | 'terminal';
  value: string;
  label: string | null;
  reason: string | null;
  finding_id: string | null;
  created_by_name: string | null;
  created_at: Date | string;
  expires_at: Date | string | null;
  removed_at: Date | string | null;
  removed_by_name: string | null;
}

const BLOCK_SELECT = `SELECT b.id, b.kind, b.value, CASE WHEN b.kind = 'terminal' THEN (SELECT coalesce(tid, serial_number) FROM terminals WHERE id::text = b.value) END AS label,
    b.reason, b.finding_id, cu.name AS created_by_name, b.created_at, b.expires_at, b.removed_at, ru.name AS removed_by_name
  FROM risk_blocks b LEFT JOIN users cu ON cu.id = b.created_by LEFT JOIN users ru ON ru.id = b.removed_by`;

const activeAt = (p: string) => `b.removed_at IS NULL AND (b.expires_at IS NULL OR b.expires_at > ${p})`;

export async function listBlocks(tx: RawTx, orgId: string, q: RiskBlockQuery, now: Date): Promise<{ rows: BlockRow[]; total: number }> {
  const params: unknown[] = [orgId];
  const where = ['b.org_id = $1'];
  if (q.kind) where.push(`b.kind = $${params.push(q.kind)}`);
  if (q.status === 'active') where.push(activeAt(`$${params.push(now)}`));
  if (q.q) where.push(`(b.value ILIKE $${params.push(`%${q.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`)} OR b.reason ILIKE $${params.length}
    OR b.value IN (SELECT id::text FROM terminals WHERE org_id = $1 AND (tid ILIKE $${params.length} OR serial_number ILIKE $${params.length})))`);
  const w = where.join(' AND ');
  const [count] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM risk_blocks b WHERE ${w}`, params);
  const rows = await tx.query<BlockRow>(`${BLOCK_SELECT} WHERE ${w} ORDER BY b.created_at DESC, b.id DESC LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`, params);
  return { rows, total: Number(count?.n ?? 0) };
}

export async function activeBlocksFor(tx: RawTx, orgId: string, cardTokens: string[], terminalIds: string[], now: Date): Promise<BlockRow[]> {
  if (!cardTokens.length && !terminalIds.length) return [];
  return tx.query<BlockRow>(
    `${BLOCK_SELECT} WHERE b.org_id = $1 AND ${activeAt('$4')}
       AND ((b.kind = 'card_token' AND b.value = ANY($2::text[])) OR (b.kind = 'terminal' AND b.value = ANY($3::text[])))
     ORDER BY b.created_at DESC`,
    [orgId, cardTokens, terminalIds, now],
  );
}

export async function getBlock(tx: RawTx, orgId: string, id: string): Promise<BlockRow | undefined> {
  const [row] = await tx.query<BlockRow>(`${BLOCK_SELECT} WHERE b.id = $1 AND b.org_id = $2`, [id, orgId]);
  return row;
}

/**
 * Adds a block unless the value is already actively blocked (then returns null and changes nothing).
 * An entry that ran out is closed first (removed at its expiry), so the one-active-entry index holds.
 */
export async function insertBlock(
  tx: RawTx,
  orgId: string,
  b: { kind: string; value: string; reason: string | null; findingId: string | null; createdBy: string | null; expiresAt: Date | null },
  now: Date,
): Promise<string | null> {
  await tx.query(
    `UPDATE risk_blocks SET removed_at = expires_at WHERE org_id = $1 AND kind = $2 AND value = $3 AND removed_at IS NULL AND expires_at IS NOT NULL AND expires_at <= $4`,
    [orgId, b.kind, b.value, now],
  );
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO risk_blocks (org_id, kind, value, reason, finding_id, created_by, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (org_id, kind, value) WHERE removed_at IS NULL DO NOTHING RETURNING id`,
    [orgId, b.kind, b.value, b.reason, b.findingId, b.createdBy, now, b.expiresAt],
  );
  return rows[0]?.id ?? null;
}

/** Soft removal, guarded: only an entry not yet removed. */
export async function removeBlock(tx: RawTx, orgId: string, id: string, by: string | null, now: Date): Promise<boolean> {
  const rows = await tx.query(`UPDATE risk_blocks SET removed_at = $3, removed_by = $4 WHERE id = $1 AND org_id = $2 AND removed_at IS NULL RETURNING id`, [id, orgId, now, by]);
  return rows.length === 1;
}

// ---- What the decide index loads ------------------------------------------------------------------

export interface IndexRows {
  terminals: { id: string; tid: string | null }[];
  blocks: { id: string; kind: string; value: string; expires_at: Date | string | null }[];
  /** Open, undecided fraud findings with each card token and terminal they cover. */
  cases: { id: string; code: string; card_token: string | null; terminal_id: string | null }[];
}

export async function loadIndexRows(tx: RawTx, orgId: string, now: Date): Promise<IndexRows> {
  const terminals = await tx.query<{ id: string; tid: string | null }>(`SELECT id, tid FROM terminals WHERE org_id = $1`, [orgId]);
  const blocks = await tx.query<IndexRows['blocks'][number]>(
    `SELECT b.id, b.kind, b.value, b.expires_at FROM risk_blocks b WHERE b.org_id = $1 AND ${activeAt('$2')}`,
    [orgId, now],
  );
  const open = `f.org_id = $1 AND ${RISK} AND f.status = 'open' AND f.decision IS NULL`;
  const own = await tx.query<IndexRows['cases'][number]>(`SELECT f.id, f.code, f.card_token, f.terminal_id FROM txn_findings f WHERE ${open}`, [orgId]);
  // The cards and terminals of each open case's terminal records (card testing names many cards).
  // The ids are split first (materialised), so the join reads transactions by its primary key.
  const involved = await tx.query<IndexRows['cases'][number]>(
    `WITH ids AS MATERIALIZED (
        SELECT f.id, f.code, left(x.rid, 36) AS tid, substr(x.rid, 38) AS mid
          FROM txn_findings f CROSS JOIN LATERAL jsonb_array_elements_text(f.txn_ids) x(rid)
         WHERE ${open} AND x.rid ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/')
     SELECT ids.id, ids.code, t.card_token, t.terminal_id FROM ids JOIN transactions t ON t.terminal_id = ids.tid::uuid AND t.msg_id = ids.mid`,
    [orgId],
  );
  const cases = [...own, ...involved];
  return { terminals, blocks, cases };
}

// ---- Statistics ---------------------------------------------------------------------------------

export async function kindStats(tx: RawTx, orgId: string): Promise<{ code: string; cases: number; open: number; fraud: number; not_fraud: number; contact_merchant: number }[]> {
  return tx.query(
    `SELECT f.code, count(*)::int AS cases,
            count(*) FILTER (WHERE f.status = 'open' AND f.decision IS NULL)::int AS open,
            count(*) FILTER (WHERE f.decision = 'fraud')::int AS fraud,
            count(*) FILTER (WHERE f.decision = 'not_fraud')::int AS not_fraud,
            count(*) FILTER (WHERE f.decision = 'contact_merchant')::int AS contact_merchant
       FROM txn_findings f WHERE f.org_id = $1 AND ${RISK} GROUP BY f.code`,
    [orgId],
  );
}

// ---- Threshold versions -------------------------------------------------------------------------

export interface ThresholdRow {
  version: number;
  overrides: ThresholdOverrides;
  note: string | null;
  created_by_name: string | null;
  created_at: Date | string;
}

export async function thresholdVersions(tx: RawTx, orgId: string): Promise<ThresholdRow[]> {
  return tx.query<ThresholdRow>(
    `SELECT v.version, v.overrides, v.note, u.name AS created_by_name, v.created_at
       FROM txn_threshold_versions v LEFT JOIN users u ON u.id = v.created_by WHERE v.org_id = $1 ORDER BY v.version DESC`,
    [orgId],
  );
}

/** The overrides in force for an organization (the newest version), and its number (0: the defaults). */
export async function currentThresholds(tx: RawTx, orgId: string): Promise<{ version: number; overrides: ThresholdOverrides }> {
  const [row] = await tx.query<{ version: number; overrides: ThresholdOverrides }>(
    `SELECT version, overrides FROM txn_threshold_versions WHERE org_id = $1 ORDER BY version DESC LIMIT 1`,
    [orgId],
  );
  return row ? { version: Number(row.version), overrides: row.overrides } : { version: 0, overrides: {} };
}

/** Saves version baseVersion + 1; false when that number is taken (someone saved meanwhile). */
export async function insertThresholdVersion(tx: RawTx, orgId: string, baseVersion: number, overrides: ThresholdOverrides, note: string | null, by: string | null, now: Date): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO txn_threshold_versions (org_id, version, overrides, note, created_by, created_at)
     SELECT $1, $2 + 1, $3::jsonb, $4, $5, $6
      WHERE coalesce((SELECT max(version) FROM txn_threshold_versions WHERE org_id = $1), 0) = $2
     ON CONFLICT (org_id, version) DO NOTHING RETURNING version`,
    [orgId, baseVersion, JSON.stringify(overrides), note, by, now],
  );
  return rows.length === 1;
}

export async function merchantsOf(tx: RawTx, orgId: string): Promise<{ id: string; name: string }[]> {
  return tx.query(`SELECT id, name FROM merchants WHERE org_id = $1 ORDER BY name`, [orgId]);
}

/** Records per UTC day in [from, to), both sides: how far back a backtest can replay within its record limit. */
export async function recordsPerDay(tx: RawTx, orgId: string, from: Date, to: Date): Promise<{ day: string; n: number }[]> {
  return tx.query(
    `SELECT day, sum(n)::int AS n FROM (
        SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n FROM transactions WHERE org_id = $1 AND at >= $2 AND at < $3 GROUP BY 1
        UNION ALL
        SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n FROM host_records WHERE org_id = $1 AND at >= $2 AND at < $3 GROUP BY 1
      ) x GROUP BY day ORDER BY day DESC`,
    [orgId, from, to],
  );
}
