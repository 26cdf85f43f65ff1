/**
 * The parser on fixtures built here (a fresh clone has no ../shared): every encoding the moov-io
 * suite exercises, and every way a message can be malformed.
 */
import { describe, expect, it } from 'vitest';
import { CodesError, type CodesErrorId } from '../errors.js';
import { parseIso8583, packIso8583, type Iso8583Input } from './parse.js';
import { ISO8583_1987, loadIso8583Spec, withEncoding, PACKED_ENCODING, type Iso8583Spec } from './spec.js';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (b) => parseInt(b, 16));
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

function parseError(bytes: Uint8Array, spec: Iso8583Spec = ISO8583_1987, options = {}): CodesError {
  try {
    parseIso8583(bytes, spec, options);
  } catch (e) {
    if (e instanceof CodesError) return e;
    throw e;
  }
  throw new Error('expected the message to be rejected');
}

const expectRejected = (bytes: Uint8Array, id: CodesErrorId, params: Record<string, unknown> = {}, spec?: Iso8583Spec, options?: object) => {
  const e = parseError(bytes, spec, options);
  expect(e.id).toBe(id);
  expect(e.params).toMatchObject(params);
  return e;
};

// A network management request written by hand: fields 1 (secondary bitmap), 7, 11 and 70.
const SIGN_ON = ascii('0800' + '8220000000000000' + '0400000000000000' + '0420090613' + '900001' + '001');

const AUTH_REQUEST: Iso8583Input = {
  mti: '0100',
  fields: {
    2: '6222021234567890123',
    3: '000000',
    4: '000000005800',
    7: '1120135200',
    11: '000123',
    12: '135200',
    13: '1120',
    14: '2812',
    22: '051',
    23: '001',
    25: '00',
    35: '6222021234567890123=28121010000000000',
    41: 'T0000001',
    42: '102100058120001',
    49: '156',
    55: '9F2608A1B2C3D4E5F60718' + '9F270180' + '950500000080009B02E800',
  },
};

describe('parseIso8583 on hand-built messages', () => {
  it('reads MTI, primary and secondary bitmaps and fields', () => {
    const m = parseIso8583(SIGN_ON, ISO8583_1987);
    expect(m).toEqual({
      mti: '0800',
      bitmap: '8220000000000000',
      fields: { 1: '0400000000000000', 7: '0420090613', 11: '900001', 70: '001' },
      present: [1, 7, 11, 70],
      length: SIGN_ON.length,
    });
  });

  it('reads what packIso8583 writes, field for field', () => {
    const bytes = packIso8583(AUTH_REQUEST, ISO8583_1987);
    const m = parseIso8583(bytes, ISO8583_1987);
    expect(m.mti).toBe('0100');
    expect(m.fields).toEqual(AUTH_REQUEST.fields);
    expect(m.present).toEqual([2, 3, 4, 7, 11, 12, 13, 14, 22, 23, 25, 35, 41, 42, 49, 55]);
  });

  it('writes LL and LLL prefixes, and binary fields as hex counted in bytes', () => {
    const text = new TextDecoder().decode(packIso8583(AUTH_REQUEST, ISO8583_1987));
    expect(text).toContain('196222021234567890123000000');
    const icc = AUTH_REQUEST.fields[55] as string;
    expect(text).toContain(`${String(icc.length / 2).padStart(3, '0')}${icc}`); // LLL counts bytes, not hex digits
  });

  it('pads fixed fields by convention when writing: numbers with zeros, text with spaces', () => {
    const m = parseIso8583(packIso8583({ mti: '0200', fields: { 4: '5800', 41: 'T1' } }, ISO8583_1987), ISO8583_1987);
    expect(m.fields).toEqual({ 4: '000000005800', 41: 'T1      ' });
  });

  it('adds a secondary bitmap only when a field above 64 is present (or the input had one)', () => {
    const plain = packIso8583({ mti: '0200', fields: { 4: '1' } }, ISO8583_1987);
    expect(parseIso8583(plain, ISO8583_1987).present).toEqual([4]);
    const withSecondary = packIso8583({ mti: '0200', fields: { 1: '', 4: '1' } }, ISO8583_1987);
    expect(parseIso8583(withSecondary, ISO8583_1987).fields[1]).toBe('0000000000000000');
    expect(packIso8583(parseIso8583(SIGN_ON, ISO8583_1987), ISO8583_1987)).toEqual(SIGN_ON);
  });

  it('keeps an empty variable field', () => {
    const m = parseIso8583(ascii('0200' + '4000000000000000' + '00'), ISO8583_1987);
    expect(m.fields).toEqual({ 2: '' });
  });
});

describe('parseIso8583 rejects malformed messages with a typed error naming the field', () => {
  it('rejects a message cut inside a field as truncated, naming the field', () => {
    const bytes = packIso8583(AUTH_REQUEST, ISO8583_1987);
    const e = expectRejected(bytes.subarray(0, bytes.length - 10), 'iso8583.truncated', { field: 55 });
    expect(e.message).toContain('field 55');
    expect(e.messageIn('zh-CN')).toContain('在第55域处被截断');
  });

  it('rejects a message cut inside the MTI or a bitmap', () => {
    expect(expectRejected(ascii('08'), 'iso8583.truncated', { part: 'mti' }).message).toContain('truncated in the MTI');
    expectRejected(ascii('0800822000'), 'iso8583.truncated', { part: 'primary_bitmap' });
    const e = expectRejected(ascii('0800' + '8220000000000000' + '04000'), 'iso8583.truncated', { part: 'secondary_bitmap' });
    expect(e.messageIn('zh-CN')).toContain('第二位图');
  });

  it('rejects an MTI that is not four digits', () => {
    expectRejected(ascii('08X0' + '0000000000000000'), 'iso8583.bad_mti');
  });

  it('rejects a bitmap that is not hexadecimal', () => {
    expectRejected(ascii('0800' + '82200000000000ZZ'), 'iso8583.bad_bitmap');
  });

  it('rejects a length prefix above the maximum or not made of digits', () => {
    expectRejected(ascii('0200' + '4000000000000000' + '20' + '1'.repeat(20)), 'iso8583.bad_length', { field: 2, max: 19 });
    expectRejected(ascii('0200' + '4000000000000000' + '1x' + '1'.repeat(19)), 'iso8583.bad_length', { field: 2 });
  });

  it('rejects letters in a numeric field', () => {
    const e = expectRejected(ascii('0200' + '2000000000000000' + '12A456'), 'iso8583.field_format', { field: 3, reason: 'charset' });
    expect(e.messageIn('zh-CN')).toContain('应为数字');
  });

  it('rejects an impossible date in a dated field, saying why in both languages', () => {
    // field 13 MMDD = 1332
    const e = expectRejected(ascii('0200' + '0008000000000000' + '1332'), 'iso8583.field_format', { field: 13, reason: 'date', format: 'MMDD' });
    expect(e.message).toBe('Field 13 is malformed: not a valid MMDD date/time (value: 1332)');
    expect(e.messageIn('zh-CN')).toBe('第13域格式错误：不是有效的MMDD日期/时间（值：1332）');
    expectRejected(ascii('0200' + '0004000000000000' + '2813'), 'iso8583.field_format', { field: 14 });
    expectRejected(ascii('0200' + '0010000000000000' + '246000'), 'iso8583.field_format', { field: 12 });
  });

  it('accepts 29 February and rejects 30 February', () => {
    expect(parseIso8583(ascii('0200' + '0008000000000000' + '0229'), ISO8583_1987).fields[13]).toBe('0229');
    expectRejected(ascii('0200' + '0008000000000000' + '0230'), 'iso8583.field_format', { field: 13 });
  });

  it('rejects a signed amount without C or D and track data with foreign characters', () => {
    expectRejected(ascii('0200' + '0000001000000000' + 'X00000001'), 'iso8583.field_format', { field: 28 });
    expectRejected(ascii('0200' + '0000000020000000' + '03III'), 'iso8583.field_format', { field: 35 });
  });

  it('rejects a field the specification does not define', () => {
    const small = loadIso8583Spec({ fields: { '3': { describe: 'n 6' } } });
    expectRejected(ascii('0200' + '2800000000000000' + '000000' + '12'), 'iso8583.unknown_field', { field: 5 }, small);
  });

  it('rejects bytes left over after the last field', () => {
    expectRejected(cat(SIGN_ON, ascii('99')), 'iso8583.trailing_bytes', { count: 2 });
  });

  it('rejects a reversal advice that lacks a mandatory field, naming it', () => {
    const advice = { 2: '', 3: '180000', 4: '000000030000', 7: '0109080646', 11: '100331', 12: '001120', 25: '33' };
    const bytes = packIso8583({ mti: '0420', fields: advice }, ISO8583_1987);
    const e = expectRejected(bytes, 'iso8583.missing_field', { field: 32, mti: '0420' });
    expect(e.messageIn('zh-CN')).toContain('缺少必备的第32域');
  });

  it('rejects a reversal advice that carries a field its profile does not allow, naming it', () => {
    const advice = { 3: '180000', 4: '000000030000', 7: '0109080646', 11: '100331', 14: '0809', 32: '00011122233' };
    const bytes = packIso8583({ mti: '0420', fields: advice }, ISO8583_1987);
    expectRejected(bytes, 'iso8583.unexpected_field', { field: 14, fields: [14] });
    expect(parseIso8583(bytes, ISO8583_1987, { presence: false }).fields[14]).toBe('0809');
  });

  it('checks presence with rules the caller passes', () => {
    const rules = { '0800': { mandatory: [7, 11, 70, 39] } };
    expectRejected(SIGN_ON, 'iso8583.missing_field', { field: 39 }, ISO8583_1987, { presence: rules });
  });

  it('skips content checks when asked, still reading the structure', () => {
    const bytes = ascii('0200' + '0008000000000000' + '1332');
    expect(parseIso8583(bytes, ISO8583_1987, { validate: false }).fields[13]).toBe('1332');
  });
});

describe('wire encodings', () => {
  const small = (encoding: object, fields: Record<string, object> = {}) =>
    loadIso8583Spec({
      fields: { '1': { describe: 'b 64' }, '7': { describe: 'n 10; MMDDhhmmss' }, '28': { describe: 'x+n 8' }, '32': { describe: 'n..11' }, '35': { describe: 'z..37' }, '42': { describe: 'ans 15' }, '48': { describe: 'ans...999' }, ...fields },
      encoding,
    });

  it('reads a hex length prefix sized to the maximum (11 → one hex digit)', () => {
    const spec = small({ len_enc: 'HEX' });
    const bytes = ascii('0800' + '0000000100000000' + 'B' + '12345678901');
    expect(parseIso8583(bytes, spec).fields[32]).toBe('12345678901');
    expect(packIso8583({ mti: '0800', fields: { 32: '12345678901' } }, spec)).toEqual(bytes);
  });

  it('reads BCD length prefixes left-aligned and RBCD ones right-aligned', () => {
    const body = ascii('ABCDEFGH');
    const head = ascii('0800' + '0000000000010000');
    expect(parseIso8583(cat(head, hex('0080'), body), small({ len_enc: 'BCD' })).fields[48]).toBe('ABCDEFGH');
    expect(parseIso8583(cat(head, hex('0008'), body), small({ len_enc: 'RBCD' })).fields[48]).toBe('ABCDEFGH');
    expect(packIso8583({ mti: '0800', fields: { 48: 'ABCDEFGH' } }, small({ len_enc: 'RBCD' }))).toEqual(cat(head, hex('0008'), body));
  });

  it('reads binary length prefixes', () => {
    const spec = small({ length: 'BINARY' });
    const bytes = cat(ascii('0800' + '0000000000010000'), hex('0003'), ascii('XYZ'));
    expect(parseIso8583(bytes, spec).fields[48]).toBe('XYZ');
  });

  it('reads packed BCD numbers and rejects a bad pad nibble', () => {
    const spec = small({ num_enc: 'BCD', len_enc: 'RBCD' });
    const bytes = cat(ascii('0800' + '0200000000000000'), hex('0420090613'));
    expect(parseIso8583(bytes, spec).fields[7]).toBe('0420090613');
    const odd = cat(ascii('0800' + '0000000100000000'), hex('05 1234 50'));
    expect(parseIso8583(odd, spec).fields[32]).toBe('12345');
    expect(parseIso8583(cat(ascii('0800' + '0000000100000000'), hex('05 1234 5F')), spec).fields[32]).toBe('12345');
    expectRejected(cat(ascii('0800' + '0000000100000000'), hex('05 1234 57')), 'iso8583.field_format', { field: 32 }, spec);
    expectRejected(cat(ascii('0800' + '0200000000000000'), hex('04200906AB')), 'iso8583.field_format', { field: 7 }, spec);
  });

  it('reads right-aligned BCD numbers', () => {
    const spec = small({ num_enc: 'RBCD', len_enc: 'RBCD' });
    expect(parseIso8583(cat(ascii('0800' + '0000000100000000'), hex('05 012345')), spec).fields[32]).toBe('12345');
  });

  it('reads EBCDIC text and EBCDIC tracks', () => {
    const spec = small({ chr_enc: 'EBCDIC', trk_enc: 'EBCDIC' });
    const bytes = cat(ascii('0800' + '0000000000400000'), hex('C1C2C3C4C5C6C7C8C9D1D2D3D4D5D6'));
    expect(parseIso8583(bytes, spec).fields[42]).toBe('ABCDEFGHIJKLMNO');
    expect(packIso8583({ mti: '0800', fields: { 42: 'ABCDEFGHIJKLMNO' } }, spec)).toEqual(bytes);
    const track = cat(ascii('0800' + '0000000020000000' + '03'), hex('F1 7E F2'));
    expect(parseIso8583(track, spec).fields[35]).toBe('1=2');
  });

  it('reads bitmaps and binary fields written as 0/1 characters', () => {
    const spec = small({ bmp_enc: 'CHAR', bin_enc: 'CHAR' }, { '64': { describe: 'b 64' } });
    const bitmap = '0'.repeat(63) + '1';
    const mac = '1010'.repeat(16);
    expect(parseIso8583(ascii('0800' + bitmap + mac), spec).fields[64]).toBe('A'.repeat(16));
    expect(packIso8583({ mti: '0800', fields: { 64: 'AAAAAAAAAAAAAAAA' } }, spec)).toEqual(ascii('0800' + bitmap + mac));
    expectRejected(ascii('0800' + '2'.repeat(64)), 'iso8583.bad_bitmap', {}, spec);
  });

  it('reads signed amounts whose length counts the sign', () => {
    const spec = small({});
    expect(parseIso8583(ascii('0800' + '0000001000000000' + 'C0000012'), spec).fields[28]).toBe('C0000012');
  });

  it('round-trips a whole authorization in the packed (UnionPay-style) layout', () => {
    const packed = withEncoding(ISO8583_1987, PACKED_ENCODING);
    const bytes = packIso8583(AUTH_REQUEST, packed);
    expect(bytes.subarray(0, 2)).toEqual(hex('0100')); // BCD MTI
    expect(bytes.length).toBeLessThan(packIso8583(AUTH_REQUEST, ISO8583_1987).length);
    expect(parseIso8583(bytes, packed).fields).toEqual(AUTH_REQUEST.fields);
  });

  it('packs track 2 as BCD with D separators and F padding', () => {
    const packed = withEncoding(ISO8583_1987, PACKED_ENCODING);
    const bytes = packIso8583({ mti: '0200', fields: { 35: '1234=567' } }, packed);
    expect(bytes.subarray(10)).toEqual(hex('08 1234D567'));
    const odd = packIso8583({ mti: '0200', fields: { 35: '1234=5678' } }, packed);
    expect(odd.subarray(10)).toEqual(hex('09 1234D5678F'));
    expect(parseIso8583(odd, packed).fields[35]).toBe('1234=5678');
  });

  it('reads GBK text such as a Chinese merchant name', () => {
    const spec = loadIso8583Spec({ fields: { '48': { describe: 'ans...999' } }, encoding: PACKED_ENCODING as never });
    const bytes = cat(hex('0200'), hex('0000000000010000'), hex('0004'), hex('C4E3BAC3'));
    expect(parseIso8583(bytes, spec).fields[48]).toBe('你好');
    expectRejected(cat(hex('0200'), hex('0000000000010000'), hex('0002'), hex('8120')), 'iso8583.field_format', { field: 48 }, spec);
    expectRejected(cat(hex('0200'), hex('0000000000010000'), hex('0002'), hex('FFFF')), 'iso8583.field_format', { field: 48 }, spec);
  });

  it('honours a per-field encoding, e.g. a BCD field 22 in an ASCII message', () => {
    const spec = loadIso8583Spec({ fields: { '22': { describe: 'n 3', encoding: { value: 'RBCD' } } } });
    const bytes = cat(ascii('0200' + '0000040000000000'), hex('0051'));
    expect(parseIso8583(bytes, spec).fields[22]).toBe('051');
    expect(packIso8583({ mti: '0200', fields: { 22: '051' } }, spec)).toEqual(bytes);
  });

  it('refuses to write values that do not fit', () => {
    const write = (fields: Record<number, string>) => () => packIso8583({ mti: '0200', fields }, ISO8583_1987);
    expect(write({ 4: '1234567890123' })).toThrow(CodesError);
    expect(write({ 2: '1'.repeat(20) })).toThrow(CodesError);
    expect(write({ 13: '1399' })).toThrow(CodesError);
    expect(write({ 52: 'ABC' })).toThrow(CodesError);
    expect(() => packIso8583({ mti: '02', fields: {} }, ISO8583_1987)).toThrow(CodesError);
  });
});

describe('card data in errors', () => {
  it('never puts a PAN or track value into an error message', () => {
    const badPan = ascii('0200' + '4000000000000000' + '16' + '62220212345678X0');
    const e = expectRejected(badPan, 'iso8583.field_format', { field: 2, value: '***' });
    expect(e.message).not.toContain('622202');
    expect(() => packIso8583({ mti: '0200', fields: { 35: '6222021234567890=XX' } }, ISO8583_1987)).toThrow(/value: \*\*\*/);
  });
});
