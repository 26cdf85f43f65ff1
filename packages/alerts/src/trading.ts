/**
 * When a terminal normally trades: approved payments per hour of the week, for the last four weeks,
 * learned as payments come in (or seeded from stored history). An hour counts as a trading hour when
 * enough of the past weeks (not the current one) had at least so many payments in it.
 */
const WEEK_HOURS = 168;
const WEEKS = 4;
const HOUR = 3_600_000;
const WEEK = WEEK_HOURS * HOUR;
// 1970-01-01 was a Thursday: shift so that week slots start on Monday 00:00 local time.
const MONDAY_SHIFT = 3 * 24 * HOUR;

export class TradingBaseline {
  private readonly counts = new Uint8Array(WEEKS * WEEK_HOURS);
  private readonly weeks = new Int32Array(WEEKS).fill(-1);

  constructor(private readonly utcOffsetMinutes: number) {}

  private local(atMs: number): number {
    return atMs + this.utcOffsetMinutes * 60_000 + MONDAY_SHIFT;
  }

  count(atMs: number): void {
    this.add(atMs, 1);
  }

  add(atMs: number, n: number): void {
    const l = this.local(atMs);
    const week = Math.floor(l / WEEK);
    const slot = Math.floor((l - week * WEEK) / HOUR);
    const w = week % WEEKS;
    if (this.weeks[w] !== week) {
      if (this.weeks[w]! > week) return;
      this.weeks[w] = week;
      this.counts.fill(0, w * WEEK_HOURS, (w + 1) * WEEK_HOURS);
    }
    const i = w * WEEK_HOURS + slot;
    this.counts[i] = Math.min(255, this.counts[i]! + n);
  }

  /** Whether the hour of the week holding `atMs` is one this terminal trades in. */
  expected(atMs: number, minPerHour: number, minWeeks: number): boolean {
    const l = this.local(atMs);
    const week = Math.floor(l / WEEK);
    const slot = Math.floor((l - week * WEEK) / HOUR);
    let traded = 0;
    for (let w = 0; w < WEEKS; w++) {
      const wk = this.weeks[w]!;
      if (wk < 0 || wk >= week || wk < week - WEEKS) continue;
      if (this.counts[w * WEEK_HOURS + slot]! >= minPerHour) traded++;
    }
    return traded >= minWeeks;
  }

  /** Every hour touched by [from, to] is a trading hour. */
  expectedOver(from: number, to: number, minPerHour: number, minWeeks: number): boolean {
    for (let t = from; t < to + HOUR; t += HOUR) if (!this.expected(Math.min(t, to), minPerHour, minWeeks)) return false;
    return true;
  }
}
