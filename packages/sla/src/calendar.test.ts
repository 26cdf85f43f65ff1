import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { addBusinessMinutes, businessMinutesBetween } from './businessTime.js';
import { applyCalendarOverrides, DEFAULT_CALENDARS, dayNumber, isoDate, missingHolidayYears, parseCalendar } from './calendar.js';
import { cst, wall } from './testing/factories.js';

const business = DEFAULT_CALENDARS['cn-business']!;

function closedDays(year: string): string[] {
  return (business.holidays[year] ?? []).flatMap((h) => {
    const out: string[] = [];
    for (let d = dayNumber(h.from); d <= dayNumber(h.to); d++) out.push(isoDate(d));
    return out;
  });
}
const makeUpDays = (year: string) => (business.holidays[year] ?? []).flatMap((h) => h.makeUpWorkdays);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

describe('the shipped holiday data', () => {
  it('2026 follows the State Council notice: 33 closed days and make-up days 4 Jan, 14 Feb, 28 Feb, 9 May, 20 Sep, 10 Oct', () => {
    expect(closedDays('2026')).toHaveLength(3 + 9 + 3 + 5 + 3 + 3 + 7);
    expect(makeUpDays('2026').sort()).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(closedDays('2026')).toEqual(expect.arrayContaining(['2026-01-01', '2026-02-15', '2026-02-23', '2026-04-06', '2026-05-05', '2026-06-19', '2026-09-25', '2026-10-07']));
  });

  it('2025 follows the State Council notice: 28 closed days and make-up days 26 Jan, 8 Feb, 27 Apr, 28 Sep, 11 Oct', () => {
    expect(closedDays('2025')).toHaveLength(1 + 8 + 3 + 5 + 3 + 8);
    expect(makeUpDays('2025').sort()).toEqual(['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']);
  });

  it('every make-up working day falls on a weekend, and no date is both closed and worked', () => {
    for (const year of ['2025', '2026']) {
      for (const d of makeUpDays(year)) expect([0, 6], d).toContain(weekday(d));
      const closed = new Set(closedDays(year));
      for (const d of makeUpDays(year)) expect(closed.has(d), d).toBe(false);
    }
  });

  it('each holiday costs as many working days as its make-up days give back plus its statutory days', () => {
    // Statutory days (2025 rules): New Year 1, Spring Festival 4, Qingming 1, Labour Day 2, Dragon Boat 1, Mid-Autumn 1, National Day 3.
    const statutory: Record<string, number[]> = { '2025': [1, 4, 1, 2, 1, 4], '2026': [1, 4, 1, 2, 1, 1, 3] };
    for (const year of ['2025', '2026']) {
      business.holidays[year]!.forEach((h, i) => {
        let weekdaysLost = 0;
        for (let d = dayNumber(h.from); d <= dayNumber(h.to); d++) if (![0, 6].includes(weekday(isoDate(d)))) weekdaysLost++;
        expect(weekdaysLost, `${year} ${h.name}`).toBe(statutory[year]![i]! + h.makeUpWorkdays.length);
      });
    }
  });

  it('says where each year comes from, so an admin can check it', () => {
    expect(Object.keys(business.sources ?? {})).toEqual(['2025', '2026']);
  });

  it('the 24×7 calendar observes no holidays', () => {
    expect(DEFAULT_CALENDARS['24x7']!.holidays).toEqual({});
    expect(missingHolidayYears(DEFAULT_CALENDARS['24x7']!, cst('2030-01-01 00:00'), cst('2031-01-01 00:00'))).toEqual([]);
  });
});

describe('organization calendars', () => {
  it('an organization adds the 2027 list without touching the shipped years', () => {
    const cals = applyCalendarOverrides(DEFAULT_CALENDARS, [
      { id: 'cn-business', holidays: { '2027': [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }] } },
    ]);
    const cal = cals['cn-business']!;
    expect(Object.keys(cal.holidays).sort()).toEqual(['2025', '2026', '2027']);
    expect(businessMinutesBetween(cal, cst('2027-01-01 00:00'), cst('2027-01-02 00:00'))).toBe(0);
    // The shipped set is not changed.
    expect(Object.keys(DEFAULT_CALENDARS['cn-business']!.holidays)).toEqual(['2025', '2026']);
  });

  it('an organization replaces a whole year when it uploads a corrected list', () => {
    const cals = applyCalendarOverrides(DEFAULT_CALENDARS, [
      { id: 'cn-business', holidays: { '2026': [{ name: 'Only New Year', from: '2026-01-01', to: '2026-01-01' }] } },
    ]);
    // 16 Feb 2026 (Monday) is now a working day.
    expect(businessMinutesBetween(cals['cn-business']!, cst('2026-02-16 00:00'), cst('2026-02-17 00:00'))).toBe(540);
  });

  it('an organization adds its own closure day to a calendar of its own that extends the shipped one', () => {
    const cals = applyCalendarOverrides(DEFAULT_CALENDARS, [
      { id: 'acme', extends: 'cn-business', name: 'ACME service desk', holidays: { '2026': [...business.holidays['2026']!, { name: 'Company day', from: '2026-03-06', to: '2026-03-06' }] } },
    ]);
    expect(wall(addBusinessMinutes(cals['acme']!, cst('2026-03-05 17:00'), 120))).toBe('2026-03-09 10:00');
    expect(wall(addBusinessMinutes(business, cst('2026-03-05 17:00'), 120))).toBe('2026-03-06 10:00');
  });

  it('a complete new calendar is accepted without extends', () => {
    const weekday = [{ from: '08:00', to: '20:00' }];
    const cals = applyCalendarOverrides(DEFAULT_CALENDARS, [
      { id: 'long-days', name: 'Long days', utcOffsetMinutes: 480, hours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday, sat: weekday, sun: [] } },
    ]);
    expect(businessMinutesBetween(cals['long-days']!, cst('2026-03-07 00:00'), cst('2026-03-08 00:00'))).toBe(720);
  });

  it('a date that is both a holiday and a make-up working day is refused, naming the date', () => {
    expect(() =>
      applyCalendarOverrides(DEFAULT_CALENDARS, [
        { id: 'cn-business', holidays: { '2026': [{ name: 'X', from: '2026-03-07', to: '2026-03-08', makeUpWorkdays: ['2026-03-08'] }] } },
      ]),
    ).toThrow(/2026-03-08 is both a holiday/);
  });

  it('overlapping opening spans, a span that ends before it starts and an impossible date are refused', () => {
    const bad = (override: unknown) => () => applyCalendarOverrides(DEFAULT_CALENDARS, [override]);
    expect(bad({ id: 'cn-business', hours: { mon: [{ from: '09:00', to: '13:00' }, { from: '12:00', to: '18:00' }] } })).toThrow(ZodError);
    expect(bad({ id: 'cn-business', hours: { mon: [{ from: '18:00', to: '09:00' }] } })).toThrow(ZodError);
    expect(bad({ id: 'cn-business', holidays: { '2026': [{ name: 'X', from: '2026-02-30', to: '2026-02-30' }] } })).toThrow(ZodError);
    expect(bad({ id: 'cn-business', hours: { mon: [{ from: '9:00', to: '18:00' }] } })).toThrow(ZodError);
  });

  it('an override that extends a calendar that does not exist is refused', () => {
    expect(() => applyCalendarOverrides(DEFAULT_CALENDARS, [{ id: 'x', extends: 'nope' }])).toThrow(/extends nope/);
  });

  it('an incomplete new calendar is refused', () => {
    expect(() => applyCalendarOverrides(DEFAULT_CALENDARS, [{ id: 'half', name: 'Half', utcOffsetMinutes: 480 }])).toThrow(ZodError);
  });

  it('a calendar with no opening hours at all is refused', () => {
    const none = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    expect(() => parseCalendar({ id: 'never', name: 'Never', utcOffsetMinutes: 480, hours: none })).toThrow(/needs some opening hours/);
  });
});

describe('missing holiday years', () => {
  it('a calendar that observes public holidays reports the years it has no list for', () => {
    expect(missingHolidayYears(business, cst('2026-12-30 10:00'), cst('2027-01-05 10:00'))).toEqual([2027]);
    expect(missingHolidayYears(business, cst('2025-03-01 10:00'), cst('2026-03-01 10:00'))).toEqual([]);
  });

  it('the year is the calendar’s local year: 31 Dec 2026 20:00 UTC is already 2027 in China', () => {
    const t = Date.parse('2026-12-31T20:00:00Z');
    expect(missingHolidayYears(business, t, t)).toEqual([2027]);
  });
});
