/**
 * EMV Terminal Verification Results (tag 95) and Transaction Status Information (tag 9B), and the
 * BER-TLV reader for ICC data (ISO 8583 field 55). Bit meanings and the causes they hint at are data
 * (data/emv-tvr-tsi.json); reserved bits are reported, never interpreted.
 */
import emv from '../data/emv-tvr-tsi.json' with { type: 'json' };
import { CodesError } from './errors.js';
import { bytesToHex, hexToBytes, isHex } from './hex.js';
import { mergeHints, type CauseHint } from './hints.js';

export interface EmvBit {
  /** byte.bit, bit 8 the most significant, e.g. '2.7'. */
  bit: string;
  zh: string;
  en: string;
  hints: readonly CauseHint[];
}

export interface EmvBitsDecode {
  /** The input, upper case, whitespace removed. */
  hex: string;
  /** Every defined bit that is set, in byte order, most significant bit first. */
  bits: EmvBit[];
  /** Set bits that are reserved for future use. */
  rfu: string[];
  /** The hints of all set bits, strongest weight per cause. */
  hints: CauseHint[];
}

export interface EmvTagInfo {
  tag: string;
  zh: string;
  en: string;
  /** Card data (PAN, track, name) that summaries must not repeat. */
  sensitive?: boolean;
}

export const EMV_DATA_VERSION: string = emv.version;
export const TVR_BITS: readonly EmvBit[] = emv.tvr;
export const TSI_BITS: readonly EmvBit[] = emv.tsi;
export const EMV_TAGS: readonly EmvTagInfo[] = emv.tags;

const tvrByBit = new Map(TVR_BITS.map((b) => [b.bit, b]));
const tsiByBit = new Map(TSI_BITS.map((b) => [b.bit, b]));
const tagByName = new Map(EMV_TAGS.map((t) => [t.tag, t]));

function decodeBits(input: string, what: 'TVR' | 'TSI', bytes: number, defined: Map<string, EmvBit>): EmvBitsDecode {
  const hex = String(input).replace(/\s+/g, '').toUpperCase();
  if (!isHex(hex) || hex.length % 2 !== 0) throw new CodesError('emv.not_hex', { what, value: String(input) });
  if (hex.length !== bytes * 2) throw new CodesError('emv.wrong_length', { what, expected: bytes, actual: hex.length / 2 });
  const raw = hexToBytes(hex);
  const bits: EmvBit[] = [];
  const rfu: string[] = [];
  for (let byte = 1; byte <= bytes; byte++) {
    const value = raw[byte - 1] as number;
    for (let bit = 8; bit >= 1; bit--) {
      if ((value & (1 << (bit - 1))) === 0) continue;
      const name = `${byte}.${bit}`;
      const known = defined.get(name);
      if (known) bits.push(known);
      else rfu.push(name);
    }
  }
  return { hex, bits, rfu, hints: mergeHints(...bits.map((b) => b.hints)) };
}

/** Decodes TVR (tag 95, 5 bytes as 10 hex digits). Throws `emv.not_hex` / `emv.wrong_length`. */
export const decodeTvr = (hex: string): EmvBitsDecode => decodeBits(hex, 'TVR', 5, tvrByBit);

/** Decodes TSI (tag 9B, 2 bytes as 4 hex digits). Throws `emv.not_hex` / `emv.wrong_length`. */
export const decodeTsi = (hex: string): EmvBitsDecode => decodeBits(hex, 'TSI', 2, tsiByBit);

export const emvTag = (tag: string): EmvTagInfo | undefined => tagByName.get(tag.toUpperCase());

export interface Tlv {
  /** Tag in hex, e.g. '9F26'. */
  tag: string;
  /** Value length in bytes. */
  length: number;
  /** Value in hex. */
  value: string;
  /** Set for constructed tags (e.g. 70, 71, 77): the TLVs inside. */
  children?: Tlv[];
}

/**
 * Reads BER-TLV as EMV uses it (Book 3 Annex B): multi-byte tags, short and long (81/82/83) lengths,
 * constructed templates read recursively, 00 and FF padding between objects skipped.
 * Throws `emv.tlv_invalid` naming the offset; never guesses past a broken object.
 */
export function parseTlv(input: string | Uint8Array): Tlv[] {
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    const hex = input.replace(/\s+/g, '');
    if (!isHex(hex) || hex.length % 2 !== 0) throw new CodesError('emv.not_hex', { what: 'TLV', value: input.slice(0, 40) });
    bytes = hexToBytes(hex);
  } else {
    bytes = input;
  }
  return readTlvs(bytes, 0, bytes.length, 0);
}

function readTlvs(b: Uint8Array, start: number, end: number, depth: number): Tlv[] {
  if (depth > 8) throw new CodesError('emv.tlv_invalid', { offset: start, reason: 'nesting' });
  const out: Tlv[] = [];
  let i = start;
  while (i < end) {
    const first = b[i] as number;
    if (first === 0x00 || first === 0xff) {
      i++;
      continue;
    }
    const tagStart = i;
    i++;
    if ((first & 0x1f) === 0x1f) {
      // Subsequent tag bytes continue while b8 is set.
      for (;;) {
        if (i >= end) throw new CodesError('emv.tlv_invalid', { offset: tagStart, reason: 'tag_past_end' });
        const next = b[i++] as number;
        if ((next & 0x80) === 0) break;
        if (i - tagStart > 4) throw new CodesError('emv.tlv_invalid', { offset: tagStart, reason: 'tag_too_long' });
      }
    }
    const tag = bytesToHex(b, tagStart, i);
    if (i >= end) throw new CodesError('emv.tlv_invalid', { offset: tagStart, reason: 'no_length', tag });
    let length = b[i++] as number;
    if (length & 0x80) {
      const n = length & 0x7f;
      if (n === 0 || n > 3) throw new CodesError('emv.tlv_invalid', { offset: i - 1, reason: 'length_form', tag });
      if (i + n > end) throw new CodesError('emv.tlv_invalid', { offset: i - 1, reason: 'length_past_end', tag });
      length = 0;
      for (let k = 0; k < n; k++) length = (length << 8) | (b[i++] as number);
    }
    if (i + length > end) {
      throw new CodesError('emv.tlv_invalid', { offset: tagStart, reason: 'value_past_end', tag, declared: length, left: end - i });
    }
    const tlv: Tlv = { tag, length, value: bytesToHex(b, i, i + length) };
    if (first & 0x20) tlv.children = readTlvs(b, i, i + length, depth + 1);
    out.push(tlv);
    i += length;
  }
  return out;
}

/** Finds the first TLV with this tag, looking inside constructed templates too. */
export function findTlv(tlvs: readonly Tlv[], tag: string): Tlv | undefined {
  const want = tag.toUpperCase();
  for (const t of tlvs) {
    if (t.tag === want) return t;
    if (t.children) {
      const inner = findTlv(t.children, want);
      if (inner) return inner;
    }
  }
  return undefined;
}
