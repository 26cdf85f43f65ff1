/**
 * Satisfaction: after a ticket is resolved, its merchant rates the service 1–5 with an optional comment,
 * within RATING_WINDOW_DAYS of the resolution. One rating per ticket, kept through a reopen. Staff may
 * record a rating a merchant gave by phone, but never for a ticket they worked on (assignee, or any
 * event of theirs on it): people do not grade their own work. The rating keeps who worked the ticket
 * (the assignee then), their team, the cause and the merchant, so results per agent, team and cause do
 * not move when a ticket is later reassigned or reclassified.
 */
import {
  containsCardData,
  ratingClosesAt,
  type Language,
  type RatingCreate,
  type SatisfactionGroup,
  type SatisfactionQuery,
  type SatisfactionReport,
  type SatisfactionStats,
  type TicketRatingView,
} from '@poscare/contracts';
import { causeTitle } from '@poscare/codes';
import { type Actor, assertCan, can } from '../access/actor.js';
import type { RawTx } from '../db/client.js';
import { recordAuditTx } from '../audit/service.js';
import { AppError, errors } from '../errors/errors.js';
import { translate } from '../i18n/messages.js';
import type { AppContext } from '../platform/context.js';
import { ticketEvent } from '../tickets/service.js';
import { formatLocal, reportFilter, resolveRange, type ReportFilter } from '../reports/range.js';

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export class SatisfactionService {
  constructor(private readonly ctx: AppContext) {}

  /** Where the ticket's rating stands, and whether this caller may give it. */
  async get(actor: Actor, ticketId: string): Promise<TicketRatingView> {
    assertCan(actor, 'tickets:read');
    return this.ctx.db.rawTransaction(async (tx) => {
      const ticket = await loadTicket(tx, actor, ticketId);
      return view(tx, actor, ticket, this.ctx.clock.now());
    });
  }

  async rate(actor: Actor, ticketId: string, body: RatingCreate): Promise<TicketRatingView> {
    assertCan(actor, 'tickets:read');
    const comment = body.comment?.trim() || null;
    if (containsCardData(comment)) throw errors.validation([{ path: 'body.comment', id: 'rating.card_data' }]);
    const now = this.ctx.clock.now();
    return this.ctx.db.rawTransaction(async (tx) => {
      // Locks the ticket row: two ratings sent at once are one rating and one "already rated".
      const ticket = await loadTicket(tx, actor, ticketId, true);
      const v = await view(tx, actor, ticket, now);
      if (v.state === 'rated') throw new AppError('rating.already_rated', 409);
      if (v.blocked === 'not_allowed') throw new AppError('rating.not_allowed', 403);
      if (v.blocked === 'own_ticket') throw new AppError('rating.own_ticket', 403);
      if (v.state === 'not_yet') throw new AppError('rating.not_resolved', 409);
      if (v.state === 'expired') throw new AppError('rating.expired', 409, { date: formatLocal(new Date(v.expiresAt!)) });
      if (v.blocked === 'no_merchant') throw new AppError('rating.no_merchant', 409);
      const inserted = await tx.query<{ ticket_id: string; org_id: string }>(
        `INSERT INTO ticket_ratings (ticket_id, org_id, score, comment, rated_by, rated_at, agent_id, team, cause_code, merchant_id)
         SELECT t.id, t.org_id, $2, $3, $4, $5, t.assignee_id, u.team, t.cause_code, t.merchant_id
           FROM tickets t LEFT JOIN users u ON u.id = t.assignee_id WHERE t.id = $1
         ON CONFLICT (ticket_id) DO NOTHING RETURNING ticket_id, org_id`,
        [ticketId, body.score, comment, actor.userId, now],
      );
      if (!inserted.length) throw new AppError('rating.already_rated', 409);
      await recordAuditTx(tx, actor, inserted[0]!.org_id, { action: 'rate', entity: 'ticket', entityId: ticketId, after: { score: body.score, comment, mode: v.mode } }, now);
      const stars = `${'★'.repeat(body.score)}${'☆'.repeat(5 - body.score)} ${body.score}/5`;
      await ticketEvent(tx, ticketId, actor, now, 'rating', {
        from: v.mode === 'on_behalf' ? 'on_behalf' : 'merchant',
        to: String(body.score),
        body: comment ? `${stars}\n${comment}` : stars,
      });
      return view(tx, actor, ticket, now);
    });
  }

  /** Satisfaction of ratings given in the period, overall and per agent, team or cause. */
  async results(actor: Actor, q: SatisfactionQuery, lang: Language): Promise<SatisfactionReport> {
    assertCan(actor, 'reports:read');
    const range = resolveRange(q, this.ctx.clock.now());
    return this.ctx.db.rawTransaction(async (tx) => {
      const filter = await reportFilter(tx, actor, q);
      // Merchants (should a role ever give them reports) see no one's personal results.
      const by = actor.merchantId && q.by !== 'cause' ? 'cause' : q.by;
      const [overall, groups] = [await satisfactionStats(tx, filter, range), await satisfactionGroups(tx, filter, range, by, lang)];
      return { from: range.from.toISOString(), to: range.to.toISOString(), by, overall, groups };
    });
  }
}

interface TicketFacts {
  id: string;
  status: string;
  resolved_at: Date | null;
  assignee_id: string | null;
  merchant_id: string | null;
}

async function loadTicket(tx: RawTx, actor: Actor, id: string, lock = false): Promise<TicketFacts> {
  const params: unknown[] = [id, actor.orgId];
  let sql = 'SELECT id, status, resolved_at, assignee_id, merchant_id FROM tickets WHERE id = $1 AND org_id = $2';
  // A merchant user only ever reaches its own merchant's tickets; others are "not found".
  if (actor.merchantId) sql += ` AND merchant_id = $${params.push(actor.merchantId)}`;
  const [row] = await tx.query<TicketFacts>(sql + (lock ? ' FOR UPDATE' : ''), params);
  if (!row) throw errors.notFound('ticket');
  return row;
}

async function view(tx: RawTx, actor: Actor, t: TicketFacts, now: Date): Promise<TicketRatingView> {
  const staff = can(actor, 'tickets:work');
  const [r] = await tx.query<Row>(
    `SELECT r.score, r.comment, r.rated_at, r.team, rb.name AS rated_by_name, rb.role AS rated_by_role, a.name AS agent_name
       FROM ticket_ratings r LEFT JOIN users rb ON rb.id = r.rated_by LEFT JOIN users a ON a.id = r.agent_id
      WHERE r.ticket_id = $1`,
    [t.id],
  );
  const resolvedAt = t.resolved_at ? new Date(t.resolved_at) : null;
  const expiresAt = resolvedAt ? ratingClosesAt(resolvedAt) : null;
  const state: TicketRatingView['state'] = r ? 'rated' : !resolvedAt ? 'not_yet' : now.getTime() >= expiresAt!.getTime() ? 'expired' : 'open';

  let mode: TicketRatingView['mode'] = null;
  let blocked: TicketRatingView['blocked'] = null;
  if (actor.role === 'merchant' && actor.merchantId) mode = 'merchant';
  else if (staff) {
    mode = 'on_behalf';
    if (await workedOn(tx, t, actor.userId)) blocked = 'own_ticket';
    else if (!t.merchant_id) blocked = 'no_merchant';
  } else blocked = 'not_allowed';

  return {
    state,
    opensAt: iso(resolvedAt),
    expiresAt: iso(expiresAt),
    rating: r
      ? {
          score: Number(r.score),
          comment: (r.comment as string | null) ?? null,
          ratedAt: iso(r.rated_at)!,
          ratedByName: (r.rated_by_name as string | null) ?? null,
          onBehalf: !!r.rated_by_role && r.rated_by_role !== 'merchant',
          agentName: staff ? ((r.agent_name as string | null) ?? null) : null,
          team: staff ? ((r.team as string | null) ?? null) : null,
        }
      : null,
    mode,
    canRate: state === 'open' && mode !== null && blocked === null,
    blocked,
  };
}

/** The assignee, or anyone who left an event on the ticket (moved it, wrote to the merchant, noted, planned). */
async function workedOn(tx: RawTx, t: TicketFacts, userId: string): Promise<boolean> {
  if (t.assignee_id === userId) return true;
  const [hit] = await tx.query('SELECT 1 FROM ticket_events WHERE ticket_id = $1 AND actor_id = $2 LIMIT 1', [t.id, userId]);
  return !!hit;
}

// ---- Aggregates (also used by the service-desk report) -------------------------------------------

/** WHERE for ticket_ratings r in the period, with the report's filters. */
function ratingWhere(filter: ReportFilter, range: { from: Date; to: Date }): { where: string; params: unknown[] } {
  const params: unknown[] = [filter.orgId, range.from, range.to];
  const where = ['r.org_id = $1', 'r.rated_at >= $2', 'r.rated_at < $3'];
  if (filter.merchantId) where.push(`r.merchant_id = $${params.push(filter.merchantId)}`);
  const ticketConds = filter.ticketConditions('t', params);
  if (ticketConds.length) where.push(`r.ticket_id IN (SELECT t.id FROM tickets t WHERE t.org_id = $1 AND ${ticketConds.join(' AND ')})`);
  return { where: where.join(' AND '), params };
}

export function statsOf(distribution: number[]): SatisfactionStats {
  const count = distribution.reduce((a, b) => a + b, 0);
  const sum = distribution.reduce((a, n, i) => a + n * (i + 1), 0);
  return {
    count,
    average: count ? round(sum / count, 2) : null,
    distribution,
    satisfiedShare: count ? round((distribution[3]! + distribution[4]!) / count, 4) : null,
  };
}

export async function satisfactionStats(tx: RawTx, filter: ReportFilter, range: { from: Date; to: Date }): Promise<SatisfactionStats> {
  const { where, params } = ratingWhere(filter, range);
  const rows = await tx.query<{ score: number; n: number }>(`SELECT r.score, count(*)::int AS n FROM ticket_ratings r WHERE ${where} GROUP BY r.score`, params);
  const dist = [0, 0, 0, 0, 0];
  for (const r of rows) dist[Number(r.score) - 1] = Number(r.n);
  return statsOf(dist);
}

export async function satisfactionGroups(
  tx: RawTx,
  filter: ReportFilter,
  range: { from: Date; to: Date },
  by: SatisfactionQuery['by'],
  lang: Language,
): Promise<SatisfactionGroup[]> {
  const { where, params } = ratingWhere(filter, range);
  const key = by === 'agent' ? 'r.agent_id::text' : by === 'team' ? 'r.team' : 'r.cause_code';
  const rows = await tx.query<{ key: string | null; name: string | null; score: number; n: number }>(
    `SELECT ${key} AS key, ${by === 'agent' ? 'max(u.name)' : 'NULL'} AS name, r.score, count(*)::int AS n
       FROM ticket_ratings r ${by === 'agent' ? 'LEFT JOIN users u ON u.id = r.agent_id' : ''}
      WHERE ${where} GROUP BY 1, r.score`,
    params,
  );
  const groups = new Map<string | null, { name: string | null; dist: number[] }>();
  for (const r of rows) {
    const g = groups.get(r.key) ?? { name: r.name, dist: [0, 0, 0, 0, 0] };
    g.dist[Number(r.score) - 1] = Number(r.n);
    g.name ??= r.name;
    groups.set(r.key, g);
  }
  const label = (k: string | null, name: string | null): string => {
    if (by === 'agent') return name ?? translate(lang, 'report.label.unassigned');
    if (by === 'team') return k ?? translate(lang, 'report.label.no_team');
    if (!k) return translate(lang, 'report.label.unclassified');
    try {
      return causeTitle(k, lang);
    } catch {
      return k;
    }
  };
  return [...groups]
    .map(([k, g]) => ({ key: k, label: label(k, g.name), ...statsOf(g.dist) }))
    .sort((a, b) => b.count - a.count || (b.average ?? 0) - (a.average ?? 0) || a.label.localeCompare(b.label));
}

export const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
