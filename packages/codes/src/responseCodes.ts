/**
 * ISO 8583 field 39 response codes: meaning, handling class, whose decision or fault, cause hints.
 * The catalogue is data (data/iso8583-response-codes.json); an unknown code is an answer, not an
 * error, so the engine can say "unknown response code X" and carry on.
 */
import catalogue from '../data/iso8583-response-codes.json' with { type: 'json' };
import type { CauseHint } from './hints.js';

/** The CUP POS handling classes A–E. */
export const RESPONSE_ACTIONS = ['approved', 'retry', 'do_not_retry', 'operator_action', 'system_fault'] as const;
export type ResponseAction = (typeof RESPONSE_ACTIONS)[number];

export const RESPONSE_KINDS = ['approved', 'issuer_decision', 'card_problem', 'operator_problem', 'terminal_problem', 'host_fault'] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

export type ResponseSource = 'cup' | 'iso8583:1987' | 'visa';

export interface ResponseCodeEntry {
  code: string;
  zh: string;
  en: string;
  action: ResponseAction;
  kind: ResponseKind;
  source: ResponseSource;
  note?: { zh: string; en: string };
  hints: readonly CauseHint[];
}

export interface KnownResponseCode extends ResponseCodeEntry {
  known: true;
}

export interface UnknownResponseCode {
  known: false;
  /** The code as given (normalised: trimmed, upper case). */
  code: string;
  zh: string;
  en: string;
  hints: readonly CauseHint[];
}

export type ResponseCodeInfo = KnownResponseCode | UnknownResponseCode;

export const RESPONSE_CODES_VERSION: string = catalogue.version;
export const RESPONSE_CODES: readonly ResponseCodeEntry[] = catalogue.codes as ResponseCodeEntry[];

const byCode = new Map<string, KnownResponseCode>(RESPONSE_CODES.map((e) => [e.code, { ...e, known: true }]));

/** Trims and upper-cases; a single digit (a numeric column that lost its leading zero) becomes two. */
export function normaliseResponseCode(code: string | number): string {
  const s = String(code).trim().toUpperCase();
  return /^\d$/.test(s) ? `0${s}` : s;
}

/** Looks a field 39 code up. Never throws: unknown codes come back with `known: false`. */
export function responseCode(code: string | number): ResponseCodeInfo {
  const c = normaliseResponseCode(code);
  const hit = byCode.get(c);
  if (hit) return hit;
  return { known: false, code: c, zh: `未知应答码 ${c}`, en: `Unknown response code ${c}`, hints: [] };
}

export const isApproved = (code: string | number): boolean => {
  const info = responseCode(code);
  return info.known && info.action === 'approved';
};
