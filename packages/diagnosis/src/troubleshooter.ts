/**
 * The merchants' guided troubleshooter, stateless: every call carries the symptom and the answers
 * so far, and gets the next step. It asks only what the diagnosis cannot settle from stored data,
 * walks the merchant through safe self-fixes for the likeliest causes one by one, and escalates to
 * support (with the answers and the diagnosis) when none helped or the cause is not for a shop to fix.
 */
import type { DiagnosisCase, DiagnosisQuestion, DiagnosisResult } from '@poscare/contracts';
import flows from '../knowledge/troubleshooter.json' with { type: 'json' };
import { diagnoseCase, parseCase, type DiagnoseOptions } from './engine.js';

export type SymptomId = (typeof flows.symptoms)[number]['id'];
export const SYMPTOMS = flows.symptoms;
export const TROUBLESHOOTER_VERSION = flows.version;

export type TroubleStep =
  | { kind: 'question'; question: DiagnosisQuestion }
  | { kind: 'self_fix'; cause: string; title: string; steps: string[]; question: DiagnosisQuestion }
  | { kind: 'resolved'; cause: string | null }
  | { kind: 'escalate'; reason: 'self_fix_failed' | 'no_self_fix' | 'not_for_merchant'; tried: string[] };

/** Causes a shop must not try to fix itself: security incidents go to people at once. */
const NOT_FOR_MERCHANT = /^sec\./;
/** A cause this unlikely is not worth a merchant's time. */
const MIN_CONFIDENCE = 0.08;
const MAX_QUESTIONS = 3;
const fixedKey = (cause: string) => `fixed_${cause}`;

export function symptomReport(symptom: string, lang: string, text?: string): string {
  const s = flows.symptoms.find((x) => x.id === symptom);
  const words = s ? (lang === 'en-US' ? s.report.en : s.report.zh) : '';
  return [words, text?.trim()].filter(Boolean).join(lang === 'en-US' ? '. ' : '，');
}

/** Whether a cause is one the merchant's symptom can be about (the symptom's `related` prefixes). */
function relatedTo(symptom: string | undefined, code: string): boolean {
  const s = flows.symptoms.find((x) => x.id === symptom);
  return !s || s.related.some((p) => code.startsWith(p));
}

/** The merchant's answers already exclude this fix (another card fails too, paper is loaded …): never ask for it. */
function ruledOut(cause: string, answers: Record<string, unknown>): boolean {
  const rules = (flows.ruledOutBy as Record<string, { answer: string; is: 'yes' | 'no' }[]>)[cause] ?? [];
  const said = (v: unknown) => (v === true || v === 'yes' || v === 1 ? 'yes' : v === false || v === 'no' || v === 0 ? 'no' : null);
  return rules.some((r) => said(answers[r.answer]) === r.is);
}

export function troubleshoot(input: unknown, opts: DiagnoseOptions & { symptom?: string } = {}): { result: DiagnosisResult; step: TroubleStep } {
  const c: DiagnosisCase = parseCase(input);
  const zh = c.lang !== 'en-US';
  const answers = c.answers ?? {};
  const result = diagnoseCase(c, opts);
  const yes = (v: unknown) => v === true || v === 'yes' || v === 1;
  const no = (v: unknown) => v === false || v === 'no' || v === 0;

  const fixedBy = Object.entries(answers).find(([k, v]) => k.startsWith('fixed_') && yes(v));
  if (fixedBy) return { result, step: { kind: 'resolved', cause: fixedBy[0].slice('fixed_'.length) } };

  const top = result.causes[0];
  if (top && NOT_FOR_MERCHANT.test(top.code)) return { result, step: { kind: 'escalate', reason: 'not_for_merchant', tried: [] } };

  const asked = Object.keys(answers).filter((k) => !k.startsWith('fixed_')).length;
  const q = result.questions?.[0];
  if (q && asked < MAX_QUESTIONS) return { result, step: { kind: 'question', question: q } };

  const tried: string[] = [];
  // Only causes the symptom can be about: another fault the terminal also has is for support to see.
  const candidates = result.causes.filter((x) => relatedTo(opts.symptom, x.code));
  const firstRelated = candidates[0];
  for (const cause of candidates) {
    if (cause !== firstRelated && cause !== top && cause.confidence < MIN_CONFIDENCE) continue;
    const steps = (flows.selfFixes as Record<string, { zh: string; en: string }[]>)[cause.code];
    if (!steps || ruledOut(cause.code, answers)) continue;
    const answer = answers[fixedKey(cause.code)];
    if (no(answer)) {
      tried.push(cause.code);
      continue;
    }
    return {
      result,
      step: {
        kind: 'self_fix',
        cause: cause.code,
        title: cause.title,
        steps: steps.map((s) => (zh ? s.zh : s.en)),
        question: { id: fixedKey(cause.code), text: zh ? '按上面的步骤做完后，问题解决了吗？' : 'After these steps, is the problem solved?', options: ['yes', 'no'] },
      },
    };
  }
  return { result, step: { kind: 'escalate', reason: tried.length ? 'self_fix_failed' : 'no_self_fix', tried } };
}
