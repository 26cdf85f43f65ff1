/**
 * ISO 8583:1987 message reader and writer driven by a field specification. Reading is strict: a
 * message is either decoded completely or rejected with a CodesError naming the field (truncated,
 * bad length prefix, bad content, field the spec does not know, bytes left over, presence rule).
 * It never guesses past a broken field, because every later field's position depends on it.
 */
import { CodesError } from '../errors.js';
import { bytesToHex, hexToBytes, isHex } from '../hex.js';
import { ebcdicDecode, ebcdicEncode } from './ebcdic.js';
import type { DateFormat, FieldSpec, Iso8583Spec, LengthEncoding, PresenceRule } from './spec.js';

export interface Iso8583Message {
  mti: string;
  /** Primary bitmap, 16 hex digits. */
  bitmap: string;
  /**
   * Field values as text: digits for n, characters for text types, upper-case hex for b (field 1,
   * the secondary bitmap, included), '=' separated digits for tracks.
   */
  fields: Record<number, string>;
  /** Every field number the bitmaps announce, ascending (1 included when there is a secondary bitmap). */
  present: number[];
  /** Bytes read (the whole input). */
  length: number;
}

export interface ParseOptions {
  /** Field presence rules by MTI; defaults to spec.messages. false: no presence check. */
  presence?: Readonly<Partial<Record<string, PresenceRule>>> | false;
  /** Check field content (digits, dates, character sets). Default true. */
  validate?: boolean;
}

type Slot = 'numeric' | 'text' | 'binary' | 'track';

const slotOf = (f: FieldSpec): Slot => (f.type === 'n' ? 'numeric' : f.type === 'b' ? 'binary' : f.type === 'z' ? 'track' : 'text');

function valueEncoding(f: FieldSpec, spec: Iso8583Spec): string {
  return f.encoding?.value ?? spec.encoding[slotOf(f)];
}

const lengthEncoding = (f: FieldSpec, spec: Iso8583Spec): LengthEncoding => f.encoding?.length ?? spec.encoding.length;

/** Hex digits needed to write the maximum length (moov-io's HEX length prefix). */
const hexPrefixDigits = (max: number): number => max.toString(16).length;

function prefixBytes(f: FieldSpec, enc: LengthEncoding): number {
  switch (enc) {
    case 'ASCII':
    case 'EBCDIC':
      return f.prefix;
    case 'BCD':
    case 'RBCD':
      return Math.ceil(f.prefix / 2);
    case 'HEX':
      return hexPrefixDigits(f.length);
    case 'BINARY':
      return f.prefix === 2 ? 1 : 2;
  }
}

/** Bytes the value of a field of `len` units takes on the wire. */
function valueBytes(f: FieldSpec, enc: string, len: number): number {
  if (f.type === 'b') {
    // Fixed b counts bits, variable b counts bytes.
    const bits = f.prefix === 0 ? len : len * 8;
    if (enc === 'HEX') return Math.ceil(bits / 4);
    if (enc === 'BITS') return bits;
    return Math.ceil(bits / 8);
  }
  if ((f.type === 'n' || f.type === 'z') && (enc === 'BCD' || enc === 'RBCD')) return Math.ceil(len / 2);
  return len;
}

const latin1 = (b: Uint8Array, start: number, end: number): string => {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i] as number);
  return s;
};

const decoders = new Map<string, TextDecoder>();
function textDecoder(label: 'gbk' | 'utf-8'): TextDecoder {
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label, { fatal: true });
    decoders.set(label, d);
  }
  return d;
}

function nibbles(b: Uint8Array, start: number, end: number): string {
  return bytesToHex(b, start, end);
}

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  take(n: number, part: 'mti' | 'primary_bitmap' | 'secondary_bitmap' | number): number {
    const have = this.bytes.length - this.offset;
    if (n > have) {
      throw new CodesError('iso8583.truncated', {
        part: typeof part === 'number' ? 'field' : part,
        ...(typeof part === 'number' ? { field: part } : {}),
        need: n,
        have,
        offset: this.offset,
      });
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }
}

function fieldError(field: number, reason: string, value: string, extra: Record<string, string | number> = {}): CodesError {
  return new CodesError('iso8583.field_format', { field, reason, ...extra, value: value.length > 60 ? `${value.slice(0, 60)}…` : value });
}

/** Decodes packed BCD digits: left-aligned (BCD) keeps the first `len` digits, RBCD the last. */
function readBcd(b: Uint8Array, at: number, byteCount: number, len: number, rightAligned: boolean, field: number, track = false): string {
  const hex = nibbles(b, at, at + byteCount);
  const pad = hex.length - len;
  const digits = rightAligned ? hex.slice(pad) : hex.slice(0, len);
  const padding = rightAligned ? hex.slice(0, pad) : hex.slice(len);
  if (!/^[0F]*$/.test(padding)) throw fieldError(field, 'bcd_pad', hex);
  if (track) {
    if (!/^[0-9D]*$/.test(digits)) throw fieldError(field, 'track_nibble', hex);
    return digits.replace(/D/g, '=');
  }
  if (!/^\d*$/.test(digits)) throw fieldError(field, 'not_bcd', hex);
  return digits;
}

function readLength(r: Reader, f: FieldSpec, field: number, spec: Iso8583Spec): number {
  const enc = lengthEncoding(f, spec);
  const n = prefixBytes(f, enc);
  const at = r.take(n, field);
  const b = r.bytes;
  let text: string;
  let value: number;
  switch (enc) {
    case 'ASCII':
      text = latin1(b, at, at + n);
      value = /^\d+$/.test(text) ? Number(text) : NaN;
      break;
    case 'EBCDIC':
      text = ebcdicDecode(b, at, at + n);
      value = /^\d+$/.test(text) ? Number(text) : NaN;
      break;
    case 'BCD':
    case 'RBCD': {
      text = nibbles(b, at, at + n);
      const digits = enc === 'RBCD' ? text.slice(text.length - f.prefix) : text.slice(0, f.prefix);
      value = /^\d+$/.test(digits) ? Number(digits) : NaN;
      break;
    }
    case 'HEX':
      text = latin1(b, at, at + n);
      value = isHex(text) ? parseInt(text, 16) : NaN;
      break;
    case 'BINARY':
      text = nibbles(b, at, at + n);
      value = n === 1 ? (b[at] as number) : ((b[at] as number) << 8) | (b[at + 1] as number);
      break;
  }
  if (!Number.isFinite(value) || value > f.length) {
    throw new CodesError('iso8583.bad_length', { field, value: text, max: f.length });
  }
  return value;
}

function readValue(r: Reader, f: FieldSpec, field: number, spec: Iso8583Spec, len: number): string {
  const enc = valueEncoding(f, spec);
  const n = valueBytes(f, enc, len);
  const at = r.take(n, field);
  const b = r.bytes;
  if (f.type === 'b') {
    if (enc === 'BINARY') return bytesToHex(b, at, at + n);
    const text = latin1(b, at, at + n);
    if (enc === 'HEX') {
      if (!isHex(text)) throw fieldError(field, 'binary_not_hex', text);
      return text.toUpperCase();
    }
    if (!/^[01]*$/.test(text)) throw fieldError(field, 'binary_not_bits', text);
    return bitsToHex(text);
  }
  if (enc === 'BCD' || enc === 'RBCD') return readBcd(b, at, n, len, enc === 'RBCD', field, f.type === 'z');
  if (enc === 'EBCDIC') return ebcdicDecode(b, at, at + n);
  if (enc === 'GBK' || enc === 'UTF8') {
    // ICU's GBK decoder silently drops 0xFF instead of failing, so it is checked here.
    if (enc === 'GBK' && b.subarray(at, at + n).includes(0xff)) throw fieldError(field, 'bad_text', bytesToHex(b, at, at + n), { encoding: 'GBK' });
    try {
      return textDecoder(enc === 'GBK' ? 'gbk' : 'utf-8').decode(b.subarray(at, at + n));
    } catch {
      throw fieldError(field, 'bad_text', bytesToHex(b, at, at + n), { encoding: enc });
    }
  }
  return latin1(b, at, at + n);
}

function bitsToHex(bits: string): string {
  let hex = '';
  for (let i = 0; i < bits.length; i += 4) hex += parseInt(bits.slice(i, i + 4).padEnd(4, '0'), 2).toString(16).toUpperCase();
  return hex;
}

const SPECIAL = String.raw` !"#$%&'()*+,\-./:;<=>?@[\\\]^_\`{|}~`;
const CONTENT: Record<Exclude<FieldSpec['type'], 'b'>, RegExp> = {
  n: /^\d*$/,
  a: /^[A-Za-z ]*$/,
  an: /^[A-Za-z0-9 ]*$/,
  // Free text: anything but control characters (merchant names may be Chinese).
  ans: /^[^\u0000-\u001f\u007f-\u009f]*$/,
  s: new RegExp(`^[${SPECIAL}]*$`),
  ns: new RegExp(`^[0-9${SPECIAL}]*$`),
  as: new RegExp(`^[A-Za-z${SPECIAL}]*$`),
  // Track 2/3: digits, '=' or 'D' separator, F padding, start/end sentinels.
  z: /^[0-9=DdFf;?]*$/,
  'x+n': /^[CD]\d+$/,
};

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const two = (s: string, i: number): number => Number(s.slice(i, i + 2));
const validMonthDay = (m: number, d: number): boolean => m >= 1 && m <= 12 && d >= 1 && d <= (DAYS[m - 1] as number);
const validTime = (h: number, mi: number, s: number): boolean => h <= 23 && mi <= 59 && s <= 59;

function validDate(format: DateFormat, v: string): boolean {
  if (!/^\d+$/.test(v)) return false;
  switch (format) {
    case 'MMDD':
      return v.length === 4 && validMonthDay(two(v, 0), two(v, 2));
    case 'YYMM':
      return v.length === 4 && two(v, 2) >= 1 && two(v, 2) <= 12;
    case 'hhmmss':
      return v.length === 6 && validTime(two(v, 0), two(v, 2), two(v, 4));
    case 'YYMMDD':
      return v.length === 6 && validMonthDay(two(v, 2), two(v, 4));
    case 'MMDDhhmmss':
      return v.length === 10 && validMonthDay(two(v, 0), two(v, 2)) && validTime(two(v, 4), two(v, 6), two(v, 8));
  }
}

/** Checks a decoded value against its type and date format; throws `iso8583.field_format`. */
export function validateField(field: number, f: FieldSpec, value: string): void {
  if (f.type === 'b') {
    if (!isHex(value)) throw fieldError(field, 'binary_not_hex', value);
    return;
  }
  if (!CONTENT[f.type].test(value)) throw fieldError(field, 'charset', value, { expected: `chars_${f.type}` });
  if (f.format && !validDate(f.format, value)) throw fieldError(field, 'date', value, { format: f.format });
}

function readBitmap(r: Reader, spec: Iso8583Spec, part: 'primary_bitmap' | 'secondary_bitmap'): Uint8Array {
  const enc = spec.encoding.bitmap;
  const n = enc === 'HEX' ? 16 : enc === 'BITS' ? 64 : 8;
  const at = r.take(n, part);
  if (enc === 'BINARY') return r.bytes.slice(at, at + 8);
  const text = latin1(r.bytes, at, at + n);
  if (enc === 'HEX') {
    if (!isHex(text)) throw new CodesError('iso8583.bad_bitmap', { value: text });
    return hexToBytes(text);
  }
  if (!/^[01]{64}$/.test(text)) throw new CodesError('iso8583.bad_bitmap', { value: text });
  return hexToBytes(bitsToHex(text));
}

function setBits(bitmap: Uint8Array, base: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bitmap.length * 8; i++) {
    if ((bitmap[i >> 3] as number) & (0x80 >> (i & 7))) out.push(base + i + 1);
  }
  return out;
}

function readMti(r: Reader, spec: Iso8583Spec): string {
  const enc = spec.encoding.mti;
  const n = enc === 'BCD' ? 2 : 4;
  const at = r.take(n, 'mti');
  const b = r.bytes;
  const mti = enc === 'BCD' ? nibbles(b, at, at + 2) : enc === 'EBCDIC' ? ebcdicDecode(b, at, at + 4) : latin1(b, at, at + 4);
  if (!/^\d{4}$/.test(mti)) throw new CodesError('iso8583.bad_mti', { value: enc === 'BCD' ? mti : JSON.stringify(mti) });
  return mti;
}

// Card data never goes into an error message (errors end up in logs and tickets).
const CARD_DATA_FIELDS = new Set([2, 14, 34, 35, 36, 45, 52]);

function redacted(e: unknown, field: number, f: FieldSpec): unknown {
  if (!(e instanceof CodesError) || e.id !== 'iso8583.field_format' || !(f.sensitive || CARD_DATA_FIELDS.has(field))) return e;
  return new CodesError(e.id, { ...e.params, value: '***' });
}

/** Checks a message's fields against a presence rule; throws `iso8583.missing_field` / `unexpected_field`. */
export function checkPresence(mti: string, present: readonly number[], rule: PresenceRule): void {
  const have = new Set(present);
  const missing = rule.mandatory.filter((f) => !have.has(f));
  if (missing.length > 0) throw new CodesError('iso8583.missing_field', { mti, field: missing[0], fields: missing });
  if (rule.optional) {
    const allowed = new Set([1, ...rule.mandatory, ...rule.optional]);
    const extra = present.filter((f) => !allowed.has(f));
    if (extra.length > 0) throw new CodesError('iso8583.unexpected_field', { mti, field: extra[0], fields: extra });
  }
}

/**
 * Parses one ISO 8583 message (no TPDU or length header: strip those first). Throws CodesError:
 * iso8583.truncated / bad_mti / bad_bitmap / bad_length / field_format / unknown_field /
 * trailing_bytes / missing_field / unexpected_field, with `params.field` naming the field.
 */
export function parseIso8583(bytes: Uint8Array, spec: Iso8583Spec, options: ParseOptions = {}): Iso8583Message {
  const r = new Reader(bytes);
  const mti = readMti(r, spec);
  const primary = readBitmap(r, spec, 'primary_bitmap');
  const present = setBits(primary, 0);
  const fields: Record<number, string> = {};
  const validate = options.validate !== false;

  if (present[0] === 1) {
    const secondary = readBitmap(r, spec, 'secondary_bitmap');
    fields[1] = bytesToHex(secondary);
    present.push(...setBits(secondary, 64));
  }
  for (const field of present) {
    if (field === 1) continue;
    const f = spec.fields[field];
    if (!f) throw new CodesError('iso8583.unknown_field', { field });
    const len = f.prefix === 0 ? f.length : readLength(r, f, field, spec);
    try {
      const value = readValue(r, f, field, spec, len);
      if (validate) validateField(field, f, value);
      fields[field] = value;
    } catch (e) {
      throw redacted(e, field, f);
    }
  }
  if (r.offset !== bytes.length) {
    throw new CodesError('iso8583.trailing_bytes', { count: bytes.length - r.offset, offset: r.offset });
  }
  const rules = options.presence === undefined ? spec.messages : options.presence || undefined;
  const rule = rules?.[mti];
  if (rule) checkPresence(mti, present, rule);
  return { mti, bitmap: bytesToHex(primary), fields, present, length: r.offset };
}

// ---- writing ------------------------------------------------------------------------------------

class Writer {
  private chunks: Uint8Array[] = [];
  size = 0;
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }
  ascii(s: string): void {
    const b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
    this.push(b);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function packBcd(digits: string, rightAligned: boolean, padNibble = '0'): Uint8Array {
  const even = digits.length % 2 === 0 ? digits : rightAligned ? padNibble + digits : digits + padNibble;
  return hexToBytes(even);
}

function writeEbcdic(w: Writer, text: string, field: number): void {
  const b = ebcdicEncode(text);
  if (!b) throw fieldError(field, 'ebcdic_unwritable', text);
  w.push(b);
}

function writeText(w: Writer, enc: string, text: string, field: number): void {
  if (enc === 'EBCDIC') writeEbcdic(w, text, field);
  else if (enc === 'UTF8') w.push(new TextEncoder().encode(text));
  else {
    // ASCII and GBK share the single-byte range; writing GBK double-byte text is not supported.
    if (/[^\u0000-\u00ff]/.test(text)) throw fieldError(field, 'single_byte_only', text, { encoding: enc });
    w.ascii(text);
  }
}

function unitsOf(f: FieldSpec, enc: string, value: string): number {
  if (f.type === 'b') return value.length / 2;
  if (f.type === 'n' || f.type === 'z') return value.length;
  return enc === 'UTF8' ? new TextEncoder().encode(value).length : value.length;
}

function writeLength(w: Writer, f: FieldSpec, spec: Iso8583Spec, len: number): void {
  const enc = lengthEncoding(f, spec);
  const digits = String(len).padStart(f.prefix, '0');
  switch (enc) {
    case 'ASCII':
      w.ascii(digits);
      return;
    case 'EBCDIC':
      writeEbcdic(w, digits, 0);
      return;
    case 'BCD':
      w.push(packBcd(digits, false));
      return;
    case 'RBCD':
      w.push(packBcd(digits, true));
      return;
    case 'HEX':
      w.ascii(len.toString(16).toUpperCase().padStart(hexPrefixDigits(f.length), '0'));
      return;
    case 'BINARY':
      w.push(f.prefix === 2 ? Uint8Array.of(len) : Uint8Array.of(len >> 8, len & 0xff));
      return;
  }
}

function fixedValue(field: number, f: FieldSpec, enc: string, value: string): string {
  if (f.type === 'b') {
    // Parsed BINARY values are whole bytes of hex; HEX and BITS ones one digit per 4 bits.
    const want = enc === 'BINARY' ? Math.ceil(f.length / 8) * 2 : Math.ceil(f.length / 4);
    if (value.length !== want) throw fieldError(field, 'hex_digits', value, { count: want });
    return value;
  }
  if (value.length > f.length) throw fieldError(field, 'too_long', value, { max: f.length });
  // Conventional padding: numbers right-aligned with zeros, text left-aligned with spaces.
  return f.type === 'n' ? value.padStart(f.length, '0') : value.padEnd(f.length, ' ');
}

function writeValue(w: Writer, f: FieldSpec, field: number, spec: Iso8583Spec, value: string): void {
  const enc = valueEncoding(f, spec);
  if (f.type === 'b') {
    if (enc === 'BINARY') w.push(hexToBytes(value.length % 2 ? `${value}0` : value));
    else if (enc === 'HEX') w.ascii(value);
    else {
      const bits = [...value].map((c) => parseInt(c, 16).toString(2).padStart(4, '0')).join('');
      w.ascii(f.prefix === 0 ? bits.slice(0, f.length) : bits);
    }
    return;
  }
  if (enc === 'BCD' || enc === 'RBCD') {
    const digits = f.type === 'z' ? value.replace(/=/g, 'D') : value;
    w.push(packBcd(digits, enc === 'RBCD', f.type === 'z' ? 'F' : '0'));
    return;
  }
  writeText(w, enc, value, field);
}

export interface Iso8583Input {
  mti: string;
  /**
   * Field values in the form parseIso8583 returns them. Field 1's value is recomputed; its presence
   * keeps an (empty) secondary bitmap, so parse → pack gives back the same bytes.
   */
  fields: Readonly<Record<number, string>>;
}

/**
 * Writes a message: MTI, bitmaps (secondary added when a field above 64 is present), fields in
 * order. Values are validated like parsed ones; fixed fields are padded by convention.
 */
export function packIso8583(message: Iso8583Input, spec: Iso8583Spec): Uint8Array {
  if (!/^\d{4}$/.test(message.mti)) throw new CodesError('iso8583.bad_mti', { value: message.mti });
  const numbers = Object.keys(message.fields)
    .map(Number)
    .filter((n) => n !== 1)
    .sort((a, b) => a - b);
  // A secondary bitmap is written when a field above 64 is present, or when the input had one.
  const bitmap = new Uint8Array(numbers.some((n) => n > 64) || message.fields[1] !== undefined ? 16 : 8);
  if (bitmap.length === 16) bitmap[0] = (bitmap[0] as number) | 0x80;
  for (const n of numbers) {
    if (!spec.fields[n]) throw new CodesError('iso8583.unknown_field', { field: n });
    bitmap[(n - 1) >> 3] = (bitmap[(n - 1) >> 3] as number) | (0x80 >> ((n - 1) & 7));
  }
  const w = new Writer();
  const mtiEnc = spec.encoding.mti;
  if (mtiEnc === 'BCD') w.push(hexToBytes(message.mti));
  else if (mtiEnc === 'EBCDIC') writeEbcdic(w, message.mti, 0);
  else w.ascii(message.mti);
  for (let part = 0; part < bitmap.length / 8; part++) {
    const map = bitmap.subarray(part * 8, part * 8 + 8);
    if (spec.encoding.bitmap === 'BINARY') w.push(map);
    else if (spec.encoding.bitmap === 'HEX') w.ascii(bytesToHex(map));
    else w.ascii([...map].map((x) => x.toString(2).padStart(8, '0')).join(''));
  }
  for (const n of numbers) {
    const f = spec.fields[n] as FieldSpec;
    try {
      writeField(w, f, n, spec, String(message.fields[n]));
    } catch (e) {
      throw redacted(e, n, f);
    }
  }
  return w.bytes();
}

function writeField(w: Writer, f: FieldSpec, n: number, spec: Iso8583Spec, raw: string): void {
  let value = raw;
  if (f.type === 'b') value = value.toUpperCase();
  const enc = valueEncoding(f, spec);
  if (f.prefix === 0) {
    value = fixedValue(n, f, enc, value);
    validateField(n, f, value);
  } else {
    validateField(n, f, value);
    if (f.type === 'b' && value.length % 2 !== 0) throw fieldError(n, 'whole_bytes', value);
    const len = unitsOf(f, enc, value);
    if (len > f.length) throw new CodesError('iso8583.bad_length', { field: n, value: len, max: f.length });
    writeLength(w, f, spec, len);
  }
  writeValue(w, f, n, spec, value);
}
