/**
 * Dispute deadlines in business days on the same calendar as the service desk's SLAs (@poscare/sla,
 * `cn-business`: Chinese public holidays and make-up working days). A deadline of n business days is
 * the closing time of the n-th business day after the day the dispute arrived; "k days left" begins at
 * the opening of the business day k business days before the deadline's day.
 */
import { DEFAULT_CALENDARS, addBusinessMs, businessMsBetween, nextOpening, type Calendar } from '@poscare/sla';

const DAY_MS = 86_400_000;
export const DISPUTE_CALENDAR: Calendar = DEFAULT_CALENDARS['cn-business']!;

const offset = (cal: Calendar) => cal.utcOffsetMinutes * 60_000;
/** Local day number (days since the epoch in the calendar's zone) of an instant. */
const dayOf = (cal: Calendar, at: number) => Math.floor((at + offset(cal)) / DAY_MS);
const midnight = (cal: Calendar, day: number) => day * DAY_MS - offset(cal);
const openMs = (cal: Calendar, day: number) => businessMsBetween(cal, midnight(cal, day), midnight(cal, day + 1));
const isBusinessDay = (cal: Calendar, day: number) => openMs(cal, day) > 0;

/** The closing time of the n-th business day after `from`'s day. */
export function dueAfterBusinessDays(from: Date, n: number, cal: Calendar = DISPUTE_CALENDAR): Date {
  let day = dayOf(cal, from.getTime());
  for (let count = 0; count < n; ) if (isBusinessDay(cal, ++day)) count++;
  return new Date(addBusinessMs(cal, midnight(cal, day), openMs(cal, day)));
}

/** When "k business days left" begins: the opening of the business day k business days before the due day. */
export function daysLeftBegins(due: Date, k: number, cal: Calendar = DISPUTE_CALENDAR): Date {
  let day = dayOf(cal, due.getTime());
  for (let count = 0; count < k; ) if (isBusinessDay(cal, --day)) count++;
  return new Date(nextOpening(cal, midnight(cal, day)));
}

/** Business days after today up to and including the due day (0 on the due day); negative once the deadline passed. */
export function businessDaysLeft(now: Date, due: Date, cal: Calendar = DISPUTE_CALENDAR): number {
  const today = dayOf(cal, now.getTime());
  const dueDay = dayOf(cal, due.getTime());
  if (now.getTime() > due.getTime()) {
    let late = 0;
    for (let d = dueDay + 1; d <= today; d++) if (isBusinessDay(cal, d)) late++;
    return -Math.max(1, late);
  }
  let left = 0;
  for (let d = today + 1; d <= dueDay; d++) if (isBusinessDay(cal, d)) left++;
  return left;
}
