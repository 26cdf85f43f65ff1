import { describe, expect, it } from 'vitest';
import { planWaves, waveSizes } from './planner.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `t-${String(i).padStart(4, '0')}`);

describe('planWaves', () => {
  it('puts 200 terminals in cumulative waves of 1%, 10%, 50%, 100%: 2, 18, 80, 100', () => {
    const plan = planWaves('r1', ids(200), [1, 10, 50, 100]);
    expect(plan.size).toBe(200);
    expect(waveSizes(plan, 4)).toEqual([2, 18, 80, 100]);
  });

  it('gives a small fleet a canary of one terminal rather than none, and no wave more than it has', () => {
    expect(waveSizes(planWaves('r1', ids(10), [1, 10, 50, 100]), 4)).toEqual([1, 1, 3, 5]);
    expect(waveSizes(planWaves('r1', ids(2), [1, 10, 50, 100]), 4)).toEqual([1, 1, 0, 0]);
    expect(planWaves('r1', [], [1, 100]).size).toBe(0);
  });

  it('is the same plan for the same rollout, and a different canary for another rollout', () => {
    const a = planWaves('rollout-a', ids(500), [1, 100]);
    const again = planWaves('rollout-a', [...ids(500)].reverse(), [1, 100]);
    const b = planWaves('rollout-b', ids(500), [1, 100]);
    const canary = (p: Map<string, number>) => [...p].filter(([, w]) => w === 0).map(([id]) => id).sort();
    expect(canary(again)).toEqual(canary(a));
    expect(canary(b)).not.toEqual(canary(a));
    // Spread over the fleet, not the first serial numbers.
    expect(canary(a)).not.toEqual(ids(5));
  });
});
