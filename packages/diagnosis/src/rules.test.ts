/**
 * One test per cause rule: on a healthy terminal with that cause's signs, the engine names that cause
 * first, with the right scope, in both languages. Plus the integrity of the knowledge files.
 */
import { describe, expect, it } from 'vitest';
import { DiagnosisResult } from '@poscare/contracts';
import { FAULT_CAUSES } from '@poscare/codes';
import { diagnose } from './engine.js';
import { extractFeatures } from './features.js';
import { loadKnowledge } from './knowledge.js';
import { parseCase } from './engine.js';
import { CAUSE_FIXTURES, healthyCase } from './testing/fixtures.js';

const knowledge = loadKnowledge();

describe('every cause rule fires on its own signature', () => {
  for (const fx of CAUSE_FIXTURES) {
    for (const lang of ['zh-CN', 'en-US'] as const) {
      it(`${fx.code} (${lang}) is the top cause, scope ${fx.scope}`, () => {
        const r = diagnose(fx.build(lang));
        expect(r.causes[0]?.code, JSON.stringify(r.causes.map((c) => [c.code, c.confidence]))).toBe(fx.code);
        expect(r.scope).toBe(fx.scope);
        expect(r.causes[0]!.evidence.length).toBeGreaterThan(0);
        expect(r.causes[0]!.actions.length).toBeGreaterThan(0);
        // Evidence and actions speak the case's language, with every placeholder filled.
        const text = [r.causes[0]!.title, ...r.causes[0]!.evidence.map((e) => e.detail), ...r.causes[0]!.actions.map((a) => a.text)].join(' ');
        expect(text).not.toMatch(/\{[\w.]+(\|\w+)?\}/);
        if (lang === 'zh-CN') expect(text).toMatch(/[\u4e00-\u9fff]/);
        else expect(text).not.toMatch(/[\u4e00-\u9fff]/);
        expect(DiagnosisResult.safeParse(r).success).toBe(true);
      });
    }
  }
});

describe('the knowledge files', () => {
  it('have a rule for every cause of the fault taxonomy, and a fixture for every rule', () => {
    const ruled = new Set(knowledge.rules.map((r) => r.code));
    expect(FAULT_CAUSES.map((c) => c.code).filter((c) => !ruled.has(c))).toEqual([]);
    const fixtured = new Set(CAUSE_FIXTURES.map((f) => f.code));
    expect(knowledge.rules.map((r) => r.code).filter((c) => !fixtured.has(c))).toEqual([]);
  });

  it('only name features the engine computes', () => {
    // Build the feature vocabulary from every fixture; rules may also name answers and per-code hints.
    const known = new Set<string>();
    for (const fx of CAUSE_FIXTURES)
      for (const lang of ['zh-CN', 'en-US'] as const) {
        const c = parseCase(fx.build(lang));
        for (const k of extractFeatures(c).keys()) known.add(k);
        // The same terminal seen an hour later, silent since, one of its peers gone quiet with it.
        const lastAt = (c.telemetry ?? []).map((t) => t.at).sort().at(-1) ?? c.now;
        const later = { ...c, now: new Date(Date.parse(c.now) + 3_600_000).toISOString(), site: { terminals: [{ id: 'P-quiet', status: 'offline' as const, lastSeenAt: lastAt }, { id: 'P-up', status: 'online' as const }] } };
        for (const k of extractFeatures(later).keys()) known.add(k);
      }
    const dynamic = /^(answer\.|rcHint\.|emvHint\.|evHint\.|cardHint\.|rc\.|card\.rc\.|txt\.|net\.sim\.|peripherals\.down\.|printer\.|tx\.\w+\.|term\.)/;
    const unknown: string[] = [];
    for (const r of knowledge.rules) {
      const conds = r.signals.flatMap((s) => (Array.isArray(s.when) ? s.when : [s.when]));
      for (const c of conds) if (!known.has(c.f) && !dynamic.test(c.f)) unknown.push(`${r.code}: ${c.f}`);
    }
    expect(unknown).toEqual([]);
  });

  it('refuse a rule with an unknown cause code or a condition without a test', () => {
    const file = (causes: unknown[]) => ({ schema: 'poscare.diagnosis-knowledge/v1', version: 't', category: 'x', causes });
    const rule = { code: 'hw.keypad', scope: 'terminal', signals: [{ when: { f: 'keypad.stuckKeys', gte: 1 }, w: 1, src: 'telemetry', zh: 'a', en: 'b' }], actions: [{ kind: 'monitor', zh: 'a', en: 'b' }] };
    expect(() => loadKnowledge([file([rule])])).not.toThrow();
    expect(() => loadKnowledge([file([{ ...rule, code: 'hw.toaster' }])])).toThrow(/not a fault taxonomy code/);
    expect(() => loadKnowledge([file([{ ...rule, signals: [{ ...rule.signals[0], when: { f: 'x' } }] }])])).toThrow(/needs ramp/);
    expect(() => loadKnowledge([file([rule, rule])])).toThrow(/twice/);
  });
});

describe('a healthy terminal', () => {
  it('gets no cause at all, and the result says what evidence would help', () => {
    const r = diagnose(healthyCase('healthy'));
    expect(r.causes).toEqual([]);
    expect(r.scope).toBe('terminal');
  });

  it('with only a vague complaint gets modest confidence and questions, not a confident guess', () => {
    const c = healthyCase('vague', { lang: 'en-US' });
    c.report = { text: 'no receipt' };
    const r = diagnose(c);
    expect(r.causes[0]?.code).toMatch(/^hw\.printer\./);
    expect(r.causes[0]!.confidence).toBeLessThan(0.6);
    expect(r.questions?.map((q) => q.id)).toContain('paper_loaded');
  });
});
