/**
 * "Make a case study": a resolved or closed ticket becomes a DRAFT article for a person to review,
 * translate where needed and publish. Pre-filled in both languages from what the ticket holds: the
 * problem as reported, the cause, the diagnosis' top causes, the plan, the public timeline as steps,
 * the verification result, and the ticket as the source. What people typed stays as they typed it;
 * the headings and names around it are in each language.
 */
import type { KbStep, KbText, Language } from '@poscare/contracts';
import { causeTitle, isCauseCode } from '@poscare/codes';
import { translate, type MessageId } from '../i18n/messages.js';
import type { Content } from './service.js';

type Row = Record<string, unknown>;
const LANGS: Language[] = ['zh-CN', 'en-US'];
const both = (f: (l: Language) => string): KbText => ({ 'zh-CN': f('zh-CN'), 'en-US': f('en-US') });
const m = (l: Language, id: string, params: Record<string, unknown> = {}) => translate(l, id as MessageId, params);
const cause = (code: string, l: Language) => (isCauseCode(code) ? causeTitle(code, l) : code);

interface Diagnosis {
  causes?: { code: string; confidence?: number; title?: Partial<Record<Language, string>> | string }[];
}
interface Plan {
  kind?: string;
  summary?: string;
}

/** Timeline entries that tell what was done (status changes with a reason, plan, staff replies, field work). */
function doneSteps(events: Row[], l: Language): string[] {
  const out: string[] = [];
  for (const e of events) {
    const body = ((e.body as string | null) ?? '').trim();
    const to = (e.to_value as string | null) ?? '';
    switch (e.type) {
      case 'plan':
        out.push(`${m(l, 'kb.case.step_plan', { kind: m(l, `kb.case.plan_kind.${to}`) })}${body ? `: ${body}` : ''}`);
        break;
      case 'comment':
        // The merchant's own messages are the problem, not the fix.
        if (e.from_value !== 'merchant' && body) out.push(body);
        break;
      case 'work_order':
      case 'swap':
        out.push(`${m(l, `kb.case.step_${e.type as string}`)}${body ? `: ${body}` : ''}`);
        break;
      case 'status':
        if (body && to !== 'resolved' && to !== 'closed') out.push(`${m(l, `kb.case.status.${to}`)}: ${body}`);
        break;
      default:
    }
  }
  return out.map((x) => x.slice(0, 2000));
}

/** The draft's content in both languages. */
export function caseStudyContent(ticket: Row, events: Row[], overrideReason?: string | null): Content {
  const title = (ticket.title as string).trim();
  const description = ((ticket.description as string | null) ?? '').trim();
  const code = (ticket.cause_code as string | null) ?? null;
  const diagnosis = (ticket.diagnosis as Diagnosis | null) ?? null;
  const plan = (ticket.plan as Plan | null) ?? null;
  const resolved = [...events].reverse().find((e) => e.type === 'status' && e.to_value === 'resolved');
  const said = ((resolved?.body as string | null) ?? '').trim();
  // Resolved over the terminal's signals: the agent's reason is the verification (kept as an internal note at the same moment).
  const override = said.startsWith('override') ? (overrideReason ?? '') : null;
  const verificationIn = (l: Language) => (override !== null ? m(l, 'kb.case.override', { reason: override }) : said);
  const model = [ticket.vendor, ticket.model].filter(Boolean).join(' ');
  const answers = Object.entries((ticket.answers as Record<string, unknown> | null) ?? {}).filter(([k, v]) => k !== 'symptom' && v !== null && v !== undefined && v !== '');

  const body = both((l) => {
    const parts: string[] = [];
    parts.push(`${m(l, 'kb.case.problem')}\n${description || title}${model ? `\n${m(l, 'kb.case.terminal', { model })}` : ''}`);
    if (answers.length) parts.push(`${m(l, 'kb.case.answers')}\n${answers.map(([k, v]) => `- ${k}: ${String(v)}`).join('\n')}`);
    if (code) parts.push(`${m(l, 'kb.case.cause')}\n${cause(code, l)} (${code})`);
    const top = (diagnosis?.causes ?? []).slice(0, 3);
    if (top.length) {
      parts.push(
        `${m(l, 'kb.case.diagnosis')}\n${top
          .map((c, i) => {
            const name = typeof c.title === 'string' ? c.title : (c.title?.[l] ?? cause(c.code, l));
            return `${i + 1}. ${name} (${c.code})${typeof c.confidence === 'number' ? ` ${Math.round(c.confidence * 100)}%` : ''}`;
          })
          .join('\n')}`,
      );
    }
    if (plan?.kind || plan?.summary) parts.push(`${m(l, 'kb.case.plan')}\n${plan.kind ? `${m(l, `kb.case.plan_kind.${plan.kind}`)}: ` : ''}${plan.summary ?? ''}`);
    parts.push(`${m(l, 'kb.case.verification')}\n${verificationIn(l) || m(l, 'kb.case.no_verification')}`);
    parts.push(m(l, 'kb.case.source', { number: ticket.number as string }));
    return parts.join('\n\n').slice(0, 20_000);
  });

  const steps: KbStep[] = [];
  const texts = Object.fromEntries(LANGS.map((l) => [l, doneSteps(events, l)])) as Record<Language, string[]>;
  for (let i = 0; i < texts['zh-CN'].length; i++) steps.push({ text: { 'zh-CN': texts['zh-CN'][i]!, 'en-US': texts['en-US'][i]! } });
  if (said) steps.push({ text: both((l) => `${m(l, 'kb.case.step_verify')}: ${verificationIn(l)}`.slice(0, 2000)) });

  return {
    title: both((l) => m(l, 'kb.case.title', { title }).slice(0, 200)),
    summary: both((l) => (code ? m(l, 'kb.case.summary', { cause: cause(code, l), title }) : m(l, 'kb.case.summary_nocause', { title })).slice(0, 1000)),
    body,
    steps: steps.slice(0, 40),
    causeCodes: code && isCauseCode(code) ? [code] : [],
    tags: ['case-study'],
  };
}
