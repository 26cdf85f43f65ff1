/**
 * What the merchant is told about their ticket: one sentence per step of the handling flow, with the
 * plan and the expected time (ETA) in their language, on the ticket page and as a notification on each
 * step (console inbox, and e-mail for those who chose it). Internal notes never reach them.
 */
import { ratingClosesAt, type Language, type TicketStatus } from '@poscare/contracts';
import type { RawTx } from '../db/client.js';
import { translate, type MessageId } from '../i18n/messages.js';
import { localTime } from '../notifications/render.js';

type Row = Record<string, unknown>;

export type MerchantStep =
  | { kind: 'status'; to: TicketStatus; from: TicketStatus; reason?: string | null }
  | { kind: 'reply'; body: string }
  | { kind: 'plan' };

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/**
 * The customer-facing sentence for where a ticket is now. A resolved ticket asks for a rating only
 * while one can still be given: once rated it thanks the merchant, once the window has passed it just
 * says the problem is resolved.
 */
export function customerProgress(ticket: Row, lang: Language, rating: { rated: boolean; now: Date }): { text: string; eta: string | null } {
  const status = ticket.status as TicketStatus;
  const eta = iso(ticket.eta);
  const open = !['resolved', 'closed'].includes(status);
  if (status === 'resolved') {
    const windowOver = !!ticket.resolved_at && rating.now.getTime() >= ratingClosesAt(new Date(ticket.resolved_at as string)).getTime();
    if (rating.rated) return { text: translate(lang, 'tickets.progress.resolved_rated'), eta: null };
    if (windowOver) return { text: translate(lang, 'tickets.progress.resolved'), eta: null };
  }
  return { text: stepText(ticket, { kind: 'status', to: status, from: status }, lang), eta: open ? eta : null };
}

function planText(ticket: Row, lang: Language): string {
  const plan = ticket.plan as { kind?: string } | null;
  return plan?.kind ? translate(lang, `notify.ticket_step.plan.${plan.kind}` as MessageId) : '';
}

function etaText(ticket: Row, lang: Language): string {
  const eta = iso(ticket.eta);
  return eta ? translate(lang, 'notify.ticket_step.eta', { time: localTime(lang, eta) }) : '';
}

function stepText(ticket: Row, step: MerchantStep, lang: Language): string {
  if (step.kind === 'reply') return translate(lang, 'notify.ticket_step.reply', { body: step.body.slice(0, 500) });
  if (step.kind === 'plan') return `${translate(lang, 'notify.ticket_step.status.planned', { plan: planText(ticket, lang) })}${etaText(ticket, lang)}`;
  if (step.from === 'resolved' && step.to === 'in_progress') return translate(lang, 'notify.ticket_step.reopened', { reason: step.reason ?? '' });
  const base = translate(lang, `notify.ticket_step.status.${step.to}` as MessageId, { plan: planText(ticket, lang), reason: step.reason ?? '' });
  return ['planned', 'in_progress'].includes(step.to) ? `${base}${etaText(ticket, lang)}` : base;
}

/**
 * Tells the ticket's merchant users about a step, each in their language, on the channels they chose.
 * `ticket` is the row after the change. The actor (a merchant replying) is not told about their own step.
 */
export async function notifyMerchant(tx: RawTx, ticket: Row, step: MerchantStep, now: Date, actorUserId: string | null): Promise<number> {
  if (!ticket.merchant_id) return 0;
  const people = await tx.query<{ id: string; email: string; language: Language; console: boolean | null; email_on: boolean | null }>(
    `SELECT u.id, u.email, u.language, p.console, p.email AS email_on FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id
      WHERE u.org_id = $1 AND u.merchant_id = $2 AND u.role = 'merchant' AND NOT u.disabled`,
    [ticket.org_id, ticket.merchant_id],
  );
  const recipients = people.filter((p) => p.id !== actorUserId);
  if (!recipients.length) return 0;
  const inbox: unknown[] = [];
  const mails: unknown[] = [];
  for (const p of recipients) {
    const title = translate(p.language, 'notify.ticket_step.title', { number: ticket.number as string, title: ticket.title as string });
    const body = stepText(ticket, step, p.language);
    if (p.console ?? true) inbox.push({ org_id: ticket.org_id, user_id: p.id, ticket_id: ticket.id, kind: 'ticket_step', title, body, severity: 'info', created_at: now });
    if (p.email_on ?? false) {
      mails.push({
        org_id: ticket.org_id,
        channel: 'email',
        target: p.email,
        user_id: p.id,
        event: 'ticket_step',
        payload: { language: p.language, subject: title, text: `${body}\n\n-- \n${translate(p.language, 'notify.email.footer')}\n` },
        status: 'pending',
        attempts: 0,
        created_at: now,
        next_attempt_at: now,
      });
    }
  }
  // One statement per table whatever the number of people.
  if (inbox.length)
    await tx.query(
      `INSERT INTO notifications (org_id, user_id, ticket_id, kind, title, body, severity, created_at)
       SELECT org_id, user_id, ticket_id, kind, title, body, severity, created_at FROM json_populate_recordset(null::notifications, $1::json)`,
      [JSON.stringify(inbox)],
    );
  if (mails.length)
    await tx.query(
      `INSERT INTO deliveries (org_id, channel, target, user_id, event, payload, status, attempts, created_at, next_attempt_at)
       SELECT org_id, channel, target, user_id, event, payload, status, attempts, created_at, next_attempt_at FROM json_populate_recordset(null::deliveries, $1::json)`,
      [JSON.stringify(mails)],
    );
  return recipients.length;
}
