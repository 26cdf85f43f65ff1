/**
 * Ticket SLAs on the server: a ticket's stored events become @poscare/sla events, the SLA is
 * evaluated on the injected clock, and the worker acts on the escalation steps that came due —
 * notify (console), reassign, raise priority — storing each step's id so it never fires twice. Each
 * ticket keeps the instant it next needs a look (`sla_wake_at`), so the worker reads only those.
 */
import { DEFAULT_CALENDARS, DEFAULT_POLICY, evaluateSla, type Escalation, type SlaEvaluation, type SlaEvent } from '@poscare/sla';
import type { Language, TicketPriority } from '@poscare/contracts';
import { translate } from '../i18n/messages.js';
import type { RawTx } from '../db/client.js';
import { systemActor } from '../access/actor.js';
import { recordAuditTx } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { queueGroupMessagesTx, type LinkBase } from '../notifications/outbound.js';

type Row = Record<string, unknown>;
const ms = (v: unknown) => new Date(v as string).getTime();

/** The ticket's history as the SLA reads it. */
export function slaEventsOf(ticket: Row, events: Row[], tier: string): SlaEvent[] {
  const firstPriority = events.find((e) => e.type === 'priority')?.from_value as TicketPriority | undefined;
  const out: SlaEvent[] = [{ at: ms(ticket.created_at), type: 'opened', priority: firstPriority ?? (ticket.priority as TicketPriority), tier: tier as never, status: 'new' }];
  let responded = false;
  for (const e of events) {
    const at = ms(e.at);
    if (e.type === 'status') out.push({ at, type: 'status', status: e.to_value as never });
    else if (e.type === 'priority') out.push({ at, type: 'priority', priority: e.to_value as TicketPriority });
    else if (e.type === 'assigned') out.push({ at, type: 'reassigned', assignee: (e.to_value as string | null) ?? null });
    // A staff member's public comment answers the merchant (merchants' own comments carry from_value 'merchant').
    else if (e.type === 'comment' && e.from_value !== 'merchant') {
      out.push({ at, type: responded ? 'agent_update' : 'first_response' });
      responded = true;
    }
  }
  if (!responded && ticket.first_response_at) out.push({ at: ms(ticket.first_response_at), type: 'first_response' });
  return out.sort((a, b) => a.at - b.at);
}

/** `fired`: the steps already acted on (the stored list unless given). */
export async function evaluateTicket(tx: RawTx, ticketId: string, now: Date, fired?: string[]): Promise<{ ticket: Row; evaluation: SlaEvaluation }> {
  const [ticket] = await tx.query<Row>('SELECT t.*, coalesce(m.tier::text, $2) AS tier FROM tickets t LEFT JOIN merchants m ON m.id = t.merchant_id WHERE t.id = $1', [ticketId, 'standard']);
  const events = await tx.query<Row>('SELECT * FROM ticket_events WHERE ticket_id = $1 ORDER BY at, id', [ticketId]);
  const evaluation = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, slaEventsOf(ticket!, events, ticket!.tier as string), now.getTime(), fired ?? (ticket!.sla_fired as string[]) ?? []);
  return { ticket: ticket!, evaluation };
}

/** What the ticket page shows of the SLA. */
export function slaSummary(e: SlaEvaluation) {
  const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
  return {
    clocks: Object.values(e.clocks).map((c) => ({
      clock: c.clock,
      state: c.state,
      paused: c.paused,
      due: iso(c.due),
      remainingMinutes: Math.round(c.remainingMinutes),
      outcome: c.outcome,
      breachedAt: iso(c.breachedAt),
    })),
    escalations: e.escalations.map((x) => ({ id: x.id, dueAt: iso(x.dueAt)!, fired: x.fired })),
  };
}

/** The worker's SLA pass: every ticket whose wake-up time has come, evaluated and acted on. */
export async function runSlaPass(ctx: AppContext, limit = 500): Promise<{ tickets: number; fired: number }> {
  const now = ctx.clock.now();
  const due = await ctx.db.rawTransaction((tx) =>
    tx.query<{ id: string }>(`SELECT id FROM tickets WHERE status NOT IN ('resolved', 'closed') AND (sla_wake_at IS NULL OR sla_wake_at <= $1) ORDER BY sla_wake_at NULLS FIRST LIMIT ${limit}`, [now]),
  );
  let fired = 0;
  for (const { id } of due) fired += await ctx.db.rawTransaction((tx) => actOn(tx, id, now, ctx.config));
  return { tickets: due.length, fired };
}

/** Re-evaluates one ticket after a change and stores when it next needs a look (`links`: where robot messages link to). */
export async function refreshSla(tx: RawTx, ticketId: string, now: Date, links?: LinkBase): Promise<void> {
  await actOn(tx, ticketId, now, links);
}

async function actOn(tx: RawTx, ticketId: string, now: Date, links: LinkBase): Promise<number> {
  // The row lock makes a second pass over the same ticket (another worker, the same moment) wait and
  // then read the steps the first one fired, so each escalation step acts once.
  await tx.query('SELECT id FROM tickets WHERE id = $1 FOR UPDATE', [ticketId]);
  const { ticket, evaluation } = await evaluateTicket(tx, ticketId, now);
  const firedIds = [...((ticket.sla_fired as string[]) ?? [])];
  for (const step of evaluation.dueEscalations) {
    await perform(tx, ticket, step, now, links);
    firedIds.push(step.id);
  }
  // Actions change the ticket (priority, assignee): evaluate again for the next wake-up.
  const final = evaluation.dueEscalations.length ? (await evaluateTicket(tx, ticketId, now, firedIds)).evaluation : evaluation;
  const after = final.nextWakeUp;
  const d = slaColumns(final);
  await tx.query('UPDATE tickets SET sla_fired = $2, sla_wake_at = $3, first_response_due = $4, resolution_due = $5, sla_breached = $6 WHERE id = $1', [
    ticketId, JSON.stringify(firedIds), after === null ? null : new Date(after), d.firstResponseDue, d.resolutionDue, d.breached,
  ]);
  return evaluation.dueEscalations.length;
}

/** What the queue and the reports read without evaluating: the two deadlines and whether either was ever missed. */
export function slaColumns(e: SlaEvaluation): { firstResponseDue: Date | null; resolutionDue: Date | null; breached: boolean } {
  const date = (v: number | null) => (v === null ? null : new Date(v));
  const missed = (c: SlaEvaluation['clocks'][keyof SlaEvaluation['clocks']]) => c.breachedAt !== null || c.outcome === 'breached' || c.history.some((h) => h.breachedAt !== null || h.outcome === 'breached');
  return {
    firstResponseDue: date(e.clocks.firstResponse.due),
    resolutionDue: date(e.clocks.resolution.due),
    breached: missed(e.clocks.firstResponse) || missed(e.clocks.resolution),
  };
}

async function perform(tx: RawTx, ticket: Row, step: Escalation, now: Date, links: LinkBase): Promise<void> {
  const orgId = ticket.org_id as string;
  const id = ticket.id as string;
  const done: string[] = [];
  for (const a of step.actions) {
    if (a.kind === 'notify') {
      const users = new Map<string, Language>();
      for (const r of a.recipients) {
        // Team leads and the queue's dispatchers are the organization's admins; a role is that role.
        const rows =
          r.kind === 'user'
            ? await tx.query<{ id: string; language: Language }>('SELECT id, language FROM users WHERE id = $1 AND org_id = $2 AND NOT disabled', [r.userId, orgId])
            : await tx.query<{ id: string; language: Language }>('SELECT id, language FROM users WHERE org_id = $1 AND role = $2 AND NOT disabled', [orgId, r.kind === 'role' ? r.role : 'admin']);
        for (const u of rows) users.set(u.id, u.language);
      }
      for (const [userId, lang] of users) {
        const title = translate(lang, step.at >= 1 ? 'notify.ticket_sla.breached' : 'notify.ticket_sla.warning', {
          number: ticket.number,
          clock: translate(lang, `notify.ticket_sla.clock.${step.clock}`),
          pct: Math.round(step.at * 100),
        });
        await tx.query(
          `INSERT INTO notifications (org_id, user_id, alert_id, ticket_id, kind, title, body, severity, created_at) VALUES ($1, $2, NULL, $7, 'ticket_sla', $3, $4, $5, $6)`,
          [orgId, userId, title, `${ticket.title}`, step.at >= 1 ? 'critical' : 'warning', now, id],
        );
      }
      done.push(`notify:${users.size}`);
    } else if (a.kind === 'reassign') {
      const [lead] = a.to === 'team_lead' ? await tx.query<{ id: string }>(`SELECT id FROM users WHERE org_id = $1 AND role = 'admin' AND NOT disabled ORDER BY created_at LIMIT 1`, [orgId]) : [];
      const to = lead?.id ?? null;
      await tx.query('UPDATE tickets SET assignee_id = $2, updated_at = $3 WHERE id = $1', [id, to, now]);
      await tx.query(`INSERT INTO ticket_events (ticket_id, org_id, at, type, actor, from_value, to_value, body, internal) VALUES ($1, $2, $3, 'assigned', 'SLA', $4, $5, $6, true)`, [
        id, orgId, now, (ticket.assignee_id as string | null) ?? null, to, a.to,
      ]);
      await recordAuditTx(tx, systemActor(orgId, 'SLA'), orgId, { action: 'assign', entity: 'ticket', entityId: id, before: { assigneeId: ticket.assignee_id ?? null }, after: { assigneeId: to, escalation: step.id } }, now);
      done.push(`reassign:${a.to}`);
    } else if (a.kind === 'raise_priority' && a.to) {
      await tx.query('UPDATE tickets SET priority = $2, updated_at = $3 WHERE id = $1', [id, a.to, now]);
      await tx.query(`INSERT INTO ticket_events (ticket_id, org_id, at, type, actor, from_value, to_value, internal) VALUES ($1, $2, $3, 'priority', 'SLA', $4, $5, false)`, [id, orgId, now, a.from, a.to]);
      await recordAuditTx(tx, systemActor(orgId, 'SLA'), orgId, { action: 'priority', entity: 'ticket', entityId: id, before: { priority: a.from }, after: { priority: a.to, escalation: step.id } }, now);
      done.push(`priority:${a.to}`);
    }
  }
  // The team's group robots hear of the step too, naming the person on call (issue 19); in this
  // transaction, so the step that commits is posted once however many workers evaluated the ticket.
  const breached = step.at >= 1;
  const groups = await queueGroupMessagesTx(
    tx,
    {
      orgId, event: breached ? 'ticket.sla_breached' : 'ticket.sla_warning', severity: breached ? 'critical' : 'warning', path: `/tickets/${id}`,
      text: (lang) => ({
        title: translate(lang, breached ? 'notify.ticket_sla.breached' : 'notify.ticket_sla.warning', { number: ticket.number, clock: translate(lang, `notify.ticket_sla.clock.${step.clock}`), pct: Math.round(step.at * 100) }),
        lines: [String(ticket.title)],
      }),
    },
    now,
    links,
  );
  if (groups) done.push(`groups:${groups}`);
  await tx.query(`INSERT INTO ticket_events (ticket_id, org_id, at, type, actor, from_value, to_value, body, internal) VALUES ($1, $2, $3, 'sla', 'SLA', $4, $5, $6, true)`, [
    id, orgId, now, step.clock, step.id, done.join(', ') || null,
  ]);
}
