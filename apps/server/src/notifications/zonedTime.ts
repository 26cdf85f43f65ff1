/**
 * Wall-clock times in a person's or team's time zone (quiet hours, on-call hand-overs), pure and
 * driven by the instant given: callers pass the injected clock's now.
 */

/** Minutes past local midnight of `at` in `tz`. */
export function localMinutes(at: Date, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** The local calendar day of `at` in `tz`, as YYYY-MM-DD. */
export function localDay(at: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Offset of `tz` from UTC at `at`, in ms (Asia/Shanghai: +8 h). */
function offsetMs(at: Date, tz: string): number {
  const p = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
  const g = (t: string) => Number(p.find((x) => x.type === t)?.value ?? 0);
  return Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute'), g('second')) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant that is `day` `hhmm` on the wall clocks of `tz`. */
export function zonedInstant(day: string, hhmm: string, tz: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const [hh, mm] = hhmm.split(':').map(Number) as [number, number];
  const guess = Date.UTC(y, m - 1, d, hh, mm);
  const first = guess - offsetMs(new Date(guess), tz);
  // Near a daylight-saving change the offset at the answer can differ from the guess's: once more.
  return new Date(guess - offsetMs(new Date(first), tz));
}

export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True when `at` falls in the quiet hours start–end (an end before the start runs past midnight). */
export function inQuietHours(q: { start: string; end: string; timeZone: string }, at: Date): boolean {
  const t = localMinutes(at, q.timeZone);
  const s = minutesOf(q.start);
  const e = minutesOf(q.end);
  if (s === e) return false;
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/** When the quiet hours that hold `at` end: the next local `end` after `at`. */
export function quietHoursEnd(q: { end: string; timeZone: string }, at: Date): Date {
  const today = zonedInstant(localDay(at, q.timeZone), q.end, q.timeZone);
  return today > at ? today : zonedInstant(addDays(localDay(at, q.timeZone), 1), q.end, q.timeZone);
}
