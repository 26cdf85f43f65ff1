/**
 * ISO 8583 field specifications: what each field is (type, length, length prefix, date format) and
 * how the message is written on the wire (encodings). One loader reads PosCare's own spec file and
 * the moov-io JSON format ("Describe": "n..19"), so a spec from a vendor tool can be used as is.
 */
import projectSpec from '../../data/iso8583-1987.json' with { type: 'json' };
import { CodesError } from '../errors.js';

export const FIELD_TYPES = ['n', 'a', 'an', 'ans', 'as', 'ns', 's', 'b', 'z', 'x+n'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const DATE_FORMATS = ['MMDD', 'YYMM', 'hhmmss', 'YYMMDD', 'MMDDhhmmss'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** Wire encodings. BCD is packed, left-aligned (pad nibble last); RBCD right-aligned (pad nibble first). */
export type MtiEncoding = 'ASCII' | 'EBCDIC' | 'BCD';
export type BitmapEncoding = 'HEX' | 'BINARY' | 'BITS';
export type LengthEncoding = 'ASCII' | 'EBCDIC' | 'BCD' | 'RBCD' | 'HEX' | 'BINARY';
export type NumericEncoding = 'ASCII' | 'EBCDIC' | 'BCD' | 'RBCD';
export type TextEncoding = 'ASCII' | 'EBCDIC' | 'GBK' | 'UTF8';
export type BinaryEncoding = 'HEX' | 'BINARY' | 'BITS';
export type TrackEncoding = 'ASCII' | 'EBCDIC' | 'BCD';

export interface Iso8583Encoding {
  mti: MtiEncoding;
  bitmap: BitmapEncoding;
  length: LengthEncoding;
  numeric: NumericEncoding;
  text: TextEncoding;
  binary: BinaryEncoding;
  track: TrackEncoding;
}

export interface FieldSpec {
  type: FieldType;
  /** Fixed length, or the maximum of a variable field. Units: see the spec file's `about`. */
  length: number;
  /** Digits of the length prefix: 0 fixed, 2 LL, 3 LLL. */
  prefix: 0 | 2 | 3;
  format?: DateFormat;
  en?: string;
  zh?: string;
  /** Card data (PAN, tracks, PIN block, expiry) that summaries never repeat. */
  sensitive?: boolean;
  /** Per-field wire encoding when it differs from the message's, e.g. a BCD field 22 in an ASCII message. */
  encoding?: { value?: NumericEncoding | TextEncoding | BinaryEncoding | TrackEncoding; length?: LengthEncoding };
}

export interface PresenceRule {
  mandatory: readonly number[];
  /** When given, a field in neither list is unexpected. */
  optional?: readonly number[];
}

export interface Iso8583Spec {
  name: string;
  encoding: Iso8583Encoding;
  fields: Readonly<Partial<Record<number, FieldSpec>>>;
  /** Field presence by MTI; message types not listed are not checked. */
  messages?: Readonly<Partial<Record<string, PresenceRule>>>;
}

/** moov-io's default when a spec file has no "encoding": ASCII digits and text, hex-printed bitmap. */
export const ASCII_ENCODING: Iso8583Encoding = {
  mti: 'ASCII',
  bitmap: 'HEX',
  length: 'ASCII',
  numeric: 'ASCII',
  text: 'ASCII',
  binary: 'HEX',
  track: 'ASCII',
};

/**
 * The packed layout UnionPay-style POS hosts use: BCD MTI and numbers, raw binary bitmap, BCD length
 * prefixes, GBK text (merchant names are Chinese). Acquirers vary in details; override per field.
 */
export const PACKED_ENCODING: Iso8583Encoding = {
  mti: 'BCD',
  bitmap: 'BINARY',
  length: 'RBCD',
  numeric: 'BCD',
  text: 'GBK',
  binary: 'BINARY',
  track: 'BCD',
};

const DESCRIBE_RE = /^\s*(x\+n|ans|an|as|ns|a|n|s|b|z)\s*(\.{2,3}|-|\s*)\s*(\d+)\s*(?:;\s*(\w+))?\s*$/i;

/** Parses "n..19", "ans...999", "n 6; hhmmss", "x+n 9" into a field spec. */
export function parseDescribe(describe: string, field: number): FieldSpec {
  const m = DESCRIBE_RE.exec(describe);
  if (!m) throw new CodesError('iso8583.bad_spec', { reason: 'describe_unreadable', field, describe });
  const type = (m[1] as string).toLowerCase() as FieldType;
  const dots = m[2] ?? '';
  const length = Number(m[3]);
  const prefix = dots === '..' ? 2 : dots === '...' ? 3 : 0;
  if (length <= 0 || (prefix === 2 && length > 99) || (prefix === 3 && length > 999)) {
    throw new CodesError('iso8583.bad_spec', { reason: 'length_mismatch', field, describe });
  }
  const spec: FieldSpec = { type, length, prefix };
  if (m[4]) {
    const format = DATE_FORMATS.find((f) => f.toUpperCase() === (m[4] as string).toUpperCase());
    if (!format) throw new CodesError('iso8583.bad_spec', { reason: 'unknown_format', field, format: m[4] });
    spec.format = format;
  }
  return spec;
}

const ENCODING_KEYS: Record<keyof Iso8583Encoding, readonly string[]> = {
  mti: ['mti', 'mti_enc'],
  bitmap: ['bitmap', 'bmp_enc'],
  length: ['length', 'len_enc'],
  numeric: ['numeric', 'num_enc'],
  text: ['text', 'chr_enc'],
  binary: ['binary', 'bin_enc'],
  track: ['track', 'trk_enc'],
};

const ALLOWED: Record<keyof Iso8583Encoding, readonly string[]> = {
  mti: ['ASCII', 'EBCDIC', 'BCD'],
  bitmap: ['HEX', 'BINARY', 'BITS'],
  length: ['ASCII', 'EBCDIC', 'BCD', 'RBCD', 'HEX', 'BINARY'],
  numeric: ['ASCII', 'EBCDIC', 'BCD', 'RBCD'],
  text: ['ASCII', 'EBCDIC', 'GBK', 'UTF8'],
  binary: ['HEX', 'BINARY', 'BITS'],
  track: ['ASCII', 'EBCDIC', 'BCD'],
};

/** moov-io's "CHAR" means ASCII digits for numbers and '0'/'1' characters for bitmaps and binary. */
function mapEncodingName(slot: keyof Iso8583Encoding, value: string): string {
  const v = value.toUpperCase().replace(/[-_]/g, '');
  if (v === 'CHAR') return slot === 'bitmap' || slot === 'binary' ? 'BITS' : 'ASCII';
  if (v === 'UTF8') return 'UTF8';
  return v;
}

export type EncodingInput = Partial<Record<string, string>>;

/** Reads an encoding object in PosCare's keys (mti, bitmap…) or moov-io's (mti_enc, bmp_enc…). */
export function readEncoding(input: EncodingInput | undefined, base: Iso8583Encoding = ASCII_ENCODING): Iso8583Encoding {
  const out: Record<string, string> = { ...base };
  if (!input) return out as unknown as Iso8583Encoding;
  for (const slot of Object.keys(ENCODING_KEYS) as (keyof Iso8583Encoding)[]) {
    for (const key of ENCODING_KEYS[slot]) {
      const raw = input[key];
      if (raw === undefined || raw === '') continue;
      const name = mapEncodingName(slot, raw);
      if (!ALLOWED[slot].includes(name)) {
        throw new CodesError('iso8583.bad_spec', { reason: 'bad_encoding', slot, encoding: raw, allowed: ALLOWED[slot].join('/') });
      }
      out[slot] = name;
    }
  }
  return out as unknown as Iso8583Encoding;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fieldNumber(key: string): number {
  const n = Number(key);
  if (!Number.isInteger(n) || n < 1 || n > 192) throw new CodesError('iso8583.bad_spec', { reason: 'field_number', key });
  return n;
}

function readFieldEntry(n: number, entry: unknown): FieldSpec {
  if (!isObject(entry)) throw new CodesError('iso8583.bad_spec', { reason: 'field_not_object', field: n });
  const describe = entry.describe ?? entry.Describe;
  if (typeof describe !== 'string') throw new CodesError('iso8583.bad_spec', { reason: 'no_describe', field: n });
  const spec = parseDescribe(describe, n);
  const en = entry.en ?? entry.Description;
  if (typeof en === 'string') spec.en = en;
  if (typeof entry.zh === 'string') spec.zh = entry.zh;
  if (entry.sensitive === true) spec.sensitive = true;
  if (isObject(entry.encoding)) {
    const enc: NonNullable<FieldSpec['encoding']> = {};
    if (typeof entry.encoding.value === 'string') enc.value = entry.encoding.value.toUpperCase() as never;
    if (typeof entry.encoding.length === 'string') enc.length = entry.encoding.length.toUpperCase() as LengthEncoding;
    spec.encoding = enc;
  }
  return spec;
}

function readPresence(input: unknown): Partial<Record<string, PresenceRule>> | undefined {
  if (!isObject(input)) return undefined;
  const out: Partial<Record<string, PresenceRule>> = {};
  for (const [mti, rule] of Object.entries(input)) {
    if (!/^\d{4}$/.test(mti) || !isObject(rule) || !Array.isArray(rule.mandatory)) {
      throw new CodesError('iso8583.bad_spec', { reason: 'bad_rule', mti });
    }
    const nums = (v: unknown): number[] => (Array.isArray(v) ? v.map((x) => fieldNumber(String(x))) : []);
    out[mti] = rule.optional === undefined ? { mandatory: nums(rule.mandatory) } : { mandatory: nums(rule.mandatory), optional: nums(rule.optional) };
  }
  return out;
}

export interface LoadSpecOptions {
  name?: string;
  /** Overrides the file's encodings, e.g. { length: 'BCD' }. Keys in either naming. */
  encoding?: EncodingInput;
}

/**
 * Loads a field specification from JSON text or a parsed object, in any of three shapes:
 * PosCare's (`fields` with `describe`), moov-io's (`elements` with `Describe`, optional `encoding`
 * with mti_enc…), or moov-io's bare attribute map (field numbers at the top level).
 */
export function loadIso8583Spec(input: string | object, options: LoadSpecOptions = {}): Iso8583Spec {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new CodesError('iso8583.bad_spec', { reason: 'not_json', detail: (e as Error).message });
    }
  }
  if (!isObject(json)) throw new CodesError('iso8583.bad_spec', { reason: 'not_object' });
  let entries: Json;
  if (isObject(json.fields)) entries = json.fields;
  else if (isObject(json.elements)) entries = json.elements;
  else if (Object.keys(json).length > 0 && Object.keys(json).every((k) => /^\d+$/.test(k))) entries = json;
  else throw new CodesError('iso8583.bad_spec', { reason: 'no_fields' });

  const fields: Partial<Record<number, FieldSpec>> = {};
  for (const [key, entry] of Object.entries(entries)) {
    const n = fieldNumber(key);
    fields[n] = readFieldEntry(n, entry);
  }
  const secondary = fields[1];
  if (secondary && (secondary.type !== 'b' || secondary.length !== 64 || secondary.prefix !== 0)) {
    throw new CodesError('iso8583.bad_spec', { reason: 'secondary_bitmap_spec' });
  }
  const fileEncoding = readEncoding(isObject(json.encoding) ? (json.encoding as EncodingInput) : undefined);
  const spec: Iso8583Spec = {
    name: options.name ?? (typeof json.name === 'string' ? json.name : 'iso8583'),
    encoding: readEncoding(options.encoding, fileEncoding),
    fields,
  };
  const messages = readPresence(json.messages);
  if (messages) spec.messages = messages;
  return spec;
}

/** PosCare's ISO 8583:1987 specification (data/iso8583-1987.json). */
export const ISO8583_1987: Iso8583Spec = loadIso8583Spec(projectSpec);
export const ISO8583_SPEC_VERSION: string = projectSpec.version;

/** The same fields with other wire encodings, e.g. withEncoding(ISO8583_1987, PACKED_ENCODING). */
export function withEncoding(spec: Iso8583Spec, encoding: Partial<Iso8583Encoding>): Iso8583Spec {
  return { ...spec, encoding: { ...spec.encoding, ...encoding } };
}
