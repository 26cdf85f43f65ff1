/** The steps of a dispute's deadline: reminders, escalation, expiry (pure, on the business calendar). */
import { daysLeftBegins } from './deadlines.js';
import { ESCALATE_DAYS, REMINDER_DAYS } from './reasonCodes.js';

export interface Step {
  id: string;
  at: Date;
}

/** Reminders, escalation and expiry of a deadline, in time order. */
export function stepsOf(due: Date): Step[] {
  return [
    ...REMINDER_DAYS.map((k) => ({ id: `remind:${k}`, at: daysLeftBegins(due, k) })),
    { id: 'escalate', at: daysLeftBegins(due, ESCALATE_DAYS) },
    { id: 'expire', at: due },
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** When the pass next needs to look: the first step not yet fired (escalation only while nobody acted). */
export function nextWake(now: Date, due: Date, fired: readonly string[], acted: boolean): Date | null {
  void now;
  const next = stepsOf(due).find((s) => !fired.includes(s.id) && !(s.id === 'escalate' && acted));
  return next?.at ?? null;
}
