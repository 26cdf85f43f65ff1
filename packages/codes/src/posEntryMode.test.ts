import { describe, expect, it } from 'vitest';
import { CodesError } from './errors.js';
import { decodePosEntryMode, entryModeCode, PAN_ENTRY_MODES } from './posEntryMode.js';

describe('decodePosEntryMode', () => {
  it.each([
    ['051', 'chip', 'capable'],
    ['052', 'chip', 'not_capable'],
    ['071', 'contactless', 'capable'],
    ['072', 'contactless', 'not_capable'],
    ['911', 'contactless', 'capable'],
    ['021', 'magstripe', 'capable'],
    ['901', 'magstripe', 'capable'],
    ['801', 'fallback', 'capable'],
    ['012', 'manual', 'not_capable'],
    ['031', 'qr', 'capable'],
    ['950', 'chip', 'unspecified'],
    ['000', 'unknown', 'unspecified'],
    ['056', 'chip', 'pinpad_inoperative'],
  ])('decodes %s as %s, PIN %s', (code, pan, pin) => {
    expect(decodePosEntryMode(code)).toMatchObject({ raw: code, pan, pin, recognised: true });
  });

  it('describes the entry mode in both languages', () => {
    const d = decodePosEntryMode('801');
    expect(d.en).toContain('fallback');
    expect(d.zh).toContain('降级');
  });

  it('hints a fallback at the chip reader, a damaged card and, weakly, skimming', () => {
    const codes = decodePosEntryMode('801').hints.map((h) => h.code);
    expect(codes).toEqual(expect.arrayContaining(['hw.reader.chip', 'ext.card.damaged', 'sec.skimming.suspected']));
    expect(decodePosEntryMode('051').hints).toEqual([]);
  });

  it('hints an inoperative PIN pad at the PIN pad', () => {
    expect(decodePosEntryMode('058').hints).toEqual([{ code: 'hw.pinpad', weight: 0.7 }]);
  });

  it('keeps unassigned codes as unknown rather than guessing', () => {
    expect(decodePosEntryMode('421')).toMatchObject({ pan: 'unknown', recognised: false, pin: 'capable' });
    expect(decodePosEntryMode('054')).toMatchObject({ pan: 'chip', pin: 'unknown' });
  });

  it('accepts the 4-digit rendering of right-aligned BCD and numbers that lost their leading zero', () => {
    expect(decodePosEntryMode('0051').raw).toBe('051');
    expect(decodePosEntryMode(51).raw).toBe('051');
  });

  it.each(['51', '5101', '05a', '', ' ', '1051'])('rejects %j with pos_entry.invalid', (bad) => {
    let err: unknown;
    try {
      decodePosEntryMode(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CodesError);
    expect((err as CodesError).id).toBe('pos_entry.invalid');
  });
});

describe('entryModeCode', () => {
  it('writes the conventional code for each entry mode', () => {
    expect(entryModeCode('chip')).toBe('051');
    expect(entryModeCode('contactless')).toBe('071');
    expect(entryModeCode('magstripe')).toBe('021');
    expect(entryModeCode('fallback')).toBe('801');
    expect(entryModeCode('manual', 'not_capable')).toBe('012');
    expect(entryModeCode('qr')).toBe('031');
  });

  it('round-trips every entry mode through decodePosEntryMode', () => {
    for (const mode of PAN_ENTRY_MODES) {
      for (const pin of ['capable', 'not_capable', 'unspecified', 'pinpad_inoperative'] as const) {
        expect(decodePosEntryMode(entryModeCode(mode, pin))).toMatchObject({ pan: mode, pin });
      }
    }
  });

  it('rejects an unknown mode with pos_entry.unknown_mode', () => {
    expect(() => entryModeCode('telepathy' as never)).toThrow(CodesError);
  });
});
