import { describe, expect, it } from 'vitest';
import { businessDaysLeft, daysLeftBegins, dueAfterBusinessDays } from './deadlines.js';
import { stepsOf } from './steps.js';

const at = (s: string) => new Date(s);

describe('dispute deadlines in business days (cn-business calendar, as the SLAs)', () => {
  it('ten business days from a Monday morning end at 18:00 on the Monday two weeks later', () => {
    expect(dueAfterBusinessDays(at('2026-03-02T09:00:00+08:00'), 10).toISOString()).toBe(at('2026-03-16T18:00:00+08:00').toISOString());
  });

  it('skips the National Day week and counts the make-up Sunday before it', () => {
    // Fri 18 Sep: Sun 20 Sep is a make-up working day; 25–27 Sep and 1–7 Oct are holidays.
    expect(dueAfterBusinessDays(at('2026-09-18T10:00:00+08:00'), 10).toISOString()).toBe(at('2026-10-09T18:00:00+08:00').toISOString());
  });

  it('a dispute that arrives on a Saturday counts from the next business day', () => {
    expect(dueAfterBusinessDays(at('2026-03-07T11:00:00+08:00'), 1).toISOString()).toBe(at('2026-03-09T18:00:00+08:00').toISOString());
  });

  it('"5 business days left" begins at the opening of the day five business days before the due day', () => {
    const due = at('2026-03-16T18:00:00+08:00');
    expect(daysLeftBegins(due, 5).toISOString()).toBe(at('2026-03-09T09:00:00+08:00').toISOString());
    expect(daysLeftBegins(due, 2).toISOString()).toBe(at('2026-03-12T09:00:00+08:00').toISOString());
    expect(businessDaysLeft(at('2026-03-09T09:00:00+08:00'), due)).toBe(5);
    expect(businessDaysLeft(at('2026-03-16T17:00:00+08:00'), due)).toBe(0);
    expect(businessDaysLeft(at('2026-03-17T10:00:00+08:00'), due)).toBe(-1);
  });

  it('reminders at 5 and 2 days, escalation at 1 day, expiry at the deadline, in that order', () => {
    expect(stepsOf(at('2026-03-16T18:00:00+08:00')).map((s) => s.id)).toEqual(['remind:5', 'remind:2', 'escalate', 'expire']);
  });
});
