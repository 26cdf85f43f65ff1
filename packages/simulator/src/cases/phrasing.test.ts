import { describe, expect, it } from 'vitest';
import { PHRASING_KINDS, phrasedCases } from './phrasing.js';

describe('merchant reports with varied phrasing', () => {
  it('are the same for the same seed, and differ between the dev and held-out splits', () => {
    expect(phrasedCases({ perKind: 20 })).toEqual(phrasedCases({ perKind: 20 }));
    const dev = new Set(phrasedCases({ perKind: 60 }).map((c) => c.meta.text));
    const held = phrasedCases({ split: 'held-out', perKind: 60 }).map((c) => c.meta.text);
    // Different wordings: a held-out report is almost never word for word a dev one.
    expect(held.filter((t) => dev.has(t)).length).toBeLessThan(held.length * 0.05);
  });

  it('cover every kind in both languages, each labelled with a taxonomy code', () => {
    const cases = phrasedCases({ perKind: 10 });
    for (const kind of PHRASING_KINDS) {
      const of = cases.filter((c) => c.meta.kind === kind);
      expect(new Set(of.map((c) => c.meta.lang))).toEqual(new Set(['zh-CN', 'en-US']));
      expect(of.every((c) => /^[a-z]+\.[a-z_.]+$/.test(c.label.code))).toBe(true);
    }
    expect(cases.filter((c) => c.meta.kind === 'amount').every((c) => c.label.code === 'op.input.error')).toBe(true);
  });

  it('never name the cause in the taxonomy words', () => {
    for (const c of phrasedCases({ perKind: 40 })) expect(c.meta.text).not.toMatch(/hw\.|sw\.|net\.|regression|firmware fault|input error/i);
  });

  it('keep the first generation as it was, to compare with; the second adds wordings and the passing kind', () => {
    const first = phrasedCases({ generation: 1, perKind: 30 });
    expect(new Set(first.map((c) => c.meta.kind))).toEqual(new Set(['plain', 'contrast', 'negation', 'amount', 'change']));
    // The first generation's held-out reports, word for word as they were measured before (a change to its pools or draws would show here).
    expect(phrasedCases({ generation: 1, split: 'held-out', perKind: 2, kinds: ['contrast'] }).map((c) => c.meta.text)).toEqual([
      '麻烦看下，数字键按不动，但WiFi好好的，麻烦尽快处理',
      'The cashier says: Although the display looks fine, battery life drains fast.',
    ]);
    const second = phrasedCases({ perKind: 60 });
    expect(second.filter((c) => c.meta.kind === 'passing').length).toBe(60);
    // Some reports are typed casually: Chinese without commas, English without apostrophes or capitals.
    expect(second.some((c) => c.meta.lang === 'en-US' && c.meta.text === c.meta.text.toLowerCase())).toBe(true);
    const firstTexts = new Set(phrasedCases({ generation: 1 }).map((c) => c.meta.text));
    expect(second.filter((c) => !firstTexts.has(c.meta.text)).length).toBeGreaterThan(second.length * 0.9);
  });

  it('hold out a third generation as a whole: new wordings, not in the first two; its dev split is the second generation\'s', () => {
    const third = phrasedCases({ generation: 3, split: 'held-out', perKind: 60 });
    expect(new Set(third.map((c) => c.meta.kind))).toEqual(new Set(PHRASING_KINDS));
    const earlier = new Set([...phrasedCases({ split: 'held-out' }), ...phrasedCases({ split: 'dev' }), ...phrasedCases({ generation: 1, split: 'held-out' })].map((c) => c.meta.text));
    expect(third.filter((c) => earlier.has(c.meta.text)).length).toBeLessThan(third.length * 0.02);
    expect(phrasedCases({ generation: 3, split: 'dev', perKind: 10 })).toEqual(phrasedCases({ generation: 2, split: 'dev', perKind: 10 }));
  });
});
