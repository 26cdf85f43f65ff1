/**
 * The shipped rule set: versioned data (rules/default.json), one or more rules for every fault the
 * simulator can inject. An organization's edits are new versions stored beside it (the server's
 * alert_rules table); the newest version of a code wins.
 */
import { z } from 'zod';
import { AlertRuleDefinition } from '@poscare/contracts';
import data from '../rules/default.json' with { type: 'json' };

export const RuleSet = z.object({ version: z.string(), rules: z.array(AlertRuleDefinition) });

export function parseRuleSet(input: unknown): z.infer<typeof RuleSet> {
  const set = RuleSet.parse(input);
  const seen = new Set<string>();
  for (const r of set.rules) {
    if (seen.has(r.code)) throw new Error(`rule ${r.code} appears twice`);
    seen.add(r.code);
  }
  return set;
}

const parsed = parseRuleSet(data);
export const DEFAULT_RULES_VERSION = parsed.version;
export const DEFAULT_RULES: readonly AlertRuleDefinition[] = parsed.rules;
