import { describe, expect, it } from 'vitest';
import {
  answersOf,
  confidencePct,
  diagnosisBody,
  isCommandName,
  troubleshootBody,
  withAnswer,
  withoutLast,
  yesNo,
  type AskingStep,
  type HistoryEntry,
} from './diagnosis';

const question = (id: string): AskingStep => ({ kind: 'question', question: { id, text: `${id}?`, options: ['yes', 'no'] } });
const selfFix = (cause: string, title: string): AskingStep => ({
  kind: 'self_fix',
  cause,
  title,
  steps: ['one', 'two'],
  question: { id: `fixed_${cause}`, text: 'solved?', options: ['yes', 'no'] },
});

describe('troubleshooter answers', () => {
  it('accumulates one answer per question, in the order they were given', () => {
    let h: HistoryEntry[] = [];
    h = withAnswer(h, question('paper_loaded'), 'no');
    h = withAnswer(h, selfFix('hw.printer.paper_out', 'Out of paper'), 'no');
    expect(answersOf(h)).toEqual({ paper_loaded: 'no', 'fixed_hw.printer.paper_out': 'no' });
    expect(h.map((e) => e.step.question.id)).toEqual(['paper_loaded', 'fixed_hw.printer.paper_out']);
  });

  it('"back" removes only the last answer, and does nothing on an empty conversation', () => {
    const h = withAnswer(withAnswer([], question('a'), 'yes'), question('b'), 'no');
    expect(answersOf(withoutLast(h))).toEqual({ a: 'yes' });
    expect(withoutLast([])).toEqual([]);
  });

  it('answering a question asked earlier again replaces that answer and forgets what followed it', () => {
    let h = withAnswer([], question('a'), 'yes');
    h = withAnswer(h, question('b'), 'no');
    h = withAnswer(h, question('a'), 'no');
    expect(h.map((e) => [e.step.question.id, e.answer])).toEqual([['a', 'no']]);
  });

  it('does not change the history it was given', () => {
    const h = withAnswer([], question('a'), 'yes');
    withAnswer(h, question('b'), 'no');
    withoutLast(h);
    expect(h).toHaveLength(1);
  });
});

describe('request bodies', () => {
  it('troubleshoot: symptom, language and answers; blank text is left out', () => {
    const h = withAnswer([], question('paper_loaded'), 'no');
    expect(troubleshootBody('no_receipt', '   ', h, 'zh-CN')).toEqual({ symptom: 'no_receipt', answers: { paper_loaded: 'no' }, lang: 'zh-CN' });
    expect(troubleshootBody('no_receipt', ' 纸卷是新的 ', [], 'en-US')).toEqual({ symptom: 'no_receipt', text: '纸卷是新的', lang: 'en-US' });
  });

  it('diagnosis: the report is trimmed, empty answers are left out', () => {
    expect(diagnosisBody(' 不出小票 ', {}, 'zh-CN')).toEqual({ report: '不出小票', lang: 'zh-CN' });
    expect(diagnosisBody('', { paper_loaded: 'yes' }, 'en-US')).toEqual({ answers: { paper_loaded: 'yes' }, lang: 'en-US' });
  });
});

describe('display helpers', () => {
  it('recognises yes/no options and leaves others alone', () => {
    expect(yesNo('yes')).toBe('yes');
    expect(yesNo('no')).toBe('no');
    expect(yesNo('sometimes')).toBeNull();
  });

  it('turns a confidence into a whole percentage within 0–100', () => {
    expect(confidencePct(0.994)).toBe(99);
    expect(confidencePct(0.125)).toBe(13);
    expect(confidencePct(1.2)).toBe(100);
    expect(confidencePct(-0.1)).toBe(0);
  });

  it('only offers remote commands the platform can send', () => {
    expect(isCommandName('print_test')).toBe(true);
    expect(isCommandName('rollback_app')).toBe(false);
    expect(isCommandName(undefined)).toBe(false);
  });

});
