/**
 * Property-style tests: random ticket histories (seeded, so a failure is reproducible from its seed),
 * evaluated at random instants, checked against rules that must hold for every history.
 */
import { describe, expect, it } from 'vitest';
import { MERCHANT_TIERS, TICKET_PRIORITIES, type TicketStatus } from '@poscare/contracts';
import { DEFAULT_CALENDARS } from './calendar.js';
import { CLOCKS, DEFAULT_POLICY } from './policy.js';
import { evaluateSla, type Escalation, type SlaEvaluation, type SlaEvent } from './sla.js';
import { cst, DAY, HOUR, MIN, wall } from './testing/factories.js';

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const PEOPLE = ['alice', 'bob', 'carol', null] as const;

/** A lifecycle-respecting history of 5–30 events over up to about three weeks. */
function randomHistory(seed: number): SlaEvent[] {
  const rnd = prng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const from = cst('2025-01-01 00:00');
  let at = from + Math.floor((rnd() * (cst('2026-11-15 00:00') - from)) / MIN) * MIN;
  const events: SlaEvent[] = [{ at, type: 'opened', priority: pick(TICKET_PRIORITIES), tier: pick(MERCHANT_TIERS), assignee: pick(PEOPLE) }];
  let status: TicketStatus = 'new';
  const n = 5 + Math.floor(rnd() * 25);
  for (let i = 0; i < n && status !== 'closed'; i++) {
    // Sometimes two events share an instant; otherwise minutes to a couple of days apart.
    const r = rnd();
    at += r < 0.08 ? 0 : Math.floor((r < 0.6 ? rnd() * 6 * HOUR : rnd() * 2 * DAY) / MIN) * MIN;
    const k = rnd();
    if (status === 'resolved') {
      if (k < 0.6) {
        status = 'in_progress';
        events.push({ at, type: 'status', status });
      } else {
        status = 'closed';
        events.push({ at, type: 'status', status });
      }
    } else if (status === 'waiting_merchant') {
      status = pick(['triaged', 'in_progress', 'verifying'] as const);
      events.push({ at, type: 'status', status });
    } else if (k < 0.3) events.push({ at, type: rnd() < 0.5 ? 'first_response' : 'agent_update' });
    else if (k < 0.48) events.push({ at, type: 'reassigned', assignee: pick(PEOPLE) });
    else if (k < 0.63) {
      status = 'waiting_merchant';
      events.push({ at, type: 'status', status });
    } else if (k < 0.73) events.push({ at, type: 'priority', priority: pick(TICKET_PRIORITIES) });
    else if (k < 0.77) events.push({ at, type: 'tier', tier: pick(MERCHANT_TIERS) });
    else if (k < 0.87) {
      status = 'resolved';
      events.push({ at, type: 'status', status });
    } else {
      status = pick(['triaged', 'locating', 'planned', 'in_progress'] as const);
      events.push({ at, type: 'status', status });
    }
  }
  return events;
}

/** Increasing instants from opening to a week after the last event: random ones, every event instant, and some minutes around them. */
function randomTimes(seed: number, events: SlaEvent[]): number[] {
  const rnd = prng(seed ^ 0x5bd1e995);
  const start = events[0]!.at;
  const end = events[events.length - 1]!.at + 7 * DAY;
  const times = new Set<number>();
  for (const e of events) {
    times.add(e.at);
    if (rnd() < 0.5) times.add(e.at + MIN);
  }
  for (let i = 0; i < 40; i++) times.add(start + Math.floor((rnd() * (end - start)) / MIN) * MIN);
  times.add(end);
  return [...times].sort((a, b) => a - b);
}

const view = (s: Escalation) => ({ id: s.id, dueAt: s.dueAt, assignee: s.assignee, priority: s.priority, tier: s.tier, actions: s.actions });
const eventsIn = (events: SlaEvent[], a: number, b: number) => events.filter((e) => e.at > a && e.at <= b);

const SEEDS = Array.from({ length: 80 }, (_, i) => 1000 + i * 7919);

describe('properties over random histories', () => {
  it('every step fires exactly once, never before it is due, and the same steps fire whatever the cadence', () => {
    for (const seed of SEEDS) {
      const events = randomHistory(seed);
      const times = randomTimes(seed, events);
      const fired = new Map<string, ReturnType<typeof view>>();
      for (const now of times) {
        const ev = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, events, now, fired.keys());
        for (const s of ev.dueEscalations) {
          expect(fired.has(s.id), `seed ${seed}: ${s.id} fired twice`).toBe(false);
          expect(s.dueAt, `seed ${seed}: ${s.id} due in the future`).toBeLessThanOrEqual(now);
          expect(s.dueAt, `seed ${seed}: ${s.id} due before opening`).toBeGreaterThanOrEqual(events[0]!.at);
          fired.set(s.id, view(s));
        }
      }
      // One evaluation at the end, knowing nothing of what fired, finds exactly the same steps.
      const once = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, events, times[times.length - 1]!);
      expect([...fired.values()].sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id)), `seed ${seed}`).toEqual(
        once.escalations.map(view).sort((a, b) => a.dueAt - b.dueAt || a.id.localeCompare(b.id)),
      );
    }
  });

  it('what came due earlier is still reported identically later: the step history only grows', () => {
    for (const seed of SEEDS) {
      const events = randomHistory(seed);
      let before: SlaEvaluation | null = null;
      for (const now of randomTimes(seed, events)) {
        const ev = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, events, now);
        if (before) {
          const later = new Map(ev.escalations.map((s) => [s.id, view(s)]));
          for (const s of before.escalations) expect(later.get(s.id), `seed ${seed} ${s.id} at ${wall(now)}`).toEqual(view(s));
        }
        before = ev;
      }
    }
  });

  it('clocks are consistent and monotonic: elapsed never shrinks without a policy change, stopped clocks stay stopped, due and breach agree', () => {
    for (const seed of SEEDS) {
      const events = randomHistory(seed);
      let prev: SlaEvaluation | null = null;
      for (const now of randomTimes(seed, events)) {
        const ev = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, events, now);
        for (const name of CLOCKS) {
          const c = ev.clocks[name];
          const where = `seed ${seed} ${name} at ${wall(now)}`;
          expect(c.remainingMinutes, where).toBeCloseTo(c.targetMinutes - c.elapsedMinutes, 6);
          if (c.state === 'running') {
            expect(c.due, where).not.toBeNull();
            expect(c.outcome === 'breached', where).toBe(c.due! <= now);
          }
          if (c.state === 'paused') expect(c.due === null, where).toBe(c.outcome === null);
          if (c.outcome === 'breached') expect(c.breachedAt, where).not.toBeNull();
          if (c.outcome === 'met') expect(c.metAt, where).toBe(c.stoppedAt);
          if (!prev) continue;
          const p = prev.clocks[name];
          if (p.cycle !== c.cycle) {
            expect(c.cycle, where).toBeGreaterThan(p.cycle);
            continue;
          }
          if (p.state === 'stopped') {
            expect(c, where).toEqual(p);
            continue;
          }
          const policyChanged = eventsIn(events, prev.now, now).some((e) => e.type === 'priority' || e.type === 'tier');
          if (!policyChanged) expect(c.elapsedMinutes, where).toBeGreaterThanOrEqual(p.elapsedMinutes);
        }
        prev = ev;
      }
    }
  });

  it('nextWakeUp is exact: nothing comes due before it, and something comes due at it', () => {
    for (const seed of SEEDS) {
      const events = randomHistory(seed);
      for (const now of randomTimes(seed, events)) {
        const ev = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, events, now);
        const wake = ev.nextWakeUp;
        if (wake === null) continue;
        expect(wake, `seed ${seed}`).toBeGreaterThan(now);
        // Only meaningful when no event lands before the wake-up.
        if (eventsIn(events, now, wake).length) continue;
        const justBefore = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, events, wake - 1);
        expect(justBefore.escalations.map((s) => s.id), `seed ${seed}`).toEqual(ev.escalations.map((s) => s.id));
        const at = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, events, wake);
        const newStep = at.escalations.some((s) => s.dueAt === wake);
        const deadline = CLOCKS.some((n) => at.clocks[n].state === 'running' && at.clocks[n].due === wake);
        expect(newStep || deadline, `seed ${seed} wake ${wall(wake)}`).toBe(true);
      }
    }
  });

  it('a ticket resolved the instant it opens never escalates and never wakes the scheduler', () => {
    for (const seed of SEEDS.slice(0, 20)) {
      const rnd = prng(seed);
      const opened = cst('2026-03-02 09:00') + Math.floor(rnd() * 300) * DAY;
      const events: SlaEvent[] = [
        { at: opened, type: 'opened', priority: TICKET_PRIORITIES[seed % 4]!, tier: MERCHANT_TIERS[seed % 3]!, assignee: 'alice' },
        { at: opened, type: 'status', status: 'resolved' },
      ];
      const ev = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, events, opened + 60 * DAY);
      expect(ev.escalations, `seed ${seed}`).toEqual([]);
      expect(ev.nextWakeUp).toBeNull();
    }
  });
});
