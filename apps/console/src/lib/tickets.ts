/**
 * The console's side of the service desk as pure functions: the handling flow as steps, what a transition
 * needs to ask for, how an SLA clock reads, the queue's filters from the URL, and the bodies sent to open a
 * ticket from the troubleshooter or an alert. Translations come in as a function (same as lib/alerts.ts).
 */
import type {
  SlaClock,
  TicketCreateInput,
  TicketCreated,
  TicketDetail,
  TicketEvent,
  TicketListQuery,
  TicketPriority,
  TicketStatus,
  TicketTransitionInput,
} from '../api/tickets';

export type Translate = (key: string, vars?: Record<string, unknown>) => string;

export const TICKET_STATUS_LIST: readonly TicketStatus[] = ['new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'resolved', 'closed', 'waiting_merchant'];
export const TICKET_PRIORITY_LIST: readonly TicketPriority[] = ['p1', 'p2', 'p3', 'p4'];

/** The handling flow left to right; `waiting_merchant` is a pause on the step it came from. */
export const FLOW: readonly TicketStatus[] = ['new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'resolved', 'closed'];

export const PRIORITY_COLORS: Record<TicketPriority, string> = { p1: 'red', p2: 'orange', p3: 'blue', p4: 'default' };

export const STATUS_COLORS: Record<TicketStatus, string> = {
  new: 'magenta',
  triaged: 'purple',
  locating: 'geekblue',
  planned: 'cyan',
  in_progress: 'blue',
  verifying: 'gold',
  resolved: 'green',
  closed: 'default',
  waiting_merchant: 'orange',
};

export const OPEN_STATUSES: ReadonlySet<TicketStatus> = new Set(TICKET_STATUS_LIST.filter((s) => s !== 'resolved' && s !== 'closed'));

/** Categories a ticket may be triaged into (the diagnosis categories). */
export const TICKET_CATEGORIES = ['hardware', 'software', 'network', 'operation', 'environment', 'external', 'security'] as const;

/**
 * Where the ticket stands on the flow: the step index, and whether it is paused waiting for the merchant
 * (then the step is the one it left, taken from the latest status event into `waiting_merchant`).
 */
export function flowPosition(status: TicketStatus, events: readonly Pick<TicketEvent, 'type' | 'from' | 'to' | 'at'>[]): { index: number; paused: boolean } {
  if (status !== 'waiting_merchant') return { index: FLOW.indexOf(status), paused: false };
  const into = [...events]
    .filter((e) => e.type === 'status' && e.to === 'waiting_merchant' && e.from)
    .sort((a, b) => a.at.localeCompare(b.at))
    .pop();
  const from = into?.from as TicketStatus | undefined;
  const index = from ? FLOW.indexOf(from) : 0;
  return { index: index < 0 ? 0 : index, paused: true };
}

/** What a move to `to` (from `from`) needs to ask. */
export type TransitionForm = 'triage' | 'plan' | 'reason' | 'resolve' | 'none';

export function transitionForm(from: TicketStatus, to: TicketStatus): TransitionForm {
  if (to === 'triaged') return 'triage';
  if (to === 'planned' && from !== 'in_progress') return 'plan';
  if (to === 'waiting_merchant') return 'reason';
  if (from === 'resolved' && to === 'in_progress') return 'reason';
  if (to === 'resolved') return 'resolve';
  // Going back a step: say why.
  if ((from === 'planned' && to === 'locating') || (from === 'in_progress' && to === 'planned') || (from === 'verifying' && to === 'in_progress')) return 'reason';
  return 'none';
}

/** Whether the reason is required (the server refuses without one) rather than optional. */
export const reasonRequired = (from: TicketStatus, to: TicketStatus): boolean => to === 'waiting_merchant' || (from === 'resolved' && to === 'in_progress');

/** A move "backwards" or aside is shown as a secondary button; the next step of the flow as the primary one. */
export function isForward(from: TicketStatus, to: TicketStatus): boolean {
  if (to === 'waiting_merchant' || (to === 'closed' && from !== 'resolved')) return false;
  if (from === 'waiting_merchant') return true;
  return FLOW.indexOf(to) > FLOW.indexOf(from);
}

export interface TransitionValues {
  reason?: string;
  category?: string;
  causeCode?: string;
  priority?: TicketPriority;
  plan?: {
    kind: NonNullable<TicketTransitionInput['plan']>['kind'];
    summary: string;
    /** In major units (yuan); sent in minor units. */
    estimatedCost?: number | null;
    currency?: string;
    estimatedMinutes?: number | null;
    eta?: string | null;
  };
  override?: boolean;
}

/** The transition body: only what this move uses, blanks left out, the cost in minor units. */
export function transitionBody(to: TicketStatus, v: TransitionValues): TicketTransitionInput {
  const body: TicketTransitionInput = { to };
  const reason = v.reason?.trim();
  if (reason) body.reason = reason;
  if (to === 'triaged') {
    if (v.category) body.category = v.category;
    if (v.causeCode?.trim()) body.causeCode = v.causeCode.trim();
    if (v.priority) body.priority = v.priority;
  }
  if (to === 'planned' && v.plan) {
    const p = v.plan;
    body.plan = {
      kind: p.kind,
      summary: p.summary.trim(),
      currency: p.currency || 'CNY',
      ...(p.estimatedCost !== undefined && p.estimatedCost !== null ? { estimatedCostMinor: Math.round(p.estimatedCost * 100) } : {}),
      ...(p.estimatedMinutes !== undefined && p.estimatedMinutes !== null ? { estimatedMinutes: Math.round(p.estimatedMinutes) } : {}),
      ...(p.eta ? { eta: p.eta } : {}),
    };
  }
  if (v.override) body.override = true;
  return body;
}

export type SlaLook = 'paused' | 'met' | 'breached' | 'overdue' | 'running' | 'pending' | 'none';

/** How a clock reads now: paused, met (stopped in time), breached, overdue (running past due) or running. */
export function slaLook(c: Pick<SlaClock, 'paused' | 'due' | 'outcome' | 'breachedAt' | 'state' | 'remainingMinutes'>, now = Date.now()): SlaLook {
  if (c.breachedAt || c.outcome === 'breached' || c.state === 'breached') return 'breached';
  if (c.outcome === 'met' || c.state === 'met') return 'met';
  if (c.paused || c.state === 'paused') return 'paused';
  if (c.state === 'pending') return 'pending';
  if (!c.due) return c.state === 'stopped' ? 'met' : 'none';
  if (Date.parse(c.due) < now || c.remainingMinutes < 0) return 'overdue';
  return 'running';
}

export const resolutionClock = (t: Pick<TicketDetail, 'sla'> | null | undefined): SlaClock | undefined => t?.sla.clocks.find((c) => c.clock === 'resolution');

/** 95 → "1 h 35 min" (in words through `t`). */
export function formatRemaining(minutes: number, t: Translate): string {
  const m = Math.abs(Math.round(minutes));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  const parts: string[] = [];
  if (d) parts.push(t('tickets.duration.d', { count: d }));
  if (h) parts.push(t('tickets.duration.h', { count: h }));
  if (mm || parts.length === 0) parts.push(t('tickets.duration.m', { count: mm }));
  return parts.slice(0, 2).join(' ');
}

const QUEUE_STATUSES = ['open', 'all', ...TICKET_STATUS_LIST] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];
export const QUEUE_STATUS_OPTIONS: readonly QueueStatus[] = QUEUE_STATUSES;

/** The queue's filters from the URL into the API query; unknown values are dropped. */
export function queueQuery(
  v: { status?: string; priority?: string; assignee?: string; q?: string; terminal?: string; sla?: string },
  limit: number,
  offset: number,
): TicketListQuery {
  const status = (QUEUE_STATUSES as readonly string[]).includes(v.status ?? '') ? (v.status as QueueStatus) : 'open';
  const q: TicketListQuery = { status, limit, offset };
  if (v.sla === 'at_risk' || v.sla === 'breached') q.sla = v.sla;
  if (v.priority && (TICKET_PRIORITY_LIST as readonly string[]).includes(v.priority)) q.priority = v.priority as TicketPriority;
  if (v.assignee) q.assigneeId = v.assignee;
  if (v.terminal) q.terminalId = v.terminal;
  if (v.q?.trim()) q.q = v.q.trim();
  return q;
}

/** A ticket from the troubleshooter's escalate step. */
export function troubleshooterTicket(p: {
  terminalId: string;
  symptom: string;
  symptomLabel: string;
  text?: string;
  answers: Record<string, string | boolean | number>;
}): TicketCreateInput {
  const description = p.text?.trim();
  return {
    terminalId: p.terminalId,
    title: p.symptomLabel.slice(0, 200),
    ...(description ? { description } : {}),
    source: 'troubleshooter',
    symptom: p.symptom,
    answers: p.answers,
  };
}

/** A ticket from an alert: its terminal (or the first still-active member), its name and scope, its cause. */
export function alertTicket(a: {
  id?: string;
  name: string;
  scopeLabel: string | null;
  terminalId: string | null;
  cause: string | null;
  members: readonly { terminalId: string; active: boolean }[];
}): TicketCreateInput | null {
  const terminalId = a.terminalId ?? a.members.find((m) => m.active)?.terminalId ?? a.members[0]?.terminalId;
  const title = [a.name, a.scopeLabel].filter(Boolean).join(' · ').slice(0, 200);
  if (!title) return null;
  return { ...(terminalId ? { terminalId } : {}), title, ...(a.cause ? { causeCode: a.cause } : {}), ...(a.id ? { alertId: a.id } : {}), source: 'agent' };
}

/** The words shown after opening a ticket: "opened T000123" or "already reported as T000123". */
export function createdText(r: Pick<TicketCreated, 'duplicate'> & { ticket: Pick<TicketDetail, 'number'> }, t: Translate): string {
  return r.duplicate ? t('tickets.create.duplicate', { number: r.ticket.number }) : t('tickets.create.created', { number: r.ticket.number });
}

/** The timeline newest first; the server already keeps internal notes from merchants. */
export const timelineOrder = <E extends Pick<TicketEvent, 'at'>>(events: readonly E[]): E[] => [...events].sort((a, b) => b.at.localeCompare(a.at));
