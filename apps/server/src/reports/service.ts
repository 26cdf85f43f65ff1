/**
 * The service-desk report. Every figure is one GROUP BY in SQL over a bounded slice: tickets resolved in
 * the period (tickets_org_resolved; per week and overall in one pass), tickets open now (the open-queue
 * index), ratings given in the period (ticket_ratings_org_at) and tickets opened in the period (one scan
 * with GROUPING SETS for the four cause breakdowns). JavaScript only folds the few aggregate rows.
 *
 * Definitions (docs/reports.md):
 *  - MTTR: resolved_at − created_at of tickets resolved in the period (a reopened ticket counts from its
 *    opening to its last resolution), mean and median in hours, overall and per week (Monday, Asia/Shanghai).
 *  - First-time fix: resolved in the period with reopen_count = 0 and at most one work order.
 *  - SLA compliance: resolved in the period with sla_breached = false, over all resolved in the period;
 *    plus open tickets that are past their resolution due now.
 *  - Backlog: tickets open now by age (now − created_at) and priority.
 *  - Satisfaction: ratings given in the period.
 *  - Top causes: tickets opened in the period by the terminal's model and app version (as they were when the ticket was opened),
 *    the site's region and the merchant.
 */
import { asOpened } from '../tickets/asOpened.js';
import {
  BACKLOG_BUCKETS,
  CAUSE_DIMENSIONS,
  REPORT_TIME_ZONE,
  TICKET_PRIORITIES,
  type BacklogBucket,
  type CauseDimension,
  type CauseGroup,
  type Language,
  type ReportQuery,
  type ServiceDeskReport,
  type TicketPriority,
  type TicketStatus,
} from '@poscare/contracts';
import { causeTitle } from '@poscare/codes';
import { type Actor, assertCan } from '../access/actor.js';
import type { RawTx } from '../db/client.js';
import type { AppContext } from '../platform/context.js';
import { round, satisfactionGroups, satisfactionStats } from '../satisfaction/service.js';
import { reportFilter, resolveRange, weeksOf, type Range, type ReportFilter } from './range.js';
import type { SatisfactionGroup, SatisfactionBy } from '@poscare/contracts';

const OPEN: TicketStatus[] = ['new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant'];
const HOUR_S = 3600;
const DAY_MS = 86_400_000;
/** Groups shown per cause breakdown, and causes per group. */
const TOP_GROUPS = 10;
const TOP_CAUSES = 5;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const hours = (seconds: unknown): number | null => {
  const s = num(seconds);
  return s === null ? null : round(s / HOUR_S, 2);
};
const ratio = (a: number, b: number) => (b ? round(a / b, 4) : null);

export interface ReportBundle {
  report: ServiceDeskReport;
  /** Per agent, team and cause (agent and team left out for a merchant caller). */
  satisfaction: Partial<Record<SatisfactionBy, SatisfactionGroup[]>>;
}

export class ReportService {
  constructor(private readonly ctx: AppContext) {}

  async serviceDesk(actor: Actor, q: ReportQuery, lang: Language): Promise<ServiceDeskReport> {
    assertCan(actor, 'reports:read');
    return (await this.bundle(actor, q, lang, false)).report;
  }

  /** The report and the satisfaction breakdowns, for the export. */
  async bundle(actor: Actor, q: ReportQuery, lang: Language, withGroups = true): Promise<ReportBundle> {
    assertCan(actor, 'reports:read');
    const now = this.ctx.clock.now();
    const range = resolveRange(q, now);
    return this.ctx.db.rawTransaction(async (tx) => {
      const filter = await reportFilter(tx, actor, q);
      const resolved = await resolvedFigures(tx, filter, range);
      const backlog = await backlogFigures(tx, filter, now);
      const satisfaction = await satisfactionStats(tx, filter, range);
      const { opened, causes } = await causeBreakdowns(tx, filter, range);
      const report: ServiceDeskReport = {
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        generatedAt: now.toISOString(),
        timeZone: REPORT_TIME_ZONE,
        merchantId: filter.merchantId,
        opened,
        mttr: { resolved: resolved.resolved, meanHours: resolved.meanHours, medianHours: resolved.medianHours, weeks: resolved.weeks },
        firstTimeFix: { resolved: resolved.resolved, firstTime: resolved.firstTime, rate: ratio(resolved.firstTime, resolved.resolved) },
        sla: { resolved: resolved.resolved, met: resolved.slaMet, compliance: ratio(resolved.slaMet, resolved.resolved), open: backlog.total, openOverdue: backlog.overdue },
        backlog: { total: backlog.total, buckets: backlog.buckets },
        satisfaction,
        causes,
        causeTitles: titlesOf(causes, lang),
      };
      const groups: ReportBundle['satisfaction'] = {};
      if (withGroups) {
        for (const by of actor.merchantId ? (['cause'] as const) : (['agent', 'team', 'cause'] as const)) groups[by] = await satisfactionGroups(tx, filter, range, by, lang);
      }
      return { report, satisfaction: groups };
    });
  }
}

/**
 * Tickets resolved in the period, in one pass: per week (Monday, Asia/Shanghai) and, by the empty grouping
 * set, overall (a median cannot be put together from weekly medians).
 */
async function resolvedFigures(tx: RawTx, filter: ReportFilter, range: Range) {
  const params: unknown[] = [filter.orgId];
  const where = filter.ticketWhere('t', params);
  const inPeriod = (a: string) => [`${a}.resolved_at >= $${params.push(range.from)}`, `${a}.resolved_at < $${params.push(range.to)}`];
  where.push(...inPeriod('t'));
  // Work orders only of the tickets resolved in the period (a hash join, not a probe per ticket).
  const woWhere = [...filter.ticketWhere('x', params), ...inPeriod('x')];
  const rows = await tx.query<Record<string, unknown>>(
    `SELECT GROUPING(week) AS overall, week,
            count(*)::int AS resolved,
            avg(seconds) AS mean_s,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median_s,
            count(*) FILTER (WHERE first_time)::int AS first_time,
            count(*) FILTER (WHERE NOT sla_breached)::int AS sla_met
       FROM (SELECT to_char(date_trunc('week', t.resolved_at AT TIME ZONE '${REPORT_TIME_ZONE}'), 'YYYY-MM-DD') AS week,
                    extract(epoch FROM t.resolved_at - t.created_at) AS seconds,
                    t.reopen_count = 0 AND coalesce(wo.n, 0) <= 1 AS first_time,
                    t.sla_breached
               FROM tickets t
               LEFT JOIN (SELECT w.ticket_id, count(*) AS n FROM work_orders w JOIN tickets x ON x.id = w.ticket_id
                           WHERE ${woWhere.join(' AND ')} GROUP BY w.ticket_id) wo ON wo.ticket_id = t.id
              WHERE ${where.join(' AND ')}) r
      GROUP BY GROUPING SETS ((week), ())`,
    params,
  );
  const total = rows.find((r) => Number(r.overall) === 1);
  const byWeek = new Map(rows.filter((r) => Number(r.overall) === 0).map((r) => [r.week as string, r]));
  // Every week of the period appears, also those without a resolution (a gap is information too).
  const weeks = weeksOf(range).map((week) => {
    const r = byWeek.get(week);
    return { week, resolved: Number(r?.resolved ?? 0), meanHours: hours(r?.mean_s), medianHours: hours(r?.median_s) };
  });
  return {
    resolved: Number(total?.resolved ?? 0),
    meanHours: hours(total?.mean_s),
    medianHours: hours(total?.median_s),
    firstTime: Number(total?.first_time ?? 0),
    slaMet: Number(total?.sla_met ?? 0),
    weeks,
  };
}

async function backlogFigures(tx: RawTx, filter: ReportFilter, now: Date) {
  const params: unknown[] = [filter.orgId];
  const where = filter.ticketWhere('t', params);
  where.push(`t.status = ANY($${params.push(OPEN)}::text[])`);
  const ago = (days: number) => `$${params.push(new Date(now.getTime() - days * DAY_MS))}`;
  const [d1, d3, d7] = [ago(1), ago(3), ago(7)];
  const nowP = `$${params.push(now)}`;
  const rows = await tx.query<{ bucket: BacklogBucket; priority: TicketPriority; n: number; overdue: number }>(
    `SELECT CASE WHEN t.created_at > ${d1} THEN 'lt1d' WHEN t.created_at > ${d3} THEN 'd1to3' WHEN t.created_at > ${d7} THEN 'd3to7' ELSE 'gt7d' END AS bucket,
            t.priority, count(*)::int AS n, count(*) FILTER (WHERE t.resolution_due < ${nowP})::int AS overdue
       FROM tickets t WHERE ${where.join(' AND ')} GROUP BY 1, 2`,
    params,
  );
  const buckets = BACKLOG_BUCKETS.map((bucket) => {
    const byPriority = Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, 0])) as Record<TicketPriority, number>;
    for (const r of rows) if (r.bucket === bucket && r.priority in byPriority) byPriority[r.priority] += Number(r.n);
    return { bucket, total: Object.values(byPriority).reduce((a, b) => a + b, 0), byPriority };
  });
  return { buckets, total: rows.reduce((a, r) => a + Number(r.n), 0), overdue: rows.reduce((a, r) => a + Number(r.overdue), 0) };
}

const asOpenedSql = asOpened('t', 'term');

/** GROUPING() bit patterns of the four grouping sets (a 1 bit: that column is not grouped). */
const GROUPING_DIM: Record<number, CauseDimension> = { 0b0111: 'model', 0b1011: 'appVersion', 0b1101: 'region', 0b1110: 'merchant' };

async function causeBreakdowns(tx: RawTx, filter: ReportFilter, range: Range): Promise<{ opened: number; causes: ServiceDeskReport['causes'] }> {
  const params: unknown[] = [filter.orgId];
  const where = filter.ticketWhere('t', params);
  where.push(`t.created_at >= $${params.push(range.from)}`, `t.created_at < $${params.push(range.to)}`);
  const rows = await tx.query<{ g: number; key: string | null; cause: string | null; n: number; total: number; dim_total: number }>(
    `WITH base AS (
       SELECT GROUPING(t.model, t.app_version, s.region, t.merchant_id) AS g,
              CASE GROUPING(t.model, t.app_version, s.region, t.merchant_id)
                WHEN ${0b0111} THEN t.model WHEN ${0b1011} THEN t.app_version WHEN ${0b1101} THEN s.region ELSE t.merchant_id::text END AS key,
              t.cause_code AS cause, count(*)::int AS n
         FROM (SELECT t.*, ${asOpenedSql.model} AS model, ${asOpenedSql.appVersion} AS app_version
                 FROM tickets t LEFT JOIN terminals term ON term.id = t.terminal_id) t
         LEFT JOIN sites s ON s.id = t.site_id
        WHERE ${where.join(' AND ')}
        GROUP BY GROUPING SETS ((t.model, t.cause_code), (t.app_version, t.cause_code), (s.region, t.cause_code), (t.merchant_id, t.cause_code))
     ), ranked AS (
       SELECT g, key, cause, n,
              sum(n) OVER (PARTITION BY g, key) AS total,
              sum(n) OVER (PARTITION BY g) AS dim_total,
              row_number() OVER (PARTITION BY g, key ORDER BY n DESC, cause NULLS LAST) AS rn
         FROM base
     ), groups AS (
       SELECT g, key, row_number() OVER (PARTITION BY g ORDER BY total DESC, key NULLS LAST) AS gr FROM ranked WHERE rn = 1
     )
     SELECT r.g, r.key, r.cause, r.n, r.total::int AS total, r.dim_total::int AS dim_total
       FROM ranked r JOIN groups k ON k.g = r.g AND k.key IS NOT DISTINCT FROM r.key
      WHERE k.gr <= ${TOP_GROUPS} AND r.rn <= ${TOP_CAUSES}
      ORDER BY r.g, k.gr, r.rn`,
    params,
  );
  const causes = Object.fromEntries(CAUSE_DIMENSIONS.map((d) => [d, [] as CauseGroup[]])) as unknown as ServiceDeskReport['causes'];
  let opened = 0;
  for (const r of rows) {
    const dim = GROUPING_DIM[Number(r.g)];
    if (!dim) continue;
    if (dim === 'model') opened = Number(r.dim_total);
    const list = causes[dim];
    let group = list.at(-1);
    if (!group || group.key !== r.key) {
      group = { key: r.key, label: r.key, total: Number(r.total), causes: [] };
      list.push(group);
    }
    group.causes.push({ code: r.cause, count: Number(r.n) });
  }
  const merchantIds = causes.merchant.map((g) => g.key).filter((k): k is string => !!k);
  if (merchantIds.length) {
    const names = await tx.query<{ id: string; name: string }>('SELECT id::text AS id, name FROM merchants WHERE org_id = $1 AND id = ANY($2::uuid[])', [filter.orgId, merchantIds]);
    const byId = new Map(names.map((m) => [m.id, m.name]));
    for (const g of causes.merchant) g.label = g.key ? (byId.get(g.key) ?? g.key) : null;
  }
  return { opened, causes };
}

function titlesOf(causes: ServiceDeskReport['causes'], lang: Language): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of CAUSE_DIMENSIONS)
    for (const g of causes[d])
      for (const c of g.causes) {
        if (!c.code || out[c.code]) continue;
        try {
          out[c.code] = causeTitle(c.code, lang);
        } catch {
          out[c.code] = c.code;
        }
      }
  return out;
}
