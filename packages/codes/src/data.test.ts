/**
 * Integrity of every data file in data/: versioned and described, every entry in Chinese and
 * English, no duplicate ids or codes, every cause hint a taxonomy code with a weight in 0..1.
 */
import { describe, expect, it } from 'vitest';
import emvData from '../data/emv-tvr-tsi.json' with { type: 'json' };
import taxonomyData from '../data/fault-taxonomy.json' with { type: 'json' };
import specData from '../data/iso8583-1987.json' with { type: 'json' };
import responseData from '../data/iso8583-response-codes.json' with { type: 'json' };
import entryData from '../data/pos-entry-modes.json' with { type: 'json' };
import messageData from '../data/terminal-messages.json' with { type: 'json' };
import { parseDescribe } from './iso8583/spec.js';
import { PAN_ENTRY_MODES, PIN_CAPABILITIES } from './posEntryMode.js';
import { RESPONSE_ACTIONS, RESPONSE_KINDS } from './responseCodes.js';
import { isCauseCode } from './taxonomy.js';
import { normaliseTerminalText } from './terminalMessages.js';

interface Hint {
  code: string;
  weight: number;
}

function expectValidHints(hints: readonly Hint[], where: string): void {
  const codes = hints.map((h) => h.code);
  expect(new Set(codes).size, `${where}: a cause appears twice`).toBe(codes.length);
  for (const h of hints) {
    expect(isCauseCode(h.code), `${where}: ${h.code} is not a taxonomy code`).toBe(true);
    expect(h.weight, `${where}: ${h.code} weight`).toBeGreaterThan(0);
    expect(h.weight, `${where}: ${h.code} weight`).toBeLessThanOrEqual(1);
  }
}

function expectBilingual(entry: { zh?: string; en?: string }, where: string): void {
  expect(entry.zh?.trim(), `${where}: zh`).toBeTruthy();
  expect(entry.en?.trim(), `${where}: en`).toBeTruthy();
  expect(entry.zh, `${where}: zh should be Chinese`).toMatch(/[\u4e00-\u9fff]/);
}

const expectUnique = (values: string[], what: string) => {
  const dupes = values.filter((v, i) => values.indexOf(v) !== i);
  expect(dupes, `duplicate ${what}`).toEqual([]);
};

const versioned = (file: { version?: string; about?: string }, name: string) => {
  expect(file.version, `${name} version`).toMatch(/^\d+\.\d+\.\d+$/);
  expect(file.about?.length, `${name} about`).toBeGreaterThan(40);
};

describe('data/fault-taxonomy.json', () => {
  it('is described and schema-versioned', () => {
    expect(taxonomyData.schema).toMatch(/\/v\d+$/);
    expect(taxonomyData.about.length).toBeGreaterThan(40);
  });
});

describe('data/emv-tvr-tsi.json', () => {
  it('is versioned and described', () => versioned(emvData, 'emv-tvr-tsi'));

  it('names each bit once, within its byte range, in Chinese and English, with valid hints', () => {
    for (const [list, bytes] of [
      [emvData.tvr, 5],
      [emvData.tsi, 2],
    ] as const) {
      expectUnique(list.map((b) => b.bit), 'bits');
      for (const b of list) {
        const [byte, bit] = b.bit.split('.').map(Number) as [number, number];
        expect(byte >= 1 && byte <= bytes && bit >= 1 && bit <= 8, b.bit).toBe(true);
        expectBilingual(b, b.bit);
        expectValidHints(b.hints, b.bit);
      }
    }
  });

  it('names each EMV tag once, in Chinese and English', () => {
    expectUnique(emvData.tags.map((t) => t.tag), 'tags');
    for (const t of emvData.tags) {
      expect(t.tag).toMatch(/^([0-9A-F]{2}){1,2}$/);
      expectBilingual(t, t.tag);
    }
  });
});

describe('data/iso8583-response-codes.json', () => {
  it('is versioned and described', () => versioned(responseData, 'response codes'));

  it('lists each code once, with a meaning in both languages, a valid class and kind, and valid hints', () => {
    expectUnique(responseData.codes.map((c) => c.code), 'response codes');
    for (const c of responseData.codes) {
      expect(c.code).toMatch(/^[0-9A-Z]{2}$/);
      expectBilingual(c, c.code);
      expect(RESPONSE_ACTIONS, c.code).toContain(c.action);
      expect(RESPONSE_KINDS, c.code).toContain(c.kind);
      expect(['cup', 'iso8583:1987', 'visa'], c.code).toContain(c.source);
      expect(c.action === 'approved', `${c.code}: approved action and kind go together`).toBe(c.kind === 'approved');
      if (c.kind === 'approved') expect(c.hints, c.code).toEqual([]);
      else if (c.code !== '84') expect(c.hints.length, `${c.code} needs at least one hint`).toBeGreaterThan(0);
      if ('note' in c && c.note) expectBilingual(c.note, `${c.code} note`);
      expectValidHints(c.hints, c.code);
    }
  });
});

describe('data/pos-entry-modes.json', () => {
  it('is versioned and described', () => versioned(entryData, 'pos entry modes'));

  it('lists each PAN entry code and PIN digit once, in both languages, with valid modes and hints', () => {
    expectUnique(entryData.pan.map((p) => p.code), 'PAN entry codes');
    expectUnique(entryData.pin.map((p) => p.digit), 'PIN digits');
    for (const p of entryData.pan) {
      expect(p.code).toMatch(/^\d{2}$/);
      expect(PAN_ENTRY_MODES, p.code).toContain(p.mode);
      expectBilingual(p, p.code);
      expectValidHints(p.hints, p.code);
    }
    for (const p of entryData.pin) {
      expect(p.digit).toMatch(/^\d$/);
      expect(PIN_CAPABILITIES, p.digit).toContain(p.capability);
      expectBilingual(p, p.digit);
      expectValidHints(p.hints, p.digit);
    }
  });

  it('names a preferred code for every entry mode, which decodes back to that mode', () => {
    const preferred = entryData.preferred as Record<string, string>;
    for (const mode of PAN_ENTRY_MODES) {
      const code = preferred[mode];
      expect(code, mode).toBeDefined();
      expect(entryData.pan.find((p) => p.code === code)?.mode, mode).toBe(mode);
    }
  });
});

describe('data/iso8583-1987.json', () => {
  it('is versioned and described', () => versioned(specData, 'iso8583-1987'));

  it('describes fields 1 to 128 readably, in both languages', () => {
    const fields = specData.fields as Record<string, { describe: string; zh: string; en: string }>;
    expect(Object.keys(fields).map(Number)).toEqual(Array.from({ length: 128 }, (_, i) => i + 1));
    for (const [n, f] of Object.entries(fields)) {
      expect(() => parseDescribe(f.describe, Number(n))).not.toThrow();
      expectBilingual(f, `field ${n}`);
    }
  });

  it('has presence rules that name defined fields, each in one list only', () => {
    const rules = specData.messages as Record<string, { mandatory: number[]; optional?: number[] }>;
    for (const [mti, rule] of Object.entries(rules)) {
      const all = [...rule.mandatory, ...(rule.optional ?? [])];
      expectUnique(all.map(String), `${mti} fields`);
      for (const n of all) expect(n >= 2 && n <= 128, `${mti} field ${n}`).toBe(true);
    }
  });
});

describe('data/terminal-messages.json', () => {
  const entries = messageData.messages as {
    id: string;
    kind: string;
    zh: string;
    en: string;
    patterns: { zh: string[]; en: string[] };
    regex?: string[];
    codes?: string[];
    capture?: string;
    priority?: number;
    hints: Hint[];
    clears?: string[];
  }[];

  it('is versioned and described', () => versioned(messageData, 'terminal messages'));

  it('lists each id once, with a kind, a meaning in both languages, and Chinese and English patterns', () => {
    expectUnique(entries.map((e) => e.id), 'message ids');
    for (const e of entries) {
      expect(e.id).toMatch(/^[a-z]+(\.[a-z_]+)+$/);
      expect(['fault', 'warning', 'info', 'boot', 'update'], e.id).toContain(e.kind);
      expectBilingual(e, e.id);
      expect(e.patterns.zh.some((p) => /[\u4e00-\u9fff]/.test(p)), `${e.id}: a Chinese pattern`).toBe(true);
      expect(e.patterns.en.length, `${e.id}: an English pattern`).toBeGreaterThan(0);
    }
  });

  it('has valid hints; good news clears causes and hints at none', () => {
    for (const e of entries) {
      expectValidHints(e.hints, e.id);
      for (const c of e.clears ?? []) expect(isCauseCode(c), `${e.id} clears ${c}`).toBe(true);
      if (e.kind === 'info') {
        expect(e.hints, e.id).toEqual([]);
        expect(e.clears?.length, `${e.id} should clear something`).toBeGreaterThan(0);
      }
      if (e.kind === 'fault' || e.kind === 'warning') expect(e.hints.length, `${e.id} needs a hint`).toBeGreaterThan(0);
    }
  });

  it('gives each pattern to one entry only, so a message is never claimed by two entries alike', () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const e of entries) {
      for (const p of [...e.patterns.zh, ...e.patterns.en]) {
        const n = normaliseTerminalText(p);
        expect(n, `${e.id}: empty pattern`).not.toBe('');
        const other = owner.get(n);
        if (other && other !== e.id) clashes.push(`${n}: ${other} / ${e.id}`);
        owner.set(n, e.id);
      }
    }
    expect(clashes).toEqual([]);
  });

  it('has regexes and capture patterns that compile', () => {
    for (const e of entries) {
      for (const r of [...(e.regex ?? []), ...(e.capture ? [e.capture] : [])]) expect(() => new RegExp(r, 'iu'), `${e.id}: ${r}`).not.toThrow();
    }
  });
});
