/**
 * Business calendars as data: weekly opening hours in a fixed UTC offset, public holidays and the
 * official make-up working days (调休) listed by year. The shipped calendars live in
 * data/calendars.json; an organization overrides or extends them with the same shape, validated here.
 *
 * Offsets are fixed (China has no daylight saving time); a calendar for a zone with DST would need
 * one calendar per offset period, which nobody has asked for.
 */
import { z } from 'zod';
import data from '../data/calendars.json' with { type: 'json' };

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

const HHMM = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a time of day as HH:MM, 00:00–24:00');

export const OpenSpan = z
  .object({ from: HHMM, to: HHMM })
  .refine((s) => s.from < s.to, { message: '`from` must be before `to`' });
export type OpenSpan = z.infer<typeof OpenSpan>;

/** The opening spans of one day, in order and not overlapping. */
export const DayHours = z.array(OpenSpan).superRefine((spans, ctx) => {
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]!.from < spans[i - 1]!.to) ctx.addIssue({ code: 'custom', message: 'opening spans must be in order and must not overlap', path: [i] });
  }
});
export type DayHours = z.infer<typeof DayHours>;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export const WeeklyHours = z.object({ mon: DayHours, tue: DayHours, wed: DayHours, thu: DayHours, fri: DayHours, sat: DayHours, sun: DayHours });
export type WeeklyHours = z.infer<typeof WeeklyHours>;

export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date');

/** One announced holiday: closed from `from` to `to` inclusive, and the weekend days worked instead. */
export const Holiday = z
  .object({
    name: z.string().trim().min(1).max(120),
    from: IsoDate,
    to: IsoDate,
    makeUpWorkdays: z.array(IsoDate).default([]),
  })
  .refine((h) => h.from <= h.to, { message: '`from` must not be after `to`' })
  .refine((h) => dayNumber(h.to) - dayNumber(h.from) < 31, { message: 'a holiday spans at most 31 days' });
export type Holiday = z.infer<typeof Holiday>;

const Year = z.string().regex(/^\d{4}$/, 'a year as YYYY');

export const CalendarId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _');

export const Calendar = z
  .object({
    id: CalendarId,
    name: z.string().trim().min(1).max(200),
    /** Informational (what people see); arithmetic uses utcOffsetMinutes. */
    timeZone: z.string().max(64).optional(),
    utcOffsetMinutes: z.number().int().min(-720).max(840),
    hours: WeeklyHours,
    /** Opening hours on an official make-up working day; the Monday hours when absent. */
    makeUpDayHours: DayHours.optional(),
    /** When true, a year without holiday data is reported by missingHolidayYears (someone forgot to load it). */
    observesPublicHolidays: z.boolean().default(false),
    /** Holidays grouped by the year of the announcement that lists them; an admin adds next year's list each year. */
    holidays: z.record(Year, z.array(Holiday)).default({}),
    /** Where each year's list comes from, for the admin who checks it. */
    sources: z.record(Year, z.string().max(500)).optional(),
  })
  .superRefine((cal, ctx) => {
    const closed = new Map<string, string>();
    const worked = new Map<string, string>();
    for (const [year, list] of Object.entries(cal.holidays)) {
      for (const h of list) {
        for (let d = dayNumber(h.from); d <= dayNumber(h.to); d++) closed.set(isoDate(d), `${year}/${h.name}`);
        for (const w of h.makeUpWorkdays) worked.set(w, `${year}/${h.name}`);
      }
    }
    for (const [date, where] of worked) {
      if (closed.has(date)) ctx.addIssue({ code: 'custom', message: `${date} is both a holiday (${closed.get(date)}) and a make-up working day (${where})`, path: ['holidays'] });
    }
    const week = WEEKDAYS.reduce((n, d) => n + cal.hours[d].length, 0) + worked.size;
    if (week === 0) ctx.addIssue({ code: 'custom', message: 'a calendar needs some opening hours', path: ['hours'] });
  });
export type Calendar = z.infer<typeof Calendar>;
export type CalendarInput = z.input<typeof Calendar>;

/** Calendars by id: what a policy's `calendar` field refers to. */
export type CalendarSet = Readonly<Record<string, Calendar>>;

/**
 * An organization's change to the calendars: a calendar of its own (complete, or `extends` another),
 * or a change to a shipped one. `holidays` replaces whole years (an admin uploads "2027", or a
 * corrected "2026"); years it does not name are kept. `hours` replaces the days it names.
 */
export const CalendarOverride = z.object({
  id: CalendarId,
  extends: CalendarId.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  timeZone: z.string().max(64).optional(),
  utcOffsetMinutes: z.number().int().min(-720).max(840).optional(),
  hours: WeeklyHours.partial().optional(),
  makeUpDayHours: DayHours.optional(),
  observesPublicHolidays: z.boolean().optional(),
  holidays: z.record(Year, z.array(Holiday)).optional(),
  sources: z.record(Year, z.string().max(500)).optional(),
});
export type CalendarOverride = z.infer<typeof CalendarOverride>;

export const CalendarFile = z.object({ version: z.string(), calendars: z.array(Calendar) });

export function parseCalendar(input: unknown): Calendar {
  return Calendar.parse(input);
}

export function parseCalendarFile(input: unknown): { version: string; calendars: CalendarSet } {
  const file = CalendarFile.parse(input);
  const set: Record<string, Calendar> = {};
  for (const c of file.calendars) {
    if (set[c.id]) throw new Error(`calendar ${c.id} appears twice`);
    set[c.id] = c;
  }
  return { version: file.version, calendars: set };
}

/**
 * The calendars an organization works with: the base set with its overrides applied in order.
 * Throws a ZodError (with the path of the bad field) when an override or its result is invalid, and an
 * Error when an override extends a calendar that does not exist.
 */
export function applyCalendarOverrides(base: CalendarSet, overrides: unknown): CalendarSet {
  const list = z.array(CalendarOverride).parse(overrides);
  const out: Record<string, Calendar> = { ...base };
  for (const o of list) {
    const parentId = o.extends ?? o.id;
    const parent = out[parentId];
    if (!parent) {
      if (o.extends) throw new Error(`calendar ${o.id} extends ${o.extends}, which does not exist`);
      out[o.id] = Calendar.parse(o);
      continue;
    }
    out[o.id] = Calendar.parse({
      ...parent,
      id: o.id,
      name: o.name ?? parent.name,
      timeZone: o.timeZone ?? parent.timeZone,
      utcOffsetMinutes: o.utcOffsetMinutes ?? parent.utcOffsetMinutes,
      hours: { ...parent.hours, ...o.hours },
      makeUpDayHours: o.makeUpDayHours ?? parent.makeUpDayHours,
      observesPublicHolidays: o.observesPublicHolidays ?? parent.observesPublicHolidays,
      holidays: { ...parent.holidays, ...o.holidays },
      sources: { ...parent.sources, ...o.sources },
    });
  }
  return out;
}

/**
 * Years in [from, to] (instants, ms) for which a calendar that observes public holidays has no list:
 * its business time for those years silently counts holidays as working days, so the server warns.
 */
export function missingHolidayYears(calendar: Calendar, from: number, to: number): number[] {
  if (!calendar.observesPublicHolidays) return [];
  const off = calendar.utcOffsetMinutes * MINUTE_MS;
  const y0 = new Date(from + off).getUTCFullYear();
  const y1 = new Date(to + off).getUTCFullYear();
  const missing: number[] = [];
  for (let y = y0; y <= y1; y++) if (!calendar.holidays[String(y)]) missing.push(y);
  return missing;
}

const shipped = parseCalendarFile(data);
export const DEFAULT_CALENDARS_VERSION = shipped.version;
export const DEFAULT_CALENDARS: CalendarSet = shipped.calendars;

/** Days since 1970-01-01 of a YYYY-MM-DD date. */
export function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
