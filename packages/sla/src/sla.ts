/**
 * The SLA of one ticket, event sourced: replay the ticket's events up to `now` and say where each
 * clock stands and which escalation steps have come due.
 *
 * Rules (docs/sla.md explains them with examples):
 *  - firstResponse runs from `opened` to the first public reply (or to resolved/closed, which tell the
 *    merchant too). nextUpdate starts at the first reply and restarts at each later one. resolution runs
 *    from `opened` to resolved/closed; a reopen starts a new resolution cycle (and a new nextUpdate
 *    cycle) at the reopen instant.
 *  - In a pause status (waiting_merchant) every clock stops; leaving it resumes them, so the time spent
 *    waiting is added to the due instant.
 *  - A priority or tier change re-measures every running clock from its start (the open time for
 *    firstResponse and resolution) with the new targets and calendar. Stopped cycles keep the outcome
 *    they had when they stopped.
 *  - An escalation step is identified by clock, level and cycle (`resolution@1.0`, `nextUpdate@1.0#3`)
 *    and fires at most once per cycle, whichever priority brought it due. It comes due at the first
 *    instant the running clock reaches its fraction of the target; when a change (a raised priority,
 *    a resume) finds it already past, at the instant of that change. It is addressed as of that instant:
 *    a reassignment at or before it changes the target, one after does not, however late the caller runs.
 *    Because the due instant and the addressee depend only on the events, every step comes out the same
 *    whether evaluate runs every minute or once a day.
 */
import { z } from 'zod';
import { MerchantTier as MerchantTierSchema, TicketPriority, TicketStatus } from '@poscare/contracts';
import { addBusinessMs, businessMsBetween } from './businessTime.js';
import { MINUTE_MS, missingHolidayYears, type Calendar, type CalendarSet } from './calendar.js';
import { elapsedMs, isRunning, measure, pause, resume, startCycle, stop, type ClockState, type Cycle, type Outcome, type StopReason } from './clock.js';
import { CLOCKS, raisedPriority, ruleFor, stepKey, type ClockName, type EscalationLevel, type MerchantTier, type PolicyRule, type SlaPolicy } from './policy.js';

const At = z.number().int().describe('epoch milliseconds');
const Assignee = z.string().min(1).nullable();

/** What happened to a ticket, as the SLA sees it. The server maps its ticket events to these. */
export const SlaEvent = z.discriminatedUnion('type', [
  z.object({ at: At, type: z.literal('opened'), priority: TicketPriority, tier: MerchantTierSchema, assignee: Assignee.optional(), status: TicketStatus.optional() }),
  /** The first public reply to the merchant. */
  z.object({ at: At, type: z.literal('first_response') }),
  /** A later public update to the merchant (a first one counts as the first response). */
  z.object({ at: At, type: z.literal('agent_update') }),
  z.object({ at: At, type: z.literal('status'), status: TicketStatus }),
  z.object({ at: At, type: z.literal('priority'), priority: TicketPriority }),
  z.object({ at: At, type: z.literal('reassigned'), assignee: Assignee }),
  z.object({ at: At, type: z.literal('tier'), tier: MerchantTierSchema }),
]);
export type SlaEvent = z.infer<typeof SlaEvent>;

export type Recipient =
  | { kind: 'user'; userId: string }
  /** The team lead of `of` (the assignee then); null when the ticket had no assignee: the queue's lead. */
  | { kind: 'team_lead'; of: string | null }
  | { kind: 'role'; role: string }
  /** Nobody was assigned: the dispatchers of the ticket's queue, so the step is never silently dropped. */
  | { kind: 'queue' };

export type ResolvedAction =
  | { kind: 'notify'; recipients: Recipient[] }
  | { kind: 'reassign'; from: string | null; to: 'team_lead' | 'queue' }
  /** `to` is null when the ticket is already p1: nothing to do. */
  | { kind: 'raise_priority'; from: TicketPriority; to: TicketPriority | null };

export interface Escalation {
  /** Stable: store it when the step fires and pass it back in `fired`. */
  id: string;
  clock: ClockName;
  cycle: number;
  /** The level's fraction of the target. */
  at: number;
  /** The instant the step came due. */
  dueAt: number;
  /** How late the caller is: now - dueAt. */
  lateMs: number;
  priority: TicketPriority;
  tier: MerchantTier;
  /** The assignee at dueAt. */
  assignee: string | null;
  actions: ResolvedAction[];
  /** True when the id was in `fired`. */
  fired: boolean;
}

export interface CycleReport {
  cycle: number;
  startedAt: number;
  stoppedAt: number | null;
  stopReason: StopReason | null;
  calendar: string;
  targetMinutes: number;
  elapsedMinutes: number;
  /** May be negative: business minutes overdue. */
  remainingMinutes: number;
  /** The instant the target runs out: for a running cycle the deadline, for a stopped one the deadline it had; null while paused short of it. */
  due: number | null;
  outcome: Outcome | null;
  metAt: number | null;
  breachedAt: number | null;
}

/** The current cycle of a clock (cycle 0 and startedAt null while pending: nextUpdate before the first reply). */
export interface ClockReport extends Omit<CycleReport, 'startedAt'> {
  clock: ClockName;
  startedAt: number | null;
  state: ClockState;
  paused: boolean;
  /** Earlier cycles (nextUpdate between replies, resolution before a reopen), oldest first. */
  history: CycleReport[];
}

export interface SlaEvaluation {
  now: number;
  openedAt: number;
  status: TicketStatus;
  priority: TicketPriority;
  tier: MerchantTier;
  assignee: string | null;
  clocks: Record<ClockName, ClockReport>;
  /** Every step that has come due up to now, fired or not, by dueAt. */
  escalations: Escalation[];
  /** The steps due now and not yet fired: what the caller acts on, by dueAt. */
  dueEscalations: Escalation[];
  /** The next instant after now at which a step or a deadline comes due with no further events; null when nothing is running. */
  nextWakeUp: number | null;
  /** Years a calendar in use has no holiday list for (an admin must load them). */
  calendarGaps: Array<{ calendar: string; year: number }>;
}

const FINISHED: ReadonlySet<TicketStatus> = new Set<TicketStatus>(['resolved', 'closed']);

interface Track {
  current: Cycle | null;
  history: Array<{ cycle: Cycle; report: CycleReport }>;
  /** The report frozen when the current cycle stopped. */
  frozen: CycleReport | null;
}

interface Config {
  priority: TicketPriority;
  tier: MerchantTier;
  status: TicketStatus;
  assignee: string | null;
}

function orderEvents(events: readonly SlaEvent[], now: number): SlaEvent[] {
  const list = events.map((e, i) => ({ e, i })).filter(({ e }) => e.at <= now);
  list.sort((a, b) => a.e.at - b.e.at || Number(b.e.type === 'opened') - Number(a.e.type === 'opened') || a.i - b.i);
  return list.map(({ e }) => e);
}

function calendarOf(calendars: CalendarSet, rule: PolicyRule): Calendar {
  const c = calendars[rule.calendar];
  if (!c) throw new Error(`calendar ${rule.calendar} (used by ${rule.priority}/${rule.tier}) is not defined`);
  return c;
}

export function escalationId(clock: ClockName, at: number, cycle: number): string {
  return stepKey(clock, at) + (cycle > 1 ? `#${cycle}` : '');
}

function resolveActions(level: EscalationLevel, cfg: Config): ResolvedAction[] {
  return level.actions.map((a): ResolvedAction => {
    if (a.kind === 'reassign') return { kind: 'reassign', from: cfg.assignee, to: a.to };
    if (a.kind === 'raise_priority') return { kind: 'raise_priority', from: cfg.priority, to: raisedPriority(cfg.priority) };
    const recipients: Recipient[] = [];
    for (const who of a.to) {
      if (who === 'assignee') recipients.push(cfg.assignee ? { kind: 'user', userId: cfg.assignee } : { kind: 'queue' });
      else recipients.push({ kind: 'team_lead', of: cfg.assignee });
    }
    for (const role of a.roles) recipients.push({ kind: 'role', role });
    return { kind: 'notify', recipients };
  });
}

function report(c: Cycle, calendarId: string, calendar: Calendar, targetMinutes: number, at: number): CycleReport {
  const targetMs = targetMinutes * MINUTE_MS;
  const m = measure(c, calendar, targetMs, at);
  return {
    cycle: c.cycle,
    startedAt: c.startedAt,
    stoppedAt: c.stoppedAt,
    stopReason: c.stopReason,
    calendar: calendarId,
    targetMinutes,
    elapsedMinutes: m.elapsedMs / MINUTE_MS,
    remainingMinutes: (targetMs - m.elapsedMs) / MINUTE_MS,
    due: m.due,
    outcome: m.outcome,
    metAt: m.metAt,
    breachedAt: m.breachedAt,
  };
}

/** The replay of one history: the state after each instant's events, and the steps found between instants. */
class Replay {
  readonly cfg: Config;
  readonly pauses: ReadonlySet<TicketStatus>;
  readonly tracks: Record<ClockName, Track> = {
    firstResponse: { current: null, history: [], frozen: null },
    nextUpdate: { current: null, history: [], frozen: null },
    resolution: { current: null, history: [], frozen: null },
  };
  readonly steps = new Map<string, Omit<Escalation, 'lateMs' | 'fired'>>();
  wakeUp: number | null = null;

  constructor(
    readonly policy: SlaPolicy,
    readonly calendars: CalendarSet,
    opened: Extract<SlaEvent, { type: 'opened' }>,
  ) {
    this.cfg = { priority: opened.priority, tier: opened.tier, status: opened.status ?? 'new', assignee: opened.assignee ?? null };
    this.pauses = new Set(policy.pauseOn);
  }

  rule(): PolicyRule {
    return ruleFor(this.policy, this.cfg.priority, this.cfg.tier);
  }

  runningNow(): boolean {
    return !this.pauses.has(this.cfg.status) && !FINISHED.has(this.cfg.status);
  }

  stopClock(name: ClockName, at: number, reason: StopReason): void {
    const t = this.tracks[name];
    if (!t.current || t.current.stoppedAt !== null) return;
    stop(t.current, at, reason);
    // The outcome is judged by the policy in force when the clock stops, and kept.
    const r = this.rule();
    t.frozen = report(t.current, r.calendar, calendarOf(this.calendars, r), r[name], at);
  }

  startClock(name: ClockName, at: number): void {
    const t = this.tracks[name];
    if (t.current) {
      this.stopClock(name, at, name === 'nextUpdate' ? 'agent_update' : 'resolved');
      t.history.push({ cycle: t.current, report: t.frozen! });
    }
    t.current = startCycle(t.current, at, this.runningNow());
    t.frozen = null;
  }

  apply(e: SlaEvent): void {
    const cfg = this.cfg;
    switch (e.type) {
      case 'opened':
        this.startClock('firstResponse', e.at);
        this.startClock('resolution', e.at);
        break;
      case 'first_response':
      case 'agent_update':
        if (FINISHED.has(cfg.status)) break;
        this.stopClock('firstResponse', e.at, 'first_response');
        this.startClock('nextUpdate', e.at);
        break;
      case 'status': {
        const was = cfg.status;
        cfg.status = e.status;
        if (!FINISHED.has(was) && FINISHED.has(e.status)) {
          for (const name of CLOCKS) this.stopClock(name, e.at, e.status === 'resolved' ? 'resolved' : 'closed');
        } else if (FINISHED.has(was) && !FINISHED.has(e.status)) {
          this.startClock('resolution', e.at);
          this.startClock('nextUpdate', e.at);
        }
        const running = this.runningNow();
        for (const name of CLOCKS) {
          const c = this.tracks[name].current;
          if (!c || c.stoppedAt !== null) continue;
          if (running) resume(c, e.at);
          else pause(c, e.at);
        }
        break;
      }
      case 'priority':
        cfg.priority = e.priority;
        break;
      case 'tier':
        cfg.tier = e.tier;
        break;
      case 'reassigned':
        cfg.assignee = e.assignee;
        break;
    }
  }

  /**
   * Steps that come due in [from, to) with no event in between — or in [from, to] for the last piece,
   * which also finds the next wake-up. A step already past at `from` (a change made it so) is due at `from`.
   */
  scan(from: number, to: number, last: boolean): void {
    const r = this.rule();
    const cal = calendarOf(this.calendars, r);
    const ladder = this.policy.ladders[r.ladder] ?? [];
    // Business time in the piece: a budget beyond it cannot run out inside, so no need to place it.
    const piece = last ? Infinity : businessMsBetween(cal, from, to);
    for (const name of CLOCKS) {
      const c = this.tracks[name].current;
      if (!c || !isRunning(c)) continue;
      const targetMs = r[name] * MINUTE_MS;
      const elapsed = elapsedMs(c, cal, from);
      if (last) {
        const deadline = elapsed >= targetMs ? from : addBusinessMs(cal, from, targetMs - elapsed);
        if (deadline > to && (this.wakeUp === null || deadline < this.wakeUp)) this.wakeUp = deadline;
      }
      for (const level of ladder) {
        if (level.target !== name) continue;
        const budget = Math.round(level.at * targetMs);
        if (budget - elapsed > piece) continue;
        const id = escalationId(name, level.at, c.cycle);
        if (this.steps.has(id)) continue;
        const dueAt = elapsed >= budget ? from : addBusinessMs(cal, from, budget - elapsed);
        if (dueAt < to || (last && dueAt === to)) {
          const cfg = this.cfg;
          this.steps.set(id, { id, clock: name, cycle: c.cycle, at: level.at, dueAt, priority: cfg.priority, tier: cfg.tier, assignee: cfg.assignee, actions: resolveActions(level, cfg) });
        } else if (last && (this.wakeUp === null || dueAt < this.wakeUp)) {
          this.wakeUp = dueAt;
        }
      }
    }
  }

  clocks(now: number): Record<ClockName, ClockReport> {
    const r = this.rule();
    const cal = calendarOf(this.calendars, r);
    const out = {} as Record<ClockName, ClockReport>;
    for (const name of CLOCKS) {
      const t = this.tracks[name];
      const c = t.current;
      const history = t.history.map((h) => h.report);
      if (!c) {
        out[name] = {
          clock: name, state: 'pending', paused: false, cycle: 0, startedAt: null, stoppedAt: null, stopReason: null,
          calendar: r.calendar, targetMinutes: r[name], elapsedMinutes: 0, remainingMinutes: r[name],
          due: null, outcome: null, metAt: null, breachedAt: null, history,
        };
        continue;
      }
      const state: ClockState = c.stoppedAt !== null ? 'stopped' : isRunning(c) ? 'running' : 'paused';
      const current = c.stoppedAt !== null && t.frozen ? t.frozen : report(c, r.calendar, cal, r[name], now);
      out[name] = { clock: name, state, paused: state === 'paused', ...current, history };
    }
    return out;
  }
}

/**
 * Where the ticket's SLA stands at `now`, from its events (those after `now` are ignored, so the same
 * history answers for any past instant). `fired` holds the ids of steps the caller has already acted on.
 */
export function evaluateSla(
  policy: SlaPolicy,
  calendars: CalendarSet,
  events: readonly SlaEvent[],
  now: number,
  fired: Iterable<string> = [],
): SlaEvaluation {
  const ordered = orderEvents(events, now);
  const first = ordered[0];
  if (!first || first.type !== 'opened') {
    throw new Error(first ? `the first event must be "opened", not "${first.type}"` : 'the ticket was not open at this instant');
  }
  for (let k = 1; k < ordered.length; k++) if (ordered[k]!.type === 'opened') throw new Error('a ticket is opened once');

  const replay = new Replay(policy, calendars, first);
  let i = 0;
  while (i < ordered.length) {
    const at = ordered[i]!.at;
    while (i < ordered.length && ordered[i]!.at === at) replay.apply(ordered[i++]!);
    replay.scan(at, i < ordered.length ? ordered[i]!.at : now, i >= ordered.length);
  }

  const clocks = replay.clocks(now);
  const firedSet = fired instanceof Set ? (fired as ReadonlySet<string>) : new Set(fired);
  const escalations = [...replay.steps.values()]
    .sort((a, b) => a.dueAt - b.dueAt)
    .map((s) => ({ ...s, lateMs: now - s.dueAt, fired: firedSet.has(s.id) }));

  const r = replay.rule();
  const horizon = Math.max(now, ...CLOCKS.map((n) => clocks[n].due ?? now));
  const calendarGaps = missingHolidayYears(calendarOf(calendars, r), first.at, horizon).map((year) => ({ calendar: r.calendar, year }));

  return {
    now,
    openedAt: first.at,
    status: replay.cfg.status,
    priority: replay.cfg.priority,
    tier: replay.cfg.tier,
    assignee: replay.cfg.assignee,
    clocks,
    escalations,
    dueEscalations: escalations.filter((s) => !s.fired),
    nextWakeUp: replay.wakeUp,
    calendarGaps,
  };
}

/** The next instant after `now` at which something comes due, so a scheduler sleeps exactly until then. */
export function nextWakeUp(policy: SlaPolicy, calendars: CalendarSet, events: readonly SlaEvent[], now: number): number | null {
  return evaluateSla(policy, calendars, events, now).nextWakeUp;
}
