/**
 * Escalation steps: when each comes due, whom it addresses, and that it fires once. The caller's side
 * is modelled by `drive`: evaluate at given instants, store the ids it acted on, and (when asked) apply
 * reassign and raise_priority as new events, as the server's worker does.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDARS } from './calendar.js';
import { DEFAULT_POLICY } from './policy.js';
import { evaluateSla } from './sla.js';
import { cst, drive, HOUR, MIN, recipientsOf, ticket, wall, type TicketHistory } from './testing/factories.js';

const summary = (steps: Array<{ id: string; dueAt: number; assignee: string | null }>) => steps.map((s) => `${s.id} ${wall(s.dueAt)} ${s.assignee}`);
const every = (from: string, to: string, step: number) => {
  const out: number[] = [];
  for (let t = cst(from); t <= cst(to); t += step) out.push(t);
  return out;
};

describe('who an escalation addresses', () => {
  it('the 75% warning fires once, to the assignee at that moment', () => {
    const t = ticket('2026-03-02 09:00', { assignee: 'alice' });
    expect(t.evaluate('2026-03-02 11:59').dueEscalations).toEqual([]);
    const due = t.evaluate('2026-03-02 12:00').dueEscalations;
    expect(summary(due)).toEqual(['firstResponse@0.75 2026-03-02 12:00 alice']);
    expect(due[0]!.actions).toEqual([{ kind: 'notify', recipients: [{ kind: 'user', userId: 'alice' }] }]);
    t.reassign('2026-03-02 12:30', 'bob');
    const later = t.evaluate('2026-03-02 12:40', ['firstResponse@0.75']);
    expect(later.dueEscalations).toEqual([]);
    expect(summary(later.escalations)).toEqual(['firstResponse@0.75 2026-03-02 12:00 alice']);
  });

  it('an escalation that came due after a reassignment notifies the new assignee', () => {
    const t = ticket('2026-03-02 09:00', { assignee: 'alice' }).reassign('2026-03-02 11:00', 'bob');
    expect(recipientsOf(t.evaluate('2026-03-02 12:00').dueEscalations[0]!.actions)).toEqual(['bob']);
  });

  it('a reassignment at the very instant a step comes due notifies the new assignee', () => {
    const t = ticket('2026-03-02 09:00', { assignee: 'alice' }).reassign('2026-03-02 12:00', 'bob');
    expect(summary(t.evaluate('2026-03-02 12:00').dueEscalations)).toEqual(['firstResponse@0.75 2026-03-02 12:00 bob']);
  });

  it('a reassignment after a step came due does not change whom it addresses, even when the scheduler runs late', () => {
    const t = ticket('2026-03-02 09:00', { assignee: 'alice' }).reassign('2026-03-02 12:30', 'bob');
    const ev = t.evaluate('2026-03-02 14:00');
    expect(summary(ev.dueEscalations)).toEqual(['firstResponse@0.75 2026-03-02 12:00 alice', 'firstResponse@1.0 2026-03-02 13:00 bob']);
    expect(ev.dueEscalations[0]!.lateMs).toBe(2 * HOUR);
    expect(recipientsOf(ev.dueEscalations[1]!.actions)).toEqual(['bob', 'lead-of-bob']);
  });

  it('an unassigned ticket’s warning goes to the queue instead of nobody', () => {
    const ev = ticket('2026-03-02 09:00', { assignee: null }).evaluate('2026-03-02 13:00');
    expect(ev.dueEscalations[0]!.actions).toEqual([{ kind: 'notify', recipients: [{ kind: 'queue' }] }]);
    expect(ev.dueEscalations[1]!.actions).toEqual([{ kind: 'notify', recipients: [{ kind: 'queue' }, { kind: 'team_lead', of: null }] }]);
  });

  it('an unanswered p1 is reassigned to the team lead and the admins are told at 15 minutes, around the clock', () => {
    const ev = ticket('2026-03-07 03:00', { priority: 'p1', assignee: 'alice' }).evaluate('2026-03-07 03:15');
    expect(summary(ev.dueEscalations)).toEqual(['firstResponse@0.5 2026-03-07 03:07:30.000 alice', 'firstResponse@1.0 2026-03-07 03:15 alice']);
    expect(ev.dueEscalations[1]!.actions).toEqual([
      { kind: 'reassign', from: 'alice', to: 'team_lead' },
      { kind: 'notify', recipients: [{ kind: 'role', role: 'admin' }] },
    ]);
  });
});

describe('when an escalation comes due', () => {
  it('raising the priority moves the due time earlier and fires a now-overdue step at once', () => {
    // p4: first response 540 minutes, warning at 405. Raised to p2 (60 minutes) 50 minutes in.
    const t = ticket('2026-03-02 09:00', { priority: 'p4' });
    expect(wall(t.evaluate('2026-03-02 09:49').nextWakeUp)).toBe('2026-03-02 15:45');
    t.priority('2026-03-02 09:50', 'p2');
    const ev = t.evaluate('2026-03-02 09:50');
    expect(summary(ev.dueEscalations)).toEqual(['firstResponse@0.75 2026-03-02 09:50 alice']);
    expect(ev.dueEscalations[0]!.priority).toBe('p2');
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-03-02 10:00');
    expect(wall(ev.nextWakeUp)).toBe('2026-03-02 10:00');
  });

  it('a level that fired under the old priority does not fire again when the new priority brings it due again', () => {
    const t = ticket('2026-03-02 09:00', { priority: 'p3' });
    expect(t.evaluate('2026-03-02 12:00').dueEscalations.map((s) => s.id)).toEqual(['firstResponse@0.75']);
    t.priority('2026-03-02 12:10', 'p2');
    const ev = t.evaluate('2026-03-02 12:10', ['firstResponse@0.75']);
    expect(summary(ev.dueEscalations)).toEqual(['firstResponse@1.0 2026-03-02 12:10 alice', 'firstResponse@1.5 2026-03-02 12:10 alice']);
  });

  it('no escalation fires while the ticket waits for the merchant; a step the pause held back fires the moment work resumes', () => {
    // Raised to p2 during the pause: 60 minutes already ran, so p2's 45- and 60-minute steps are past.
    const t = ticket('2026-03-02 09:00').status('2026-03-02 10:00', 'waiting_merchant').priority('2026-03-02 11:00', 'p2');
    const paused = t.evaluate('2026-03-02 14:00');
    expect(paused.dueEscalations).toEqual([]);
    expect(paused.nextWakeUp).toBeNull();
    t.status('2026-03-02 15:00', 'in_progress');
    expect(summary(t.evaluate('2026-03-02 15:00').dueEscalations)).toEqual([
      'firstResponse@0.75 2026-03-02 15:00 alice',
      'firstResponse@1.0 2026-03-02 15:00 alice',
    ]);
  });

  it('a ticket resolved before the due time never escalates', () => {
    const t = ticket('2026-03-02 09:00').reply('2026-03-02 09:30').status('2026-03-03 10:00', 'resolved');
    const fired = drive(t, every('2026-03-02 09:00', '2026-03-31 09:00', HOUR));
    expect(fired).toEqual([]);
  });

  it('a reopened ticket escalates on its new resolution cycle with ids that carry the cycle', () => {
    const t = ticket('2026-03-02 09:00').reply('2026-03-02 09:30').status('2026-03-03 12:00', 'resolved').status('2026-03-04 10:00', 'in_progress').reply('2026-03-04 10:05');
    for (let d = 5; d <= 10; d++) t.reply(`2026-03-${String(d).padStart(2, '0')} 09:05`);
    const ev = t.evaluate('2026-03-11 10:00');
    // Second cycle from Wed 10:00: 75% of 2700 is 2025 business minutes, Monday 9 Mar 16:45.
    expect(summary(ev.escalations)).toEqual(['resolution@0.75#2 2026-03-09 16:45 alice', 'resolution@1.0#2 2026-03-11 10:00 alice']);
  });

  it('each next-update cycle has its own steps: a missed update after each reply escalates separately', () => {
    const t = ticket('2026-03-02 09:00').reply('2026-03-02 10:00').reply('2026-03-05 09:00');
    const ids = t.evaluate('2026-03-09 10:00').escalations.filter((s) => s.clock === 'nextUpdate').map((s) => `${s.id} ${wall(s.dueAt)}`);
    expect(ids).toEqual(['nextUpdate@1.0 2026-03-04 10:00', 'nextUpdate@1.0#2 2026-03-06 18:00']);
  });
});

/**
 * One history with a reassignment before a step, one after, a reply, a pause and a resume:
 *  - alice opens Mon 2 Mar 09:00 (p3 standard); bob takes it at 11:00; first reply Tue 10:00;
 *  - carol takes it Wed 12:00; waiting for the merchant Thu 14:00 → Fri 10:00.
 */
function reference(): TicketHistory {
  return ticket('2026-03-02 09:00', { assignee: 'alice' })
    .reassign('2026-03-02 11:00', 'bob')
    .reply('2026-03-03 10:00')
    .reassign('2026-03-04 12:00', 'carol')
    .waitForMerchant('2026-03-05 14:00', '2026-03-06 10:00');
}
const EXPECTED = [
  'firstResponse@0.75 2026-03-02 12:00 bob',
  'firstResponse@1.0 2026-03-02 13:00 bob',
  'firstResponse@1.5 2026-03-02 15:00 bob',
  'nextUpdate@1.0 2026-03-05 10:00 carol',
  'resolution@0.75 2026-03-06 11:45 carol',
  'resolution@1.0 2026-03-09 14:00 carol',
  'resolution@1.5 2026-03-12 09:30 carol',
];

describe('exactly once, whatever the cadence', () => {
  it('every escalation step fires exactly once even when evaluate runs every minute or once a day', () => {
    const everyMinute = drive(reference(), every('2026-03-02 09:00', '2026-03-13 09:00', MIN));
    const onceADay = drive(reference(), every('2026-03-02 20:00', '2026-03-20 20:00', 24 * HOUR));
    expect(summary(everyMinute)).toEqual(EXPECTED);
    expect(summary(onceADay)).toEqual(EXPECTED);
    // Same addressees and actions, not only the same ids.
    expect(onceADay.map((s) => s.recipients)).toEqual(everyMinute.map((s) => s.recipients));
    for (const s of everyMinute) expect(s.firedAt - s.dueAt).toBeLessThan(MIN);
  });

  it('a scheduler that sleeps until nextWakeUp (and wakes on each event) fires every step at the instant it comes due', () => {
    const t = reference();
    const eventTimes = t.events.map((e) => e.at);
    const fired: Array<{ id: string; dueAt: number; firedAt: number }> = [];
    const ids = new Set<string>();
    let now = t.openedAt;
    for (let guard = 0; guard < 100; guard++) {
      const ev = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, t.events, now, ids);
      for (const s of ev.dueEscalations) {
        ids.add(s.id);
        fired.push({ id: s.id, dueAt: s.dueAt, firedAt: now });
      }
      const nextEvent = eventTimes.filter((x) => x > now).sort((a, b) => a - b)[0];
      const next = Math.min(ev.nextWakeUp ?? Infinity, nextEvent ?? Infinity);
      if (next === Infinity || next > cst('2026-03-20 00:00')) break;
      now = next;
    }
    expect(fired.map((f) => f.id)).toEqual(EXPECTED.map((e) => e.split(' ')[0]));
    for (const f of fired) expect(f.firedAt, f.id).toBe(f.dueAt);
  });

  it('raise_priority at 150% of resolution raises one level and does not cascade', () => {
    // Replies every working morning; nobody resolves the ticket.
    const t = ticket('2026-03-02 09:00', { priority: 'p3' });
    for (const d of ['02', '03', '04', '05', '06', '09', '10', '11', '12', '13', '16', '17', '18', '19', '20']) t.reply(`2026-03-${d} 09:05`);
    const fired = drive(t, every('2026-03-02 09:00', '2026-03-20 18:00', 10 * MIN), { applyActions: true }).filter((f) => f.id.startsWith('resolution'));
    // p2's own resolution@1.5 (also raise_priority) is the same level: it does not fire again, so no second raise.
    expect(fired.map((f) => f.id)).toEqual(['resolution@0.75', 'resolution@1.0', 'resolution@1.5']);
    expect(wall(fired[2]!.dueAt)).toBe('2026-03-11 13:30');
    const raises = t.events.filter((e) => e.type === 'priority');
    expect(raises).toEqual([{ at: cst('2026-03-11 13:30'), type: 'priority', priority: 'p2' }]);
    expect(t.evaluate('2026-03-20 18:00').priority).toBe('p2');
  });

  it('the first-response reassignment to the queue happens once and comes back as one unassigning event', () => {
    const t = ticket('2026-03-02 09:00', { assignee: 'alice' });
    const fired = drive(t, every('2026-03-02 09:00', '2026-03-02 18:00', 5 * MIN), { applyActions: true });
    expect(summary(fired)).toEqual(['firstResponse@0.75 2026-03-02 12:00 alice', 'firstResponse@1.0 2026-03-02 13:00 alice', 'firstResponse@1.5 2026-03-02 15:00 alice']);
    expect(t.events.filter((e) => e.type === 'reassigned')).toEqual([{ at: cst('2026-03-02 15:00'), type: 'reassigned', assignee: null }]);
  });
});
