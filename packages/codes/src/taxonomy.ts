/**
 * The fault taxonomy: the controlled vocabulary of root causes that diagnosis results, alerts,
 * tickets, knowledge-base articles and reports use. Data in `data/fault-taxonomy.json`, a superset
 * of shared/contracts/fault-taxonomy.json (codes may be added, never removed).
 */
import taxonomy from '../data/fault-taxonomy.json' with { type: 'json' };

export type FaultCategory = keyof typeof taxonomy.categories;
export type Scope = keyof typeof taxonomy.scopes;

export interface FaultCause {
  code: string;
  category: FaultCategory;
  zh: string;
  en: string;
}

export const FAULT_CATEGORIES = taxonomy.categories;
export const FAULT_SCOPES = taxonomy.scopes;
export const FAULT_CAUSES: readonly FaultCause[] = taxonomy.causes as FaultCause[];

const byCode = new Map(FAULT_CAUSES.map((c) => [c.code, c]));

export const isCauseCode = (code: string): boolean => byCode.has(code);

export function faultCause(code: string): FaultCause {
  const c = byCode.get(code);
  if (!c) throw new Error(`unknown fault cause code ${code}`);
  return c;
}

/** The cause's name in a language ('zh-CN' or 'en-US'). */
export const causeTitle = (code: string, lang: string): string => {
  const c = faultCause(code);
  return lang.startsWith('zh') ? c.zh : c.en;
};
