/**
 * Transaction records and findings (issue 15): one record as a terminal's journal or the acquirer
 * host's log has it (poscare.txn-record/v1), and one finding of the transaction analysis
 * (poscare.txn-finding/v1). The JSON schemas in the shared contracts are the source; these mirror them.
 */
import { z } from 'zod';

export const TXN_RECORD_SOURCES = ['terminal', 'host'] as const;
export const TXN_RECORD_TYPES = ['sale', 'refund', 'void', 'reversal'] as const;
export const TXN_RECORD_ENTRY_MODES = ['chip', 'contactless', 'magstripe', 'fallback', 'manual', 'qr'] as const;
export const TXN_RECORD_OUTCOMES = ['approved', 'declined', 'timeout', 'error', 'card_read_error'] as const;

export const TxnRecord = z.object({
  id: z.string().min(1),
  source: z.enum(TXN_RECORD_SOURCES),
  at: z.iso.datetime({ offset: true }),
  merchantId: z.string().min(1),
  mcc: z.string().regex(/^\d{4}$/).optional(),
  terminalId: z.string().min(1),
  type: z.enum(TXN_RECORD_TYPES),
  amountMinor: z.number().int().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/),
  entryMode: z.enum(TXN_RECORD_ENTRY_MODES),
  cardToken: z.string().optional(),
  stan: z.string().regex(/^\d{6}$/),
  rrn: z.string().optional(),
  authCode: z.string().optional(),
  outcome: z.enum(TXN_RECORD_OUTCOMES),
  responseCode: z.string().optional(),
  originalStan: z.string().optional(),
  originalRrn: z.string().optional(),
});
export type TxnRecord = z.infer<typeof TxnRecord>;

export const TXN_FINDING_CODES = [
  'dup.double_submit',
  'dup.timeout_retry',
  'dup.missing_reversal',
  'risk.card_testing',
  'risk.card_velocity',
  'risk.fallback_abuse',
  'risk.split_sale',
  'risk.off_hours',
  'risk.refund_abuse',
] as const;
export const TxnFindingCode = z.enum(TXN_FINDING_CODES);
export type TxnFindingCode = z.infer<typeof TxnFindingCode>;

export const TxnFinding = z.object({
  code: TxnFindingCode,
  /** Record ids of the sales or refunds involved (the terminal's record of each payment; never reversals). */
  txnIds: z.array(z.string()).min(1),
  merchantId: z.string().optional(),
  terminalId: z.string().optional(),
  cardToken: z.string().optional(),
  /** Money at stake: what the customer was charged too much, or the fraud's total. */
  amountMinor: z.number().int(),
  firstAt: z.string(),
  lastAt: z.string(),
  summary: z.object({ 'zh-CN': z.string(), 'en-US': z.string() }),
  action: z.string(),
});
export type TxnFinding = z.infer<typeof TxnFinding>;
