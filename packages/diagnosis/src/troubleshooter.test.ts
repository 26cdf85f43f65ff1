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

describe('the symptom steers the self-fixes', () => {
  it('does not send a merchant whose taps fail to reload paper, even when the paper is out too', () => {
    const c = CAUSE_FIXTURES.find((f) => f.code === 'hw.printer.paper_out')!.build('zh-CN');
    const r = troubleshoot({ ...c, report: { text: symptomReport('tap_fails', 'zh-CN') } }, { symptom: 'tap_fails' });
    if (r.step.kind === 'self_fix') expect(r.step.cause).not.toBe('hw.printer.paper_out');
    else expect(['question', 'escalate']).toContain(r.step.kind);
  });
});
