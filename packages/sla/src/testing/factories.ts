/**
 * Builders for SLA tests: instants written as China wall-clock time, the shipped policy and calendars,
 * and a ticket history built one event at a time.
 */
import type { TicketPriority, TicketStatus } from '@poscare/contracts';
import { DEFAULT_CALENDARS, type CalendarSet } from '../calendar.js';
import { DEFAULT_POLICY, type MerchantTier, type SlaPolicy } from '../policy.js';
import { evaluateSla, type SlaEvaluation, type SlaEvent } from '../sla.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** `cst('2026-01-09 17:30')`: an instant written in China Standard Time (UTC+8). */
export function cst(wall: string): number {
  const [date, time = '00:00'] = wall.split(' ');
  const t = Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}+08:00`);
  if (Number.isNaN(t)) throw new Error(`bad wall time ${wall}`);
  return t;
}

/** The instant as China wall-clock time, `2026-01-12 12:30` (seconds only when not zero). */
export function wall(t: number | null | undefined): string {
  if (t === null || t === undefined) return String(t);
  const iso = new Date(t + 8 * HOUR).toISOString();
  const s = `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(17, 23) === '00.000' ? s : `${s}:${iso.slice(17, 23)}`;
}

export interface TicketOptions {
  priority?: TicketPriority;
  tier?: MerchantTier;
  assignee?: string | null;
  status?: TicketStatus;
}

/** A ticket history: `ticket('2026-01-09 17:30', { priority: 'p3' }).status('2026-01-12 10:00', 'waiting_merchant')`. */
export class TicketHistory {
  readonly events: SlaEvent[] = [];
  constructor(
    opened: string | number,
    options: TicketOptions = {},
    readonly policy: SlaPolicy = DEFAULT_POLICY,
    readonly calendars: CalendarSet = DEFAULT_CALENDARS,
  ) {
    this.events.push({ at: at(opened), type: 'opened', priority: options.priority ?? 'p3', tier: options.tier ?? 'standard', assignee: options.assignee === undefined ? 'alice' : options.assignee, ...(options.status ? { status: options.status } : {}) });
  }
  get openedAt(): number {
    return this.events[0]!.at;
  }
  reply(when: string | number): this {
    const first = !this.events.some((e) => e.type === 'first_response');
    this.events.push({ at: at(when), type: first ? 'first_response' : 'agent_update' });
    return this;
  }
  status(when: string | number, status: TicketStatus): this {
    this.events.push({ at: at(when), type: 'status', status });
    return this;
  }
  waitForMerchant(from: string | number, to: string | number, back: TicketStatus = 'in_progress'): this {
    return this.status(from, 'waiting_merchant').status(to, back);
  }
  priority(when: string | number, priority: TicketPriority): this {
    this.events.push({ at: at(when), type: 'priority', priority });
    return this;
  }
  tier(when: string | number, tier: MerchantTier): this {
    this.events.push({ at: at(when), type: 'tier', tier });
    return this;
  }
  reassign(when: string | number, assignee: string | null): this {
    this.events.push({ at: at(when), type: 'reassigned', assignee });
    return this;
  }
  evaluate(now: string | number, fired: Iterable<string> = []): SlaEvaluation {
    return evaluateSla(this.policy, this.calendars, this.events, at(now), fired);
  }
}

export function ticket(opened: string | number, options: TicketOptions = {}, policy?: SlaPolicy, calendars?: CalendarSet): TicketHistory {
  return new TicketHistory(opened, options, policy, calendars);
}

function at(t: string | number): number {
  return typeof t === 'number' ? t : cst(t);
}

/**
 * Runs evaluate at each instant of `times`, acting on due steps the way the server does (store the id;
 * apply reassign and raise_priority as new events at the instant it acts), and returns what fired.
 */
export function drive(history: TicketHistory, times: readonly number[], options: { applyActions?: boolean } = {}) {
  const fired: Array<{ id: string; dueAt: number; firedAt: number; assignee: string | null; recipients: string[] }> = [];
  const ids = new Set<string>();
  for (const now of times) {
    const ev = evaluateSla(history.policy, history.calendars, history.events, now, ids);
    for (const s of ev.dueEscalations) {
      ids.add(s.id);
      fired.push({ id: s.id, dueAt: s.dueAt, firedAt: now, assignee: s.assignee, recipients: recipientsOf(s.actions) });
      if (!options.applyActions) continue;
      for (const a of s.actions) {
        if (a.kind === 'raise_priority' && a.to) history.priority(now, a.to);
        if (a.kind === 'reassign') history.reassign(now, a.to === 'team_lead' ? `lead-of-${a.from ?? 'queue'}` : null);
      }
    }
  }
  return fired;
}

export function recipientsOf(actions: SlaEvaluation['dueEscalations'][number]['actions']): string[] {
  const out: string[] = [];
  for (const a of actions) {
    if (a.kind !== 'notify') continue;
    for (const r of a.recipients) {
      if (r.kind === 'user') out.push(r.userId);
      else if (r.kind === 'team_lead') out.push(`lead-of-${r.of ?? 'queue'}`);
      else if (r.kind === 'role') out.push(`role:${r.role}`);
      else out.push('queue');
    }
  }
  return out;
}
