/**
 * The networks' reason codes, their groups and the evidence each group needs, read from versioned
 * data (data/reason-codes.json): a new code or a corrected text is a data change with a new version.
 */
import { DisputeReasonCodes, type DisputeGroup, type DisputeKind, type DisputeNetwork, type EvidenceItem, type Language } from '@poscare/contracts';
import data from './data/reason-codes.json' with { type: 'json' };

interface EvidenceInfo {
  source: 'auto' | 'merchant';
  zh: string;
  en: string;
}

export const REASON_CODES: DisputeReasonCodes = DisputeReasonCodes.parse({ version: data.version, codes: data.codes, groups: data.groups });
export const REASON_CODES_VERSION = data.version;
const EVIDENCE = data.evidence as Record<EvidenceItem, EvidenceInfo>;

/** Business days the merchant has to respond, by kind, when the acquirer names no date. */
export const DEADLINE_DAYS = data.deadlines as Record<DisputeKind, number>;
/** Reminders this many business days before the deadline (most distant first). */
export const REMINDER_DAYS: readonly number[] = [...data.reminderDays].sort((a, b) => b - a);
/** Escalation when nobody has acted this many business days before the deadline. */
export const ESCALATE_DAYS: number = data.escalateDays;

const byKey = new Map(REASON_CODES.codes.map((c) => [`${c.network}|${c.code}`, c]));
const groups = new Map(REASON_CODES.groups.map((g) => [g.group, g]));

export function reasonOf(network: DisputeNetwork, code: string) {
  return byKey.get(`${network}|${code}`);
}

export function reasonText(lang: Language, network: DisputeNetwork, code: string): string {
  const r = reasonOf(network, code);
  if (!r) return code;
  return `${code} ${lang === 'zh-CN' ? r.zh : r.en}`;
}

export function groupText(lang: Language, group: DisputeGroup): string {
  const g = groups.get(group)!;
  return lang === 'zh-CN' ? g.zh : g.en;
}

/** The evidence a group needs, in the data's order. */
export function requiredEvidence(group: DisputeGroup): readonly EvidenceItem[] {
  return groups.get(group)?.evidence ?? [];
}

export function evidenceInfo(item: EvidenceItem, lang: Language): { source: 'auto' | 'merchant'; text: string } {
  const e = EVIDENCE[item];
  return { source: e.source, text: lang === 'zh-CN' ? e.zh : e.en };
}
