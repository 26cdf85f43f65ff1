/**
 * Business-time arithmetic on a calendar: how much working time lies between two instants, and when
 * a budget of working time that starts at an instant runs out.
 *
 * Instants are epoch milliseconds. The walk goes a day span at a time and skips whole weeks that hold
 * no holiday or make-up day, so the cost grows with the number of exception days crossed, not with
 * the length of the budget (see scripts/bench.ts: well under a microsecond per call).
 *
 * Conventions, chosen so that `businessMsBetween(c, s, addBusinessMs(c, s, b)) === b`:
 *  - a budget that ends exactly at closing time is due at closing time (18:00), not at the next opening;
 *  - a budget of zero is due at its start, even outside opening hours;
 *  - a start outside opening hours begins counting at the next opening.
 */
import { DAY_MS, MINUTE_MS, WEEKDAYS, dayNumber, type Calendar, type DayHours } from './calendar.js';

interface Span {
  start: number;
  end: number;
}

interface Compiled {
  offsetMs: number;
  /** Index 0 = Sunday, as Date#getUTCDay. */
  weekly: Span[][];
  weeklyTotal: number[];
  weekTotal: number;
  makeUp: Span[];
  makeUpTotal: number;
  /** Day number → closed (holiday) or worked (make-up day). */
  exceptions: Map<number, 'closed' | 'worked'>;
  exceptionDays: number[];
  alwaysOpen: boolean;
}

const cache = new WeakMap<Calendar, Compiled>();

function minutes(hhmm: string): number {
  return (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))) * MINUTE_MS;
}

function spans(hours: DayHours): Span[] {
  return hours.map((h) => ({ start: minutes(h.from), end: minutes(h.to) }));
}

function total(list: Span[]): number {
  let t = 0;
  for (const s of list) t += s.end - s.start;
  return t;
}

function compile(calendar: Calendar): Compiled {
  let c = cache.get(calendar);
  if (c) return c;
  const weekly = WEEKDAYS.map((d) => spans(calendar.hours[d]));
  const weeklyTotal = weekly.map(total);
  const makeUp = spans(calendar.makeUpDayHours ?? calendar.hours.mon);
  const exceptions = new Map<number, 'closed' | 'worked'>();
  for (const list of Object.values(calendar.holidays)) {
    for (const h of list) {
      for (let d = dayNumber(h.from); d <= dayNumber(h.to); d++) exceptions.set(d, 'closed');
    }
  }
  for (const list of Object.values(calendar.holidays)) {
    for (const h of list) for (const w of h.makeUpWorkdays) exceptions.set(dayNumber(w), 'worked');
  }
  const weekTotal = weeklyTotal.reduce((a, b) => a + b, 0);
  c = {
    offsetMs: calendar.utcOffsetMinutes * MINUTE_MS,
    weekly,
    weeklyTotal,
    weekTotal,
    makeUp,
    makeUpTotal: total(makeUp),
    exceptions,
    exceptionDays: [...exceptions.keys()].sort((a, b) => a - b),
    alwaysOpen: weekTotal === 7 * DAY_MS && exceptions.size === 0,
  };
  cache.set(calendar, c);
  return c;
}

/** 1970-01-01 was a Thursday. */
const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;

function daySpans(c: Compiled, day: number): Span[] {
  const ex = c.exceptions.get(day);
  if (ex === 'closed') return [];
  if (ex === 'worked') return c.makeUp;
  return c.weekly[weekday(day)]!;
}

function dayTotal(c: Compiled, day: number): number {
  const ex = c.exceptions.get(day);
  if (ex === 'closed') return 0;
  if (ex === 'worked') return c.makeUpTotal;
  return c.weeklyTotal[weekday(day)]!;
}

/** Index of the first exception day >= day. */
function firstExceptionFrom(c: Compiled, day: number): number {
  const a = c.exceptionDays;
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Opening time inside [lo, hi) of one day, both offsets from local midnight. */
function openWithin(c: Compiled, day: number, lo: number, hi: number): number {
  let t = 0;
  for (const s of daySpans(c, day)) {
    const a = s.start > lo ? s.start : lo;
    const b = s.end < hi ? s.end : hi;
    if (b > a) t += b - a;
  }
  return t;
}

/** Opening time of the whole days [d0, d1). */
function wholeDays(c: Compiled, d0: number, d1: number): number {
  if (d1 <= d0) return 0;
  const n = d1 - d0;
  let t = Math.floor(n / 7) * c.weekTotal;
  for (let d = d0 + n - (n % 7); d < d1; d++) t += c.weeklyTotal[weekday(d)]!;
  for (let i = firstExceptionFrom(c, d0); i < c.exceptionDays.length; i++) {
    const d = c.exceptionDays[i]!;
    if (d >= d1) break;
    t += dayTotal(c, d) - c.weeklyTotal[weekday(d)]!;
  }
  return t;
}

/** Working milliseconds in [a, b) on the calendar; 0 when b <= a. */
export function businessMsBetween(calendar: Calendar, a: number, b: number): number {
  if (!(b > a)) return 0;
  const c = compile(calendar);
  if (c.alwaysOpen) return b - a;
  const la = a + c.offsetMs;
  const lb = b + c.offsetMs;
  const dayA = Math.floor(la / DAY_MS);
  const dayB = Math.floor(lb / DAY_MS);
  const offA = la - dayA * DAY_MS;
  const offB = lb - dayB * DAY_MS;
  if (dayA === dayB) return openWithin(c, dayA, offA, offB);
  return openWithin(c, dayA, offA, DAY_MS) + wholeDays(c, dayA + 1, dayB) + openWithin(c, dayB, 0, offB);
}

/** The instant a budget of `ms` working milliseconds, starting at `start`, runs out. */
export function addBusinessMs(calendar: Calendar, start: number, ms: number): number {
  if (!(ms > 0)) return start;
  const c = compile(calendar);
  if (c.alwaysOpen) return start + ms;
  let budget = ms;
  const local = start + c.offsetMs;
  let day = Math.floor(local / DAY_MS);
  const offset = local - day * DAY_MS;
  const midnight = (d: number) => d * DAY_MS - c.offsetMs;

  for (const s of daySpans(c, day)) {
    if (offset >= s.end) continue;
    const from = s.start > offset ? s.start : offset;
    const avail = s.end - from;
    if (budget <= avail) return midnight(day) + from + budget;
    budget -= avail;
  }
  day++;

  const lastException = c.exceptionDays.length ? c.exceptionDays[c.exceptionDays.length - 1]! : -Infinity;
  for (;;) {
    if (c.weekTotal > 0 && budget > c.weekTotal) {
      const next = c.exceptionDays[firstExceptionFrom(c, day)] ?? Infinity;
      const freeWeeks = Math.floor((next - day) / 7);
      // Skip whole weeks while strictly more than a week of budget is left, so the end lands in a walked day.
      const weeks = Math.min(freeWeeks, Math.ceil(budget / c.weekTotal) - 1);
      if (weeks > 0) {
        budget -= weeks * c.weekTotal;
        day += weeks * 7;
      }
    } else if (c.weekTotal === 0 && day > lastException) {
      throw new Error(`calendar ${calendar.id} has no working time after ${new Date(midnight(day)).toISOString()}`);
    }
    const t = dayTotal(c, day);
    if (budget > t) {
      budget -= t;
      day++;
      continue;
    }
    for (const s of daySpans(c, day)) {
      const len = s.end - s.start;
      if (budget <= len) return midnight(day) + s.start + budget;
      budget -= len;
    }
    // Unreachable: budget <= t means it ends inside this day's spans.
    return midnight(day + 1);
  }
}

/** Working minutes in [a, b) (may be fractional when the instants are not whole minutes). */
export function businessMinutesBetween(calendar: Calendar, a: number, b: number): number {
  return businessMsBetween(calendar, a, b) / MINUTE_MS;
}

/** The instant a budget of working minutes, starting at `start`, runs out. */
export function addBusinessMinutes(calendar: Calendar, start: number, minutes: number): number {
  return addBusinessMs(calendar, start, Math.round(minutes * MINUTE_MS));
}

/** True when the calendar is open at the instant (the instant is inside an opening span). */
export function isOpenAt(calendar: Calendar, at: number): boolean {
  const c = compile(calendar);
  if (c.alwaysOpen) return true;
  const local = at + c.offsetMs;
  const day = Math.floor(local / DAY_MS);
  const off = local - day * DAY_MS;
  return daySpans(c, day).some((s) => off >= s.start && off < s.end);
}

/** The next instant >= `at` at which the calendar is open (the instant itself when open). */
export function nextOpening(calendar: Calendar, at: number): number {
  if (isOpenAt(calendar, at)) return at;
  // The end of a 1 ms budget is 1 ms after the first open instant.
  return addBusinessMs(calendar, at, 1) - 1;
}
