/**
 * Limits failed sign-ins per account and per client address within a sliding window. Counting per
 * email (whether or not it exists) keeps the answer identical for known and unknown accounts.
 */
import type { Clock } from '../platform/clock.js';

export interface LimiterOptions {
  maxFailures: number;
  windowMs: number;
}

export class LoginLimiter {
  private failures = new Map<string, number[]>();
  constructor(
    private clock: Clock,
    private opts: LimiterOptions = { maxFailures: 5, windowMs: 15 * 60_000 },
  ) {}

  /** Seconds until another try is allowed, or 0 when it is allowed now. */
  retryAfter(keys: string[]): number {
    const now = this.clock.now().getTime();
    let wait = 0;
    for (const k of keys) {
      const recent = this.recent(k, now);
      if (recent.length >= this.opts.maxFailures) {
        wait = Math.max(wait, Math.ceil((recent[0]! + this.opts.windowMs - now) / 1000));
      }
    }
    return wait;
  }

  fail(keys: string[]): void {
    const now = this.clock.now().getTime();
    for (const k of keys) this.failures.set(k, [...this.recent(k, now), now]);
    if (this.failures.size > 100_000) this.sweep(now);
  }

  succeed(keys: string[]): void {
    for (const k of keys) this.failures.delete(k);
  }

  private recent(k: string, now: number): number[] {
    return (this.failures.get(k) ?? []).filter((t) => now - t < this.opts.windowMs);
  }

  private sweep(now: number): void {
    for (const [k] of this.failures) if (this.recent(k, now).length === 0) this.failures.delete(k);
  }
}
