import { describe, expect, it } from 'vitest';
import { decodeTsi, decodeTvr, findTlv, parseTlv, TVR_BITS } from './emv.js';
import { CodesError } from './errors.js';

const bitsOf = (d: { bits: { bit: string }[] }) => d.bits.map((b) => b.bit);

function codesError(fn: () => unknown): CodesError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodesError) return e;
    throw e;
  }
  throw new Error('expected a CodesError');
}

describe('decodeTvr', () => {
  it('reports no bits for an all-zero TVR', () => {
    expect(decodeTvr('0000000000')).toMatchObject({ bits: [], rfu: [], hints: [] });
  });

  it('names bits byte.bit with bit 8 the most significant, in byte order', () => {
    // 0C: 1.4 DDA failed, 1.3 CDA failed; 40: 2.7; 00; 18: 4.5, 4.4; 80: 5.8
    expect(bitsOf(decodeTvr('0C40001880'))).toEqual(['1.4', '1.3', '2.7', '4.5', '4.4', '5.8']);
  });

  it('decodes every defined bit of Annex C, one at a time', () => {
    for (const def of TVR_BITS) {
      const [byte, bit] = def.bit.split('.').map(Number) as [number, number];
      const bytes = [0, 0, 0, 0, 0];
      bytes[byte - 1] = 1 << (bit - 1);
      const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
      const d = decodeTvr(hex);
      expect(bitsOf(d), hex).toEqual([def.bit]);
      expect(d.rfu).toEqual([]);
    }
  });

  it('gives each bit a meaning in Chinese and English', () => {
    const d = decodeTvr('0040000000');
    expect(d.bits[0]).toMatchObject({ bit: '2.7', en: 'Expired application', zh: '应用已过期' });
  });

  it('reports set reserved bits under rfu and never gives them a meaning', () => {
    const d = decodeTvr('0104030F00'); // 1.1, 2.3, 3.2, 3.1, 4.4..4.1 — only 4.4 is defined
    expect(d.rfu).toEqual(['1.1', '2.3', '3.2', '3.1', '4.3', '4.2', '4.1']);
    expect(bitsOf(d)).toEqual(['4.4']);
  });

  it('reports byte 5 bits 4..1 as reserved (relay resistance is a kernel meaning, not Book 3)', () => {
    expect(decodeTvr('000000000F').rfu).toEqual(['5.4', '5.3', '5.2', '5.1']);
  });

  it('accepts lower case and spaces', () => {
    expect(bitsOf(decodeTvr('00 00 10 00 00'))).toEqual(['3.5']);
    expect(decodeTvr('8000000000').hex).toBe('8000000000');
  });

  it('rejects non-hex input with emv.not_hex', () => {
    const e = codesError(() => decodeTvr('zz00000000'));
    expect(e.id).toBe('emv.not_hex');
    expect(e.messageIn('zh-CN')).toContain('不是十六进制');
  });

  it('rejects a TVR that is not 5 bytes with emv.wrong_length', () => {
    const e = codesError(() => decodeTvr('00000000'));
    expect(e.id).toBe('emv.wrong_length');
    expect(e.params).toMatchObject({ expected: 5, actual: 4 });
  });

  it('rejects an odd number of hex digits as not hex', () => {
    expect(codesError(() => decodeTvr('000000000')).id).toBe('emv.not_hex');
  });
});

describe('TVR cause hints', () => {
  const hintOf = (hex: string, code: string) => decodeTvr(hex).hints.find((h) => h.code === code)?.weight ?? 0;

  it('points an expired application at an expired card', () => {
    expect(hintOf('0040000000', 'ext.card.expired')).toBeGreaterThanOrEqual(0.8);
  });

  it('points PIN try limit exceeded and CVM failure at a wrong PIN', () => {
    expect(hintOf('0000200000', 'op.pin.wrong')).toBeGreaterThanOrEqual(0.8);
    expect(hintOf('0000800000', 'op.pin.wrong')).toBeGreaterThan(0.4);
  });

  it('points a missing or broken PIN pad at the PIN pad', () => {
    expect(hintOf('0000100000', 'hw.pinpad')).toBeGreaterThanOrEqual(0.7);
  });

  it('points failed offline data authentication weakly at a damaged or cloned card', () => {
    for (const hex of ['4000000000', '0800000000', '0400000000']) {
      expect(hintOf(hex, 'ext.card.damaged')).toBeGreaterThan(0);
      expect(hintOf(hex, 'ext.card.damaged')).toBeLessThan(0.5);
      expect(hintOf(hex, 'sec.skimming.suspected')).toBeGreaterThan(0);
      expect(hintOf(hex, 'sec.skimming.suspected')).toBeLessThan(0.5);
    }
  });

  it('points service not allowed at an unsupported card and issuer authentication failure weakly at the issuer', () => {
    expect(hintOf('0010000000', 'ext.card.unsupported')).toBeGreaterThanOrEqual(0.6);
    const w = hintOf('0000000040', 'ext.issuer.decline');
    expect(w).toBeGreaterThan(0);
    expect(w).toBeLessThan(0.5);
  });

  it('points ICC data missing at a damaged card', () => {
    expect(hintOf('2000000000', 'ext.card.damaged')).toBeGreaterThanOrEqual(0.4);
  });

  it('gives no hint for bits that describe normal processing', () => {
    expect(decodeTvr('0000048000').hints).toEqual([]); // online PIN entered, floor limit exceeded
  });

  it('keeps the strongest weight when several set bits hint at the same cause', () => {
    const d = decodeTvr('0000A00000'); // 3.8 CVM failed (0.6) and 3.6 PIN tries exceeded (0.9)
    expect(d.hints.filter((h) => h.code === 'op.pin.wrong')).toEqual([{ code: 'op.pin.wrong', weight: 0.9 }]);
  });
});

describe('decodeTsi', () => {
  it('decodes the performed steps', () => {
    expect(bitsOf(decodeTsi('E800'))).toEqual(['1.8', '1.7', '1.6', '1.4']);
    expect(bitsOf(decodeTsi('0000'))).toEqual([]);
  });

  it('reports byte 2 and bits 1.2/1.1 as reserved', () => {
    expect(decodeTsi('0381').rfu).toEqual(['1.2', '1.1', '2.8', '2.1']);
  });

  it('rejects a TSI that is not 2 bytes', () => {
    expect(codesError(() => decodeTsi('E80000')).id).toBe('emv.wrong_length');
  });
});

describe('parseTlv', () => {
  it('reads one- and two-byte tags with short lengths', () => {
    expect(parseTlv('9505800000800' + '09B02E800')).toEqual([
      { tag: '95', length: 5, value: '8000008000' },
      { tag: '9B', length: 2, value: 'E800' },
    ]);
    expect(parseTlv('9F2701809F3602001A')).toEqual([
      { tag: '9F27', length: 1, value: '80' },
      { tag: '9F36', length: 2, value: '001A' },
    ]);
  });

  it('reads long-form lengths', () => {
    const value = 'AB'.repeat(130);
    expect(parseTlv(`9F108182${value}`)[0]).toMatchObject({ tag: '9F10', length: 130 });
  });

  it('reads constructed templates recursively and finds tags inside them', () => {
    const tlvs = parseTlv('770795050000000000' + '9F270140');
    expect(tlvs.map((t) => t.tag)).toEqual(['77', '9F27']);
    expect(tlvs[0]?.children?.map((t) => t.tag)).toEqual(['95']);
    expect(findTlv(tlvs, '95')?.value).toBe('0000000000');
  });

  it('skips 00 and FF padding between objects', () => {
    expect(parseTlv('00009B02E800FF').map((t) => t.tag)).toEqual(['9B']);
  });

  it('accepts bytes as well as hex', () => {
    expect(parseTlv(Uint8Array.of(0x9b, 0x02, 0xe8, 0x00))).toEqual([{ tag: '9B', length: 2, value: 'E800' }]);
  });

  it('rejects a value that runs past the end, naming the offset', () => {
    const e = codesError(() => parseTlv('9B02E8009505000000'));
    expect(e.id).toBe('emv.tlv_invalid');
    expect(e.params.offset).toBe(4);
  });

  it('rejects a tag with no length and non-hex input', () => {
    expect(codesError(() => parseTlv('9F')).id).toBe('emv.tlv_invalid');
    expect(codesError(() => parseTlv('9B02E8G0')).id).toBe('emv.not_hex');
  });
});
