import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, addBusinessMs, businessMinutesBetween, businessMsBetween, isOpenAt, nextOpening } from './businessTime.js';
import { applyCalendarOverrides, DEFAULT_CALENDARS, type Calendar } from './calendar.js';
import calendarData from '../data/calendars.json' with { type: 'json' };
import { cst, DAY, HOUR, MIN, wall } from './testing/factories.js';

const business = DEFAULT_CALENDARS['cn-business']!;
const always = DEFAULT_CALENDARS['24x7']!;
const add = (start: string, minutes: number, cal: Calendar = business) => wall(addBusinessMinutes(cal, cst(start), minutes));
const between = (a: string, b: string, cal: Calendar = business) => businessMinutesBetween(cal, cst(a), cst(b));

describe('business hours: nights and weekends', () => {
  it('a budget that ends exactly at closing time is due at 18:00 that day, not at the next opening', () => {
    expect(add('2026-03-02 09:00', 540)).toBe('2026-03-02 18:00');
    expect(add('2026-03-02 17:00', 60)).toBe('2026-03-02 18:00');
  });

  it('a start during the night counts from 09:00 the next working morning', () => {
    expect(add('2026-03-02 22:15', 30)).toBe('2026-03-03 09:30');
    expect(add('2026-03-03 03:00', 30)).toBe('2026-03-03 09:30');
  });

  it('a budget that runs past 18:00 continues at 09:00 the next working day', () => {
    expect(add('2026-03-03 16:00', 240)).toBe('2026-03-04 11:00');
  });

  it('the weekend is skipped: one business hour from Friday 17:30 is Monday 09:30', () => {
    expect(add('2026-03-06 17:30', 60)).toBe('2026-03-09 09:30');
    expect(add('2026-03-07 11:00', 60)).toBe('2026-03-09 10:00');
  });

  it('Friday 17:00 to Monday 10:00 holds two business hours', () => {
    expect(between('2026-03-06 17:00', '2026-03-09 10:00')).toBe(120);
  });

  it('a zero budget is due at its start, even outside opening hours', () => {
    expect(add('2026-03-07 11:00', 0)).toBe('2026-03-07 11:00');
  });

  it('between is zero for an empty or reversed interval and for a closed stretch', () => {
    expect(between('2026-03-02 10:00', '2026-03-02 10:00')).toBe(0);
    expect(between('2026-03-02 11:00', '2026-03-02 10:00')).toBe(0);
    expect(between('2026-03-06 18:00', '2026-03-09 09:00')).toBe(0);
  });
});

describe('business hours: holidays and make-up working days', () => {
  it('a make-up Saturday is a working day: 14 Feb 2026 counts nine hours', () => {
    expect(between('2026-02-14 00:00', '2026-02-15 00:00')).toBe(540);
    expect(isOpenAt(business, cst('2026-02-14 10:00'))).toBe(true);
    expect(isOpenAt(business, cst('2026-02-07 10:00'))).toBe(false);
  });

  it('the make-up Sunday 4 Jan 2026 and the make-up Sunday 20 Sep 2026 are working days', () => {
    expect(between('2026-01-04 00:00', '2026-01-05 00:00')).toBe(540);
    expect(between('2026-09-20 00:00', '2026-09-21 00:00')).toBe(540);
  });

  it('the Spring Festival 2026 (15–23 Feb) is closed even on its weekdays', () => {
    expect(between('2026-02-15 00:00', '2026-02-24 00:00')).toBe(0);
    expect(nextOpening(business, cst('2026-02-18 10:00'))).toBe(cst('2026-02-24 09:00'));
  });

  it('a budget started on the Friday before the Spring Festival continues on the make-up Saturday', () => {
    expect(add('2026-02-13 17:00', 240)).toBe('2026-02-14 12:00');
  });

  it('a budget that outlasts the make-up Saturday jumps the whole Spring Festival', () => {
    expect(add('2026-02-13 17:00', 600 + 60)).toBe('2026-02-24 10:00');
  });

  it('across the year end the New Year holiday is skipped and the make-up Sunday counts', () => {
    expect(add('2025-12-31 17:00', 240)).toBe('2026-01-04 12:00');
    expect(between('2025-12-31 09:00', '2026-01-05 09:00')).toBe(540 + 540);
  });

  it('National Day 2025 with Mid-Autumn is closed 1–8 Oct, and 28 Sep and 11 Oct are worked', () => {
    expect(between('2025-09-27 00:00', '2025-10-13 00:00')).toBe(540 * 6);
    expect(add('2025-09-30 17:00', 120)).toBe('2025-10-09 10:00');
  });

  it('Labour Day 2026 (1–5 May) with the make-up Saturday 9 May', () => {
    expect(add('2026-04-30 17:00', 120)).toBe('2026-05-06 10:00');
    expect(between('2026-05-04 00:00', '2026-05-11 00:00')).toBe(540 * 4);
  });
});

describe('business hours: 24×7 and custom calendars', () => {
  it('a 24×7 calendar counts every minute, nights and holidays included', () => {
    expect(add('2026-02-16 23:00', 240, always)).toBe('2026-02-17 03:00');
    expect(between('2026-02-15 00:00', '2026-02-24 00:00', always)).toBe(9 * 24 * 60);
  });

  it('a calendar with a lunch break does not count 12:00–13:00', () => {
    const cals = applyCalendarOverrides(DEFAULT_CALENDARS, [
      { id: 'lunch', extends: 'cn-business', hours: { mon: [{ from: '09:00', to: '12:00' }, { from: '13:00', to: '18:00' }] } },
    ]);
    const lunch = cals['lunch']!;
    expect(add('2026-03-02 11:30', 60, lunch)).toBe('2026-03-02 13:30');
    expect(between('2026-03-02 09:00', '2026-03-02 18:00', lunch)).toBe(480);
    // Tuesday keeps the hours it inherited.
    expect(between('2026-03-03 09:00', '2026-03-03 18:00', lunch)).toBe(540);
  });

  it('a calendar in another fixed offset keeps its own local hours', () => {
    const cals = applyCalendarOverrides(DEFAULT_CALENDARS, [{ id: 'utc', extends: 'cn-business', utcOffsetMinutes: 0, holidays: {}, observesPublicHolidays: false }]);
    // 09:00 UTC is 17:00 in China.
    expect(add('2026-03-02 17:00', 60, cals['utc']!)).toBe('2026-03-02 18:00');
  });

  it('long budgets skip whole weeks and land on the same instant as walking day by day', () => {
    // 200 business days from 2 Jan 2025, crossing every 2025 holiday and make-up day.
    const start = cst('2025-01-02 09:00');
    const end = addBusinessMinutes(business, start, 200 * 540);
    expect(businessMinutesBetween(business, start, end)).toBe(200 * 540);
    let t = start;
    for (let i = 0; i < 200; i++) t = addBusinessMinutes(business, t, 540);
    expect(end).toBe(t);
  });
});

/** An independent reference: open minute by minute from the raw JSON, no compiled spans, no week skipping. */
function referenceCalendar() {
  const raw = calendarData.calendars.find((c) => c.id === 'cn-business')!;
  const closed = new Set<string>();
  const worked = new Set<string>();
  for (const list of Object.values(raw.holidays)) {
    for (const h of list) {
      for (let d = Date.parse(`${h.from}T00:00:00Z`); d <= Date.parse(`${h.to}T00:00:00Z`); d += DAY) closed.add(new Date(d).toISOString().slice(0, 10));
      for (const w of h.makeUpWorkdays) worked.add(w);
    }
  }
  const kinds = new Map<number, 'closed' | 'worked' | 'weekday' | 'weekend'>();
  const kindOf = (day: number) => {
    let k = kinds.get(day);
    if (!k) {
      const date = new Date(day * DAY).toISOString().slice(0, 10);
      const dow = new Date(day * DAY).getUTCDay();
      k = closed.has(date) ? 'closed' : worked.has(date) ? 'worked' : dow >= 1 && dow <= 5 ? 'weekday' : 'weekend';
      kinds.set(day, k);
    }
    return k;
  };
  const openMinute = (t: number) => {
    const local = t + 8 * HOUR;
    const day = Math.floor(local / DAY);
    const minute = Math.floor((local - day * DAY) / MIN);
    const k = kindOf(day);
    return (k === 'worked' || k === 'weekday') && minute >= 9 * 60 && minute < 18 * 60;
  };
  return {
    between(a: number, b: number) {
      let n = 0;
      for (let t = a; t < b; t += MIN) if (openMinute(t)) n++;
      return n;
    },
  };
}

/** Seeded, so a failure names the case that failed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('business hours agree with a minute-by-minute reference', () => {
  it('between matches counting open minutes one at a time, and add is its inverse, on random instants in 2025–2026', () => {
    const ref = referenceCalendar();
    const rnd = prng(20260101);
    const from = cst('2025-01-01 00:00');
    const span = cst('2026-12-20 00:00') - from;
    for (let i = 0; i < 150; i++) {
      const a = from + Math.floor((rnd() * span) / MIN) * MIN;
      const b = a + Math.floor(rnd() * 20 * 24 * 60) * MIN;
      const expected = ref.between(a, b);
      expect(businessMinutesBetween(business, a, b), `${wall(a)} → ${wall(b)}`).toBe(expected);
      const budget = 1 + Math.floor(rnd() * 5000);
      const end = addBusinessMinutes(business, a, budget);
      expect(businessMinutesBetween(business, a, end), `${wall(a)} + ${budget}`).toBe(budget);
      // The budget runs out in an open minute (it ends at or before closing, never in the night).
      expect(ref.between(end - MIN, end), `${wall(a)} + ${budget} = ${wall(end)}`).toBe(1);
    }
  });

  it('works at millisecond precision', () => {
    const a = cst('2026-03-02 17:59') + 30_000;
    expect(businessMsBetween(business, a, cst('2026-03-03 09:00') + 1)).toBe(30_001);
    expect(addBusinessMs(business, a, 30_001)).toBe(cst('2026-03-03 09:00') + 1);
  });
});

/*
 * Micro benchmark (scripts/bench.ts, `npm run bench -w @poscare/sla`) on this 2-core machine:
 * 1,000,000 addBusinessMinutes calls with random starts and budgets of up to 10 business days
 * take about 1.2 s; 1,000,000 businessMinutesBetween calls over up to 60 days about 0.4 s.
 * Not a timed test on purpose: timing assertions flake on shared CI runners.
 */
