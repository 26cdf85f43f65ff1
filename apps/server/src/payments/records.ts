/**
 * Stored payment records as the analysis reads them (contracts TxnRecord, poscare.txn-record/v1):
 * the terminal's lines (`transactions`) and the host's (`host_records`) become one kind of record,
 * so the live engine, the backtest and `poscare txn analyze` run the same code on the same shape.
 *
 * Record ids: a terminal line is `{terminalId}/{msgId}` (msgId is unique per terminal), a host line
 * `host:{id}` (the host's id, unique per organization). Findings name payments by these ids.
 */
import type { TxnRecord } from '@poscare/contracts';
import { TXN_RECORD_ENTRY_MODES, TXN_RECORD_OUTCOMES, TXN_RECORD_TYPES } from '@poscare/contracts';
import type { RawTx } from '../db/client.js';

export const terminalRecordId = (terminalId: string, msgId: string) => `${terminalId}/${msgId}`;
export const hostRecordId = (id: string) => `host:${id}`;

/** Where a record id points: a terminal line or a host line. */
export function parseRecordId(id: string): { source: 'terminal'; terminalId: string; msgId: string } | { source: 'host'; id: string } | null {
  if (id.startsWith('host:')) return { source: 'host', id: id.slice(5) };
  const slash = id.indexOf('/');
  if (slash !== 36) return null;
  return { source: 'terminal', terminalId: id.slice(0, 36), msgId: id.slice(37) };
}

/** The analysis wants six-digit STANs: a terminal's 1–12 digit STAN keeps its last six digits, zero-padded. */
export const stan6 = (stan: string | null | undefined) => (stan ? stan.slice(-6).padStart(6, '0') : null);

const isOne = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);

export interface TerminalTxnRow {
  terminal_id: string;
  msg_id: string;
  merchant_id: string | null;
  at: Date | string;
  type: string;
  stan: string | null;
  rrn: string | null;
  auth_code: string | null;
  amount_minor: number | string | null;
  currency: string | null;
  entry_mode: string;
  outcome: string;
  response_code: string | null;
  card_token: string | null;
  original_stan: string | null;
  original_rrn: string | null;
}

export interface HostRecordRow {
  id: string;
  terminal_id: string;
  merchant_id: string | null;
  at: Date | string;
  type: string;
  stan: string;
  rrn: string | null;
  auth_code: string | null;
  amount_minor: number | string;
  currency: string;
  entry_mode: string;
  outcome: string;
  response_code: string | null;
  card_token: string | null;
  original_stan: string | null;
  original_rrn: string | null;
  mcc: string | null;
}

const iso = (v: Date | string) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());
const opt = (v: string | null) => (v === null || v === '' ? undefined : v);

/**
 * A terminal's line as an analysis record; null when the analysis cannot use it (no STAN — a v1
 * terminal's line — or no merchant). The device's `reversed` outcome is an approved sale later undone,
 * which the analysis learns from the reversal record itself, so it reads as approved here.
 */
export function terminalTxnRecord(row: TerminalTxnRow, fallbackCurrency = 'CNY'): TxnRecord | null {
  const stan = stan6(row.stan);
  if (!stan || !row.merchant_id) return null;
  const outcome = row.outcome === 'reversed' ? 'approved' : row.outcome;
  if (!isOne(TXN_RECORD_OUTCOMES, outcome) || !isOne(TXN_RECORD_TYPES, row.type) || !isOne(TXN_RECORD_ENTRY_MODES, row.entry_mode)) return null;
  const currency = row.currency && /^[A-Z]{3}$/.test(row.currency) ? row.currency : fallbackCurrency;
  return {
    id: terminalRecordId(row.terminal_id, row.msg_id),
    source: 'terminal',
    at: iso(row.at),
    merchantId: row.merchant_id,
    terminalId: row.terminal_id,
    type: row.type,
    amountMinor: Number(row.amount_minor ?? 0),
    currency,
    entryMode: row.entry_mode,
    cardToken: opt(row.card_token),
    stan,
    rrn: opt(row.rrn),
    authCode: opt(row.auth_code),
    outcome,
    responseCode: opt(row.response_code),
    originalStan: stan6(row.original_stan) ?? undefined,
    originalRrn: opt(row.original_rrn),
  };
}

/** A host line as an analysis record; null when its values are not the contract's (they are checked at ingest). */
export function hostTxnRecord(row: HostRecordRow): TxnRecord | null {
  const stan = stan6(row.stan);
  if (!stan || !row.merchant_id) return null;
  if (!isOne(TXN_RECORD_OUTCOMES, row.outcome) || !isOne(TXN_RECORD_TYPES, row.type) || !isOne(TXN_RECORD_ENTRY_MODES, row.entry_mode)) return null;
  return {
    id: hostRecordId(row.id),
    source: 'host',
    at: iso(row.at),
    merchantId: row.merchant_id,
    mcc: opt(row.mcc),
    terminalId: row.terminal_id,
    type: row.type,
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    entryMode: row.entry_mode,
    cardToken: opt(row.card_token),
    stan,
    rrn: opt(row.rrn),
    authCode: opt(row.auth_code),
    outcome: row.outcome,
    responseCode: opt(row.response_code),
    originalStan: stan6(row.original_stan) ?? undefined,
    originalRrn: opt(row.original_rrn),
  };
}

const TERMINAL_COLUMNS = `t.terminal_id, t.msg_id, coalesce(t.merchant_id, term.merchant_id) AS merchant_id, t.at, t.type, t.stan, t.rrn,
  t.auth_code, t.amount_minor, t.currency, t.entry_mode, t.outcome, t.response_code, t.card_token, t.original_stan, t.original_rrn`;
const HOST_COLUMNS = `h.id, h.terminal_id, h.merchant_id, h.at, h.type, h.stan, h.rrn, h.auth_code, h.amount_minor, h.currency,
  h.entry_mode, h.outcome, h.response_code, h.card_token, h.original_stan, h.original_rrn, h.mcc`;

/**
 * Every record of an organization with `at` in [from, to), both sides, in time order: what the live
 * engine warms up from and what a threshold backtest replays.
 */
export async function loadRecords(tx: RawTx, orgId: string, from: Date, to: Date): Promise<TxnRecord[]> {
  const [terminal, host] = await Promise.all([
    tx.query<TerminalTxnRow>(
      `SELECT ${TERMINAL_COLUMNS} FROM transactions t JOIN terminals term ON term.id = t.terminal_id
        WHERE t.org_id = $1 AND t.at >= $2 AND t.at < $3`,
      [orgId, from, to],
    ),
    tx.query<HostRecordRow>(`SELECT ${HOST_COLUMNS} FROM host_records h WHERE h.org_id = $1 AND h.at >= $2 AND h.at < $3`, [orgId, from, to]),
  ]);
  const out: TxnRecord[] = [];
  for (const r of terminal) {
    const x = terminalTxnRecord(r);
    if (x) out.push(x);
  }
  for (const r of host) {
    const x = hostTxnRecord(r);
    if (x) out.push(x);
  }
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
