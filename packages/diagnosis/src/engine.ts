/**
 * The diagnosis engine: case → features → every cause rule scored → ranked causes with the
 * evidence that produced them, scope, actions, what is missing and what to ask next.
 *
 * Scoring is additive evidence: each signal adds weight × strength (0…1); counter-evidence subtracts.
 * A cause is named only when its supporting evidence reaches the rule's minimum. Confidences are a
 * softmax over the net scores with an "unexplained" alternative, so weak evidence gives modest
 * confidence instead of a confident guess.
 */
import {
  DIAGNOSIS_RESULT_SCHEMA,
  DiagnosisCase,
  type DiagnosedCause,
  type DiagnosisQuestion,
  type DiagnosisResult,
  type DiagnosisScope,
  type Evidence,
} from '@poscare/contracts';
import { faultCause } from '@poscare/codes';
import guidance from '../knowledge/guidance.json' with { type: 'json' };
import { extractFeatures, type Features } from './features.js';
import { loadKnowledge, signalStrength, type CauseRule, type Knowledge } from './knowledge.js';
import { DiagnosisInputError } from './errors.js';

export interface DiagnoseOptions {
  knowledge?: Knowledge;
  /** How many causes to return at most (default 5). */
  limit?: number;
}

/** A cause's score with the parts that made it; exported for explanations and rule tests. */
export interface ScoredCause {
  rule: CauseRule;
  support: number;
  against: number;
  score: number;
  evidence: { weight: number; evidence: Evidence }[];
}

const DEFAULT_MIN_SCORE = 1.5;
const TEMPERATURE = 1.6;
/** The score of "none of these": a cause must clearly beat it to be confident. */
const UNEXPLAINED = 2.2;
/** Below this strength a signal is too faint to quote as evidence. */
const QUOTE_FROM = 0.15;

let defaultKnowledge: Knowledge | null = null;
const knowledgeOf = (opts: DiagnoseOptions) => opts.knowledge ?? (defaultKnowledge ??= loadKnowledge());

/** Validates a case; the error names the first bad field. */
export function parseCase(input: unknown): DiagnosisCase {
  const r = DiagnosisCase.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new DiagnosisInputError(issue.path.map(String).join('.') || '(case)', issue.message, issue);
  }
  return r.data;
}

export function diagnose(input: unknown, opts: DiagnoseOptions = {}): DiagnosisResult {
  return diagnoseCase(parseCase(input), opts);
}

/** For a case already validated by parseCase (the server and the troubleshooter validate first). */
export function diagnoseCase(c: DiagnosisCase, opts: DiagnoseOptions = {}): DiagnosisResult {
  const features = extractFeatures(c);
  const scored = scoreCauses(c, features, knowledgeOf(opts));
  return buildResult(c, features, scored, opts.limit ?? 5);
}

/** Evidence a silent terminal's case holds only from before it fell silent: old payments, one card's history. */
const STALE_WHEN_SILENT = new Set<string>(['transactions', 'card', 'iso8583', 'emv']);
/** How much a cause that cannot make a terminal silent still counts for a silent terminal. */
const SILENT_DISCOUNT = 0.35;

export function scoreCauses(c: DiagnosisCase, features: Features, knowledge: Knowledge): ScoredCause[] {
  const strings = caseStrings(c);
  const out: ScoredCause[] = [];
  // Silence first: a terminal that sent nothing for longer than it should is diagnosed from that
  // silence (what its power, battery and link said before, its site's other terminals), never from
  // the payments or one card it saw before it went quiet.
  const silent = features.get('silent') === 1;
  for (const rule of knowledge.rules) {
    let support = 0;
    let against = 0;
    const evidence: ScoredCause['evidence'] = [];
    const discount = silent && rule.silence !== 'explains' ? SILENT_DISCOUNT : 1;
    for (const s of rule.signals) {
      if (silent && STALE_WHEN_SILENT.has(s.src)) continue;
      const strength = signalStrength(s, features) * (s.w > 0 ? discount : 1);
      if (strength === 0) continue;
      const weight = s.w * strength;
      if (weight < 0) {
        against += -weight;
        continue;
      }
      support += weight;
      if (strength >= QUOTE_FROM) {
        const text = c.lang === 'en-US' ? s.en! : s.zh!;
        evidence.push({ weight, evidence: { source: s.src, detail: render(text, features, strings, c.lang) } });
      }
    }
    if (support < (rule.minScore ?? DEFAULT_MIN_SCORE)) continue;
    evidence.sort((a, b) => b.weight - a.weight);
    out.push({ rule, support, against, score: support - against, evidence });
  }
  return out.filter((s) => s.score > 0.5).sort((a, b) => b.score - a.score);
}

function buildResult(c: DiagnosisCase, features: Features, scored: ScoredCause[], limit: number): DiagnosisResult {
  const exp = scored.map((s) => Math.exp(s.score / TEMPERATURE));
  const total = exp.reduce((a, b) => a + b, 0) + Math.exp(UNEXPLAINED / TEMPERATURE);
  const zh = c.lang !== 'en-US';
  const causes: DiagnosedCause[] = [];
  scored.slice(0, limit).forEach((s, i) => {
    const confidence = Math.round((exp[i]! / total) * 100) / 100;
    if (confidence < 0.01 && causes.length > 0) return;
    const tax = faultCause(s.rule.code);
    causes.push({
      code: s.rule.code,
      category: tax.category,
      confidence,
      title: zh ? tax.zh : tax.en,
      evidence: s.evidence.map((e) => e.evidence),
      actions: s.rule.actions.map((a) => ({ kind: a.kind, text: zh ? a.zh : a.en, ...(a.remoteCommand ? { remoteCommand: a.remoteCommand } : {}) })),
    });
  });
  const top = scored[0];
  return {
    schema: DIAGNOSIS_RESULT_SCHEMA,
    caseId: c.id,
    scope: top ? scopeOf(top.rule, features) : 'terminal',
    causes,
    missing: missingEvidence(c, scored, zh),
    questions: nextQuestions(c, scored, zh),
  };
}

export function scopeOf(rule: CauseRule, features: Features): DiagnosisScope {
  for (const w of rule.scopeWhen ?? []) if (signalStrength(w, features) > 0) return w.scope;
  return rule.scope;
}

type Part = keyof typeof guidance.missing;
const PRESENT: Record<Part, (c: DiagnosisCase) => boolean> = {
  telemetry: (c) => !!c.telemetry?.length,
  transactions: (c) => !!c.transactions?.length,
  events: (c) => !!c.events?.length,
  site: (c) => !!c.site?.terminals,
  fleet: (c) => !!(c.fleet?.sameVersion || c.fleet?.host),
  card: (c) => !!c.card?.attempts?.length,
  report: (c) => !!c.report?.text?.trim(),
};

/** What the leading candidates would need to be confirmed or ruled out, that the case lacks. */
function missingEvidence(c: DiagnosisCase, scored: ScoredCause[], zh: boolean): string[] {
  const wanted = new Set<Part>();
  for (const s of scored.slice(0, 3)) for (const n of s.rule.needs ?? []) if (n in PRESENT) wanted.add(n as Part);
  if (!scored.length) for (const p of ['telemetry', 'transactions', 'report'] as Part[]) wanted.add(p);
  return [...wanted].filter((p) => !PRESENT[p](c)).map((p) => (zh ? guidance.missing[p].zh : guidance.missing[p].en));
}

type QuestionId = keyof typeof guidance.questions;

/** A question the engine may ask, in words (for showing the answers a merchant gave); null for an unknown id. */
export function questionText(id: string, lang: string): string | null {
  const q = guidance.questions[id as QuestionId];
  return q ? (lang.startsWith('zh') ? q.zh : q.en) : null;
}

/** Questions that tell the leading candidates apart, unless already answered. */
function nextQuestions(c: DiagnosisCase, scored: ScoredCause[], zh: boolean): DiagnosisQuestion[] {
  const top = scored[0];
  // Nothing to ask when one cause clearly dominates.
  if (top && scored.length > 0 && (scored.length === 1 || top.score - scored[1]!.score > 4) && top.score > 6) return [];
  const ids = new Set<string>();
  for (const s of scored.slice(0, 3)) for (const q of s.rule.ask ?? []) ids.add(q);
  const out: DiagnosisQuestion[] = [];
  for (const id of ids) {
    if (c.answers && id in c.answers) continue;
    const q = guidance.questions[id as QuestionId];
    if (!q) continue;
    out.push({ id, text: zh ? q.zh : q.en, options: q.options });
  }
  return out.slice(0, 3);
}

function caseStrings(c: DiagnosisCase): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(c.terminal)) if (typeof v === 'string') m.set(`terminal.${k}`, v);
  return m;
}

/** Fills `{feature|format}` and `{terminal.field}` placeholders. */
export function render(template: string, features: Features, strings: Map<string, string>, lang: string): string {
  return template.replace(/\{([\w.]+)(?:\|(\w+))?\}/g, (_, name: string, fmt?: string) => {
    const s = strings.get(name);
    if (s !== undefined) return s;
    const v = features.get(name);
    if (v === undefined) return lang === 'en-US' ? '?' : '？';
    switch (fmt) {
      case 'pct':
        // Small rates keep a decimal: 1.2% against 14% is the whole point of a comparison.
        return v > 0 && v < 0.1 ? `${(Math.round(v * 1000) / 10).toString()}%` : `${Math.round(v * 100)}%`;
      case 'int':
        return String(Math.round(v));
      case '1':
        return (Math.round(v * 10) / 10).toString();
      case 'sec':
        return (Math.round(v / 100) / 10).toString();
      default:
        return String(Math.round(v * 100) / 100);
    }
  });
}
