/**
 * The one card-data rule of PosCare: full card numbers (PANs) and magnetic-stripe track data never
 * enter it, in any field, in any disguise. Every way in (API bodies and queries, multipart fields,
 * imported cells, device messages, the terminal SDK) asks these functions.
 *
 * A card number is 13–19 digits that pass the Luhn check and start like a payment card (ISO/IEC 7812
 * major industry identifier 1–6, or UnionPay's 81). It is found however it is written:
 * - after Unicode compatibility normalisation (NFKC: full-width ４１１１, circled and styled digits),
 *   with format characters (zero-width spaces, soft hyphens) removed and digits of any script read
 *   as digits;
 * - as one run of digits, or as groups joined by up to three separators each (spaces of any kind,
 *   tabs, newlines, dots, dashes, slashes, bars: "4111.1111  1111\t1111", "4111/1111-…") into windows of
 *   13–19 digits, so a number followed by its expiry date ("4111 1111 1111 1111 12/28") is still found;
 *   groups of a written-out number are short (at most 6 digits), so identifiers such as T10000212-710428
 *   or 20261207-123456 are not read as one number.
 * Colons and commas do not join groups (times, amounts, lists of ids), and UUIDs are not read as
 * digit groups. Phone numbers with a country code (+86 138 0013 8000) start with 8 and are not cards.
 */

/** Deeper than this, a value is not walked further by `findCardData`; callers refuse such input first. */
export const MAX_INPUT_DEPTH = 64;

const MIN_PAN = 13;
const MAX_PAN = 19;
/** Separator characters allowed between two digit groups of one number, at most this many in a row. */
const MAX_GAP = 3;
/** Longest group of digits in a number written in groups (Amex and UnionPay print 6). */
const MAX_GROUP = 6;

const TRACK = [
  /%?B\d{13,19}\^/, // track 1: %B<PAN>^NAME^…
  /(?<!\d)\d{13,19}=\d{4}/, // track 2 (and its ISO 8583 field 35 form): <PAN>=<YYMM>…
  /(?<![\dA-Za-z])\d{13,19}D\d{4}\d{3}/, // track 2 equivalent data (EMV tag 57) as hex: <PAN>D<YYMM><service code>…
];
const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
const NON_ASCII = /[^\x00-\x7f]/;
const FORMAT_CHARS = /\p{Cf}/gu;
const OTHER_DIGIT = /\p{Nd}/u;

export function luhn(d: string): boolean {
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2;
    sum += n;
  }
  return sum % 10 === 0;
}

/** Starts like a payment card: MII 1 (airlines), 2 and 5 (Mastercard), 3 (Amex, JCB, Diners), 4 (Visa), 6 (UnionPay, Discover, Maestro), or UnionPay's 81. */
const cardLike = (d: string) => (d[0]! >= '1' && d[0]! <= '6') || d.startsWith('81');

const isPan = (d: string) => d.length >= MIN_PAN && d.length <= MAX_PAN && cardLike(d) && luhn(d);

/** Digits of every script as ASCII digits; compatibility forms and invisible format characters removed. */
function normalise(s: string): string {
  const n = s.normalize('NFKC').replace(FORMAT_CHARS, '');
  if (!NON_ASCII.test(n)) return n;
  let out = '';
  for (const ch of n) out += ch.charCodeAt(0) >= 128 && OTHER_DIGIT.test(ch) ? String(digitValue(ch)) : ch;
  return out;
}

/** Unicode decimal digits come in complete runs of ten starting at zero: the value is the distance from the run's start. */
function digitValue(ch: string): number {
  const cp = ch.codePointAt(0)!;
  let start = cp;
  while (OTHER_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

const isSeparator = (c: number) =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || // spaces, tabs, newlines
  c === 46 || c === 45 || c === 47 || c === 92 || c === 124 || // . - / \ |
  c === 0xa0 || c === 0x2212 || (c >= 0x2010 && c <= 0x2015) || c === 0xb7 || c === 0x2022 || c === 0x3000 || c === 0x30fb;

const isHexLetter = (c: number) => (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * The groups of digits of a string, each with whether it may be joined to the group before it. A run
 * of digits with hex letters right on both sides is part of a hash or a cryptogram, not a number.
 */
function digitGroups(s: string): { digits: string; joined: boolean }[] {
  const groups: { digits: string; joined: boolean }[] = [];
  let i = 0;
  let gap = -1; // separators since the last group; -1: something else came between
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      let j = i;
      while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
      if (i > 0 && j < s.length && isHexLetter(s.charCodeAt(i - 1)) && isHexLetter(s.charCodeAt(j))) {
        gap = -1;
      } else {
        groups.push({ digits: s.slice(i, j), joined: gap >= 1 && gap <= MAX_GAP });
        gap = 0;
      }
      i = j;
    } else {
      gap = gap >= 0 && isSeparator(c) ? gap + 1 : -1;
      i++;
    }
  }
  return groups;
}

/** True when the string holds a card number or track data, however it is disguised. */
export function stringHasCardData(raw: string): boolean {
  if (raw.length < MIN_PAN) return false;
  let s = NON_ASCII.test(raw) ? normalise(raw) : raw;
  let count = 0;
  for (let i = 0; i < s.length && count < MIN_PAN; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) count++;
  }
  if (count < MIN_PAN) return false;
  for (const t of TRACK) if (t.test(s)) return true;
  s = s.replace(UUID, '#');
  const groups = digitGroups(s);
  for (let a = 0; a < groups.length; a++) {
    let d = groups[a]!.digits;
    if (isPan(d)) return true;
    // A number written in groups is written in short ones (4-4-4-4, 4-6-5, 1-1-1…): a long run joined to
    // another is an identifier or a date with a suffix (T10000212-710428, 20261207-123456), not a card.
    if (d.length > MAX_GROUP) continue;
    for (let b = a + 1; b < groups.length && groups[b]!.joined && groups[b]!.digits.length <= MAX_GROUP && d.length < MAX_PAN; b++) {
      d += groups[b]!.digits;
      if (isPan(d)) return true;
    }
  }
  return false;
}

export interface CardDataHit {
  /** Where the card data is: object keys and array indexes joined by dots ('' for the value itself); a key holding it is named `[key]`, never by itself. */
  path: string;
}

/**
 * Walks a value of any shape without recursion (a hostile value nested 10,000 deep cannot exhaust the
 * stack) and returns the first string or object key for which `test` names a problem, with its path
 * (`prefix.a.0.b`; a key is named by its place, `prefix.a.[key]`, so a path never repeats what the key
 * holds). Deeper than `maxDepth`, it answers `tooDeep` when given, else does not look further.
 */
export function findInStrings<P>(value: unknown, test: (s: string) => P | null, opts: { prefix?: string; maxDepth?: number; tooDeep?: P } = {}): { path: string; problem: P } | null {
  const maxDepth = opts.maxDepth ?? MAX_INPUT_DEPTH;
  const join = (path: string, k: string) => (path ? `${path}.${k}` : k);
  // Each entry: the value, its parent's path and its own key (the path is joined only when needed: on a
  // hit, or to descend into an object), and its depth. Numbers, booleans and nulls are never looked at, so
  // never stacked: a machine's flat body costs one entry per string, not a path per field.
  const stack: [unknown, string, string | null, number][] = [[value, opts.prefix ?? '', null, 0]];
  while (stack.length) {
    const [v, parent, key, depth] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = test(v);
      if (problem !== null) return { path: key === null ? parent : join(parent, key), problem };
    } else if (v && typeof v === 'object') {
      const path = key === null ? parent : join(parent, key);
      if (depth >= maxDepth) {
        if (opts.tooDeep !== undefined) return { path, problem: opts.tooDeep };
        continue;
      }
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) if (v[i] !== null && (typeof v[i] === 'string' || typeof v[i] === 'object')) stack.push([v[i], path, String(i), depth + 1]);
      } else {
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i]!;
          const problem = test(k);
          if (problem !== null) return { path: join(path, '[key]'), problem };
          const child = (v as Record<string, unknown>)[k];
          if (child !== null && (typeof child === 'string' || typeof child === 'object')) stack.push([child, path, k, depth + 1]);
        }
      }
    }
  }
  return null;
}

/** The first string (or object key) holding card data, with its path; values deeper than `maxDepth` are not looked into (callers taking outside input refuse such depth first). */
export function findCardData(value: unknown, maxDepth = MAX_INPUT_DEPTH): CardDataHit | null {
  const hit = findInStrings(value, (s) => (stringHasCardData(s) ? true : null), { maxDepth });
  return hit && { path: hit.path };
}

/** True when any string in the value holds a card number or track data (see `stringHasCardData`). */
export function containsCardData(value: unknown): boolean {
  return typeof value === 'string' ? stringHasCardData(value) : findCardData(value) !== null;
}

/** How deep a value nests (objects and arrays), counted without recursion and stopping past `limit`. */
export function nestingDepth(value: unknown, limit = MAX_INPUT_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    const d = depth + 1;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child && typeof child === 'object') stack.push([child, d]);
  }
  return max;
}
