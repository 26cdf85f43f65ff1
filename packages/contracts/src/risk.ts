/**
 * Risk work (issue 15): fraud findings (`risk.*`) as analysts' cases, the block list, the one-payment
 * verdict of `risk/decide`, per-kind statistics from decisions, and per-organization thresholds with
 * versions and a backtest. The console takes its types from here.
 */
import { z } from 'zod';
import { Id, pageOf, Timestamp } from './common.js';
import { TXN_FINDING_CODES, TXN_RECORD_ENTRY_MODES, type TxnFindingCode } from './txn.js';

/** The fraud kinds: findings that become risk cases (the `dup.*` kinds go to the merchant instead). */
export const RISK_CASE_CODES = TXN_FINDING_CODES.filter((c): c is Extract<TxnFindingCode, `risk.${string}`> => c.startsWith('risk.'));
export const RiskCaseCode = z.enum(RISK_CASE_CODES as unknown as [Extract<TxnFindingCode, `risk.${string}`>, ...Extract<TxnFindingCode, `risk.${string}`>[]]);
export type RiskCaseCode = z.infer<typeof RiskCaseCode>;

export const RISK_DECISIONS = ['fraud', 'not_fraud', 'contact_merchant'] as const;
export const RiskDecision = z.enum(RISK_DECISIONS);
export type RiskDecision = z.infer<typeof RiskDecision>;

/** A card token as PosCare keeps it: opaque, printable, never a card number (the card-data rule refuses those). */
export const CardToken = z.string().trim().min(4).max(128).regex(/^[\x21-\x7e]+$/, 'printable characters without spaces');

// ---- Cases ----------------------------------------------------------------------------------------

export const RiskCaseQuery = z.object({
  code: RiskCaseCode.optional(),
  /** open: not yet decided and not explained; decided; resolved (decided or explained by a later record); all. */
  status: z.enum(['open', 'decided', 'resolved', 'all']).default('open'),
  /** `me`, `none` (unassigned) or a user id. */
  assignee: z.union([z.enum(['me', 'none']), Id]).optional(),
  /** `none` (not decided yet) or a decision. */
  decision: z.union([z.literal('none'), RiskDecision]).optional(),
  cardToken: z.string().trim().max(128).optional(),
  terminalId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type RiskCaseQuery = z.infer<typeof RiskCaseQuery>;

export const RiskCaseRow = z.object({
  id: Id,
  code: RiskCaseCode,
  /** open or resolved (decided by an analyst, or explained by a later record). */
  status: z.enum(['open', 'resolved']),
  resolvedReason: z.string().nullable(),
  merchantId: z.string().nullable(),
  merchantName: z.string().nullable(),
  terminalId: z.string().nullable(),
  terminalLabel: z.string().nullable(),
  cardToken: z.string().nullable(),
  amountMinor: z.number().int(),
  currency: z.string().nullable(),
  firstAt: Timestamp,
  lastAt: Timestamp,
  openedAt: Timestamp,
  paymentCount: z.number().int(),
  /** In the caller's language. */
  summary: z.string(),
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  decision: RiskDecision.nullable(),
  decidedAt: Timestamp.nullable(),
  decidedByName: z.string().nullable(),
});
export type RiskCaseRow = z.infer<typeof RiskCaseRow>;

export const RiskCasePage = pageOf(RiskCaseRow);
export type RiskCasePage = z.infer<typeof RiskCasePage>;

/** One record (either side) as the case page shows it. Card tokens only, never card numbers. */
export const RiskPayment = z.object({
  id: z.string(),
  source: z.enum(['terminal', 'host']),
  at: Timestamp,
  terminalId: z.string(),
  terminalLabel: z.string().nullable(),
  merchantId: z.string().nullable(),
  merchantName: z.string().nullable(),
  type: z.string(),
  amountMinor: z.number().int(),
  currency: z.string().nullable(),
  entryMode: z.string(),
  outcome: z.string(),
  responseCode: z.string().nullable(),
  cardToken: z.string().nullable(),
  stan: z.string().nullable(),
  rrn: z.string().nullable(),
  /** Part of this case's payments. */
  involved: z.boolean(),
});
export type RiskPayment = z.infer<typeof RiskPayment>;

export const RiskNote = z.object({ id: Id, authorName: z.string().nullable(), body: z.string(), at: Timestamp });
export type RiskNote = z.infer<typeof RiskNote>;

export const RiskBlockKind = z.enum(['card_token', 'terminal']);
export type RiskBlockKind = z.infer<typeof RiskBlockKind>;

export const RiskBlock = z.object({
  id: Id,
  kind: RiskBlockKind,
  value: z.string(),
  /** The terminal's serial / TID for terminal entries. */
  label: z.string().nullable(),
  reason: z.string().nullable(),
  findingId: z.string().nullable(),
  createdByName: z.string().nullable(),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable(),
  removedAt: Timestamp.nullable(),
  removedByName: z.string().nullable(),
  /** Not removed and not expired now. */
  active: z.boolean(),
});
export type RiskBlock = z.infer<typeof RiskBlock>;

/** The terminal's health from its telemetry sample nearest before the case began. */
export const RiskHealthAt = z.object({
  sampleAt: Timestamp,
  health: z.enum(['ok', 'degraded', 'critical']),
  reasons: z.array(z.string()),
});

export const RiskCaseDetail = RiskCaseRow.extend({
  summaryZh: z.string(),
  summaryEn: z.string(),
  action: z.string(),
  decisionNote: z.string().nullable(),
  thresholdsVersion: z.number().int().nullable(),
  /** The records of the payments involved, both sides. */
  payments: z.array(RiskPayment),
  /** The records of the case's card token (or of the cards it names, at most 20) at any terminal, 7 days before to 1 day after the case, newest first. */
  cardHistory: z.array(RiskPayment),
  /** The terminal's records 2 hours either side of the case, newest first. */
  terminalHistory: z.array(RiskPayment),
  /** Other fraud cases of the same card or terminal. */
  related: z.array(RiskCaseRow),
  health: RiskHealthAt.nullable(),
  notes: z.array(RiskNote),
  /** The card tokens and terminals this case involves (what a fraud decision may block). */
  cardTokens: z.array(z.string()),
  terminals: z.array(z.object({ id: z.string(), label: z.string().nullable() })),
  /** Active block list entries for those card tokens and terminals. */
  blocks: z.array(RiskBlock),
});
export type RiskCaseDetail = z.infer<typeof RiskCaseDetail>;

export const RiskAssign = z.object({ assigneeId: Id.nullable() });
/** Who a case can be given to: the organization's risk analysts and administrators. */
export const RiskAssignees = z.object({ items: z.array(z.object({ id: Id, name: z.string(), role: z.string() })) });
export type RiskAssignees = z.infer<typeof RiskAssignees>;
export type RiskAssign = z.infer<typeof RiskAssign>;

export const RiskNoteCreate = z.object({ body: z.string().trim().min(1).max(4000) });
export type RiskNoteCreate = z.infer<typeof RiskNoteCreate>;

export const RiskDecisionCreate = z.object({
  decision: RiskDecision,
  note: z.string().trim().max(4000).optional(),
  /**
   * With `fraud` only: put card tokens and terminals of this case on the block list in the same step
   * (each must be one the case involves; card testing involves many cards).
   */
  block: z
    .object({
      cardTokens: z.array(CardToken).max(500).default([]),
      terminalIds: z.array(Id).max(100).default([]),
      /** When these blocks end by themselves; none: until removed. */
      expiresAt: z.iso.datetime({ offset: true }).optional(),
    })
    .optional(),
});
export type RiskDecisionCreate = z.input<typeof RiskDecisionCreate>;

// ---- Block list -----------------------------------------------------------------------------------

export const RiskBlockQuery = z.object({
  kind: RiskBlockKind.optional(),
  status: z.enum(['active', 'all']).default('active'),
  q: z.string().trim().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type RiskBlockQuery = z.infer<typeof RiskBlockQuery>;

export const RiskBlockPage = pageOf(RiskBlock);
export type RiskBlockPage = z.infer<typeof RiskBlockPage>;

export const RiskBlockCreate = z.object({
  kind: RiskBlockKind,
  /** A card token, or a terminal's id (uuid). */
  value: z.string().trim().min(1).max(128),
  reason: z.string().trim().max(1000).optional(),
  findingId: Id.optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type RiskBlockCreate = z.infer<typeof RiskBlockCreate>;

// ---- risk/decide ----------------------------------------------------------------------------------

export const RiskDecideRequest = z
  .object({
    terminalId: Id.optional(),
    /** The terminal's TID, when the caller does not know PosCare's id. */
    tid: z.string().trim().min(1).max(32).optional(),
    cardToken: z.string().trim().min(1).max(128).optional(),
    amountMinor: z.number().int().min(0),
    entryMode: z.enum(TXN_RECORD_ENTRY_MODES),
    at: z.iso.datetime({ offset: true }),
  })
  .refine((r) => !!r.terminalId || !!r.tid, { message: 'terminalId or tid is required', path: ['terminalId'] });
export type RiskDecideRequest = z.infer<typeof RiskDecideRequest>;

export const RISK_DECIDE_REASONS = ['card_blocked', 'terminal_blocked', 'card_open_case', 'terminal_open_case'] as const;
export const RiskDecideReason = z.object({
  code: z.enum(RISK_DECIDE_REASONS),
  /** The block list entry or the open case behind the reason. */
  blockId: Id.optional(),
  caseId: Id.optional(),
  caseCode: RiskCaseCode.optional(),
  /** In the caller's language. */
  text: z.string(),
});
export const RiskDecideAnswer = z.object({
  verdict: z.enum(['allow', 'review', 'block']),
  terminalId: z.string(),
  reasons: z.array(RiskDecideReason),
});
export type RiskDecideAnswer = z.infer<typeof RiskDecideAnswer>;

// ---- Statistics -----------------------------------------------------------------------------------

export const RiskKindStats = z.object({
  code: RiskCaseCode,
  cases: z.number().int(),
  open: z.number().int(),
  decided: z.number().int(),
  fraud: z.number().int(),
  notFraud: z.number().int(),
  contactMerchant: z.number().int(),
  /** fraud / decided: how often this kind was right; null before any decision. */
  rightShare: z.number().nullable(),
});
export type RiskKindStats = z.infer<typeof RiskKindStats>;
export const RiskStats = z.object({ kinds: z.array(RiskKindStats) });
export type RiskStats = z.infer<typeof RiskStats>;

// ---- Thresholds -----------------------------------------------------------------------------------

const MINUTE = 60_000;
const Span = z.number().int().min(MINUTE).max(90 * 24 * 60 * MINUTE);
const Count = z.number().int().min(1).max(10_000);
const Percent = z.number().int().min(1).max(100);
const Money = z.number().int().min(1).max(100_000_000_000);

/**
 * An organization's overrides over the contract's thresholds (packages/txn DEFAULT_THRESHOLDS), in
 * its units: spans in milliseconds, money in minor units (fen), shares in whole percent.
 */
export const ThresholdOverrides = z
  .object({
    doubleSubmit: z.object({ gapMs: Span }).partial().strict(),
    timeoutRetry: z.object({ windowMs: Span }).partial().strict(),
    cardTesting: z.object({ spanMs: Span, minAttempts: Count, minCards: Count, maxAmountMinor: Money, minNotApprovedPercent: Percent }).partial().strict(),
    cardVelocity: z.object({ spanMs: Span, minAttempts: Count, minMerchants: Count, minTotalMinor: Money }).partial().strict(),
    fallbackAbuse: z.object({ spanMs: Span, minCards: Count, explainedWithinMs: Span }).partial().strict(),
    splitSale: z
      .object({
        gapMs: Span,
        minSales: Count,
        minPercentOfLimit: Percent,
        singleSaleLimitMinor: Money,
        /** Merchant id → that merchant's own single-sale limit. */
        singleSaleLimitByMerchant: z.record(Id, Money),
      })
      .partial()
      .strict(),
    offHours: z.object({ lookbackMs: Span, minHistoryMs: Span, medianMultiple: z.number().min(1).max(100), utcOffsetMinutes: z.number().int().min(-720).max(840) }).partial().strict(),
    refundAbuse: z.object({ lookbackMs: Span }).partial().strict(),
  })
  .partial()
  .strict();
export type ThresholdOverrides = z.infer<typeof ThresholdOverrides>;

export const ThresholdVersion = z.object({
  /** 0 is the contract's defaults (no overrides saved yet). */
  version: z.number().int(),
  overrides: ThresholdOverrides,
  note: z.string().nullable(),
  createdByName: z.string().nullable(),
  createdAt: Timestamp.nullable(),
});
export type ThresholdVersion = z.infer<typeof ThresholdVersion>;

export const ThresholdsView = z.object({
  current: ThresholdVersion,
  /** The thresholds in force: the defaults with the current overrides laid over them. */
  effective: z.record(z.string(), z.unknown()),
  defaults: z.record(z.string(), z.unknown()),
  /** Newest first, the defaults (version 0) last. */
  history: z.array(ThresholdVersion),
  /** Merchant names for the per-merchant limits. */
  merchants: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type ThresholdsView = z.infer<typeof ThresholdsView>;

export const ThresholdSave = z.object({
  overrides: ThresholdOverrides,
  note: z.string().trim().max(1000).optional(),
  /** The version the editor started from: saving over a newer one answers 409. */
  baseVersion: z.number().int().min(0),
});
export type ThresholdSave = z.infer<typeof ThresholdSave>;

export const BacktestRequest = z.object({
  overrides: ThresholdOverrides,
  /** How far back to replay (at most 30 days). */
  days: z.number().int().min(1).max(30).default(30),
});
export type BacktestRequest = z.input<typeof BacktestRequest>;

export const BacktestRun = z.object({
  label: z.enum(['version', 'current', 'proposed']),
  /** The saved version replayed; 0 for the defaults; null for the proposal. */
  version: z.number().int().nullable(),
  counts: z.record(z.string(), z.number().int()),
  total: z.number().int(),
  ms: z.number(),
});
export const BacktestAnswer = z.object({
  from: Timestamp,
  to: Timestamp,
  /** Records replayed (both sides). */
  records: z.number().int(),
  /** The period was shortened to stay within the record limit; `from` says from when. */
  shortened: z.boolean(),
  recordLimit: z.number().int(),
  /** Versions left out to stay within the time budget (oldest first). */
  skippedVersions: z.array(z.number().int()),
  /** In the caller's language: why the period was shortened or versions were skipped. */
  message: z.string().nullable(),
  runs: z.array(BacktestRun),
  /** proposed − current, per kind. */
  difference: z.record(z.string(), z.number().int()),
});
export type BacktestAnswer = z.infer<typeof BacktestAnswer>;
