/**
 * The hot path's checks, faster than the general ones and with the same answers.
 *
 * `compileSchema` turns a zod object schema (the device contract) into one generated JavaScript
 * function. It is built from the schema itself, so a field added to the contract is checked (and
 * kept) here without anyone touching this file. It writes out zod's own conditions for ranges,
 * integers, patterns and lengths, and calls zod's check functions for anything else (refinements);
 * what it saves is zod's per-field bookkeeping, most of the cost for a 60-field telemetry sample. It
 * only ever says "valid, and here is what zod would return" or "not sure": on "not sure" the caller
 * asks zod, which also writes the error message. Constructs it does not know (transforms, defaults,
 * coercion, unions…) are handed to zod for that subtree.
 *
 * `scanMessage` is `containsCardData` of the contract, skipping strings too short to hold a card
 * number or track data (the shortest is 13 digits), which are nearly all of a sample's strings, and
 * measures the message's depth in the same walk, which it never lets go deeper than the limit.
 */
import { containsCardData } from '@poscare/contracts';
import type { z } from 'zod';

/** Returned by a compiled check when it cannot vouch for the value. */
export const UNSURE: unique symbol = Symbol('unsure');
export type Compiled = (value: unknown) => unknown;

interface ZodInternals {
  _zod: {
    optin?: string;
    optout?: string;
    values?: Set<unknown>;
    def: {
      type: string;
      checks?: { _zod: { check: (p: Payload) => unknown; def: { when?: (p: Payload) => boolean } } }[];
      coerce?: boolean;
      shape?: Record<string, unknown>;
      catchall?: unknown;
      innerType?: unknown;
      element?: unknown;
      entries?: Record<string, unknown>;
      values?: unknown[];
    };
  };
  safeParse(v: unknown): { success: boolean; data?: unknown };
}
interface Payload {
  value: unknown;
  issues: unknown[];
}

export function compileSchema(schema: z.ZodType): Compiled {
  const consts: unknown[] = [];
  const ref = (v: unknown) => `K[${consts.push(v) - 1}]`;
  const code: string[] = [];
  let n = 0;

  /** Emits the checks of `node` on the value in `input`; returns the variable holding its output. */
  function emit(node: ZodInternals, input: string): string {
    const def = node._zod.def;
    const out = `v${n++}`;
    const typed = !def.coerce && emitType(node, input, out);
    if (!typed) {
      // A construct not known here: zod judges this subtree.
      const r = `r${n++}`;
      code.push(`const ${r} = ${ref(node)}.safeParse(${input}); if (!${r}.success) return U; const ${out} = ${r}.data;`);
      return out;
    }
    for (const check of def.checks ?? []) {
      const inline = inlineCheck(check._zod.def as CheckDef, out, ref);
      if (inline) {
        code.push(`if (!(${inline})) return U;`);
        continue;
      }
      const c = ref(check);
      code.push(`P.value = ${out}; P.issues.length = 0;`);
      code.push(`if (!${c}._zod.def.when || ${c}._zod.def.when(P)) { if (${c}._zod.check(P) instanceof Promise || P.issues.length) return U; }`);
    }
    return out;
  }

  function emitType(node: ZodInternals, input: string, out: string): boolean {
    const def = node._zod.def;
    switch (def.type) {
      case 'number':
        code.push(`if (typeof ${input} !== 'number' || !Number.isFinite(${input})) return U; const ${out} = ${input};`);
        return true;
      case 'boolean':
        code.push(`if (typeof ${input} !== 'boolean') return U; const ${out} = ${input};`);
        return true;
      case 'string':
        code.push(`if (typeof ${input} !== 'string') return U; const ${out} = ${input};`);
        return true;
      case 'enum':
      case 'literal': {
        const values = node._zod.values;
        if (!(values instanceof Set)) return false;
        code.push(`if (!${ref(values)}.has(${input})) return U; const ${out} = ${input};`);
        return true;
      }
      case 'optional': {
        code.push(`let ${out}; if (${input} !== undefined) {`);
        const inner = emit(def.innerType as ZodInternals, input);
        code.push(`${out} = ${inner}; }`);
        return true;
      }
      case 'array': {
        const i = `i${n++}`;
        code.push(`if (!Array.isArray(${input})) return U; const ${out} = new Array(${input}.length); for (let ${i} = 0; ${i} < ${input}.length; ${i}++) { const e${i} = ${input}[${i}];`);
        const element = emit(def.element as ZodInternals, `e${i}`);
        code.push(`${out}[${i}] = ${element}; }`);
        return true;
      }
      case 'object': {
        // Only the default "strip" object: unknown keys are dropped, as zod drops them.
        if (def.catchall !== undefined || !def.shape) return false;
        code.push(`if (typeof ${input} !== 'object' || ${input} === null || Array.isArray(${input})) return U; const ${out} = {};`);
        for (const [key, field] of Object.entries(def.shape) as [string, ZodInternals][]) {
          const k = JSON.stringify(key);
          const x = `x${n++}`;
          // A key may be left out only when its schema is optional in and out; anything else about an
          // absent key (defaults, required keys) is zod's to decide.
          if (field._zod.optin === 'optional' && field._zod.optout === 'optional') {
            code.push(`const ${x} = ${input}[${k}]; if (${x} !== undefined) {`);
            const r = emit(field, x);
            code.push(`${out}[${k}] = ${r}; } else if (${k} in ${input}) ${out}[${k}] = undefined;`);
          } else {
            code.push(`if (!(${k} in ${input})) return U; const ${x} = ${input}[${k}];`);
            const r = emit(field, x);
            code.push(`${out}[${k}] = ${r};`);
          }
        }
        return true;
      }
      default:
        return false;
    }
  }

  const result = emit(schema as unknown as ZodInternals, 'input');
  // Generated once per schema, as zod itself does for objects; the code only ever refers to the schema's own parts.
  const check = new Function('K', 'U', 'P', `return function check(input) {\n${code.join('\n')}\nreturn ${result};\n}`)(consts, UNSURE, {
    value: undefined,
    issues: [],
  } satisfies Payload) as Compiled;
  return (v) => {
    try {
      return check(v);
    } catch {
      return UNSURE;
    }
  };
}

interface CheckDef {
  check?: string;
  value?: unknown;
  inclusive?: boolean;
  format?: string;
  maximum?: number;
  pattern?: RegExp;
}

/**
 * A condition that, when true, means zod's check passes: zod's own condition for ranges, integers and
 * patterns, and a sufficient one for maximum lengths (zod counts code points, never more than UTF-16
 * units). When false, the caller answers "not sure" and zod decides. Null: call zod's check itself.
 */
function inlineCheck(def: CheckDef, v: string, ref: (x: unknown) => string): string | null {
  switch (def.check) {
    case 'greater_than':
      return typeof def.value === 'number' ? `${v} ${def.inclusive ? '>=' : '>'} ${def.value}` : null;
    case 'less_than':
      return typeof def.value === 'number' ? `${v} ${def.inclusive ? '<=' : '<'} ${def.value}` : null;
    case 'number_format':
      return def.format === 'safeint' ? `Number.isSafeInteger(${v})` : null;
    case 'max_length':
      return typeof def.maximum === 'number' ? `${v}.length <= ${def.maximum}` : null;
    case 'string_format':
      // Only formats that are their pattern and nothing else.
      if (!(def.pattern instanceof RegExp) || !['regex', 'datetime'].includes(def.format ?? '')) return null;
      return `(${ref(def.pattern)}.lastIndex = 0, ${ref(def.pattern)}.test(${v}))`;
    default:
      return null;
  }
}

export interface Scan {
  /** Arrays and objects nest deeper than allowed; the walk stopped there, so `cardData` may be incomplete. */
  tooDeep: boolean;
  cardData: boolean;
}

/**
 * One walk of a parsed device message for its depth and for card data (`containsCardData` on the
 * content, skipping strings too short to hold card data). The message itself is level 1; deeper than
 * `maxDepth` levels of arrays and objects, the walk stops and says so, which keeps the recursion (and
 * anything that walks the message later) at most `maxDepth` frames deep, whatever a terminal sends.
 * Only `data` is searched for card data: the envelope (msgId, at) is the terminal's bookkeeping, and a
 * numeric msgId is no card. A message without `data` is searched whole.
 */
export function scanMessage(body: unknown, maxDepth: number): Scan {
  const s: Scan = { tooDeep: false, cardData: false };
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'data' in body) {
    if (maxDepth < 1) s.tooDeep = true;
    else for (const k in body) if (Object.prototype.hasOwnProperty.call(body, k) && walk((body as Record<string, unknown>)[k], maxDepth - 1, s, k === 'data')) break;
  } else walk(body, maxDepth, s, true);
  return s;
}

/** `containsCardData` within `maxDepth` levels; undefined when `value` nests deeper. */
export function hasCardData(value: unknown, maxDepth: number): boolean | undefined {
  const s: Scan = { tooDeep: false, cardData: false };
  walk(value, maxDepth, s, true);
  return s.tooDeep ? undefined : s.cardData;
}

/** True (and `s.tooDeep`) when `value` nests more than `levels` deep. Does not stop at card data, so that depth is always known. */
function walk(value: unknown, levels: number, s: Scan, cards: boolean): boolean {
  if (typeof value === 'string') {
    if (cards && !s.cardData && value.length >= 13 && containsCardData(value)) s.cardData = true;
    return false;
  }
  if (value === null || typeof value !== 'object') return false;
  if (levels < 1) return (s.tooDeep = true);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (walk(value[i], levels - 1, s, cards)) return true;
    return false;
  }
  for (const k in value) if (Object.prototype.hasOwnProperty.call(value, k) && walk((value as Record<string, unknown>)[k], levels - 1, s, cards)) return true;
  return false;
}
