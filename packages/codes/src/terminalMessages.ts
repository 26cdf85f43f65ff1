/**
 * The terminal message catalogue (data/terminal-messages.json) and its matcher: from what a
 * terminal showed or logged ("读卡失败，请重新插卡", "COMM ERROR", "Unfortunately, Payment has
 * stopped") to catalogue entries and the causes they hint at. All patterns are compiled once into
 * one Aho-Corasick automaton, so matching a message is one pass over its characters, whatever the
 * size of the catalogue.
 */
import catalogue from '../data/terminal-messages.json' with { type: 'json' };
import type { CauseHint } from './hints.js';

export type TerminalMessageKind = 'fault' | 'warning' | 'info' | 'boot' | 'update';

export interface TerminalMessageEntry {
  id: string;
  kind: TerminalMessageKind;
  /** What the message means, in each language. */
  zh: string;
  en: string;
  patterns: { zh: readonly string[]; en: readonly string[] };
  regex?: readonly string[];
  codes?: readonly string[];
  capture?: string;
  priority?: number;
  hints: readonly CauseHint[];
  clears?: readonly string[];
}

export interface TerminalMessageMatch {
  id: string;
  kind: TerminalMessageKind;
  zh: string;
  en: string;
  hints: readonly CauseHint[];
  /** Causes this message shows resolved (e.g. a new paper roll clears hw.printer.paper_out). */
  clears: readonly string[];
  /** The catalogue patterns (normalised) or code that matched. */
  matched: string[];
  via: 'text' | 'code' | 'text+code';
  /** Values the entry's capture pattern found, e.g. { pct: '12' } or { version: '3.2.0' }. */
  values?: Record<string, string>;
  score: number;
}

export const TERMINAL_MESSAGES_VERSION: string = catalogue.version;
export const TERMINAL_MESSAGE_CATALOGUE: readonly TerminalMessageEntry[] = catalogue.messages as TerminalMessageEntry[];

// ---- normalisation ------------------------------------------------------------------------------

const NON_ASCII = /[^\u0000-\u007f]/;
const SPACE = 0x20;

const isWordChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isCjk = (c: number): boolean => (c >= 0x3000 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff);

let buffer = new Uint16Array(256);

/**
 * Writes the normalised text into the shared buffer and returns its length: NFKC (full-width to
 * half-width, ℃ to °C), upper case, '-' and '_' as spaces, whitespace collapsed and trimmed, and
 * spaces between two CJK characters dropped ("读卡 失败" = "读卡失败").
 */
function normaliseInto(text: string): number {
  const src = NON_ASCII.test(text) ? text.normalize('NFKC') : text;
  if (buffer.length < src.length) buffer = new Uint16Array(src.length * 2);
  let n = 0;
  let pendingSpace = false;
  for (let i = 0; i < src.length; i++) {
    let c = src.charCodeAt(i);
    if (c === 0x2d || c === 0x5f || c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x3000) {
      pendingSpace = n > 0;
      continue;
    }
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    else if (c > 0x7f && !isCjk(c)) c = String.fromCharCode(c).toUpperCase().charCodeAt(0);
    if (pendingSpace && !(isCjk(c) && isCjk(buffer[n - 1] as number))) buffer[n++] = SPACE;
    pendingSpace = false;
    buffer[n++] = c;
  }
  return n;
}

/** The normalised form the matcher sees, exported for tests and for building patterns. */
export function normaliseTerminalText(text: string): string {
  const n = normaliseInto(text);
  // In slices: spreading a long text's characters as arguments would overflow the stack.
  let out = '';
  for (let i = 0; i < n; i += 8192) out += String.fromCharCode(...buffer.subarray(i, Math.min(n, i + 8192)));
  return out;
}

// ---- compilation --------------------------------------------------------------------------------

interface CompiledPattern {
  entry: number;
  text: string;
  length: number;
  /** Must not be preceded / followed by a Latin letter or digit. */
  boundStart: boolean;
  boundEnd: boolean;
}

interface CompiledEntry {
  entry: TerminalMessageEntry;
  priority: number;
  regex: RegExp[];
  capture?: RegExp;
}

const entries: CompiledEntry[] = TERMINAL_MESSAGE_CATALOGUE.map((e) => {
  const c: CompiledEntry = { entry: e, priority: e.priority ?? 0, regex: (e.regex ?? []).map((r) => new RegExp(r, 'iu')) };
  if (e.capture) c.capture = new RegExp(e.capture, 'iu');
  return c;
});

const patterns: CompiledPattern[] = [];
entries.forEach((c, index) => {
  const seen = new Set<string>();
  for (const p of [...c.entry.patterns.zh, ...c.entry.patterns.en]) {
    const text = normaliseTerminalText(p);
    if (text === '' || seen.has(text)) continue;
    seen.add(text);
    patterns.push({
      entry: index,
      text,
      length: text.length,
      boundStart: isWordChar(text.charCodeAt(0)),
      boundEnd: isWordChar(text.charCodeAt(text.length - 1)),
    });
  }
});

const codeIndex = new Map<string, number[]>();
entries.forEach((c, index) => {
  for (const code of c.entry.codes ?? []) {
    const key = code.trim().toUpperCase();
    codeIndex.set(key, [...(codeIndex.get(key) ?? []), index]);
  }
});

// Aho-Corasick: goto on char codes, failure links, and per state the patterns ending there.
const gotoMaps: Map<number, number>[] = [new Map()];
const fail: number[] = [0];
const outputs: number[][] = [[]];

patterns.forEach((p, pi) => {
  let s = 0;
  for (let i = 0; i < p.text.length; i++) {
    const ch = p.text.charCodeAt(i);
    let next = (gotoMaps[s] as Map<number, number>).get(ch);
    if (next === undefined) {
      next = gotoMaps.length;
      gotoMaps.push(new Map());
      fail.push(0);
      outputs.push([]);
      (gotoMaps[s] as Map<number, number>).set(ch, next);
    }
    s = next;
  }
  (outputs[s] as number[]).push(pi);
});
{
  const queue: number[] = [];
  for (const child of (gotoMaps[0] as Map<number, number>).values()) queue.push(child);
  while (queue.length > 0) {
    const s = queue.shift() as number;
    for (const [ch, child] of gotoMaps[s] as Map<number, number>) {
      let f = fail[s] as number;
      while (f !== 0 && !(gotoMaps[f] as Map<number, number>).has(ch)) f = fail[f] as number;
      const target = (gotoMaps[f] as Map<number, number>).get(ch);
      fail[child] = target !== undefined && target !== child ? target : 0;
      (outputs[child] as number[]).push(...(outputs[fail[child] as number] as number[]));
      queue.push(child);
    }
  }
}

// ---- matching -----------------------------------------------------------------------------------

interface Hit {
  best: number;
  matched: string[];
  code?: string;
}

/**
 * Matches a terminal message (and optionally its event code) against the catalogue. Returns the
 * matching entries, best first: entries matched by code, then by priority, then by the longest
 * pattern matched. An empty array means the message is not in the catalogue.
 */
export function matchTerminalMessage(text: string, code?: string): TerminalMessageMatch[] {
  const hits = new Map<number, Hit>();
  const n = typeof text === 'string' ? normaliseInto(text) : 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const ch = buffer[i] as number;
    let next = (gotoMaps[s] as Map<number, number>).get(ch);
    while (next === undefined && s !== 0) {
      s = fail[s] as number;
      next = (gotoMaps[s] as Map<number, number>).get(ch);
    }
    s = next ?? 0;
    const out = outputs[s] as number[];
    for (let k = 0; k < out.length; k++) {
      const p = patterns[out[k] as number] as CompiledPattern;
      const start = i - p.length + 1;
      if (p.boundStart && start > 0 && isWordChar(buffer[start - 1] as number)) continue;
      if (p.boundEnd && i + 1 < n && isWordChar(buffer[i + 1] as number)) continue;
      const hit = hits.get(p.entry);
      if (hit) {
        if (p.length > hit.best) hit.best = p.length;
        hit.matched.push(p.text);
      } else {
        hits.set(p.entry, { best: p.length, matched: [p.text] });
      }
    }
  }
  let normalisedForRegex: string | undefined;
  entries.forEach((c, index) => {
    if (c.regex.length === 0) return;
    normalisedForRegex ??= String.fromCharCode(...buffer.subarray(0, n));
    for (const r of c.regex) {
      const m = r.exec(normalisedForRegex);
      if (!m) continue;
      const hit = hits.get(index);
      if (hit) {
        hit.best = Math.max(hit.best, m[0].length);
        hit.matched.push(m[0]);
      } else hits.set(index, { best: m[0].length, matched: [m[0]] });
    }
  });
  const codeKey = code?.trim().toUpperCase();
  if (codeKey) {
    for (const index of codeIndex.get(codeKey) ?? []) {
      const hit = hits.get(index);
      if (hit) hit.code = codeKey;
      else hits.set(index, { best: 0, matched: [], code: codeKey });
    }
  }
  if (hits.size === 0) return [];

  const results: TerminalMessageMatch[] = [];
  for (const [index, hit] of hits) {
    const c = entries[index] as CompiledEntry;
    const e = c.entry;
    const score = (hit.code ? 10_000 : 0) + c.priority * 100 + hit.best;
    const match: TerminalMessageMatch = {
      id: e.id,
      kind: e.kind,
      zh: e.zh,
      en: e.en,
      hints: e.hints,
      clears: e.clears ?? [],
      matched: hit.code ? [...hit.matched, hit.code] : hit.matched,
      via: hit.code ? (hit.matched.length > 0 ? 'text+code' : 'code') : 'text',
      score,
    };
    if (c.capture && typeof text === 'string') {
      const m = c.capture.exec(text.normalize('NFKC'));
      if (m?.groups) {
        const values: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) values[k] = v;
        match.values = values;
      }
    }
    results.push(match);
  }
  return results.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

/** The catalogue entry with this id. */
export const terminalMessageEntry = (id: string): TerminalMessageEntry | undefined => TERMINAL_MESSAGE_CATALOGUE.find((e) => e.id === id);
