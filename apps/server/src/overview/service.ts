/**
 * Where each role starts: what waits for the signed-in person, counted exactly as the lists the
 * overview links to count it (the alerts inbox, the ticket queue with its filters, work orders).
 */
import { OPEN_TICKET_STATUSES, OPEN_WORK_ORDER_STATUSES, REPORT_TIME_ZONE, type MyOverview } from '@poscare/contracts';
import { type Actor, can } from '../access/actor.js';
import type { AppContext } from '../platform/context.js';
import { slaFilter } from '../tickets/service.js';

type Count = { n: number };

export class OverviewService {
  constructor(private ctx: AppContext) {}

  async mine(actor: Actor): Promise<MyOverview> {
    const now = this.ctx.clock.now();
    const [alerts, tickets, workOrders] = await Promise.all([
      can(actor, 'alerts:read') ? this.alerts(actor) : null,
      can(actor, 'tickets:read') ? this.tickets(actor, now) : null,
      can(actor, 'workorders:read') ? this.workOrders(actor, now) : null,
    ]);
    return { at: now.toISOString(), alerts, tickets, workOrders };
  }

  private q<R>(sql: string, params: unknown[]) {
    return this.ctx.db.rawTransaction((tx) => tx.query<R>(sql, params));
  }

  /** As the alerts inbox's default view: open (firing or acknowledged), not silenced or suppressed. */
  private async alerts(actor: Actor) {
    const params: unknown[] = [actor.orgId];
    const merchant = actor.merchantId ? ` AND merchant_id = $${params.push(actor.merchantId)}` : '';
    const rows = await this.q<{ severity: string; n: number }>(
      `SELECT severity, count(*)::int AS n FROM alerts WHERE org_id = $1${merchant} AND status <> 'resolved' AND suppressed IS NULL GROUP BY severity`,
      params,
    );
    const by = (s: string) => rows.find((r) => r.severity === s)?.n ?? 0;
    return { critical: by('critical'), warning: by('warning'), info: by('info') };
  }

  /** As the ticket queue counts `status=open` with the same assignee and SLA filters. */
  private async tickets(actor: Actor, now: Date) {
    const params: unknown[] = [actor.orgId];
    const p = (v: unknown) => `$${params.push(v)}`;
    const merchant = actor.merchantId ? ` AND t.merchant_id = ${p(actor.merchantId)}` : '';
    const open = `t.status IN (${OPEN_TICKET_STATUSES.map((s) => `'${s}'`).join(', ')})`;
    const me = p(actor.userId);
    const [r] = await this.q<MyOverview['tickets'] & object>(
      `SELECT count(*)::int AS open,
              count(*) FILTER (WHERE ${slaFilter('at_risk', now, p)})::int AS "atRisk",
              count(*) FILTER (WHERE ${slaFilter('breached', now, p)})::int AS breached,
              count(*) FILTER (WHERE t.assignee_id = ${me})::int AS mine,
              count(*) FILTER (WHERE t.assignee_id IS NULL)::int AS unassigned,
              count(*) FILTER (WHERE t.status = 'waiting_merchant')::int AS "waitingMerchant"
         FROM tickets t WHERE t.org_id = $1${merchant} AND ${open}`,
      params,
    );
    return r!;
  }

  /** Open work orders: the caller's, the caller's scheduled today (reporting time zone), and nobody's. */
  private async workOrders(actor: Actor, now: Date) {
    const [r] = await this.q<{ mine: number; today: number; unassigned: number }>(
      `SELECT count(*) FILTER (WHERE w.assignee_id = $3)::int AS mine,
              count(*) FILTER (WHERE w.assignee_id = $3 AND (w.scheduled_at AT TIME ZONE $4)::date = ($5::timestamptz AT TIME ZONE $4)::date)::int AS today,
              count(*) FILTER (WHERE w.assignee_id IS NULL)::int AS unassigned
         FROM work_orders w WHERE w.org_id = $1 AND w.status = ANY($2::text[])`,
      [actor.orgId, OPEN_WORK_ORDER_STATUSES, actor.userId, REPORT_TIME_ZONE, now],
    );
    return r!;
  }
}
