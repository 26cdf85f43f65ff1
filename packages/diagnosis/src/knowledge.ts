/**
 * The shape of the diagnosis knowledge (knowledge/*.json): per cause, the signals that speak for it
 * (or against it) with weights, the scope it reaches, and the remedies. Loaded and checked once;
 * a rule naming an unknown cause code or a malformed condition fails at load, never mid-diagnosis.
 */
import { z } from 'zod';
import { ACTION_KINDS, DIAGNOSIS_SCOPES, EVIDENCE_SOURCES } from '@poscare/contracts';
import { isCauseCode } from '@poscare/codes';
import hardware from '../knowledge/causes/hardware.json' with { type: 'json' };
import software from '../knowledge/causes/software.json' with { type: 'json' };
import network from '../knowledge/causes/network.json' with { type: 'json' };
import operation from '../knowledge/causes/operation.json' with { type: 'json' };
import environment from '../knowledge/causes/environment.json' with { type: 'json' };
import external from '../knowledge/causes/external.json' with { type: 'json' };
import security from '../knowledge/causes/security.json' with { type: 'json' };

/**
 * One test on one feature. `ramp: [a, b]` grades the strength from 0 at a to 1 at b (a > b for
 * "the lower the worse"); gte/lte/gt/lt/eq are all-or-nothing. A missing feature never fires.
 */
export const Condition = z
  .object({
    f: z.string().min(1),
    ramp: z.tuple([z.number(), z.number()]).optional(),
    gte: z.number().optional(),
    gt: z.number().optional(),
    lte: z.number().optional(),
    lt: z.number().optional(),
    eq: z.number().optional(),
  })
  .strict()
  .refine((c) => [c.ramp, c.gte, c.gt, c.lte, c.lt, c.eq].filter((x) => x !== undefined).length >= 1, 'a condition needs ramp, gte, gt, lte, lt or eq')
  .refine((c) => !c.ramp || c.ramp[0] !== c.ramp[1], 'a ramp needs two different ends');
export type Condition = z.infer<typeof Condition>;

export const Signal = z
  .object({
    /** All conditions must hold; the signal's strength is the weakest of them. */
    when: z.union([Condition, z.array(Condition).min(1)]),
    w: z.number(),
    src: z.enum(EVIDENCE_SOURCES),
    zh: z.string().optional(),
    en: z.string().optional(),
  })
  .strict()
  .refine((s) => s.w < 0 || (s.zh && s.en), 'a supporting signal needs evidence text in zh and en');
export type Signal = z.infer<typeof Signal>;

export const Action = z
  .object({ kind: z.enum(ACTION_KINDS), zh: z.string().min(1), en: z.string().min(1), remoteCommand: z.string().optional() })
  .strict();

export const CauseRule = z
  .object({
    code: z.string().refine(isCauseCode, 'not a fault taxonomy code'),
    scope: z.enum(DIAGNOSIS_SCOPES),
    /** A wider (or narrower) scope when its condition holds, first match wins. */
    scopeWhen: z.array(z.object({ scope: z.enum(DIAGNOSIS_SCOPES), when: z.union([Condition, z.array(Condition).min(1)]) }).strict()).optional(),
    /** The positive evidence a cause needs before it is named at all. */
    minScore: z.number().positive().optional(),
    signals: z.array(Signal).min(1),
    actions: z.array(Action).min(1),
    /** Evidence that would confirm or rule it out (ids of knowledge/missing entries). */
    needs: z.array(z.string()).optional(),
    /** Troubleshooting questions (ids of the flow questions) that tell it from its neighbours. */
    ask: z.array(z.string()).optional(),
    /**
     * `explains`: this cause can make a terminal fall silent (power, battery, its link, the site's
     * network). When a terminal has been silent longer than it should, only such causes are judged at
     * full weight; see the engine.
     */
    silence: z.literal('explains').optional(),
  })
  .strict();
export type CauseRule = z.infer<typeof CauseRule>;

export const KnowledgeFile = z.object({ schema: z.literal('poscare.diagnosis-knowledge/v1'), version: z.string(), category: z.string(), causes: z.array(CauseRule) });

const FILES = [hardware, software, network, operation, environment, external, security];

export interface Knowledge {
  version: string;
  rules: CauseRule[];
}

/** Parses knowledge files; throws naming the file and the rule that is wrong. */
export function loadKnowledge(files: unknown[] = FILES): Knowledge {
  const rules: CauseRule[] = [];
  const versions: string[] = [];
  for (const file of files) {
    const parsed = KnowledgeFile.safeParse(file);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      const cat = (file as { category?: string }).category ?? '?';
      throw new Error(`knowledge file ${cat}: ${i.path.join('.')}: ${i.message}`);
    }
    versions.push(parsed.data.version);
    rules.push(...parsed.data.causes);
  }
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.code)) throw new Error(`knowledge: cause ${r.code} is defined twice`);
    seen.add(r.code);
  }
  return { version: versions.sort().at(-1) ?? '0', rules };
}

/** How strongly one condition holds on the features (0…1). */
export function conditionStrength(c: Condition, features: ReadonlyMap<string, number>): number {
  const v = features.get(c.f);
  if (v === undefined) return 0;
  let s = 1;
  if (c.ramp) {
    const [a, b] = c.ramp;
    s = Math.max(0, Math.min(1, (v - a) / (b - a)));
  }
  if (c.gte !== undefined && !(v >= c.gte)) return 0;
  if (c.gt !== undefined && !(v > c.gt)) return 0;
  if (c.lte !== undefined && !(v <= c.lte)) return 0;
  if (c.lt !== undefined && !(v < c.lt)) return 0;
  if (c.eq !== undefined && v !== c.eq) return 0;
  return s;
}

export function signalStrength(s: Pick<Signal, 'when'>, features: ReadonlyMap<string, number>): number {
  const conds = Array.isArray(s.when) ? s.when : [s.when];
  let out = 1;
  for (const c of conds) {
    out = Math.min(out, conditionStrength(c, features));
    if (out === 0) return 0;
  }
  return out;
}
