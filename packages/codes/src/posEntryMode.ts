/**
 * ISO 8583 field 22, POS entry mode: how the card was read and whether a PIN could be entered.
 * The code table is data (data/pos-entry-modes.json).
 */
import table from '../data/pos-entry-modes.json' with { type: 'json' };
import { CodesError } from './errors.js';
import type { CauseHint } from './hints.js';

export const PAN_ENTRY_MODES = ['chip', 'contactless', 'magstripe', 'fallback', 'manual', 'qr', 'unknown'] as const;
export type PanEntryMode = (typeof PAN_ENTRY_MODES)[number];

export const PIN_CAPABILITIES = ['capable', 'not_capable', 'unspecified', 'pinpad_inoperative', 'unknown'] as const;
export type PinCapability = (typeof PIN_CAPABILITIES)[number];

export interface PosEntryMode {
  /** The three digits as given (a leading zero of a 4-digit rendering removed). */
  raw: string;
  pan: PanEntryMode;
  pin: PinCapability;
  /** False when digits 1-2 are not a code this table knows (pan is then 'unknown'). */
  recognised: boolean;
  zh: string;
  en: string;
  hints: CauseHint[];
}

interface PanRow {
  code: string;
  mode: PanEntryMode;
  zh: string;
  en: string;
  hints: CauseHint[];
}
interface PinRow {
  digit: string;
  capability: PinCapability;
  zh: string;
  en: string;
  hints: CauseHint[];
}

export const POS_ENTRY_MODES_VERSION: string = table.version;
export const PAN_ENTRY_CODES: readonly PanRow[] = table.pan as PanRow[];
export const PIN_CAPABILITY_CODES: readonly PinRow[] = table.pin as PinRow[];
const PREFERRED: Partial<Record<string, string>> = table.preferred;
const PREFERRED_PIN: Partial<Record<string, string>> = table.preferredPin;

const panByCode = new Map(PAN_ENTRY_CODES.map((r) => [r.code, r]));
const pinByDigit = new Map(PIN_CAPABILITY_CODES.map((r) => [r.digit, r]));

/**
 * Decodes field 22, e.g. '051' → chip, PIN capable. Accepts 3 digits, or 4 digits with a leading
 * zero (how right-aligned BCD renders n 3). Anything else throws `pos_entry.invalid`.
 */
export function decodePosEntryMode(value: string | number): PosEntryMode {
  let raw = typeof value === 'number' ? String(value).padStart(3, '0') : String(value).trim();
  if (/^0\d{3}$/.test(raw)) raw = raw.slice(1);
  if (!/^\d{3}$/.test(raw)) throw new CodesError('pos_entry.invalid', { value: String(value) });
  const panRow = panByCode.get(raw.slice(0, 2));
  const pinRow = pinByDigit.get(raw.slice(2));
  const pin: PinCapability = pinRow ? pinRow.capability : 'unknown';
  const panZh = panRow ? panRow.zh : `未知输入方式 ${raw.slice(0, 2)}`;
  const panEn = panRow ? panRow.en : `Unknown entry mode ${raw.slice(0, 2)}`;
  const pinZh = pinRow ? pinRow.zh : `PIN能力码 ${raw.slice(2)} 未定义`;
  const pinEn = pinRow ? pinRow.en : `PIN capability ${raw.slice(2)} not defined`;
  return {
    raw,
    pan: panRow ? panRow.mode : 'unknown',
    pin,
    recognised: panRow !== undefined,
    zh: `${panZh}；${pinZh}`,
    en: `${panEn}; ${pinEn}`,
    hints: [...(panRow?.hints ?? []), ...(pinRow?.hints ?? [])],
  };
}

/** The field 22 code the simulator writes for an entry mode, e.g. ('chip') → '051'. */
export function entryModeCode(mode: PanEntryMode, pin: Exclude<PinCapability, 'unknown'> = 'capable'): string {
  const pan = PREFERRED[mode];
  const digit = PREFERRED_PIN[pin];
  if (pan === undefined) throw new CodesError('pos_entry.unknown_mode', { value: String(mode) });
  if (digit === undefined) throw new CodesError('pos_entry.unknown_mode', { value: String(pin) });
  return pan + digit;
}
