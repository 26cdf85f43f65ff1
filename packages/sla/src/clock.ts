/**
 * One SLA clock cycle: the spans of wall time in which it ran (a pause ends a span, a resume opens
 * the next), and what follows from them on a calendar: elapsed business time, the instant the target
 * ran out, the due instant, met or breached.
 *
 * A cycle is measured on the calendar and target that apply when it is measured, so a priority
 * change re-measures the whole cycle from its start (see sla.ts).
 */
import { addBusinessMs, businessMsBetween } from './businessTime.js';
import type { Calendar } from './calendar.js';

export type StopReason = 'first_response' | 'agent_update' | 'resolved' | 'closed';

export interface Cycle {
  cycle: number;
  startedAt: number;
  /** Wall-time spans in which the clock ran; `to: null` is the span running now. */
  spans: Array<{ from: number; to: number | null }>;
  stoppedAt: number | null;
  stopReason: StopReason | null;
}

export function startCycle(previous: Cycle | null, at: number, running: boolean): Cycle {
  return { cycle: (previous?.cycle ?? 0) + 1, startedAt: at, spans: running ? [{ from: at, to: null }] : [], stoppedAt: null, stopReason: null };
}

export function isRunning(c: Cycle): boolean {
  return c.stoppedAt === null && c.spans.length > 0 && c.spans[c.spans.length - 1]!.to === null;
}

export function pause(c: Cycle, at: number): void {
  const last = c.spans[c.spans.length - 1];
  if (last && last.to === null) last.to = at;
}

export function resume(c: Cycle, at: number): void {
  if (c.stoppedAt === null && !isRunning(c)) c.spans.push({ from: at, to: null });
}

export function stop(c: Cycle, at: number, reason: StopReason): void {
  if (c.stoppedAt !== null) return;
  pause(c, at);
  c.stoppedAt = at;
  c.stopReason = reason;
}

/** Business ms the cycle has run up to `at`. */
export function elapsedMs(c: Cycle, calendar: Calendar, at: number): number {
  let t = 0;
  for (const s of c.spans) {
    if (s.from >= at) break;
    const end = s.to === null || s.to > at ? at : s.to;
    t += businessMsBetween(calendar, s.from, end);
  }
  return t;
}

/** The instant, up to `at`, at which the cycle's running time reached `budget`, or null if it has not. */
export function reachedAt(c: Cycle, calendar: Calendar, budget: number, at: number): number | null {
  let used = 0;
  for (const s of c.spans) {
    if (s.from >= at) break;
    const end = s.to === null || s.to > at ? at : s.to;
    const span = businessMsBetween(calendar, s.from, end);
    if (used + span >= budget) return addBusinessMs(calendar, s.from, budget - used);
    used += span;
  }
  return null;
}

export type ClockState = 'pending' | 'running' | 'paused' | 'stopped';
export type Outcome = 'met' | 'breached';

export interface Measure {
  elapsedMs: number;
  /** The instant the target runs (or ran) out; null while paused short of it. */
  due: number | null;
  outcome: Outcome | null;
  metAt: number | null;
  breachedAt: number | null;
}

/**
 * Met or breached, as of `at`. A stop at exactly the due instant is met; a running clock that reaches
 * its due instant is breached at that instant; a paused clock breaches only if it ran past the target.
 */
export function measure(c: Cycle, calendar: Calendar, targetMs: number, at: number): Measure {
  const end = c.stoppedAt ?? at;
  const elapsed = elapsedMs(c, calendar, end);
  const crossed = reachedAt(c, calendar, targetMs, end);
  if (c.stoppedAt !== null) {
    const met = elapsed <= targetMs;
    return {
      elapsedMs: elapsed,
      due: crossed ?? addBusinessMs(calendar, c.stoppedAt, targetMs - elapsed),
      outcome: met ? 'met' : 'breached',
      metAt: met ? c.stoppedAt : null,
      breachedAt: met ? null : crossed,
    };
  }
  if (isRunning(c)) {
    const breached = elapsed >= targetMs;
    return {
      elapsedMs: elapsed,
      due: breached ? crossed : addBusinessMs(calendar, at, targetMs - elapsed),
      outcome: breached ? 'breached' : null,
      metAt: null,
      breachedAt: breached ? crossed : null,
    };
  }
  const breached = elapsed > targetMs;
  return { elapsedMs: elapsed, due: breached ? crossed : null, outcome: breached ? 'breached' : null, metAt: null, breachedAt: breached ? crossed : null };
}
