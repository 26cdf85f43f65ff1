/**
 * The automatic halt of a rollout (issue 18), pure. A wave is judged on its install outcomes: a failure is an
 * install the terminal reported failed, or one it never answered (the command expired: a terminal that does
 * not come back after an install is the worst outcome, not a neutral one). The wave halts the rollout when
 * the failure rate is significantly above the allowed rate: the one-sided lower bound of the Wilson score
 * interval of the observed rate (95% by default) is above `allowedFailureRate`. While the wave is still under
 * way it is judged only once it has `minResults` outcomes (so the first failure of a large wave does not halt
 * it by chance); once every terminal of the wave has an outcome, on however many there are (a one-terminal
 * canary that fails halts: its lower bound is 0.27).
 *
 * Not yet the comparison the issue asks for (updated vs not-yet-updated terminals of the same models over the
 * same hours: crash, reader and payment failure rates, health); this is the install-outcome halt only.
 */
export interface HaltPolicy {
  statistic: 'wilson_lower_bound';
  /** One-sided confidence of the lower bound. */
  confidence: number;
  /** The normal quantile for that confidence (1.645 for 95%). */
  z: number;
  allowedFailureRate: number;
  minResults: number;
}

export const HALT_POLICY: HaltPolicy = { statistic: 'wilson_lower_bound', confidence: 0.95, z: 1.645, allowedFailureRate: 0.05, minResults: 5 };

/** Lower bound of the Wilson score interval for `failures` of `n`; 0 when n is 0. */
export function wilsonLower(failures: number, n: number, z: number): number {
  if (n <= 0) return 0;
  const p = failures / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - spread) / (1 + z2 / n));
}

export interface WaveOutcome {
  installed: number;
  failed: number;
  noAnswer: number;
  /** Terminals of the wave not sent yet or still installing. */
  open: number;
}

export interface WaveJudgement {
  verdict: 'halt' | 'wait' | 'done';
  failures: number;
  results: number;
  failureRate: number;
  lowerBound: number;
}

export function judgeWave(o: WaveOutcome, policy: HaltPolicy = HALT_POLICY): WaveJudgement {
  const failures = o.failed + o.noAnswer;
  const results = o.installed + failures;
  const lowerBound = wilsonLower(failures, results, policy.z);
  const base = { failures, results, failureRate: results ? failures / results : 0, lowerBound };
  const enough = results >= policy.minResults || (o.open === 0 && results > 0);
  if (enough && lowerBound > policy.allowedFailureRate) return { verdict: 'halt', ...base };
  return { verdict: o.open === 0 ? 'done' : 'wait', ...base };
}
