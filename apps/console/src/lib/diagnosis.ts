/**
 * The console's side of diagnosis and the guided troubleshooter, as pure functions: how answers
 * accumulate, how "back" undoes one, and what each request carries. The server is stateless — every
 * call carries the symptom and all answers so far — so the conversation lives here.
 */
import {
  COMMAND_NAMES,
  type CommandName,
  type DiagnosedCause,
  type DiagnosisQuestion,
  type DiagnosisResult,
  type TerminalDiagnosisRequest,
  type TroubleshootRequest,
  type TroubleStep,
} from '../api/diagnosis';
import type { Language } from '../api/types';

export type Answers = NonNullable<TroubleshootRequest['answers']>;
export type AnswerValue = Answers[string];

/** A step that waits for the merchant's answer. */
export type AskingStep = Extract<TroubleStep, { kind: 'question' | 'self_fix' }>;
/** A step that ends the conversation. */
export type FinalStep = Extract<TroubleStep, { kind: 'resolved' | 'escalate' }>;

/** One answered step of the conversation, kept so the merchant sees the path taken. */
export interface HistoryEntry {
  step: AskingStep;
  answer: string;
}

export const isAsking = (s: TroubleStep): s is AskingStep => s.kind === 'question' || s.kind === 'self_fix';

export const questionOf = (s: AskingStep): DiagnosisQuestion => s.question;

/** The answers the server gets, by question id; a question answered twice keeps the later answer. */
export function answersOf(history: readonly HistoryEntry[]): Answers {
  const out: Answers = {};
  for (const h of history) out[h.step.question.id] = h.answer;
  return out;
}

/**
 * Record an answer to the step on screen. Answering a question that is already in the history
 * (the server asked it again) replaces that entry and drops what came after it, so the path stays linear.
 */
export function withAnswer(history: readonly HistoryEntry[], step: AskingStep, answer: string): HistoryEntry[] {
  const at = history.findIndex((h) => h.step.question.id === step.question.id);
  const kept = at === -1 ? history : history.slice(0, at);
  return [...kept, { step, answer }];
}

/** "Back": forget the last answer. */
export function withoutLast(history: readonly HistoryEntry[]): HistoryEntry[] {
  return history.slice(0, -1);
}

/** Optional text: trimmed, and left out when blank. */
export function optionalText(text: string | undefined | null): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}

export function troubleshootBody(symptom: string, text: string | undefined, history: readonly HistoryEntry[], lang: Language): TroubleshootRequest {
  const answers = answersOf(history);
  return {
    symptom,
    ...(optionalText(text) ? { text: optionalText(text) } : {}),
    ...(Object.keys(answers).length ? { answers } : {}),
    lang,
  };
}

export function diagnosisBody(report: string | undefined, answers: Answers, lang: Language): TerminalDiagnosisRequest {
  return {
    ...(optionalText(report) ? { report: optionalText(report) } : {}),
    ...(Object.keys(answers).length ? { answers } : {}),
    lang,
  };
}

/** The yes/no options the knowledge base uses; other options are shown as they come. */
export type YesNo = 'yes' | 'no';
export const yesNo = (option: string): YesNo | null => (option === 'yes' || option === 'no' ? option : null);

/** A confidence in [0, 1] as a whole percentage for a progress bar. */
export const confidencePct = (confidence: number): number => Math.max(0, Math.min(100, Math.round(confidence * 100)));

export const topCauses = (result: DiagnosisResult | undefined, n = 3): DiagnosedCause[] => (result?.causes ?? []).slice(0, n);

/** A remote command this platform can send (the knowledge base may name others in the future). */
export const isCommandName = (name: string | undefined): name is CommandName => !!name && (COMMAND_NAMES as readonly string[]).includes(name);

/** Why a command is sent, for the audit log. */
export const commandReason = (causeCode: string): string => `diagnosis: ${causeCode}`;
