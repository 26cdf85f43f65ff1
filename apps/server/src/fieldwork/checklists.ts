/**
 * Work order checklists from the templates in checklists.json (data, not code): the items of every
 * visit, then the work order kind's, then the ticket cause category's, then the closing items.
 */
import type { ChecklistItem, WorkOrderKind } from '@poscare/contracts';
import templates from './checklists.json' with { type: 'json' };

interface TemplateItem {
  id: string;
  required: boolean;
  text: { 'zh-CN': string; 'en-US': string };
}
const T = templates as unknown as {
  common: TemplateItem[];
  kinds: Record<WorkOrderKind, TemplateItem[]>;
  categories: Record<string, TemplateItem[]>;
  closing: TemplateItem[];
};

/** The category of a cause code (`hw.reader.chip` → hardware) when the ticket has no category yet. */
const PREFIX: Record<string, string> = { hw: 'hardware', sw: 'software', net: 'network', op: 'operation', env: 'environment', ext: 'external', sec: 'security' };

export function checklistFor(kind: WorkOrderKind, category: string | null, causeCode: string | null): ChecklistItem[] {
  const cat = category ?? (causeCode ? PREFIX[causeCode.split('.')[0] ?? ''] : undefined) ?? null;
  const items = [...T.common, ...(T.kinds[kind] ?? []), ...((cat && T.categories[cat]) || []), ...T.closing];
  const seen = new Set<string>();
  return items
    .filter((i) => !seen.has(i.id) && seen.add(i.id))
    .map((i) => ({ id: i.id, text: { ...i.text }, required: i.required, done: false, doneAt: null, doneBy: null }));
}
