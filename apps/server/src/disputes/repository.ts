/**
 * Every query of disputes: matching a dispute to its payment, the dispute rows, their timeline and
 * evidence, what the evidence pack reads, and the scheduled pass's claims. Typed rows in and out.
 */
import { REPORT_TIME_ZONE, type DisputeQuery, type DisputeStatus } from '@poscare/contracts';
import type { RawTx } from '../db/client.js';

const TZ = `'${REPORT_TIME_ZONE}'`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STAN6 = (col: string) => `right(lpad(${col}, 6, '0'), 6)`;
const DAY = (col: string) => `to_char(${col} AT TIME ZONE ${TZ}, 'YYYY-MM-DD')`;

// ---- Matching -----------------------------------------------------------------------------------

/** One line of either side that could be the disputed payment. */
export interface CandidateLine {
  record_id: string;
  terminal_id: string;
  merchant_id: string | null;
  stan: string | null;
  day: string;
  at: Date | string;
  amount_minor: number | string | null;
  currency: string | null;
  rrn: string | null;
  card_token: string | null;
}

const TERMINAL_CANDIDATE = `SELECT t.terminal_id || '/' || t.msg_id AS record_id, t.terminal_id, coalesce(t.merchant_id, term.merchant_id) AS merchant_id,
    ${STAN6('t.stan')} AS stan, ${DAY('t.at')} AS day, t.at, t.amount_minor, t.currency, t.rrn, t.card_token
  FROM transactions t JOIN terminals term ON term.id = t.terminal_id`;
const HOST_CANDIDATE = `SELECT 'host:' || h.id AS record_id, h.terminal_id, coalesce(h.merchant_id, term.merchant_id) AS merchant_id,
    ${STAN6('h.stan')} AS stan, ${DAY('h.at')} AS day, h.at, h.amount_minor, h.currency, h.rrn, h.card_token
  FROM host_records h JOIN terminals term ON term.id = h.terminal_id`;

/** Sales only: a dispute is about money taken, not the refund or reversal of it. */
export async function candidatesByRrn(tx: RawTx, orgId: string, rrn: string): Promise<CandidateLine[]> {
  return tx.query<CandidateLine>(
    `${TERMINAL_CANDIDATE} WHERE t.org_id = $1 AND t.rrn = $2 AND t.type = 'sale'
     UNION ALL ${HOST_CANDIDATE} WHERE h.org_id = $1 AND h.rrn = $2 AND h.type = 'sale' ORDER BY at LIMIT 50`,
    [orgId, rrn],
  );
}

export async function candidatesByStan(tx: RawTx, orgId: string, terminalId: string, stan: string, day: string): Promise<CandidateLine[]> {
  const stan6 = stan.slice(-6).padStart(6, '0');
  const window = (a: string) => `${a}.at >= ($4::text::date - 1)::timestamptz AND ${a}.at < ($4::text::date + 2)::timestamptz AND ${DAY(`${a}.at`)} = $4::text`;
  return tx.query<CandidateLine>(
    `${TERMINAL_CANDIDATE} WHERE t.org_id = $1 AND t.terminal_id = $2 AND ${STAN6('t.stan')} = $3 AND t.type = 'sale' AND ${window('t')}
     UNION ALL ${HOST_CANDIDATE} WHERE h.org_id = $1 AND h.terminal_id = $2 AND ${STAN6('h.stan')} = $3 AND h.type = 'sale' AND ${window('h')} ORDER BY at LIMIT 50`,
    [orgId, terminalId, stan6, day],
  );
}

export async function candidatesByCard(tx: RawTx, orgId: string, cardToken: string, amountMinor: number, at: Date, withinMs: number): Promise<CandidateLine[]> {
  return tx.query<CandidateLine>(
    `${TERMINAL_CANDIDATE} WHERE t.org_id = $1 AND t.card_token = $2 AND t.amount_minor = $3 AND t.type = 'sale' AND t.at BETWEEN $4 AND $5
     UNION ALL ${HOST_CANDIDATE} WHERE h.org_id = $1 AND h.card_token = $2 AND h.amount_minor = $3 AND h.type = 'sale' AND h.at BETWEEN $4 AND $5 ORDER BY at LIMIT 50`,
    [orgId, cardToken, amountMinor, new Date(at.getTime() - withinMs), new Date(at.getTime() + withinMs)],
  );
}

/** Labels of candidate payments: their terminals (TID or serial number) and merchants (name), of the organization only. */
export async function candidateLabels(tx: RawTx, orgId: string, terminalIds: string[], merchantIds: string[]): Promise<{ terminals: Map<string, string>; merchants: Map<string, string> }> {
  const terminals = new Map<string, string>();
  const merchants = new Map<string, string>();
  if (terminalIds.length) {
    const rows = await tx.query<{ id: string; label: string }>(`SELECT id, coalesce(tid, serial_number) AS label FROM terminals WHERE org_id = $1 AND id = ANY($2::uuid[])`, [orgId, terminalIds]);
    for (const r of rows) terminals.set(r.id, r.label);
  }
  if (merchantIds.length) {
    const rows = await tx.query<{ id: string; name: string }>(`SELECT id, name FROM merchants WHERE org_id = $1 AND id = ANY($2::uuid[])`, [orgId, merchantIds]);
    for (const r of rows) merchants.set(r.id, r.name);
  }
  return { terminals, merchants };
}

/** A terminal of the organization by id, TID or serial number. */
export async function resolveTerminal(tx: RawTx, orgId: string, ref: string): Promise<string | null> {
  const [t] = await tx.query<{ id: string }>(
    UUID.test(ref) ? `SELECT id FROM terminals WHERE org_id = $1 AND id = $2::uuid` : `SELECT id FROM terminals WHERE org_id = $1 AND (tid = $2 OR serial_number = $2) ORDER BY tid = $2 DESC LIMIT 1`,
    [orgId, ref],
  );
  return t?.id ?? null;
}

/** A duplicate-charge finding that names any of these records (dup.*). */
export async function duplicateFindingFor(tx: RawTx, orgId: string, recordIds: string[]): Promise<{ id: string; code: string; summary_zh: string; summary_en: string } | undefined> {
  if (!recordIds.length) return undefined;
  const [row] = await tx.query<{ id: string; code: string; summary_zh: string; summary_en: string }>(
    `SELECT id, code, summary_zh, summary_en FROM txn_findings WHERE org_id = $1 AND code LIKE 'dup.%' AND txn_ids ?| $2::text[] ORDER BY opened_at DESC LIMIT 1`,
    [orgId, recordIds],
  );
  return row;
}

export async function fraudFindingsFor(tx: RawTx, orgId: string, cardToken: string | null, recordIds: string[]) {
  if (!cardToken && !recordIds.length) return [];
  return tx.query<{ id: string; code: string; summary_zh: string; summary_en: string; decision: string | null }>(
    `SELECT id, code, summary_zh, summary_en, decision FROM txn_findings
      WHERE org_id = $1 AND code LIKE 'risk.%' AND (card_token = $2 OR txn_ids ?| $3::text[]) ORDER BY last_at DESC LIMIT 20`,
    [orgId, cardToken, recordIds],
  );
}

/** Record ids (terminal `tid/msg`, host `host:id`) of a payment named by terminal, STAN and day. */
export async function recordIdsOf(tx: RawTx, orgId: string, terminalId: string, stan: string, day: string): Promise<string[]> {
  return (await candidatesByStan(tx, orgId, terminalId, stan, day)).map((c) => c.record_id);
}

// ---- Disputes -------------------------------------------------------------------------------------

export interface DisputeDbRow {
  id: string;
  org_id: string;
  network: string;
  kind: string;
  reason_code: string;
  reason_group: string | null;
  case_number: string;
  status: DisputeStatus;
  unmatched_reason: string | null;
  matched_by: string | null;
  lookup: Record<string, unknown>;
  amount_minor: number | string;
  currency: string;
  merchant_id: string | null;
  merchant_name: string | null;
  terminal_id: string | null;
  terminal_label: string | null;
  stan: string | null;
  rrn: string | null;
  card_token: string | null;
  payment_at: Date | string | null;
  payment_day: string | null;
  language: string;
  note: string | null;
  opened_at: Date | string;
  due_at: Date | string;
  fired: string[];
  wake_at: Date | string | null;
  escalated_at: Date | string | null;
  acted_at: Date | string | null;
  closed_at: Date | string | null;
  duplicate_finding_id: string | null;
  pack: Record<string, unknown> | null;
}

const COLUMNS = `d.id, d.org_id, d.network, d.kind, d.reason_code, d.reason_group, d.case_number, d.status, d.unmatched_reason, d.matched_by, d.lookup,
  d.amount_minor, d.currency, d.merchant_id, m.name AS merchant_name, d.terminal_id, coalesce(term.tid, term.serial_number) AS terminal_label, d.stan, d.rrn,
  d.card_token, d.payment_at, d.payment_day, d.language, d.note, d.opened_at, d.due_at, d.fired, d.wake_at, d.escalated_at, d.acted_at, d.closed_at,
  d.duplicate_finding_id`;
const FROM = `disputes d LEFT JOIN merchants m ON m.id = d.merchant_id LEFT JOIN terminals term ON term.id = d.terminal_id`;

export interface NewDispute {
  orgId: string;
  network: string;
  kind: string;
  reasonCode: string;
  reasonGroup: string | null;
  caseNumber: string;
  status: DisputeStatus;
  unmatchedReason: string | null;
  matchedBy: string | null;
  lookup: Record<string, unknown>;
  amountMinor: number;
  currency: string;
  merchantId: string | null;
  terminalId: string | null;
  stan: string | null;
  rrn: string | null;
  cardToken: string | null;
  paymentAt: Date | null;
  paymentDay: string | null;
  language: string;
  note: string | null;
  openedAt: Date;
  dueAt: Date;
  wakeAt: Date;
  duplicateFindingId: string | null;
  createdBy: string | null;
}

/** Inserts unless the acquirer's case (network, number, kind) is already here: then null. */
export async function insertDispute(tx: RawTx, d: NewDispute): Promise<string | null> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO disputes (org_id, network, kind, reason_code, reason_group, case_number, status, unmatched_reason, matched_by, lookup, amount_minor, currency,
        merchant_id, terminal_id, stan, rrn, card_token, payment_at, payment_day, language, note, opened_at, due_at, wake_at, duplicate_finding_id, created_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $22)
     ON CONFLICT (org_id, network, case_number, kind) DO NOTHING RETURNING id`,
    [
      d.orgId, d.network, d.kind, d.reasonCode, d.reasonGroup, d.caseNumber, d.status, d.unmatchedReason, d.matchedBy, JSON.stringify(d.lookup), d.amountMinor, d.currency,
      d.merchantId, d.terminalId, d.stan, d.rrn, d.cardToken, d.paymentAt, d.paymentDay, d.language, d.note, d.openedAt, d.dueAt, d.wakeAt, d.duplicateFindingId, d.createdBy,
    ],
  );
  return row?.id ?? null;
}

export async function findByCase(tx: RawTx, orgId: string, network: string, caseNumber: string, kind: string): Promise<string | undefined> {
  const [row] = await tx.query<{ id: string }>(`SELECT id FROM disputes WHERE org_id = $1 AND network = $2 AND case_number = $3 AND kind = $4`, [orgId, network, caseNumber, kind]);
  return row?.id;
}

export async function getDispute(tx: RawTx, orgId: string, id: string, merchantScope: string | null, lock = false): Promise<DisputeDbRow | undefined> {
  if (lock) await tx.query(`SELECT 1 FROM disputes WHERE id = $1 AND org_id = $2 FOR UPDATE`, [id, orgId]);
  const [row] = await tx.query<DisputeDbRow>(
    `SELECT ${COLUMNS}, d.pack FROM ${FROM} WHERE d.id = $1 AND d.org_id = $2${merchantScope ? ' AND d.merchant_id = $3' : ''}`,
    merchantScope ? [id, orgId, merchantScope] : [id, orgId],
  );
  return row;
}

export async function listDisputes(tx: RawTx, orgId: string, merchantScope: string | null, q: DisputeQuery, now: Date): Promise<{ rows: DisputeDbRow[]; total: number }> {
  const params: unknown[] = [orgId];
  const where = ['d.org_id = $1'];
  if (merchantScope) where.push(`d.merchant_id = $${params.push(merchantScope)}`);
  if (q.status === 'open') where.push(`d.status IN ('unmatched', 'needs_response', 'evidence_submitted')`);
  else if (q.status !== 'all') where.push(`d.status = $${params.push(q.status)}`);
  if (q.kind) where.push(`d.kind = $${params.push(q.kind)}`);
  if (q.network) where.push(`d.network = $${params.push(q.network)}`);
  if (q.group) where.push(`d.reason_group = $${params.push(q.group)}`);
  if (q.merchantId) where.push(`d.merchant_id = $${params.push(q.merchantId)}`);
  if (q.dueWithinDays !== undefined) where.push(`d.due_at <= $${params.push(new Date(now.getTime() + q.dueWithinDays * 86_400_000))}`);
  if (q.q) where.push(`(d.case_number = $${params.push(q.q)} OR d.rrn = $${params.length} OR d.stan = right(lpad($${params.length}, 6, '0'), 6))`);
  const w = where.join(' AND ');
  const [count] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM disputes d WHERE ${w}`, params);
  // Deadline first: the open ones that run out soonest at the top, closed ones after.
  const rows = await tx.query<DisputeDbRow>(
    `SELECT ${COLUMNS}, d.pack FROM ${FROM} WHERE ${w}
      ORDER BY (d.status IN ('unmatched', 'needs_response')) DESC, d.due_at ASC, d.id LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`,
    params,
  );
  return { rows, total: Number(count?.n ?? 0) };
}

/**
 * Moves the status only from the expected one (the guard is the WHERE): of two people (or the
 * scheduled pass and a person) moving it at once, one row comes back and the other gets none.
 */
export async function moveStatus(tx: RawTx, orgId: string, id: string, from: readonly DisputeStatus[], to: DisputeStatus, now: Date, closes: boolean, acted: boolean): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE disputes SET status = $4, updated_at = $5${closes ? ', closed_at = $5, wake_at = NULL' : ''}${acted ? ', acted_at = $5' : ''}
      WHERE id = $1 AND org_id = $2 AND status = ANY($3::text[]) RETURNING id`,
    [id, orgId, [...from], to, now],
  );
  return rows.length === 1;
}

/** Attaches the payment to an unmatched dispute (guarded: only while still unmatched). */
export async function attachPayment(
  tx: RawTx,
  orgId: string,
  id: string,
  p: { terminalId: string; merchantId: string | null; stan: string; day: string; at: Date; rrn: string | null; cardToken: string | null; matchedBy: string; duplicateFindingId: string | null },
  now: Date,
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE disputes SET status = 'needs_response', unmatched_reason = NULL, matched_by = $3, terminal_id = $4, merchant_id = $5, stan = $6, payment_day = $7,
        payment_at = $8, rrn = coalesce($9, rrn), card_token = coalesce($10, card_token), duplicate_finding_id = $11, acted_at = $12, updated_at = $12
      WHERE id = $1 AND org_id = $2 AND status = 'unmatched' RETURNING id`,
    [id, orgId, p.matchedBy, p.terminalId, p.merchantId, p.stan, p.day, p.at, p.rrn, p.cardToken, p.duplicateFindingId, now],
  );
  return rows.length === 1;
}

export async function setPack(tx: RawTx, id: string, pack: unknown): Promise<void> {
  await tx.query(`UPDATE disputes SET pack = $2 WHERE id = $1`, [id, JSON.stringify(pack)]);
}

export async function markActed(tx: RawTx, id: string, now: Date): Promise<void> {
  await tx.query(`UPDATE disputes SET acted_at = $2, updated_at = $2 WHERE id = $1`, [id, now]);
}

export async function addEvent(
  tx: RawTx,
  e: { orgId: string; disputeId: string; at: Date; type: string; fromValue?: string | null; toValue?: string | null; body?: string | null; actorId?: string | null; actorName?: string | null },
): Promise<void> {
  await tx.query(
    `INSERT INTO dispute_events (org_id, dispute_id, at, type, from_value, to_value, body, actor_id, actor_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [e.orgId, e.disputeId, e.at, e.type, e.fromValue ?? null, e.toValue ?? null, e.body ?? null, e.actorId ?? null, e.actorName ?? null],
  );
}

export interface EventRow {
  at: Date | string;
  type: string;
  from_value: string | null;
  to_value: string | null;
  body: string | null;
  actor_name: string | null;
}

export async function eventsOf(tx: RawTx, disputeId: string): Promise<EventRow[]> {
  return tx.query<EventRow>(`SELECT at, type, from_value, to_value, body, actor_name FROM dispute_events WHERE dispute_id = $1 ORDER BY at, id`, [disputeId]);
}

export interface EvidenceRow {
  id: string;
  item: string | null;
  kind: 'text' | 'photo';
  body: string | null;
  content_type: string | null;
  bytes: number | null;
  created_by_name: string | null;
  created_at: Date | string;
}

export async function evidenceOf(tx: RawTx, disputeId: string): Promise<EvidenceRow[]> {
  return tx.query<EvidenceRow>(
    `SELECT id, item, kind, body, content_type, bytes, created_by_name, created_at FROM dispute_evidence WHERE dispute_id = $1 ORDER BY created_at, id`,
    [disputeId],
  );
}

/** The items merchants added to each of these disputes (for the list's to-do sentences). */
export async function evidenceItemsOf(tx: RawTx, disputeIds: string[]): Promise<Map<string, { item: string | null }[]>> {
  const out = new Map<string, { item: string | null }[]>();
  if (!disputeIds.length) return out;
  const rows = await tx.query<{ dispute_id: string; item: string | null }>(`SELECT dispute_id, item FROM dispute_evidence WHERE dispute_id = ANY($1::uuid[])`, [disputeIds]);
  for (const r of rows) out.set(r.dispute_id, [...(out.get(r.dispute_id) ?? []), { item: r.item }]);
  return out;
}

export async function addEvidence(
  tx: RawTx,
  e: { orgId: string; disputeId: string; item: string | null; kind: 'text' | 'photo'; body: string | null; contentType: string | null; data: Buffer | null; by: string | null; byName: string; at: Date },
): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO dispute_evidence (org_id, dispute_id, item, kind, body, content_type, bytes, data, created_by, created_by_name, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [e.orgId, e.disputeId, e.item, e.kind, e.body, e.contentType, e.data ? e.data.length : null, e.data, e.by, e.byName, e.at],
  );
  return row!.id;
}

export async function evidencePhoto(tx: RawTx, orgId: string, id: string, merchantScope: string | null): Promise<{ content_type: string; data: Buffer } | undefined> {
  const [row] = await tx.query<{ content_type: string; data: Buffer }>(
    `SELECT e.content_type, e.data FROM dispute_evidence e JOIN disputes d ON d.id = e.dispute_id
      WHERE e.id = $1 AND e.org_id = $2 AND e.kind = 'photo'${merchantScope ? ' AND d.merchant_id = $3' : ''}`,
    merchantScope ? [id, orgId, merchantScope] : [id, orgId],
  );
  return row;
}

// ---- The evidence pack's reads ----------------------------------------------------------------------

export async function telemetryAround(tx: RawTx, terminalId: string, at: Date, withinMs: number, limit = 30): Promise<{ at: Date | string; data: unknown }[]> {
  return tx.query(
    `SELECT at, data FROM telemetry_raw WHERE terminal_id = $1 AND at >= $2 AND at <= $3 ORDER BY at LIMIT ${limit}`,
    [terminalId, new Date(at.getTime() - withinMs), new Date(at.getTime() + withinMs)],
  );
}

export async function terminalFacts(tx: RawTx, orgId: string, terminalId: string) {
  const [row] = await tx.query<{ label: string | null; model: string | null; vendor: string | null; site: string | null; accepted_at: Date | string | null; mid: string | null; merchant_name: string | null; tid: string | null }>(
    `SELECT coalesce(t.tid, t.serial_number) AS label, t.model, t.vendor, s.name AS site, t.tid, m.mid, m.name AS merchant_name,
        (SELECT max(a.at) FROM terminal_acceptances a WHERE a.terminal_id = t.id) AS accepted_at
       FROM terminals t LEFT JOIN sites s ON s.id = t.site_id LEFT JOIN merchants m ON m.id = t.merchant_id WHERE t.org_id = $1 AND t.id = $2`,
    [orgId, terminalId],
  );
  return row;
}

export async function ticketsAround(tx: RawTx, orgId: string, terminalId: string, at: Date) {
  return tx.query<{ id: string; number: string | null; title: string; status: string; created_at: Date | string }>(
    `SELECT id, number, title, status, created_at FROM tickets
      WHERE org_id = $1 AND terminal_id = $2 AND created_at >= $3 AND created_at <= $4 ORDER BY created_at DESC LIMIT 10`,
    [orgId, terminalId, new Date(at.getTime() - 14 * 86_400_000), new Date(at.getTime() + 14 * 86_400_000)],
  );
}

// ---- Who hears about it ---------------------------------------------------------------------------

export interface Recipient {
  user_id: string;
  email: string;
  language: 'zh-CN' | 'en-US';
  role: string;
}

export async function recipients(tx: RawTx, orgId: string, merchantId: string | null, roles: readonly string[]): Promise<Recipient[]> {
  return tx.query<Recipient>(
    `SELECT u.id AS user_id, u.email, u.language, u.role FROM users u
      WHERE u.org_id = $1 AND u.disabled = false AND (u.role::text = ANY($2::text[])${merchantId ? ` OR (u.role = 'merchant' AND u.merchant_id = $3)` : ''})`,
    merchantId ? [orgId, [...roles], merchantId] : [orgId, [...roles]],
  );
}

export async function notify(tx: RawTx, orgId: string, userId: string, kind: string, title: string, body: string, severity: string, now: Date): Promise<void> {
  await tx.query('INSERT INTO notifications (org_id, user_id, kind, title, body, severity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [orgId, userId, kind, title, body, severity, now]);
}

// ---- The scheduled pass -----------------------------------------------------------------------------

export async function dueForPass(tx: RawTx, now: Date, limit: number): Promise<{ id: string; org_id: string }[]> {
  return tx.query(
    `SELECT id, org_id FROM disputes WHERE status IN ('unmatched', 'needs_response') AND wake_at IS NOT NULL AND wake_at <= $1 ORDER BY wake_at LIMIT ${limit}`,
    [now],
  );
}

export async function saveSchedule(tx: RawTx, id: string, fired: string[], wakeAt: Date | null, escalatedAt: Date | null): Promise<void> {
  await tx.query(`UPDATE disputes SET fired = $2, wake_at = $3, escalated_at = coalesce(escalated_at, $4) WHERE id = $1`, [id, JSON.stringify(fired), wakeAt, escalatedAt]);
}
