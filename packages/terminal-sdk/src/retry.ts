/** Exponential back-off with jitter, for errors that say they are worth retrying. */
import { TerminalSdkError } from './errors.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 15_000 };

/** Delay before try number `attempt` (1 = the first retry): base·2^(attempt−1), capped, with ±20 % jitter so a fleet does not retry in lockstep. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const isRetryable = (err: unknown) => err instanceof TerminalSdkError && err.retryable;

/** Runs `fn`, retrying retryable failures; `onRetry` is told of each retry. Rethrows the last error. */
export async function withRetry<T>(fn: () => Promise<T>, policy: RetryPolicy, onRetry?: (attempt: number, err: unknown) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= policy.attempts || !isRetryable(err)) throw err;
      onRetry?.(attempt, err);
      await sleep(backoffDelay(policy, attempt));
    }
  }
}
