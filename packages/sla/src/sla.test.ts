/**
 * The SLA clocks of one ticket, replayed from its events with an injected clock (`now`). Instants are
 * written in China time; 2 March 2026 is a Monday with no holiday near it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDARS } from './calendar.js';
import { DEFAULT_POLICY } from './policy.js';
import { evaluateSla, nextWakeUp } from './sla.js';
import { cst, ticket, wall } from './testing/factories.js';

describe('first response', () => {
  it('a p3 ticket opened Friday 17:30 has its 4-hour first response due Monday 12:30', () => {
    const ev = ticket('2026-03-06 17:30', { priority: 'p3' }).evaluate('2026-03-09 10:00');
    expect(ev.clocks.firstResponse.targetMinutes).toBe(240);
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-03-09 12:30');
    expect(ev.clocks.firstResponse.elapsedMinutes).toBe(90);
    expect(ev.clocks.firstResponse.remainingMinutes).toBe(150);
    expect(ev.clocks.firstResponse.outcome).toBeNull();
  });

  it('a p3 ticket opened on Saturday starts its clock Monday 09:00', () => {
    const ev = ticket('2026-03-07 11:00', { priority: 'p3' }).evaluate('2026-03-08 23:00');
    expect(ev.clocks.firstResponse.elapsedMinutes).toBe(0);
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-03-09 13:00');
  });

  it('a ticket opened during the Spring Festival holiday starts its clock on the first working day after (Tue 24 Feb 2026)', () => {
    const ev = ticket('2026-02-18 10:00', { priority: 'p3' }).evaluate('2026-02-20 10:00');
    expect(ev.clocks.firstResponse.elapsedMinutes).toBe(0);
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-02-24 13:00');
  });

  it('a ticket opened the Friday evening before the Spring Festival is due on the make-up Saturday 14 Feb', () => {
    const ev = ticket('2026-02-13 17:00', { priority: 'p3' }).evaluate('2026-02-13 17:00');
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-02-14 12:00');
  });

  it('a ticket opened on the last holiday evening of National Day 2026 is due the morning after, not on the make-up Saturday 10 Oct', () => {
    const ev = ticket('2026-10-07 20:00', { priority: 'p3' }).evaluate('2026-10-07 20:00');
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-10-08 13:00');
  });

  it('a reply stops the first-response clock as met, and a reply at exactly the due instant is still met', () => {
    const early = ticket('2026-03-02 09:00').reply('2026-03-02 10:15').evaluate('2026-03-03 09:00');
    expect(early.clocks.firstResponse).toMatchObject({ state: 'stopped', outcome: 'met', elapsedMinutes: 75, stopReason: 'first_response' });
    expect(wall(early.clocks.firstResponse.metAt)).toBe('2026-03-02 10:15');
    const onTheDot = ticket('2026-03-02 09:00').reply('2026-03-02 13:00').evaluate('2026-03-03 09:00');
    expect(onTheDot.clocks.firstResponse.outcome).toBe('met');
    expect(onTheDot.escalations.map((e) => e.id)).toEqual(['firstResponse@0.75']);
  });

  it('a running clock is breached at its due instant, and says when', () => {
    const ev = ticket('2026-03-02 09:00').evaluate('2026-03-02 13:00');
    expect(ev.clocks.firstResponse.outcome).toBe('breached');
    expect(wall(ev.clocks.firstResponse.breachedAt)).toBe('2026-03-02 13:00');
    const late = ticket('2026-03-02 09:00').reply('2026-03-02 15:00').evaluate('2026-03-03 09:00');
    expect(late.clocks.firstResponse).toMatchObject({ outcome: 'breached', remainingMinutes: -120 });
    expect(wall(late.clocks.firstResponse.breachedAt)).toBe('2026-03-02 13:00');
  });

  it('resolving a ticket without any reply counts as the first response (the merchant is told)', () => {
    const ev = ticket('2026-03-02 09:00').status('2026-03-02 11:00', 'resolved').evaluate('2026-03-03 09:00');
    expect(ev.clocks.firstResponse).toMatchObject({ state: 'stopped', outcome: 'met', stopReason: 'resolved' });
  });
});

describe('calendars by priority and tier', () => {
  it('p1 runs on the 24×7 calendar across nights and holidays', () => {
    const ev = ticket('2026-02-16 23:00', { priority: 'p1' }).evaluate('2026-02-17 01:00');
    expect(ev.clocks.firstResponse.calendar).toBe('24x7');
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-02-16 23:15');
    expect(wall(ev.clocks.resolution.due)).toBe('2026-02-17 03:00');
    expect(ev.clocks.resolution.elapsedMinutes).toBe(120);
  });

  it('p2 for a platinum merchant runs 24×7 on a Saturday while p2 for a gold merchant waits for Monday', () => {
    const platinum = ticket('2026-03-07 10:00', { priority: 'p2', tier: 'platinum' }).evaluate('2026-03-07 10:00');
    const gold = ticket('2026-03-07 10:00', { priority: 'p2', tier: 'gold' }).evaluate('2026-03-07 10:00');
    expect(wall(platinum.clocks.firstResponse.due)).toBe('2026-03-07 10:30');
    expect(wall(gold.clocks.firstResponse.due)).toBe('2026-03-09 09:30');
  });

  it('an organization calendar set with its own closure day moves the due time', () => {
    const calendars = { ...DEFAULT_CALENDARS, 'cn-business': { ...DEFAULT_CALENDARS['cn-business']!, holidays: { ...DEFAULT_CALENDARS['cn-business']!.holidays, '2026': [...DEFAULT_CALENDARS['cn-business']!.holidays['2026']!, { name: 'Company day', from: '2026-03-09', to: '2026-03-09', makeUpWorkdays: [] }] } } };
    const ev = ticket('2026-03-06 17:30', { priority: 'p3' }, DEFAULT_POLICY, calendars).evaluate('2026-03-06 18:00');
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-03-10 12:30');
  });
});

describe('waiting for the merchant', () => {
  it('waiting for the merchant stops the resolution clock and resuming continues it', () => {
    // p3 standard: resolution 2700 business minutes = five 9-hour days; due Fri 6 Mar 18:00 without a pause.
    const t = ticket('2026-03-02 09:00').reply('2026-03-02 09:30');
    expect(wall(t.evaluate('2026-03-02 10:00').clocks.resolution.due)).toBe('2026-03-06 18:00');
    t.waitForMerchant('2026-03-03 10:00', '2026-03-04 10:00');
    const paused = t.evaluate('2026-03-03 17:00');
    expect(paused.clocks.resolution).toMatchObject({ state: 'paused', paused: true, due: null, elapsedMinutes: 600 });
    expect(t.evaluate('2026-03-04 09:59').clocks.resolution.elapsedMinutes).toBe(600);
    const resumed = t.evaluate('2026-03-04 11:00');
    expect(resumed.clocks.resolution).toMatchObject({ state: 'running', paused: false, elapsedMinutes: 660 });
    // Nine business hours were spent waiting, so the due time moves one working day later.
    expect(wall(resumed.clocks.resolution.due)).toBe('2026-03-09 18:00');
  });

  it('waiting also stops the first-response and next-update clocks', () => {
    const fr = ticket('2026-03-02 09:00').waitForMerchant('2026-03-02 10:00', '2026-03-02 15:00').evaluate('2026-03-02 15:00');
    expect(fr.clocks.firstResponse.elapsedMinutes).toBe(60);
    expect(wall(fr.clocks.firstResponse.due)).toBe('2026-03-02 18:00');
    const nu = ticket('2026-03-02 09:00').reply('2026-03-02 10:00').waitForMerchant('2026-03-02 11:00', '2026-03-03 11:00').evaluate('2026-03-03 11:00');
    expect(nu.clocks.nextUpdate.elapsedMinutes).toBe(60);
  });

  it('time spent waiting outside business hours adds nothing: a weekend pause costs only its business minutes', () => {
    const ev = ticket('2026-03-06 16:00').waitForMerchant('2026-03-06 17:00', '2026-03-09 09:00').evaluate('2026-03-09 09:00');
    // 60 minutes on Friday, 60 paused, then 180 on Monday.
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-03-09 12:00');
  });

  it('a ticket opened while already waiting for the merchant starts with its clocks stopped', () => {
    const t = ticket('2026-03-02 09:00', { status: 'waiting_merchant' }).status('2026-03-02 14:00', 'triaged');
    expect(t.evaluate('2026-03-02 12:00').clocks.firstResponse).toMatchObject({ state: 'paused', elapsedMinutes: 0 });
    expect(wall(t.evaluate('2026-03-02 14:00').clocks.firstResponse.due)).toBe('2026-03-02 18:00');
  });

  it('a paused clock has no wake-up; the resume event is what the caller re-evaluates on', () => {
    const t = ticket('2026-03-02 09:00').reply('2026-03-02 09:10').status('2026-03-02 10:00', 'waiting_merchant');
    expect(t.evaluate('2026-03-05 10:00').nextWakeUp).toBeNull();
  });
});

describe('next update', () => {
  it('the next-update clock starts at the first reply and restarts at each later update', () => {
    // p3 standard: next update every 1080 business minutes (two working days).
    const t = ticket('2026-03-02 09:00');
    expect(t.evaluate('2026-03-02 09:30').clocks.nextUpdate).toMatchObject({ state: 'pending', cycle: 0, due: null });
    t.reply('2026-03-02 10:00');
    expect(wall(t.evaluate('2026-03-02 11:00').clocks.nextUpdate.due)).toBe('2026-03-04 10:00');
    t.reply('2026-03-03 15:00');
    const ev = t.evaluate('2026-03-03 16:00');
    expect(ev.clocks.nextUpdate.cycle).toBe(2);
    expect(wall(ev.clocks.nextUpdate.due)).toBe('2026-03-05 15:00');
    expect(ev.clocks.nextUpdate.history).toHaveLength(1);
    expect(ev.clocks.nextUpdate.history[0]).toMatchObject({ cycle: 1, outcome: 'met', stopReason: 'agent_update' });
  });

  it('a missed update is a breach of that cycle only; the next update starts a fresh cycle with its own steps', () => {
    const t = ticket('2026-03-02 09:00').reply('2026-03-02 10:00').reply('2026-03-05 09:00');
    const ev = t.evaluate('2026-03-05 10:00');
    expect(ev.clocks.nextUpdate.history[0]).toMatchObject({ outcome: 'breached' });
    expect(wall(ev.clocks.nextUpdate.history[0]!.breachedAt)).toBe('2026-03-04 10:00');
    expect(ev.clocks.nextUpdate).toMatchObject({ cycle: 2, outcome: null });
    expect(ev.escalations.map((e) => e.id)).toContain('nextUpdate@1.0');
    const later = t.evaluate('2026-03-09 10:00');
    expect(later.escalations.map((e) => e.id)).toContain('nextUpdate@1.0#2');
  });
});

describe('resolution and reopen', () => {
  it('a ticket resolved before the due time meets its resolution SLA and its clocks stop', () => {
    const ev = ticket('2026-03-02 09:00').reply('2026-03-02 09:30').status('2026-03-03 12:00', 'resolved').evaluate('2026-03-20 09:00');
    expect(ev.clocks.resolution).toMatchObject({ state: 'stopped', outcome: 'met', elapsedMinutes: 720 });
    expect(ev.clocks.nextUpdate.state).toBe('stopped');
    expect(ev.nextWakeUp).toBeNull();
  });

  it('reopening a resolved ticket starts a new resolution clock from the reopen instant', () => {
    const t = ticket('2026-03-02 09:00').reply('2026-03-02 09:30').status('2026-03-03 12:00', 'resolved').status('2026-03-04 10:00', 'in_progress');
    const ev = t.evaluate('2026-03-04 11:00');
    expect(ev.clocks.resolution).toMatchObject({ state: 'running', cycle: 2, elapsedMinutes: 60 });
    expect(wall(ev.clocks.resolution.startedAt)).toBe('2026-03-04 10:00');
    expect(wall(ev.clocks.resolution.due)).toBe('2026-03-11 10:00');
    expect(ev.clocks.resolution.history[0]).toMatchObject({ cycle: 1, outcome: 'met' });
    expect(wall(ev.clocks.resolution.history[0]!.metAt)).toBe('2026-03-03 12:00');
    // The merchant is owed an update after the reopen too; the first response stays answered.
    expect(ev.clocks.nextUpdate).toMatchObject({ state: 'running', cycle: 2 });
    expect(ev.clocks.firstResponse).toMatchObject({ state: 'stopped', outcome: 'met' });
  });

  it('closing without resolving (a duplicate) stops every clock', () => {
    const ev = ticket('2026-03-02 09:00').status('2026-03-02 09:05', 'closed').evaluate('2026-03-10 09:00');
    for (const c of Object.values(ev.clocks)) expect(c.state === 'pending' || c.state === 'stopped').toBe(true);
    expect(ev.clocks.resolution.stopReason).toBe('closed');
    expect(ev.escalations).toEqual([]);
  });
});

describe('priority and tier changes', () => {
  it('raising the priority recalculates every running clock from the open time with the new targets', () => {
    // p4 standard: first response 540, resolution 5400. Raised to p2 at 09:50: 60 and 1080.
    const t = ticket('2026-03-02 09:00', { priority: 'p4' });
    expect(wall(t.evaluate('2026-03-02 09:40').clocks.firstResponse.due)).toBe('2026-03-02 18:00');
    t.priority('2026-03-02 09:50', 'p2');
    const ev = t.evaluate('2026-03-02 09:50');
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-03-02 10:00');
    expect(ev.clocks.firstResponse.elapsedMinutes).toBe(50);
    expect(wall(ev.clocks.resolution.due)).toBe('2026-03-03 18:00');
  });

  it('raising to p1 re-measures the time since opening on the 24×7 calendar', () => {
    // Opened Friday 17:00 as p3; raised to p1 on Saturday 10:00: 17 hours have passed around the clock.
    const ev = ticket('2026-03-06 17:00', { priority: 'p3' }).priority('2026-03-07 10:00', 'p1').evaluate('2026-03-07 10:00');
    expect(ev.clocks.resolution).toMatchObject({ calendar: '24x7', elapsedMinutes: 17 * 60, outcome: 'breached' });
    expect(wall(ev.clocks.resolution.breachedAt)).toBe('2026-03-06 21:00');
  });

  it('lowering the priority moves the due time later', () => {
    const ev = ticket('2026-03-02 09:00', { priority: 'p2' }).priority('2026-03-02 09:30', 'p4').evaluate('2026-03-02 09:30');
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-03-02 18:00');
  });

  it('a clock that already stopped keeps the outcome it had under the old priority', () => {
    const ev = ticket('2026-03-02 09:00', { priority: 'p4' }).reply('2026-03-02 11:00').priority('2026-03-02 12:00', 'p2').evaluate('2026-03-02 12:00');
    // 120 minutes was within p4's 540; p2's 60 would have been a breach.
    expect(ev.clocks.firstResponse).toMatchObject({ outcome: 'met', targetMinutes: 540 });
  });

  it('a merchant moving to platinum re-measures with the platinum targets', () => {
    const ev = ticket('2026-03-02 09:00', { priority: 'p3', tier: 'standard' }).tier('2026-03-02 09:30', 'platinum').evaluate('2026-03-02 09:30');
    expect(ev.clocks.firstResponse.targetMinutes).toBe(60);
    expect(wall(ev.clocks.firstResponse.due)).toBe('2026-03-02 10:00');
  });
});

describe('evaluation inputs', () => {
  it('events after now are ignored, so any past instant can be evaluated from the full history', () => {
    const t = ticket('2026-03-02 09:00').reply('2026-03-02 10:00').status('2026-03-03 10:00', 'resolved');
    expect(t.evaluate('2026-03-02 09:30').clocks.firstResponse.state).toBe('running');
    expect(t.evaluate('2026-03-02 12:00').clocks.resolution.state).toBe('running');
  });

  it('events given out of order are replayed in time order', () => {
    const t = ticket('2026-03-02 09:00').reply('2026-03-02 10:00');
    const shuffled = [...t.events].reverse();
    const a = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, t.events, cst('2026-03-03 09:00'));
    const b = evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, shuffled, cst('2026-03-03 09:00'));
    expect(b).toEqual(a);
  });

  it('a history that does not start with opened, or opens twice, is refused', () => {
    expect(() => evaluateSla(DEFAULT_POLICY, DEFAULT_CALENDARS, [{ at: cst('2026-03-02 09:00'), type: 'first_response' }], cst('2026-03-02 10:00'))).toThrow(/first event must be "opened"/);
    expect(() => ticket('2026-03-02 09:00').evaluate('2026-03-01 09:00')).toThrow(/not open/);
    const twice = ticket('2026-03-02 09:00');
    twice.events.push({ ...twice.events[0]!, at: cst('2026-03-02 10:00') } as never);
    expect(() => twice.evaluate('2026-03-02 11:00')).toThrow(/opened once/);
  });

  it('a calendar a policy names but the set lacks fails loudly instead of never escalating', () => {
    const { ['24x7']: _, ...withoutAlways } = DEFAULT_CALENDARS;
    expect(() => ticket('2026-03-02 09:00', { priority: 'p1' }, DEFAULT_POLICY, withoutAlways).evaluate('2026-03-02 09:10')).toThrow(/calendar 24x7/);
  });

  it('a ticket due in a year without a holiday list says so', () => {
    const ev = ticket('2026-12-31 10:00', { priority: 'p4' }).evaluate('2026-12-31 10:00');
    expect(ev.calendarGaps).toEqual([{ calendar: 'cn-business', year: 2027 }]);
  });
});

describe('next wake-up', () => {
  it('is the next escalation step or deadline after now', () => {
    const t = ticket('2026-03-06 17:30', { priority: 'p3' });
    // firstResponse@0.75 is 180 business minutes in: Monday 11:30.
    expect(wall(nextWakeUp(DEFAULT_POLICY, DEFAULT_CALENDARS, t.events, cst('2026-03-06 18:00')))).toBe('2026-03-09 11:30');
    expect(wall(nextWakeUp(DEFAULT_POLICY, DEFAULT_CALENDARS, t.events, cst('2026-03-09 11:30')))).toBe('2026-03-09 12:30');
  });
});
