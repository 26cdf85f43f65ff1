import { describe, expect, it } from 'vitest';
import { CodesError } from '../errors.js';
import { ISO8583_1987, loadIso8583Spec, parseDescribe, readEncoding, withEncoding, PACKED_ENCODING } from './spec.js';

const specError = (fn: () => unknown): CodesError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodesError) return e;
    throw e;
  }
  throw new Error('expected a CodesError');
};

describe('parseDescribe', () => {
  it.each([
    ['n..19', { type: 'n', length: 19, prefix: 2 }],
    ['ans...999', { type: 'ans', length: 999, prefix: 3 }],
    ['n 6; hhmmss', { type: 'n', length: 6, prefix: 0, format: 'hhmmss' }],
    ['n 10; MMDDhhmmss', { type: 'n', length: 10, prefix: 0, format: 'MMDDhhmmss' }],
    ['x+n 9', { type: 'x+n', length: 9, prefix: 0 }],
    ['b 64', { type: 'b', length: 64, prefix: 0 }],
    ['z..37', { type: 'z', length: 37, prefix: 2 }],
    ['n6', { type: 'n', length: 6, prefix: 0 }],
    ['ans...100\t', { type: 'ans', length: 100, prefix: 3 }],
    ['AN 12', { type: 'an', length: 12, prefix: 0 }],
  ])('reads %j', (describe, expected) => {
    expect(parseDescribe(describe, 1)).toEqual(expected);
  });

  it.each(['q 5', 'n..', 'n..100', 'n 4; DDMM', 'n 0'])('rejects %j with iso8583.bad_spec', (describe) => {
    expect(specError(() => parseDescribe(describe, 7)).id).toBe('iso8583.bad_spec');
  });
});

describe('ISO8583_1987 (the project spec)', () => {
  it('defines all 128 fields with a Chinese and an English name', () => {
    for (let n = 1; n <= 128; n++) {
      const f = ISO8583_1987.fields[n];
      expect(f, `field ${n}`).toBeDefined();
      expect(f?.zh, `field ${n}`).toBeTruthy();
      expect(f?.en, `field ${n}`).toBeTruthy();
    }
  });

  it('marks card data sensitive and carries EMV data as binary', () => {
    for (const n of [2, 14, 35, 36, 45, 52]) expect(ISO8583_1987.fields[n]?.sensitive, `field ${n}`).toBe(true);
    expect(ISO8583_1987.fields[55]).toMatchObject({ type: 'b', length: 255, prefix: 3 });
    expect(ISO8583_1987.fields[22]).toMatchObject({ type: 'n', length: 3, prefix: 0 });
  });

  it('writes ASCII by default and carries presence rules for reversal advices', () => {
    expect(ISO8583_1987.encoding).toEqual({ mti: 'ASCII', bitmap: 'HEX', length: 'ASCII', numeric: 'ASCII', text: 'ASCII', binary: 'HEX', track: 'ASCII' });
    expect(ISO8583_1987.messages?.['0420']?.mandatory).toContain(32);
  });

  it('can be switched to another wire encoding without changing its fields', () => {
    const packed = withEncoding(ISO8583_1987, PACKED_ENCODING);
    expect(packed.encoding.mti).toBe('BCD');
    expect(packed.fields).toBe(ISO8583_1987.fields);
  });
});

describe('loadIso8583Spec', () => {
  const moovStyle = {
    elements: {
      '1': { Describe: 'b 64', Description: 'Second Bitmap' },
      '3': { Describe: 'n 6', Description: 'Processing code' },
      '35': { Describe: 'z..37', Description: 'Track 2 data' },
    },
    encoding: { mti_enc: 'CHAR', bmp_enc: 'HEX', len_enc: 'CHAR', num_enc: 'CHAR', chr_enc: 'ASCII', bin_enc: 'HEX', trk_enc: 'EBCDIC' },
  };

  it('reads the moov-io format, mapping its encoding names', () => {
    const spec = loadIso8583Spec(moovStyle);
    expect(spec.fields[3]).toEqual({ type: 'n', length: 6, prefix: 0, en: 'Processing code' });
    expect(spec.encoding).toMatchObject({ mti: 'ASCII', length: 'ASCII', track: 'EBCDIC', binary: 'HEX' });
  });

  it('reads moov-io CHAR as 0/1 characters for bitmaps and binary fields', () => {
    expect(readEncoding({ bmp_enc: 'CHAR', bin_enc: 'CHAR', num_enc: 'RBCD' })).toMatchObject({ bitmap: 'BITS', binary: 'BITS', numeric: 'RBCD' });
  });

  it('reads a bare attribute map (field numbers at the top level) with the default encoding', () => {
    const spec = loadIso8583Spec(JSON.stringify(moovStyle.elements));
    expect(Object.keys(spec.fields)).toEqual(['1', '3', '35']);
    expect(spec.encoding.track).toBe('ASCII');
  });

  it('lets the caller override encodings in either naming', () => {
    expect(loadIso8583Spec(moovStyle, { encoding: { len_enc: 'BCD' } }).encoding.length).toBe('BCD');
    expect(loadIso8583Spec(moovStyle, { encoding: { length: 'HEX' } }).encoding.length).toBe('HEX');
  });

  it('reads per-field encodings and presence rules in the PosCare format', () => {
    const spec = loadIso8583Spec({
      fields: { '22': { describe: 'n 3', en: 'POS entry mode', encoding: { value: 'bcd' } } },
      messages: { '0200': { mandatory: [22] } },
    });
    expect(spec.fields[22]?.encoding).toEqual({ value: 'BCD' });
    expect(spec.messages?.['0200']).toEqual({ mandatory: [22] });
  });

  it.each([
    ['text that is not JSON', '{ nope'],
    ['an object without fields', { hello: 1 }],
    ['a field number out of range', { fields: { '300': { describe: 'n 1' } } }],
    ['a field without describe', { fields: { '3': { en: 'x' } } }],
    ['a secondary bitmap that is not b 64', { fields: { '1': { describe: 'b 32' } } }],
    ['an unknown encoding', { fields: { '3': { describe: 'n 6' } }, encoding: { mti_enc: 'UTF16' } }],
    ['a presence rule without an MTI', { fields: { '3': { describe: 'n 6' } }, messages: { x: { mandatory: [3] } } }],
  ])('rejects %s with iso8583.bad_spec', (_label, input) => {
    expect(specError(() => loadIso8583Spec(input as never)).id).toBe('iso8583.bad_spec');
  });
});
