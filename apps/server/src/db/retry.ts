/**
 * SQLSTATEs that mean "another transaction got in the way, try again": deadlock detected (40P01) and
 * serialization failure (40001). One list for every retry in the server (ingest batches, job queue set-up).
 */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40P01', '40001']);

export const isRetryable = (err: unknown): boolean => RETRYABLE_SQLSTATES.has(String((err as { code?: unknown })?.code));

/** Runs fn again (short, growing, jittered pauses) while PostgreSQL answers with a retryable SQLSTATE. */
export async function retryOnDeadlock<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, 50 * i + Math.floor(Math.random() * 100)));
    }
  }
}
