/**
 * Live transaction findings as the API shows them (issue 15): the stored findings of the live engine,
 * a finding with the payments involved from both sides (the terminal's line and the host's), the
 * merchant's "ask for help" and "was this customer charged twice?".
 */
import { z } from 'zod';
import { Id } from './common.js';
import { TXN_RECORD_ENTRY_MODES, TXN_RECORD_OUTCOMES, TXN_RECORD_TYPES, TxnFindingCode, type TxnFindingCode as Code } from './txn.js';

/** dup: the customer was charged too much (the merchant's business); risk: fraud patterns (risk analysts'). */
export const FINDING_KINDS = ['dup', 'risk'] as const;
export const FindingKind = z.enum(FINDING_KINDS);
export type FindingKind = z.infer<typeof FindingKind>;
export const findingKind = (code: string): FindingKind => (code.startsWith('dup.') ? 'dup' : 'risk');

export const FINDING_STATUSES = ['open', 'resolved'] as const;
export const FindingStatus = z.enum(FINDING_STATUSES);

/**
 * Of a duplicate-charge finding, the payments to give back (the ones after the first; a missing
 * reversal's single sale); the engine closes the finding when their refund (or reversal) arrives.
 */
export function refundTxnIds(code: Code, txnIds: readonly string[]): string[] {
  if (code === 'dup.double_submit' || code === 'dup.timeout_retry') return txnIds.slice(1);
  if (code === 'dup.missing_reversal') return [...txnIds];
  return [];
}

export const FindingQuery = z.object({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  code: TxnFindingCode.optional(),
  kind: FindingKind.optional(),
  merchantId: Id.optional(),
  terminalId: Id.optional(),
  cardToken: z.string().trim().min(1).max(64).optional(),
  /** The finding's payments fall in [from, to). */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type FindingQuery = z.infer<typeof FindingQuery>;

export const FindingRow = z.object({
  id: Id,
  code: TxnFindingCode,
  kind: FindingKind,
  status: FindingStatus,
  merchantId: Id.nullable(),
  merchantName: z.string().nullable(),
  terminalId: Id.nullable(),
  terminalSerial: z.string().nullable(),
  cardToken: z.string().nullable(),
  /** Money at stake: charged too much (dup), or the pattern's total (risk). */
  amountMinor: z.number().int(),
  currency: z.string().nullable(),
  firstAt: z.string(),
  lastAt: z.string(),
  txnIds: z.array(z.string()),
  summary: z.object({ 'zh-CN': z.string(), 'en-US': z.string() }),
  /** What to do, as a code the console words (refund_duplicate, reverse_or_refund, block_card_token, …). */
  action: z.string(),
  /** Duplicate charges: the payments to refund and the amount to give back. */
  refund: z.object({ txnIds: z.array(z.string()), amountMinor: z.number().int() }).nullable(),
  openedAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolvedReason: z.string().nullable(),
  ticketId: Id.nullable(),
  ticketNumber: z.string().nullable(),
  notifiedAt: z.string().nullable(),
});
export type FindingRow = z.infer<typeof FindingRow>;

export const FindingPage = z.object({ items: z.array(FindingRow), total: z.number().int() });
export type FindingPage = z.infer<typeof FindingPage>;

/** One line of a payment, as the terminal or the host recorded it. Card data: the token only. */
export const FindingLine = z.object({
  id: z.string(),
  source: z.enum(['terminal', 'host']),
  at: z.string(),
  type: z.enum(TXN_RECORD_TYPES),
  amountMinor: z.number().int(),
  currency: z.string(),
  entryMode: z.enum(TXN_RECORD_ENTRY_MODES),
  outcome: z.enum(TXN_RECORD_OUTCOMES),
  responseCode: z.string().nullable(),
  stan: z.string(),
  rrn: z.string().nullable(),
  authCode: z.string().nullable(),
  cardToken: z.string().nullable(),
  terminalId: Id,
});
export type FindingLine = z.infer<typeof FindingLine>;

/** A payment both sides saw (or one of them), and whether it was given back. */
export const FindingPayment = z.object({
  txnId: z.string(),
  terminal: FindingLine.nullable(),
  host: FindingLine.nullable(),
  /** A refund, void or reversal of it was recorded. */
  undone: z.array(FindingLine),
  /** This is one the merchant should give back (duplicate charges). */
  toRefund: z.boolean(),
});
export type FindingPayment = z.infer<typeof FindingPayment>;

export const FindingDetail = FindingRow.extend({ payments: z.array(FindingPayment) });
export type FindingDetail = z.infer<typeof FindingDetail>;

export const FindingHelpAnswer = z.object({ ticketId: Id, ticketNumber: z.string(), created: z.boolean() });
export type FindingHelpAnswer = z.infer<typeof FindingHelpAnswer>;

export const FindingHelpRequest = z.object({ message: z.string().trim().max(2000).optional() });

/** "Was this customer charged twice?": payments near a time with an amount, on the caller's terminals. */
export const ChargedTwiceQuery = z.object({
  at: z.iso.datetime({ offset: true }),
  amountMinor: z.coerce.number().int().min(1).max(100_000_000),
  terminalId: Id.optional(),
  /** Minutes either side of `at`. */
  withinMinutes: z.coerce.number().int().min(1).max(120).default(30),
});
export type ChargedTwiceQuery = z.infer<typeof ChargedTwiceQuery>;

export const ChargedTwiceAnswer = z.object({
  /** yes: a duplicate-charge finding covers these payments (open); refunded: it did, and the refund is recorded; no: none. */
  verdict: z.enum(['yes', 'refunded', 'no']),
  payments: z.array(FindingPayment),
  findings: z.array(FindingRow),
});
export type ChargedTwiceAnswer = z.infer<typeof ChargedTwiceAnswer>;
