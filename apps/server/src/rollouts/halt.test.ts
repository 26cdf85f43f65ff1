import { describe, expect, it } from 'vitest';
import { HALT_POLICY, judgeWave, wilsonLower } from './halt.js';

describe('wilsonLower', () => {
  it('matches the Wilson score lower bound at 95% one-sided', () => {
    expect(wilsonLower(1, 1, 1.645)).toBeCloseTo(0.2698, 3);
    expect(wilsonLower(3, 20, 1.645)).toBeCloseTo(0.0617, 3);
    expect(wilsonLower(0, 50, 1.645)).toBe(0);
    expect(wilsonLower(0, 0, 1.645)).toBe(0);
  });
});

describe('judgeWave (allowed 5%, at least 5 results while under way)', () => {
  it('halts a wave of 20 with 3 failures (lower bound 6.2% > 5%) but not one with 2 (3.4%)', () => {
    expect(judgeWave({ installed: 17, failed: 3, noAnswer: 0, open: 0 }).verdict).toBe('halt');
    expect(judgeWave({ installed: 18, failed: 2, noAnswer: 0, open: 0 }).verdict).toBe('done');
  });

  it('counts installs nobody answered as failures', () => {
    expect(judgeWave({ installed: 17, failed: 1, noAnswer: 2, open: 0 })).toMatchObject({ verdict: 'halt', failures: 3, results: 20 });
  });

  it('does not halt on the first failures of a wave under way, before it has 5 outcomes', () => {
    expect(judgeWave({ installed: 0, failed: 2, noAnswer: 0, open: 98 }).verdict).toBe('wait');
    expect(judgeWave({ installed: 0, failed: 5, noAnswer: 0, open: 95 }).verdict).toBe('halt');
  });

  it('judges a finished one-terminal canary on its one outcome', () => {
    expect(judgeWave({ installed: 0, failed: 1, noAnswer: 0, open: 0 }).verdict).toBe('halt');
    expect(judgeWave({ installed: 1, failed: 0, noAnswer: 0, open: 0 }).verdict).toBe('done');
  });

  it('is the policy stated as data', () => {
    expect(HALT_POLICY).toEqual({ statistic: 'wilson_lower_bound', confidence: 0.95, z: 1.645, allowedFailureRate: 0.05, minResults: 5 });
  });
});
