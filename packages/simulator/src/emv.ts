/**
 * ISO 8583 response codes and EMV TVR/TSI values that agree with a transaction's outcome: the bits a
 * diagnosis engine reads (expired application, cardholder verification failed, PIN tries exceeded, …)
 * are set exactly when the simulated story says so.
 */
import type { Rng } from './random.js';

export type IssuerResult =
  | { rc: '00'; outcome: 'approved' }
  | { rc: '05' | '51' | '54' | '55' | '61' | '14' | '75'; outcome: 'declined' }
  | { rc: '91'; outcome: 'declined' }
  | { rc: '96'; outcome: 'error' };

/** The everyday mix an acquirer sees for card-present payments. */
const EVERYDAY: readonly (readonly [IssuerResult, number])[] = [
  [{ rc: '00', outcome: 'approved' }, 0.965],
  [{ rc: '51', outcome: 'declined' }, 0.012],
  [{ rc: '05', outcome: 'declined' }, 0.009],
  [{ rc: '55', outcome: 'declined' }, 0.006],
  [{ rc: '54', outcome: 'declined' }, 0.002],
  [{ rc: '61', outcome: 'declined' }, 0.002],
  [{ rc: '14', outcome: 'declined' }, 0.001],
  [{ rc: '91', outcome: 'declined' }, 0.0005],
  [{ rc: '96', outcome: 'error' }, 0.0005],
];

export const everydayIssuerResult = (rng: Rng): IssuerResult => rng.weighted(EVERYDAY);

/** Floor limit above which an EMV terminal must go online (fen). */
const FLOOR_LIMIT_MINOR = 0;
/** Contactless payments up to this amount need no PIN (fen; China's 1,000-yuan quick-pass limit). */
const CVM_LIMIT_MINOR = 100_000;

export interface EmvStory {
  entryMode: 'chip' | 'contactless';
  amountMinor: number;
  /** Host answered at all (false for timeouts and unreachable hosts). */
  hostAnswered: boolean;
  rc?: string;
}

/**
 * TVR (tag 95, 5 bytes) and TSI (tag 9B, 2 bytes) as hex. Bits, as EMV Book 3 Annex C numbers them:
 * 2.7 expired application, 3.8 cardholder verification not successful, 3.6 PIN try limit exceeded,
 * 3.3 online PIN entered, 4.8 above floor limit; TSI 1.8 ODA, 1.7 CVM, 1.6 card risk management,
 * 1.5 issuer authentication, 1.4 terminal risk management performed.
 */
export function emvData(s: EmvStory): { tvr: string; tsi: string } {
  const tvr = [0, 0, 0, 0, 0];
  const pinRequired = s.entryMode === 'chip' || s.amountMinor > CVM_LIMIT_MINOR;
  if (s.amountMinor > FLOOR_LIMIT_MINOR) tvr[3]! |= 0x80;
  if (pinRequired) tvr[2]! |= 0x04;
  if (s.rc === '54') tvr[1]! |= 0x40;
  if (s.rc === '55') tvr[2]! |= 0x80;
  if (s.rc === '75') tvr[2]! |= 0x80 | 0x20;
  let tsi = 0x80 | 0x20 | 0x08;
  if (pinRequired) tsi |= 0x40;
  if (s.hostAnswered) tsi |= 0x10;
  return { tvr: tvr.map(hex2).join('').toUpperCase(), tsi: `${hex2(tsi)}00`.toUpperCase() };
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
