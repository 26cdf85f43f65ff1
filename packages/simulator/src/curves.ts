/**
 * The shape of a trading day per merchant kind, and the daily climate cycle. Intensity is relative:
 * 1 is the kind's usual busiest minute, so volume = intensity × the kind's peak rate × the site's size.
 */
import type { MerchantKind } from './catalog.js';

export interface LocalTime {
  /** Minutes since local midnight, with fractions. */
  minuteOfDay: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Days since the epoch in local time; changes at local midnight. */
  dayNumber: number;
}

export function localTime(atMs: number, utcOffsetMinutes: number): LocalTime {
  const local = atMs + utcOffsetMinutes * 60_000;
  const dayNumber = Math.floor(local / 86_400_000);
  return { minuteOfDay: (local - dayNumber * 86_400_000) / 60_000, weekday: (dayNumber + 4) % 7, dayNumber };
}

const isWeekend = (t: LocalTime) => t.weekday === 0 || t.weekday === 6;

interface Peak {
  /** Centre, in minutes after midnight. */
  at: number;
  /** Standard deviation, in minutes. */
  width: number;
  height: number;
}

interface DayShape {
  /** Opening and closing, minutes after midnight; 0 and 1440 for a shop that never closes. */
  open: number;
  close: number;
  /** Trading while open but between peaks. */
  base: number;
  peaks: readonly Peak[];
  /** Extra peaks on Saturdays and Sundays. */
  weekendPeaks?: readonly Peak[];
  weekendFactor: number;
}

const h = (hours: number, minutes = 0) => hours * 60 + minutes;

export const DAY_SHAPES: Record<MerchantKind, DayShape> = {
  restaurant: {
    open: h(10), close: h(22), base: 0.06, weekendFactor: 1.3,
    peaks: [{ at: h(12, 20), width: 40, height: 1 }, { at: h(18, 45), width: 50, height: 0.9 }],
  },
  cafe: {
    open: h(7, 30), close: h(21), base: 0.1, weekendFactor: 1.1,
    peaks: [{ at: h(8, 40), width: 45, height: 1 }, { at: h(12, 30), width: 40, height: 0.6 }, { at: h(15, 30), width: 60, height: 0.55 }],
  },
  convenience: {
    open: 0, close: h(24), base: 0.05, weekendFactor: 0.9,
    peaks: [{ at: h(8), width: 55, height: 0.7 }, { at: h(12, 15), width: 45, height: 1 }, { at: h(18, 30), width: 75, height: 0.8 }, { at: h(21, 30), width: 60, height: 0.35 }],
  },
  supermarket: {
    open: h(8), close: h(22), base: 0.15, weekendFactor: 1.4,
    peaks: [{ at: h(12), width: 55, height: 0.6 }, { at: h(18, 30), width: 70, height: 1 }],
    weekendPeaks: [{ at: h(15), width: 90, height: 0.5 }],
  },
  fuel: {
    open: 0, close: h(24), base: 0.04, weekendFactor: 0.85,
    peaks: [{ at: h(8), width: 55, height: 0.9 }, { at: h(12, 30), width: 60, height: 0.55 }, { at: h(18), width: 65, height: 1 }],
  },
  fruit: {
    open: h(9), close: h(22), base: 0.15, weekendFactor: 1.2,
    peaks: [{ at: h(12), width: 55, height: 0.5 }, { at: h(18, 30), width: 70, height: 1 }],
  },
};

/** Night-time trade at shops that never close, as a share of `base`: 3 a.m. is the quietest. */
function nightDip(minuteOfDay: number): number {
  const fromThree = Math.abs(minuteOfDay - h(3));
  return fromThree > h(4) ? 1 : 0.35 + 0.65 * (fromThree / h(4));
}

export function isOpen(kind: MerchantKind, t: LocalTime): boolean {
  const shape = DAY_SHAPES[kind];
  return t.minuteOfDay >= shape.open && t.minuteOfDay < shape.close;
}

export function tradingIntensity(kind: MerchantKind, t: LocalTime): number {
  const shape = DAY_SHAPES[kind];
  if (!isOpen(kind, t)) return 0;
  const weekend = isWeekend(t);
  let v = shape.base * (shape.close - shape.open >= h(24) ? nightDip(t.minuteOfDay) : 1);
  for (const p of shape.peaks) v += bump(p, t.minuteOfDay);
  if (weekend) for (const p of shape.weekendPeaks ?? []) v += bump(p, t.minuteOfDay);
  return v * (weekend ? shape.weekendFactor : 1);
}

const bump = (p: Peak, minute: number) => p.height * Math.exp(-0.5 * ((minute - p.at) / p.width) ** 2);

/** Local opening and closing in minutes; never-closing shops sign on at 06:00 and settle at 23:55. */
export function tradingDay(kind: MerchantKind): { signOn: number; settle: number } {
  const shape = DAY_SHAPES[kind];
  const allDay = shape.close - shape.open >= h(24);
  return { signOn: allDay ? h(6) : shape.open, settle: allDay ? h(23, 55) : shape.close };
}

/** Indoor temperature: coolest around 05:00, warmest around 15:00. */
export function indoorTemperature(base: number, swing: number, t: LocalTime): number {
  return base + swing * Math.sin((2 * Math.PI * (t.minuteOfDay - h(9))) / h(24));
}

/** Relative humidity moves against temperature over the day. */
export function indoorHumidity(base: number, t: LocalTime): number {
  return base - 6 * Math.sin((2 * Math.PI * (t.minuteOfDay - h(9))) / h(24));
}
