/**
 * Fuzzing with a fixed budget, in the normal test run: whatever bytes or text reach the readers of
 * this package (ISO 8583, EMV TLV, TVR/TSI, POS entry modes, response codes, the terminal message
 * catalogue), the answer is a result or a CodesError, never another exception, and never slow.
 *
 * Each property runs at most RUNS cases and stops after LIMIT_MS (the file stays well under 20 s on
 * two cores). The seed changes from run to run so CI keeps exploring; a failure prints its seed and
 * counterexample, and FUZZ_SEED=<seed> replays it. Counterexamples found so far are plain tests below.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTsi, decodeTvr, findTlv, parseTlv } from './emv.js';
import { CodesError } from './errors.js';
import { describeMti, summariseIso8583 } from './iso8583/summary.js';
import { packIso8583, parseIso8583 } from './iso8583/parse.js';
import { ISO8583_1987, PACKED_ENCODING, withEncoding, type Iso8583Spec } from './iso8583/spec.js';
import { decodePosEntryMode } from './posEntryMode.js';
import { isApproved, responseCode } from './responseCodes.js';
import { matchTerminalMessage, normaliseTerminalText } from './terminalMessages.js';

const RUNS = 3_000;
const LIMIT_MS = 2_500;
/** Longest a single call may take: far above any real input's cost, far below a hang. */
const SLOW_MS = 250;
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const budget = { numRuns: RUNS, interruptAfterTimeLimit: LIMIT_MS, ...(seed === undefined ? {} : { seed }) };

/** Runs `fn`; passes when it returns or throws a CodesError, quickly. */
function typedOnly(fn: () => unknown): true {
  const started = performance.now();
  try {
    fn();
  } catch (e) {
    if (!(e instanceof CodesError)) throw e;
  }
  const took = performance.now() - started;
  if (took > SLOW_MS) throw new Error(`took ${took.toFixed(0)} ms`);
  return true;
}

const SPECS: [string, Iso8583Spec][] = [
  ['ASCII', ISO8583_1987],
  ['packed', withEncoding(ISO8583_1987, PACKED_ENCODING)],
];
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A plausible start (MTI and bitmaps) followed by anything: reaches the field readers, not only the MTI check. */
const iso8583Like = fc
  .tuple(fc.constantFrom('0100', '0110', '0200', '0210', '0400', '0800', '0810', '9999', 'ABCD'), fc.uint8Array({ minLength: 8, maxLength: 16 }), fc.uint8Array({ maxLength: 300 }))
  .map(([mti, bitmap, rest]) => {
    const hexBitmap = ascii(Array.from(bitmap, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase());
    return [ascii(mti), hexBitmap, rest] as const;
  });

const concat = (parts: readonly Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A valid message of the spec, then one byte changed, cut or inserted. */
const SIGN_ON = { mti: '0800', fields: { 7: '0420090613', 11: '900001', 70: '001' } };
const SALE = { mti: '0200', fields: { 2: '4761739001010119', 3: '000000', 4: '000000005800', 11: '000123', 22: '051', 25: '00', 41: 'TERM0001', 42: 'MERCHANT0000001', 49: '156' } };

describe('fuzzing the ISO 8583 reader', () => {
  for (const [name, spec] of SPECS) {
    it(`reads any bytes with the ${name} layout as a message or a CodesError`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), fc.boolean(), (bytes, validate) => typedOnly(() => parseIso8583(bytes, spec, { validate }))), budget);
    });

    it(`reads a plausible MTI and bitmap followed by anything with the ${name} layout as a message or a CodesError`, () => {
      fc.assert(fc.property(iso8583Like, (parts) => typedOnly(() => parseIso8583(concat(parts), spec, { presence: false }))), budget);
    });

    it(`reads valid ${name} messages with one byte changed, cut or added as a message or a CodesError`, () => {
      const valid = [SIGN_ON, SALE].map((m) => packIso8583(m, spec));
      const mutated = fc.tuple(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'insert')).map(([m, at, byte, how]) => {
        const i = at % m.length;
        if (how === 'cut') return m.subarray(0, i);
        if (how === 'insert') return concat([m.subarray(0, i), Uint8Array.of(byte), m.subarray(i)]);
        const copy = m.slice();
        copy[i] = byte;
        return copy;
      });
      fc.assert(fc.property(mutated, (bytes) => typedOnly(() => parseIso8583(bytes, spec))), budget);
    });
  }

  it('summarises any field map without throwing, and describes any MTI text', () => {
    const fields = fc.dictionary(fc.integer({ min: 0, max: 192 }).map(String), fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[0-9A-F]{0,80}$/)), { maxKeys: 12 });
    fc.assert(
      fc.property(fields, fc.option(fc.string({ maxLength: 8 })), (f, mti) => {
        const started = performance.now();
        summariseIso8583(mti === null ? f : { mti, fields: f });
        expect(performance.now() - started).toBeLessThan(SLOW_MS);
      }),
      budget,
    );
    fc.assert(fc.property(fc.string({ maxLength: 12 }), (m) => typedOnly(() => describeMti(m))), budget);
  });
});

describe('fuzzing the EMV readers', () => {
  it('reads any bytes or text as TLVs or a CodesError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => typedOnly(() => findTlv(parseTlv(b), '9F26'))), budget);
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => typedOnly(() => parseTlv(s))), budget);
  });

  it('reads constructed templates nested to any depth as TLVs or a CodesError', () => {
    // 0x70 0x81 <len> … : constructed, long-form length, nested as deep as the generator likes.
    const nested = fc.tuple(fc.integer({ min: 1, max: 60 }), fc.uint8Array({ maxLength: 8 })).map(([depth, inner]) => {
      let v = inner;
      for (let i = 0; i < depth; i++) v = concat([Uint8Array.of(0x70, 0x81, v.length & 0xff), v]);
      return v;
    });
    fc.assert(fc.property(nested, (b) => typedOnly(() => parseTlv(b))), budget);
  });

  it('decodes any text as TVR or TSI bits or a CodesError', () => {
    const hexish = fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^[0-9a-fA-F ]{0,14}$/));
    fc.assert(fc.property(hexish, (s) => typedOnly(() => decodeTvr(s)) && typedOnly(() => decodeTsi(s))), budget);
  });
});

describe('fuzzing the code tables', () => {
  it('decodes any POS entry mode and looks up any response code, or says CodesError', () => {
    const input = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double());
    fc.assert(fc.property(input, (v) => typedOnly(() => decodePosEntryMode(v as string | number)) && typedOnly(() => responseCode(v as string | number)) && typedOnly(() => isApproved(v as string | number))), budget);
  });
});

describe('fuzzing the terminal message catalogue', () => {
  it('matches any text and code, of any script, without throwing and without slowing down', () => {
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 200 }));
    fc.assert(
      fc.property(text, fc.option(fc.string({ maxLength: 40 })), (t, code) => {
        const started = performance.now();
        const matches = matchTerminalMessage(t, code ?? undefined);
        normaliseTerminalText(t);
        expect(Array.isArray(matches)).toBe(true);
        expect(performance.now() - started).toBeLessThan(SLOW_MS);
      }),
      budget,
    );
  });

  // Found by fuzzing: the normalised text was built by spreading its characters as arguments.
  it('normalises a text of 300,000 characters (a RangeError before)', () => {
    expect(normaliseTerminalText('a-'.repeat(150_000))).toBe(Array(150_000).fill('A').join(' '));
    expect(matchTerminalMessage('读卡失败 '.repeat(20_000)).length).toBeGreaterThan(0);
  });
});
