/**
 * Conformance with the moov-io/iso8583 test messages in ../shared/testdata/iso8583/moov-io. Every
 * .dat file there is listed below: it either parses (to its .json/.xml expectation where one exists,
 * otherwise to field values checked by hand against `xxd` and the spec) and packs back to the same
 * bytes, or it is rejected with the error the file name announces. A new file in that folder fails
 * the "covers every file" test until it is listed. The encodings per file are the ones moov-io's own
 * tests load the spec with. Skipped, with one line saying so, where ../shared is absent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodesError, type CodesErrorId } from '../errors.js';
import { sharedFile } from '../testing/shared.js';
import { parseIso8583, packIso8583, type ParseOptions } from './parse.js';
import { ASCII_ENCODING, ISO8583_1987, loadIso8583Spec, type EncodingInput, type Iso8583Spec } from './spec.js';

const dir = sharedFile('testdata/iso8583/moov-io');

interface Valid {
  encoding?: EncodingInput;
  /** Hand-checked field values (or, for iso_reversal_message, the .json/.xml expectation). */
  fields?: Record<number, string>;
  mti: string;
}
interface Invalid {
  encoding?: EncodingInput;
  error: CodesErrorId;
  field: number;
}

const SAMPLES: Record<string, Valid | Invalid> = {
  'financial_transaction_message.dat': {
    mti: '0200',
    fields: { 3: '380000', 4: '000000000000', 7: '0420050805', 11: '011392', 12: '120805', 13: '0420', 15: '0422', 18: '5132', 32: '2000001', 37: '000000115604', 42: '0800411        ', 48: '511463331563', 49: '360', 60: '99' },
  },
  'financial_transaction_message_response.dat': {
    mti: '0210',
    fields: { 3: '380000', 4: '000000000000', 7: '0420050805', 11: '011392', 32: '2000001', 37: '000000115604', 39: '00', 42: '0800411        ', 49: '130', 60: '1B54391001' },
  },
  'iso_reversal_message.dat': { mti: '0400' },
  'iso_reversal_message_response.dat': {
    mti: '0410',
    fields: { 1: '0000004000000000', 2: '1111111110000000000', 3: '180000', 11: '100331', 12: '001230', 32: '', 37: '600020000000', 39: '00', 42: '00343000003948 ', 49: '360', 63: '', 90: '313202000033160908064519000000002000000000' },
  },
  'iso_reversal_repeat_message.dat': {
    mti: '0401',
    fields: { 1: '0000004000000000', 11: '200331', 12: '000512', 13: '0909', 15: '0809', 18: '9601', 37: '600020000000', 55: '00331800039480908064652000000 ' },
  },
  'iso_reversal_repeat_message_response.dat': {
    mti: '0410',
    fields: { 11: '200331', 12: '001012', 18: '8601', 39: '00', 42: '00343940003948 ' },
  },
  'iso_reversal_message_advice.dat': {
    mti: '0420',
    // moov-io's README shows this decode.
    fields: { 2: '', 3: '180000', 4: '000000030000', 7: '0109080646', 11: '100331', 12: '001120', 25: '33', 32: '00011122233' },
  },
  'network_management_message.dat': {
    mti: '0800',
    fields: { 1: '0400000000000000', 7: '0420090613', 11: '900001', 12: '090613', 13: '0420', 15: '0420', 70: '001' },
  },
  'network_management_message_response.dat': {
    mti: '0810',
    fields: { 1: '0480000000000000', 7: '0420090613', 11: '900001', 12: '090613', 13: '0420', 15: '0420', 39: '00', 70: '001', 73: '031128' },
  },
  'network_management_message_with_track.dat': { mti: '0800', fields: { 35: 'FFF', 70: '001' } },
  'message_with_character_ebcdic_encoding.dat': {
    mti: '0800',
    encoding: { chr_enc: 'EBCDIC' },
    fields: { 1: '0000000000000000', 7: '0420090613', 11: '900001', 12: '090613', 42: 'ABCDEFGHIJKLMNO' },
  },
  'message_with_hex_length.dat': { mti: '0800', encoding: { len_enc: 'HEX' }, fields: { 13: '0420', 15: '0420', 32: '00000000000' } },
  'message_with_hex_bcd.dat': { mti: '0800', encoding: { len_enc: 'BCD' }, fields: { 48: '00000000' } },
  'message_with_hex_rbcd.dat': { mti: '0800', encoding: { len_enc: 'RBCD' }, fields: { 48: '00000000' } },
  'message_with_indicate_numeric.dat': { mti: '0800', encoding: { len_enc: 'RBCD' }, fields: { 28: 'C0000000' } },
  'message_with_number_bcd_encoding.dat': {
    mti: '0800',
    encoding: { len_enc: 'RBCD', num_enc: 'BCD' },
    fields: { 1: '0000000000000000', 7: '0420090613', 11: '900001', 12: '090613' },
  },
  // Malformed on purpose.
  'error_message.dat': { error: 'iso8583.truncated', field: 55 },
  'iso_reversal_message_error_date.dat': { error: 'iso8583.field_format', field: 13 },
  'iso_reversal_message_advice_missing_field.dat': { error: 'iso8583.missing_field', field: 32 },
  'iso_reversal_message_advice_unexpected_field.dat': { error: 'iso8583.unexpected_field', field: 14 },
  'message_with_error_indicate_numeric.dat': { error: 'iso8583.field_format', field: 28, encoding: { len_enc: 'RBCD' } },
  'network_management_message_with_error_track.dat': { error: 'iso8583.field_format', field: 35 },
};

const bitsToHex = (bits: string) => bits.replace(/[01]{4}/g, (q) => parseInt(q, 2).toString(16).toUpperCase());

if (!dir) it.skip('moov-io ISO 8583 conformance: ../shared/testdata/iso8583/moov-io not found (fresh clone), skipped', () => {});
else describe('moov-io ISO 8583 conformance (../shared/testdata/iso8583/moov-io)', () => {
  const folder = dir;
  // The spec file holds a Windows-1252 dash; latin1 keeps it readable JSON.
  const read = (name: string) => readFileSync(join(folder, name), 'latin1');
  const specWith = (encoding?: EncodingInput): Iso8583Spec => loadIso8583Spec(read('specification_ver_1987.json'), encoding ? { encoding } : {});
  // PosCare's presence profile, so the *_missing_field / *_unexpected_field files can be judged.
  const options: ParseOptions = { presence: ISO8583_1987.messages ?? false };

  it('covers every .dat file in the folder', () => {
    const files = readdirSync(folder).filter((f) => f.endsWith('.dat') && f !== 'attributes_data_elements.dat');
    expect(files.filter((f) => !(f in SAMPLES))).toEqual([]);
  });

  it('loads attributes_data_elements.dat (a bare attribute map) to the same fields as the spec file', () => {
    expect(loadIso8583Spec(read('attributes_data_elements.dat')).fields).toEqual(specWith().fields);
  });

  it('loads the spec without encoding with the default ASCII encoding and the same fields', () => {
    const bare = loadIso8583Spec(read('specification_without_encoding_ver_1987.json'));
    expect(bare.encoding).toEqual(ASCII_ENCODING);
    expect(bare.fields).toEqual(specWith().fields);
    expect(specWith().encoding).toMatchObject({ track: 'EBCDIC', bitmap: 'HEX', binary: 'HEX' });
  });

  it('decodes iso_reversal_message.dat exactly as iso_reversal_message.json and .xml say', () => {
    const bytes = new Uint8Array(readFileSync(join(folder, 'iso_reversal_message.dat')));
    const m = parseIso8583(bytes, specWith(), options);
    const spec = specWith();
    const normalise = (n: number, v: string) => (spec.fields[n]?.type === 'b' && /^[01]+$/.test(v) ? bitsToHex(v) : v);

    const json = JSON.parse(read('iso_reversal_message.json')) as { mti: string; bitmap: string; elements: Record<string, string> };
    expect(m.mti).toBe(json.mti);
    expect(m.bitmap).toBe(bitsToHex(json.bitmap));
    expect(m.fields).toEqual(Object.fromEntries(Object.entries(json.elements).map(([k, v]) => [k, normalise(Number(k), v)])));

    const xml = read('iso_reversal_message.xml');
    const xmlFields = Object.fromEntries([...xml.matchAll(/<Element Number="(\d+)">([^<]*)<\/Element>/g)].map((x) => [x[1], normalise(Number(x[1]), x[2] as string)]));
    expect(m.mti).toBe(/<MTI>(\d+)<\/MTI>/.exec(xml)?.[1]);
    expect(m.bitmap).toBe(bitsToHex(/<Bitmap>([01]+)<\/Bitmap>/.exec(xml)?.[1] ?? ''));
    expect(m.fields).toEqual(xmlFields);
  });

  for (const [file, sample] of Object.entries(SAMPLES)) {
    if ('error' in sample) {
      it(`rejects ${file} with ${sample.error} naming field ${sample.field}`, () => {
        const bytes = new Uint8Array(readFileSync(join(folder, file)));
        let err: unknown;
        try {
          parseIso8583(bytes, specWith(sample.encoding), options);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(CodesError);
        expect((err as CodesError).id).toBe(sample.error);
        expect((err as CodesError).params.field).toBe(sample.field);
        expect((err as CodesError).message).toContain(String(sample.field));
      });
    } else {
      it(`parses ${file} (${sample.mti}) and packs it back to the same bytes`, () => {
        const bytes = new Uint8Array(readFileSync(join(folder, file)));
        const spec = specWith(sample.encoding);
        const m = parseIso8583(bytes, spec, options);
        expect(m.mti).toBe(sample.mti);
        expect(m.length).toBe(bytes.length);
        if (sample.fields) expect(m.fields).toMatchObject(sample.fields);
        expect(packIso8583(m, spec)).toEqual(bytes);
      });
    }
  }
});
