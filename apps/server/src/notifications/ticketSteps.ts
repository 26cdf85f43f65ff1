/**
 * Ticket steps by SMS (issue 19): the merchant's own contacts who asked for `ticket_step` hear when
 * their ticket is opened, when an engineer is assigned (a plan), when the engineer is on the way / at
 * work, and when it is resolved and waits for their confirmation. One short message per step, in the
 * contact's language, with a short link to the ticket and the organization's support phone. The service
 * desk calls this inside the transaction that makes the step (see outbound.ts: exactly once).
 *
 * Template parameters: `number`, `title`, `step`, `eta`, `merchant`, `link`, `phone`.
 */
import type { Language, TicketStatus } from '@poscare/contracts';
import type { RawTx } from '../db/client.js';
import { translate, type MessageId } from '../i18n/messages.js';
import { queueStepSms, type LinkBase } from './outbound.js';
import { localTime } from './render.js';

type Row = Record<string, unknown>;

/** The steps a merchant's contacts are texted about; the other moves stay in the console and e-mail. */
export const SMS_TICKET_STEPS: readonly TicketStatus[] = ['new', 'planned', 'in_progress', 'resolved'];

/** SMS are billed per 70 characters: titles are cut. */
const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function ticketStepValues(ticket: Row, to: TicketStatus, lang: Language, merchant: string): Record<string, string> {
  const plan = (ticket.plan as { kind?: string } | null)?.kind;
  const eta = ticket.eta ? new Date(ticket.eta as string).toISOString() : null;
  return {
    number: String(ticket.number),
    title: short(String(ticket.title ?? ''), 20),
    step: translate(lang, `notify.ticket_sms.${to}` as MessageId, { plan: plan ? translate(lang, `notify.ticket_step.plan.${plan}` as MessageId) : '' }),
    eta: eta && ['planned', 'in_progress'].includes(to) ? translate(lang, 'notify.ticket_sms.eta', { time: localTime(lang, eta) }) : '',
    merchant,
  };
}

/** Queues the SMS of a step (`ticket` as it is after the step), or nothing when the step is not one merchants are texted about. */
export async function textTicketStep(tx: RawTx, ticket: Row, to: TicketStatus, now: Date, links: LinkBase): Promise<number> {
  if (!ticket.merchant_id || !SMS_TICKET_STEPS.includes(to)) return 0;
  const [m] = await tx.query<{ name: string }>('SELECT name FROM merchants WHERE id = $1 AND org_id = $2', [ticket.merchant_id, ticket.org_id]);
  return queueStepSms(
    tx,
    {
      orgId: ticket.org_id as string, merchantId: ticket.merchant_id as string, event: `ticket.${to}`, path: `/tickets/${ticket.id as string}`,
      values: (lang) => ticketStepValues(ticket, to, lang, m?.name ?? ''),
    },
    now,
    links,
  );
}
