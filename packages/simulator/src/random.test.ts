import { describe, expect, it } from 'vitest';
import { hashSeed, mulberry32, Rng } from './random.js';

describe('seeded randomness', () => {
  it('repeats exactly for a seed and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('derives independent streams from labels', () => {
    expect(hashSeed(1, 'terminal', 3)).toBe(hashSeed(1, 'terminal', 3));
    expect(hashSeed(1, 'terminal', 3)).not.toBe(hashSeed(1, 'terminal', 4));
    expect(Rng.derive(1, 'a').next()).not.toBe(Rng.derive(1, 'b').next());
  });

  it('draws integers, picks, Poisson counts and UUIDs with the expected shape', () => {
    const rng = new Rng(7);
    const ints = Array.from({ length: 2_000 }, () => rng.int(1, 6));
    expect(Math.min(...ints)).toBe(1);
    expect(Math.max(...ints)).toBe(6);
    const mean = Array.from({ length: 5_000 }, () => rng.poisson(2.5)).reduce((s, x) => s + x, 0) / 5_000;
    expect(mean).toBeGreaterThan(2.3);
    expect(mean).toBeLessThan(2.7);
    expect(rng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(rng.weighted([['never', 0], ['always', 1]] as const)).toBe('always');
  });
});
