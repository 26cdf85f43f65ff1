/**
 * The period and filters every report shares: days in REPORT_TIME_ZONE (a day given as `to` is included
 * whole), at most REPORT_MAX_DAYS; a merchant filter that must name the caller's own merchant; merchant
 * callers are always restricted to their own merchant.
 */
import { REPORT_MAX_DAYS, REPORT_TIME_ZONE, type ReportQuery } from '@poscare/contracts';
import type { Actor } from '../access/actor.js';
import type { RawTx } from '../db/client.js';
import { errors } from '../errors/errors.js';

const DAY_MS = 86_400_000;
/** China keeps one offset all year (no daylight saving), so a day there is a fixed UTC interval. */
export const REPORT_OFFSET_MS = 8 * 3_600_000;
const OFFSET_MS = REPORT_OFFSET_MS;
export const DEFAULT_DAYS = 30;

export interface Range {
  from: Date;
  to: Date;
}

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);
/** Midnight of a calendar day in REPORT_TIME_ZONE. */
export const dayStart = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - OFFSET_MS);
/** The calendar day (YYYY-MM-DD) of an instant in REPORT_TIME_ZONE. */
export const localDay = (d: Date) => new Date(d.getTime() + OFFSET_MS).toISOString().slice(0, 10);

export function resolveRange(q: Pick<ReportQuery, 'from' | 'to'>, now: Date): Range {
  const to = q.to ? (isDay(q.to) ? new Date(dayStart(q.to).getTime() + DAY_MS) : new Date(q.to)) : now;
  const from = q.from ? (isDay(q.from) ? dayStart(q.from) : new Date(q.from)) : new Date(to.getTime() - DEFAULT_DAYS * DAY_MS);
  if (!(from.getTime() < to.getTime())) throw errors.validation([{ path: 'querystring.from', id: 'report.range_order' }]);
  if (to.getTime() - from.getTime() > REPORT_MAX_DAYS * DAY_MS) throw errors.validation([{ path: 'querystring.from', id: 'report.range_too_long', params: { days: REPORT_MAX_DAYS } }]);
  return { from, to };
}

/** Mondays (YYYY-MM-DD, REPORT_TIME_ZONE) of every week that overlaps the range. */
export function weeksOf(range: Range): string[] {
  const first = new Date(range.from.getTime() + OFFSET_MS);
  const monday = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()) - ((first.getUTCDay() + 6) % 7) * DAY_MS;
  const out: string[] = [];
  for (let d = monday; d - OFFSET_MS < range.to.getTime(); d += 7 * DAY_MS) out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}

/** An instant as people in REPORT_TIME_ZONE read it: 2026-03-09 09:00. */
export function formatLocal(d: Date): string {
  return new Date(d.getTime() + OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

export interface ReportFilter {
  orgId: string;
  merchantId: string | null;
  /** Conditions on tickets (alias given) other than organization and merchant; pushes their parameters. */
  ticketConditions(alias: string, params: unknown[]): string[];
  /** Organization, merchant and the other conditions on tickets (alias given); $1 must be the organization. */
  ticketWhere(alias: string, params: unknown[]): string[];
}

export async function reportFilter(tx: RawTx, actor: Actor, q: Pick<ReportQuery, 'merchantId' | 'region' | 'model' | 'priority'>): Promise<ReportFilter> {
  let merchantId = q.merchantId ?? null;
  if (actor.merchantId) {
    // A merchant caller sees its own merchant only; naming another is answered as if it did not exist.
    if (merchantId && merchantId !== actor.merchantId) throw errors.notFound('merchant');
    merchantId = actor.merchantId;
  } else if (merchantId) {
    const [m] = await tx.query('SELECT 1 FROM merchants WHERE id = $1 AND org_id = $2', [merchantId, actor.orgId]);
    if (!m) throw errors.notFound('merchant');
  }
  const ticketConditions = (a: string, params: unknown[]) => {
    const out: string[] = [];
    if (q.priority) out.push(`${a}.priority = $${params.push(q.priority)}`);
    if (q.region) out.push(`${a}.site_id IN (SELECT s.id FROM sites s WHERE s.org_id = $1 AND s.region = $${params.push(q.region)})`);
    // The model the ticket was opened on (kept with the ticket); older tickets: the terminal's model now.
    if (q.model) {
      const m = `$${params.push(q.model)}`;
      out.push(`(${a}.terminal_model = ${m} OR (${a}.terminal_model IS NULL AND ${a}.terminal_id IN (SELECT m.id FROM terminals m WHERE m.org_id = $1 AND m.model = ${m})))`);
    }
    return out;
  };
  return {
    orgId: actor.orgId,
    merchantId,
    ticketConditions,
    ticketWhere: (a, params) => [`${a}.org_id = $1`, ...(merchantId ? [`${a}.merchant_id = $${params.push(merchantId)}`] : []), ...ticketConditions(a, params)],
  };
}

export { REPORT_TIME_ZONE };
