import { describe, expect, it } from 'vitest';
import { symptomReport, troubleshoot, SYMPTOMS } from './troubleshooter.js';
import { CAUSE_FIXTURES, healthyCase } from './testing/fixtures.js';

const withSymptom = (symptom: string, lang: 'zh-CN' | 'en-US', answers: Record<string, string> = {}) => {
  const c = healthyCase('ts', { lang });
  c.report = { text: symptomReport(symptom, lang) };
  return { ...c, answers };
};

describe('the guided troubleshooter', () => {
  it('starts from every symptom in both languages', () => {
    for (const s of SYMPTOMS) {
      expect(s.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(s.en).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('asks what the stored data cannot settle, then walks through the self-fix, then escalates when it did not help', () => {
    const first = troubleshoot(withSymptom('no_receipt', 'zh-CN'));
    expect(first.step).toMatchObject({ kind: 'question', question: { id: 'paper_loaded' } });
    const second = troubleshoot(withSymptom('no_receipt', 'zh-CN', { paper_loaded: 'no' }));
    expect(second.step).toMatchObject({ kind: 'self_fix', cause: 'hw.printer.paper_out' });
    if (second.step.kind !== 'self_fix') throw new Error('unreachable');
    expect(second.step.steps.join('')).toContain('纸卷');
    const solved = troubleshoot(withSymptom('no_receipt', 'zh-CN', { paper_loaded: 'no', fixed_hw_printer: 'x', 'fixed_hw.printer.paper_out': 'yes' }));
    expect(solved.step).toEqual({ kind: 'resolved', cause: 'hw.printer.paper_out' });
    const notSolved = troubleshoot(withSymptom('no_receipt', 'zh-CN', { paper_loaded: 'no', 'fixed_hw.printer.paper_out': 'no' }));
    expect(['self_fix', 'escalate']).toContain(notSolved.step.kind);
    if (notSolved.step.kind === 'self_fix') expect(notSolved.step.cause).not.toBe('hw.printer.paper_out');
    if (notSolved.step.kind === 'escalate') expect(notSolved.step.tried).toContain('hw.printer.paper_out');
  });

  it('skips questions the terminal has already answered through its telemetry', () => {
    const c = CAUSE_FIXTURES.find((f) => f.code === 'hw.printer.paper_out')!.build('en-US');
    const r = troubleshoot({ ...c, report: { text: symptomReport('no_receipt', 'en-US') } });
    expect(r.step).toMatchObject({ kind: 'self_fix', cause: 'hw.printer.paper_out' });
  });

  it('never lets a shop handle a tampered terminal itself', () => {
    const c = CAUSE_FIXTURES.find((f) => f.code === 'sec.tamper')!.build('zh-CN');
    expect(troubleshoot(c).step).toEqual({ kind: 'escalate', reason: 'not_for_merchant', tried: [] });
  });

  it('escalates when nothing it can suggest is left', () => {
    const r = troubleshoot(withSymptom('other', 'en-US'));
    expect(r.step).toMatchObject({ kind: 'escalate', reason: 'no_self_fix' });
  });
});

describe('a step never asks for what the answers rule out', () => {
  it('does not tell a merchant to ask for another card after they said another card fails too', () => {
    for (const [symptom, answer] of [['chip_fails', 'chip_other_cards'], ['tap_fails', 'tap_other_cards']] as const) {
      for (const lang of ['zh-CN', 'en-US'] as const) {
        // Walk the flow as a merchant would: every self-fix offered is tried and did not help.
        const answers: Record<string, string> = { [answer]: 'no' };
        for (let i = 0; i < 12; i++) {
          const r = troubleshoot(withSymptom(symptom, lang, answers));
          if (r.step.kind === 'question') answers[r.step.question.id] = r.step.question.id === answer ? 'no' : 'yes';
          else if (r.step.kind === 'self_fix') {
            expect(r.step.cause, `${symptom} ${lang}`).not.toMatch(/^ext\.(card|issuer)\./);
            expect(r.step.steps.join(' ')).not.toMatch(/another card|换一张/);
            answers[r.step.question.id] = 'no';
          } else break;
        }
      }
    }
  });

  it('on a terminal whose data points at the card, drops "use another card" once other cards are said to fail too', () => {
    for (const code of ['ext.card.damaged', 'ext.card.expired', 'ext.issuer.decline']) {
      const c = CAUSE_FIXTURES.find((f) => f.code === code)!.build('en-US');
      const base = { ...c, report: { text: symptomReport('chip_fails', 'en-US') } };
      const after = troubleshoot({ ...base, answers: { chip_other_cards: 'no', tap_other_cards: 'no' } }, { symptom: 'chip_fails' });
      if (after.step.kind === 'self_fix') expect(after.step.steps.join(' '), code).not.toMatch(/another card|card that has not expired/);
    }
  });
});

describe('the symptom steers the self-fixes', () => {
  it('does not send a merchant whose taps fail to reload paper, even when the paper is out too', () => {
    const c = CAUSE_FIXTURES.find((f) => f.code === 'hw.printer.paper_out')!.build('zh-CN');
    const r = troubleshoot({ ...c, report: { text: symptomReport('tap_fails', 'zh-CN') } }, { symptom: 'tap_fails' });
    if (r.step.kind === 'self_fix') expect(r.step.cause).not.toBe('hw.printer.paper_out');
    else expect(['question', 'escalate']).toContain(r.step.kind);
  });
});
