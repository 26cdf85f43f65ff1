/**
 * One customer paying: entry mode, card reads (with retries and chip-to-swipe fallback when a read
 * fails), the trip to the acquirer host, the answer, the receipt. Every step that can go wrong leaves
 * the traces a real terminal leaves: a transaction record with its outcome and codes, a message on the
 * screen, a reader counter.
 */
import type { TransactionData } from '@poscare/terminal-sdk';
import { MERCHANT_KINDS } from '../catalog.js';
import type { CardPresentation, CommFailure, ReaderKind } from '../conditions.js';
import { emvData, everydayIssuerResult } from '../emv.js';
import type { MessageCode } from '../terminalMessages.js';
import { remoteEvent } from './commands.js';
import type { Minute } from './minute.js';
import { canReachHost, settleBatch } from './daily.js';
import { printReceipts } from './printer.js';
import { cardToken } from './state.js';

type EntryMode = TransactionData['entryMode'];
type Outcome = TransactionData['outcome'];

const READER_OF: Record<EntryMode, ReaderKind | null> = { chip: 'chip', contactless: 'contactless', magstripe: 'magstripe', fallback: 'magstripe', manual: null, qr: null };
const READ_FAIL_MESSAGE: Record<ReaderKind, MessageCode> = { chip: 'CHIP_READ_FAIL', contactless: 'CTLS_READ_FAIL', magstripe: 'MSR_READ_FAIL' };
const COMM_MESSAGE: Record<CommFailure, MessageCode> = { no_network: 'NO_NETWORK', dns: 'DNS_FAIL', firewall: 'HOST_CONNECT_FAIL', weak_signal: 'COMM_ERROR', latency: 'TXN_TIMEOUT', sim: 'SIM_ERROR' };
/** How long the terminal waits before it gives up, by cause, in ms. */
const COMM_WAIT: Record<CommFailure, readonly [number, number]> = { no_network: [1_500, 5_000], dns: [5_000, 12_000], firewall: [30_000, 60_000], weak_signal: [30_000, 60_000], latency: [45_000, 60_000], sim: [2_000, 6_000] };

interface Payment {
  atMs: number;
  amountMinor: number;
  mode: EntryMode;
  token: string | undefined;
  presentation: CardPresentation | null;
}

function chooseEntryMode(m: Minute): EntryMode {
  const t = m.s.terminal;
  const chipBias = MERCHANT_KINDS.find((k) => k.kind === m.s.merchant.kind)?.chipBias ?? 1;
  const has = (i: 'qr' | 'contactless' | 'chip' | 'magstripe') => t.interfaces.includes(i);
  const options: [EntryMode, number][] = [];
  if (has('qr')) options.push(['qr', 0.3]);
  if (has('contactless')) options.push(['contactless', 0.4]);
  if (has('chip')) options.push(['chip', 0.25 * chipBias]);
  if (has('magstripe')) options.push(['magstripe', 0.04]);
  return m.s.rng.weighted(options);
}

function amount(m: Minute): number {
  const spec = MERCHANT_KINDS.find((k) => k.kind === m.s.merchant.kind)!;
  return Math.max(100, Math.round((spec.ticketMedianMinor * Math.exp(m.s.rng.normal(0, spec.ticketSigma))) / 10) * 10);
}

/** Why the terminal will not even start a sale, if it will not. */
function refusal(m: Minute): MessageCode | null {
  const s = m.s;
  if (s.tamper) return 'TAMPER';
  if (!s.keysLoaded) return 'KEYS_MISSING';
  if (!s.signedIn) return 'NOT_SIGNED_IN';
  if (s.batch.count >= s.batch.capacity) return 'BATCH_FULL';
  return null;
}

/** An everyday customer walks up and pays. */
export function customerPays(m: Minute, atMs: number): void {
  const s = m.s;
  // Locked by a remote command (a stolen terminal): no payment starts; the screen says so.
  if (s.locked) return lockedScreen(m, atMs);
  const mode = chooseEntryMode(m);
  const refused = refusal(m);
  if (refused) {
    m.emit('txn', { amountMinor: amount(m), currency: '156', entryMode: mode, outcome: 'error', durationMs: s.rng.int(300, 1_500) }, atMs);
    m.eventEvery(refused, atMs + 200, 60_000);
    return;
  }
  if (s.rng.chance(m.c.app.txnErrorChance)) {
    m.emit('txn', { amountMinor: amount(m), currency: '156', entryMode: mode, outcome: 'error', durationMs: s.rng.int(2_000, 9_000) }, atMs);
    m.eventEvery('TXN_ERROR', atMs + 300, 20_000);
    return;
  }
  const token = mode === 'qr' ? undefined : s.rng.chance(0.25) ? s.rng.pick(s.regularCards) : cardToken(s.rng);
  readAndPay(m, { atMs, amountMinor: amount(m), mode, token, presentation: null });
}

/** A particular card that a card-scoped fault follows around the fleet. */
export function cardPresented(m: Minute, p: CardPresentation): void {
  if (m.s.cardsDone.includes(p.cardToken)) return;
  if (m.s.locked) return lockedScreen(m, p.atMs);
  if (refusal(m)) return customerPays(m, p.atMs);
  readAndPay(m, { atMs: p.atMs, amountMinor: amount(m), mode: m.s.terminal.interfaces.includes('chip') ? 'chip' : 'contactless', token: p.cardToken, presentation: p });
}

function readAndPay(m: Minute, pay: Payment): void {
  const s = m.s;
  let at = pay.atMs;
  let mode = pay.mode;
  for (let tries = 1; ; tries++) {
    const reader = READER_OF[mode];
    if (!reader) break;
    const read = s.since.reads[reader];
    read.attempts++;
    if (!readFails(m, reader, mode, pay.presentation)) break;
    read.failures++;
    const took = s.rng.int(800, 3_000);
    // A read that failed yields no card number, so there is no token to report either.
    m.emit('txn', { amountMinor: pay.amountMinor, currency: '156', entryMode: mode, outcome: 'card_read_error', durationMs: took }, at);
    m.event(READ_FAIL_MESSAGE[reader], at + took);
    at += took + s.rng.int(2_000, 6_000);
    const next = nextTry(m, mode, tries);
    if (!next) return;
    if (next === 'fallback') m.event('FALLBACK', at - 1_000);
    mode = next;
    if (next === 'qr') pay.token = undefined;
  }
  goOnline(m, { ...pay, atMs: at, mode });
}

function readFails(m: Minute, reader: ReaderKind, mode: EntryMode, p: CardPresentation | null): boolean {
  if (p?.problem === 'damaged') return mode === 'chip' || m.s.rng.chance(0.3);
  return m.s.rng.chance(m.c.readFailure[reader]);
}

/** What the customer tries after a failed read: the same again, then another interface, then QR or nothing. */
function nextTry(m: Minute, mode: EntryMode, tries: number): EntryMode | null {
  const has = (i: 'qr' | 'chip' | 'magstripe' | 'contactless') => m.s.terminal.interfaces.includes(i);
  if (tries >= 3) return has('qr') && m.s.rng.chance(0.7) ? 'qr' : null;
  if (mode === 'contactless') return tries === 1 && m.s.rng.chance(0.5) ? 'contactless' : has('chip') ? 'chip' : null;
  if (mode === 'chip') return tries === 1 ? 'chip' : has('magstripe') ? 'fallback' : null;
  if (mode === 'magstripe' || mode === 'fallback') return mode;
  return null;
}

function goOnline(m: Minute, pay: Payment): void {
  const { s, c } = m;
  const rng = s.rng;
  const base = { amountMinor: pay.amountMinor, currency: '156', entryMode: pay.mode, ...(pay.token ? { cardToken: pay.token } : {}) };
  s.stan = (s.stan % 999_999) + 1;
  const stan = String(s.stan).padStart(6, '0');
  const id = `T${s.terminal.tid}_${stan}`;
  // Online lines are typed payment lines (device protocol 1, issue 15): a sale with its STAN.
  const sale = { type: 'sale' as const };
  const slow = c.network.latencyMs;

  const comm = !s.linkUp ? (c.network.simState === 'ready' ? 'no_network' : 'sim') : !c.network.dnsOk ? 'dns' : rng.chance(c.network.comm.chance) ? c.network.comm.reason : null;
  if (comm) {
    const [lo, hi] = COMM_WAIT[comm];
    const took = rng.int(lo, hi);
    // On a slow line the answer sometimes arrives after the terminal gave up: logged as 68, too late.
    const late = comm === 'latency' && rng.chance(0.3) ? { responseCode: '68' } : {};
    m.emit('txn', { id, ...sale, stan, ...base, outcome: 'timeout', ...late, durationMs: took, ...emvFor(pay, undefined, false) }, pay.atMs);
    m.eventEvery(COMM_MESSAGE[comm], pay.atMs + Math.min(took, 50_000), 30_000);
    return;
  }
  if (rng.chance(c.host.errorChance)) {
    const kind = rng.weighted([['91', 0.45], ['96', 0.25], ['timeout', 0.2], ['68', 0.1]] as const);
    if (kind === 'timeout' || kind === '68') {
      const late = kind === '68' ? { responseCode: '68' } : {};
      m.emit('txn', { id, ...sale, stan, ...base, outcome: 'timeout', ...late, durationMs: rng.int(55_000, 60_000), ...emvFor(pay, undefined, false) }, pay.atMs);
      m.eventEvery('TXN_TIMEOUT', pay.atMs + 50_000, 30_000);
    } else {
      const outcome: Outcome = kind === '91' ? 'declined' : 'error';
      m.emit('txn', { id, ...sale, stan, rrn: rrn(m, stan), ...base, outcome, responseCode: kind, durationMs: rng.int(1_500, 6_000) + slow, ...emvFor(pay, kind, true) }, pay.atMs);
      m.eventEvery(kind === '91' ? 'HOST_91' : 'HOST_96', pay.atMs + 3_000, 30_000);
    }
    return;
  }

  const result = issuerAnswer(m, pay);
  const took = duration(m, pay) + slow;
  const approval = result.outcome === 'approved' ? { authCode: authCode(stan) } : {};
  m.emit('txn', { id, ...sale, stan, rrn: rrn(m, stan), ...approval, ...base, outcome: result.outcome, responseCode: result.rc, durationMs: took, ...emvFor(pay, result.rc, true) }, pay.atMs);
  if (pay.presentation && (result.outcome === 'approved' || result.rc === '75')) {
    s.cardsDone.push(pay.presentation.cardToken);
    if (s.cardsDone.length > 20) s.cardsDone.shift();
  }
  if (result.outcome === 'approved') {
    s.batch.count++;
    s.since.txns++;
    if (s.batch.count >= s.batch.capacity * 0.9 && !s.batch.nearFullShown) {
      s.batch.nearFullShown = true;
      m.event('BATCH_NEAR_FULL', pay.atMs + took + 200);
      // Terminals settle by themselves when the batch nears full, unless that is what is broken.
      if (!c.operation.settlementOverdue && canReachHost(m)) settleBatch(m, pay.atMs + took + 1_000);
    }
    printReceipts(m, pay.atMs + took + 500, pay.mode === 'qr' ? 1 : 2);
  }
}

/** TVR and TSI exist only for EMV reads (chip and contactless). */
function emvFor(pay: Payment, rc: string | undefined, hostAnswered: boolean): { tvr?: string; tsi?: string } {
  if (pay.mode !== 'chip' && pay.mode !== 'contactless') return {};
  return emvData({ entryMode: pay.mode, amountMinor: pay.amountMinor, hostAnswered, ...(rc ? { rc } : {}) });
}

function issuerAnswer(m: Minute, pay: Payment): { rc: string; outcome: Outcome } {
  const p = pay.presentation;
  const rng = m.s.rng;
  if (p) {
    if (p.problem === 'expired') return { rc: '54', outcome: 'declined' };
    // The issuer blocks PIN entry after the third wrong try, wherever the tries were made.
    if (p.problem === 'wrong_pin') return { rc: p.attempt >= 3 ? '75' : '55', outcome: 'declined' };
    if (p.problem === 'declined') return { rc: rng.chance(0.6) ? '05' : '51', outcome: 'declined' };
    // A damaged card that made it through on the stripe is usually fine with the issuer.
    return { rc: '00', outcome: 'approved' };
  }
  if (pay.mode === 'qr') return rng.weighted([[{ rc: '00', outcome: 'approved' as Outcome }, 0.985], [{ rc: '51', outcome: 'declined' as Outcome }, 0.01], [{ rc: '05', outcome: 'declined' as Outcome }, 0.005]] as const);
  return everydayIssuerResult(rng);
}

function duration(m: Minute, pay: Payment): number {
  const rng = m.s.rng;
  switch (pay.mode) {
    case 'contactless':
      return rng.int(600, 1_600);
    case 'chip':
      return rng.int(2_500, 5_000) + rng.int(3_000, 8_000);
    case 'qr':
      return rng.int(2_000, 7_000);
    default:
      return rng.int(1_500, 3_500);
  }
}

/** Retrieval reference number: last digit of the year, day of the year, hour, STAN — 12 digits. */
function rrn(m: Minute, stan: string): string {
  const d = new Date(m.startMs + m.s.site.utcOffsetMinutes * 60_000);
  const dayOfYear = Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  return `${d.getUTCFullYear() % 10}${String(dayOfYear).padStart(3, '0')}${String(d.getUTCHours()).padStart(2, '0')}${stan}`;
}

/** The issuer's six-character approval code; made from the STAN so that adding it draws nothing from the fleet's random stream. */
function authCode(stan: string): string {
  let h = 2166136261;
  for (let i = 0; i < stan.length; i++) h = Math.imul(h ^ stan.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36).toUpperCase().padStart(6, '0').slice(-6);
}

/** A customer at a locked terminal: nothing is charged; the locked screen is logged at most every ten minutes. */
function lockedScreen(m: Minute, atMs: number): void {
  const last = m.s.lastShownMs.get('TERMINAL_LOCKED');
  if (last === undefined || atMs - last >= 10 * 60_000) remoteEvent(m, 'TERMINAL_LOCKED', atMs);
}
