/**
 * The SQL of payments seen from both sides. A payment is every line with the same terminal, STAN
 * (its last six digits) and day (REPORT_TIME_ZONE); per side, the latest line is that side's word on
 * it. A terminal line without a STAN (first-generation terminals, card-read errors) is a payment of
 * its own that no host record can match. Every query is bounded by the organization, a period and,
 * for merchant users, the merchant.
 */
import { REPORT_TIME_ZONE, type ReconStatus } from '@poscare/contracts';
import type { RawTx } from '../db/client.js';

export interface Scope {
  orgId: string;
  merchantId?: string | undefined;
  terminalId?: string | undefined;
  from: Date;
  to: Date;
}

export interface PaymentFilters {
  type?: string | undefined;
  outcome?: string | undefined;
  entryMode?: string | undefined;
  responseCode?: string | undefined;
  status?: ReconStatus | undefined;
  cardToken?: string | undefined;
}

/** Builds positional parameters. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const TZ = `'${REPORT_TIME_ZONE}'`;
const stanKey = (col: string) => `right(lpad(${col}, 6, '0'), 6)`;
const APPROVED_TERMINAL = `('approved', 'reversed')`;

/** Each side's lines in scope, with the payment key, and the latest line per payment marked. */
function sides(p: Params, s: Scope): { terminal: string; host: string } {
  const org = p.add(s.orgId);
  const from = p.add(s.from);
  const to = p.add(s.to);
  const merchant = s.merchantId ? p.add(s.merchantId) : null;
  const terminal = s.terminalId ? p.add(s.terminalId) : null;
  const where = (a: string, merchantCol: string) =>
    `${a}.org_id = ${org} AND ${a}.at >= ${from} AND ${a}.at < ${to}` +
    (merchant ? ` AND ${merchantCol} = ${merchant}::uuid` : '') +
    (terminal ? ` AND ${a}.terminal_id = ${terminal}::uuid` : '');
  return {
    terminal: `SELECT t.*, coalesce(${stanKey('t.stan')}, 'm:' || t.msg_id) AS k, (t.at AT TIME ZONE ${TZ})::date AS day,
        row_number() OVER (PARTITION BY t.terminal_id, coalesce(${stanKey('t.stan')}, 'm:' || t.msg_id), (t.at AT TIME ZONE ${TZ})::date ORDER BY t.at DESC, t.msg_id DESC) AS rn,
        count(*) OVER (PARTITION BY t.terminal_id, coalesce(${stanKey('t.stan')}, 'm:' || t.msg_id), (t.at AT TIME ZONE ${TZ})::date) AS lines
      FROM transactions t WHERE ${where('t', 't.merchant_id')}`,
    host: `SELECT h.*, ${stanKey('h.stan')} AS k, (h.at AT TIME ZONE ${TZ})::date AS day,
        row_number() OVER (PARTITION BY h.terminal_id, ${stanKey('h.stan')}, (h.at AT TIME ZONE ${TZ})::date ORDER BY h.at DESC, h.id DESC) AS rn,
        count(*) OVER (PARTITION BY h.terminal_id, ${stanKey('h.stan')}, (h.at AT TIME ZONE ${TZ})::date) AS lines
      FROM host_records h WHERE ${where('h', 'h.merchant_id')}`,
  };
}

/** The reconciliation status of a joined payment row (aliases t and h). */
const STATUS = `CASE
    WHEN h.terminal_id IS NULL THEN 'terminal_only'
    WHEN t.terminal_id IS NULL THEN 'host_only'
    WHEN (t.outcome IN ${APPROVED_TERMINAL}) <> (h.outcome = 'approved') THEN 'outcome_differs'
    WHEN coalesce(t.amount_minor, -1) <> h.amount_minor THEN 'amount_differs'
    ELSE 'matched' END`;

/** One row per payment: both sides' latest lines side by side. */
function paymentsSql(p: Params, s: Scope): string {
  const { terminal, host } = sides(p, s);
  return `WITH ts AS (${terminal}), hs AS (${host}),
    pay AS (
      SELECT coalesce(t.terminal_id, h.terminal_id) AS terminal_id, coalesce(t.day, h.day) AS day, coalesce(t.k, h.k) AS k,
        CASE WHEN t.stan IS NULL AND h.stan IS NULL THEN NULL ELSE coalesce(t.k, h.k) END AS stan,
        coalesce(t.at, h.at) AS at, coalesce(t.type, h.type) AS type, coalesce(t.amount_minor, h.amount_minor) AS amount_minor,
        coalesce(t.currency, h.currency) AS currency, coalesce(t.entry_mode, h.entry_mode) AS entry_mode,
        coalesce(t.card_token, h.card_token) AS card_token, t.outcome AS terminal_outcome, h.outcome AS host_outcome,
        t.amount_minor AS terminal_amount_minor, h.amount_minor AS host_amount_minor,
        coalesce(h.response_code, t.response_code) AS response_code, t.response_code AS terminal_response_code, coalesce(h.rrn, t.rrn) AS rrn,
        coalesce(t.lines, 0) AS terminal_lines, coalesce(h.lines, 0) AS host_lines, coalesce(t.merchant_id, h.merchant_id) AS merchant_id,
        ${STATUS} AS status
      FROM (SELECT * FROM ts WHERE rn = 1) t FULL JOIN (SELECT * FROM hs WHERE rn = 1) h
        ON h.terminal_id = t.terminal_id AND h.k = t.k AND h.day = t.day
    )`;
}

function filterSql(p: Params, f: PaymentFilters): string {
  const w: string[] = [];
  if (f.type) w.push(`pay.type = ${p.add(f.type)}`);
  if (f.outcome) {
    const o = p.add(f.outcome);
    w.push(`(pay.terminal_outcome = ${o} OR pay.host_outcome = ${o})`);
  }
  if (f.entryMode) w.push(`pay.entry_mode = ${p.add(f.entryMode)}`);
  if (f.responseCode) {
    const rc = p.add(f.responseCode.toUpperCase());
    w.push(`(pay.response_code = ${rc} OR pay.terminal_response_code = ${rc})`);
  }
  if (f.status) w.push(`pay.status = ${p.add(f.status)}`);
  if (f.cardToken) w.push(`pay.card_token = ${p.add(f.cardToken)}`);
  return w.length ? `WHERE ${w.join(' AND ')}` : '';
}

export interface PaymentDbRow {
  terminal_id: string;
  serial_number: string;
  tid: string | null;
  merchant_id: string | null;
  merchant_name: string | null;
  day: string | Date;
  stan: string | null;
  at: Date | string;
  type: string;
  amount_minor: string | number | null;
  currency: string | null;
  entry_mode: string;
  card_token: string | null;
  terminal_outcome: string | null;
  host_outcome: string | null;
  terminal_amount_minor: string | number | null;
  host_amount_minor: string | number | null;
  response_code: string | null;
  rrn: string | null;
  terminal_lines: string | number;
  host_lines: string | number;
  status: ReconStatus;
  total?: string | number;
}

const PAYMENT_COLUMNS = `pay.*, term.serial_number, term.tid, m.name AS merchant_name`;
const PAYMENT_JOINS = `JOIN terminals term ON term.id = pay.terminal_id LEFT JOIN merchants m ON m.id = pay.merchant_id`;

export async function listPayments(tx: RawTx, s: Scope, f: PaymentFilters, page: number, pageSize: number): Promise<{ rows: PaymentDbRow[]; total: number }> {
  const p = new Params();
  const sql = `${paymentsSql(p, s)}
    SELECT ${PAYMENT_COLUMNS}, count(*) OVER () AS total FROM pay ${PAYMENT_JOINS} ${filterSql(p, f)}
    ORDER BY pay.at DESC, pay.terminal_id, pay.stan LIMIT ${p.add(pageSize)} OFFSET ${p.add((page - 1) * pageSize)}`;
  const rows = await tx.query<PaymentDbRow>(sql, p.values);
  let total = rows.length ? Number(rows[0]!.total) : 0;
  if (!rows.length && page > 1) {
    const c = new Params();
    const [n] = await tx.query<{ n: string | number }>(`${paymentsSql(c, s)} SELECT count(*) AS n FROM pay ${filterSql(c, f)}`, c.values);
    total = Number(n?.n ?? 0);
  }
  return { rows, total };
}

/** One payment, both sides: the joined row and every line of each side. */
export async function paymentLines(tx: RawTx, orgId: string, merchantId: string | undefined, terminalId: string, stan: string, day: string) {
  const params: unknown[] = [orgId, terminalId, stan, day];
  const merchant = merchantId ? ` AND x.merchant_id = $5::uuid` : '';
  if (merchantId) params.push(merchantId);
  const onDay = (a: string) => `(${a}.at AT TIME ZONE ${TZ})::date = $4::date AND ${a}.at >= ($4::date - 1)::timestamptz AND ${a}.at < ($4::date + 2)::timestamptz`;
  const [terminal, host] = await Promise.all([
    tx.query<Record<string, unknown>>(
      `SELECT x.* FROM transactions x WHERE x.org_id = $1 AND x.terminal_id = $2::uuid AND ${stanKey('x.stan')} = $3 AND ${onDay('x')}${merchant} ORDER BY x.at, x.msg_id`,
      params,
    ),
    tx.query<Record<string, unknown>>(
      `SELECT x.* FROM host_records x WHERE x.org_id = $1 AND x.terminal_id = $2::uuid AND ${stanKey('x.stan')} = $3 AND ${onDay('x')}${merchant} ORDER BY x.at, x.id`,
      params,
    ),
  ]);
  return { terminal, host };
}

export async function onePayment(tx: RawTx, s: Scope, stan: string): Promise<PaymentDbRow | null> {
  const p = new Params();
  const sql = `${paymentsSql(p, s)} SELECT ${PAYMENT_COLUMNS} FROM pay ${PAYMENT_JOINS} WHERE pay.stan = ${p.add(stan)} ORDER BY pay.at DESC LIMIT 1`;
  const [row] = await tx.query<PaymentDbRow>(sql, p.values);
  return row ?? null;
}

export interface ReconDbRow {
  terminal_id: string;
  serial_number: string;
  tid: string | null;
  merchant_id: string | null;
  merchant_name: string | null;
  day: string | Date;
  terminal_count: string | number;
  terminal_total: string | number;
  host_count: string | number;
  host_total: string | number;
  matched: string | number;
  terminal_only: string | number;
  host_only: string | number;
  amount_differs: string | number;
  outcome_differs: string | number;
}

/** Net amount of an approved line: sales count in, refunds, voids and reversals out. */
const net = (a: string, approved: string) => `CASE WHEN ${approved} THEN (CASE WHEN ${a}.type = 'sale' THEN 1 ELSE -1 END) * coalesce(${a}.amount_minor, 0) ELSE 0 END`;

/** Per terminal and day: each side's approved lines (count, net total) and the payments by status. */
export async function reconciliation(tx: RawTx, s: Scope): Promise<ReconDbRow[]> {
  const p = new Params();
  const { terminal, host } = sides(p, s);
  const sql = `WITH ts AS (${terminal}), hs AS (${host}),
    tside AS (SELECT terminal_id, day, count(*) FILTER (WHERE t.outcome IN ${APPROVED_TERMINAL}) AS n, sum(${net('t', `t.outcome IN ${APPROVED_TERMINAL}`)}) AS total
      FROM ts t WHERE t.stan IS NOT NULL GROUP BY terminal_id, day),
    hside AS (SELECT terminal_id, day, count(*) FILTER (WHERE h.outcome = 'approved') AS n, sum(${net('h', `h.outcome = 'approved'`)}) AS total
      FROM hs h GROUP BY terminal_id, day),
    st AS (
      SELECT coalesce(t.terminal_id, h.terminal_id) AS terminal_id, coalesce(t.day, h.day) AS day, ${STATUS} AS status
      FROM (SELECT * FROM ts WHERE rn = 1 AND stan IS NOT NULL) t FULL JOIN (SELECT * FROM hs WHERE rn = 1) h
        ON h.terminal_id = t.terminal_id AND h.k = t.k AND h.day = t.day
    ),
    bystatus AS (SELECT terminal_id, day,
        count(*) FILTER (WHERE status = 'matched') AS matched, count(*) FILTER (WHERE status = 'terminal_only') AS terminal_only,
        count(*) FILTER (WHERE status = 'host_only') AS host_only, count(*) FILTER (WHERE status = 'amount_differs') AS amount_differs,
        count(*) FILTER (WHERE status = 'outcome_differs') AS outcome_differs
      FROM st GROUP BY terminal_id, day)
    SELECT b.terminal_id, b.day, term.serial_number, term.tid, term.merchant_id, m.name AS merchant_name,
      coalesce(tside.n, 0) AS terminal_count, coalesce(tside.total, 0) AS terminal_total, coalesce(hside.n, 0) AS host_count, coalesce(hside.total, 0) AS host_total,
      b.matched, b.terminal_only, b.host_only, b.amount_differs, b.outcome_differs
    FROM bystatus b JOIN terminals term ON term.id = b.terminal_id LEFT JOIN merchants m ON m.id = term.merchant_id
      LEFT JOIN tside ON tside.terminal_id = b.terminal_id AND tside.day = b.day
      LEFT JOIN hside ON hside.terminal_id = b.terminal_id AND hside.day = b.day
    ORDER BY (b.terminal_only + b.host_only + b.amount_differs + b.outcome_differs) DESC, term.serial_number, b.day`;
  return tx.query<ReconDbRow>(sql, p.values);
}

/** The terminals' lines by entry mode and response code, and the payments by status, for the charts. */
export async function stats(tx: RawTx, s: Scope, f: PaymentFilters) {
  const base = (p: Params) => `${paymentsSql(p, s)}, sel AS (SELECT pay.* FROM pay ${filterSql(p, f)})`;
  const p1 = new Params();
  const p2 = new Params();
  const b2 = base(p2);
  const { terminal } = sides(p2, s);
  // The payments CTE is a join of window-function results the planner cannot estimate; joined again with
  // the lines, it would pick a nested loop (minutes over a day of a 300-terminal fleet). Hash joins it is.
  await tx.query('SET LOCAL enable_nestloop = off');
  const [byStatus, lines] = await Promise.all([
    tx.query<{ status: ReconStatus; n: string | number }>(`${base(p1)} SELECT status, count(*) AS n FROM sel GROUP BY status`, p1.values),
    // Terminal lines of the selected payments (every try of each, so read errors and retries count).
    tx.query<{ entry_mode: string; response_code: string | null; outcome: string; n: string | number }>(
      `${b2}, tl AS (${terminal})
       SELECT tl.entry_mode, tl.response_code, tl.outcome, count(*) AS n FROM tl
       JOIN sel ON sel.terminal_id = tl.terminal_id AND sel.day = tl.day AND sel.k = tl.k
       GROUP BY tl.entry_mode, tl.response_code, tl.outcome`,
      p2.values,
    ),
  ]);
  return { byStatus, lines };
}
