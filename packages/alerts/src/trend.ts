/**
 * A least-squares line through a metric's recent points, extrapolated to when it crosses a threshold.
 * Points are thinned to at most one per 1/48 of the window so a long window stays small; counters
 * (reader attempts and failures) are gathered into buckets of that size and enter as a rate.
 */
const CAP = 64;
const EMPTY = new Float64Array(0);

export interface Forecast {
  /** The line's value now. */
  now: number;
  /** When it reaches the threshold: now if it already has, Infinity if it is not heading there. */
  crossAt: number;
}

export class Trend {
  // Allocated with the first point: most terminals never have one (a healthy reader's trend never arms).
  private t: Float64Array = EMPTY;
  private v: Float64Array = EMPTY;
  private head = 0;
  private n = 0;
  private readonly step: number;
  private bucketStart = -1;
  private bucketAttempts = 0;
  private bucketFailures = 0;

  constructor(
    private readonly windowMs: number,
    private readonly minSpanMs: number,
    /** Counters: a bucket becomes a point once it holds this many attempts. */
    private readonly minBucketAttempts = 10,
  ) {
    this.step = windowMs / 48;
  }

  get points(): number {
    return this.n;
  }

  reset(): void {
    this.n = 0;
    this.bucketStart = -1;
    this.bucketAttempts = 0;
    this.bucketFailures = 0;
  }

  add(at: number, value: number): void {
    if (this.t.length === 0) {
      this.t = new Float64Array(CAP);
      this.v = new Float64Array(CAP);
    }
    const last = (this.head - 1 + CAP) % CAP;
    if (this.n > 0 && at < this.t[last]!) return;
    // Within one step of the newest point: that point stands for the step (replacing its value but
    // not its time would tilt the line).
    if (this.n > 0 && at - this.t[last]! < this.step) return;
    this.t[this.head] = at;
    this.v[this.head] = value;
    this.head = (this.head + 1) % CAP;
    this.n = Math.min(CAP, this.n + 1);
  }

  /** Adds counts; returns true when a bucket closed and its rate became a point. */
  addCounts(at: number, attempts: number, failures: number): boolean {
    if (this.bucketStart < 0) this.bucketStart = at;
    this.bucketAttempts += attempts;
    this.bucketFailures += failures;
    if (at - this.bucketStart < this.step * 4 || this.bucketAttempts < this.minBucketAttempts) return false;
    this.add(at, this.bucketFailures / this.bucketAttempts);
    this.bucketStart = at;
    this.bucketAttempts = 0;
    this.bucketFailures = 0;
    return true;
  }

  /**
   * The line's value now and when it crosses `threshold`; null while there are too few points (or
   * they span too short a time) to say anything.
   */
  forecast(now: number, threshold: number, direction: 'falling' | 'rising', minPoints: number): Forecast | null {
    const from = now - this.windowMs;
    let n = 0;
    let st = 0;
    let sv = 0;
    let first = Infinity;
    for (let k = 0; k < this.n; k++) {
      const i = (this.head - 1 - k + CAP) % CAP;
      const t = this.t[i]!;
      if (t < from) break;
      n++;
      st += t - now;
      sv += this.v[i]!;
      first = t;
    }
    if (n < minPoints || now - first < this.minSpanMs) return null;
    const mt = st / n;
    const mv = sv / n;
    let num = 0;
    let den = 0;
    for (let k = 0; k < n; k++) {
      const i = (this.head - 1 - k + CAP) % CAP;
      const dt = this.t[i]! - now - mt;
      num += dt * (this.v[i]! - mv);
      den += dt * dt;
    }
    if (den === 0) return null;
    const slope = num / den;
    const valueNow = mv - slope * mt;
    const crossed = direction === 'falling' ? valueNow <= threshold : valueNow >= threshold;
    if (crossed) return { now: valueNow, crossAt: now };
    if (direction === 'falling' ? slope >= 0 : slope <= 0) return { now: valueNow, crossAt: Infinity };
    return { now: valueNow, crossAt: now + (threshold - valueNow) / slope };
  }
}
