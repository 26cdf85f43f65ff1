/**
 * Disputes (issue 17): retrieval requests and chargebacks opened by the acquirer against a payment,
 * with a deadline in business days, reminders, and the evidence pack PosCare assembles. The reason
 * codes and the evidence each group needs are data (apps/server/src/disputes/data/reason-codes.json);
 * the console takes its types from here.
 */
import { z } from 'zod';
import { Id, Language, pageOf, Timestamp } from './common.js';
import { CardToken } from './risk.js';

export const DISPUTE_NETWORKS = ['unionpay', 'visa', 'mastercard'] as const;
export const DisputeNetwork = z.enum(DISPUTE_NETWORKS);
export type DisputeNetwork = z.infer<typeof DisputeNetwork>;

/** Retrieval request (调单), first chargeback (拒付), pre-arbitration / second chargeback. */
export const DISPUTE_KINDS = ['retrieval', 'first_chargeback', 'pre_arbitration'] as const;
export const DisputeKind = z.enum(DISPUTE_KINDS);
export type DisputeKind = z.infer<typeof DisputeKind>;

export const DISPUTE_GROUPS = ['fraud', 'processing_error', 'not_received', 'authorization'] as const;
export const DisputeGroup = z.enum(DISPUTE_GROUPS);
export type DisputeGroup = z.infer<typeof DisputeGroup>;

/**
 * unmatched: no payment found yet (waits in the list with its reason);
 * needs_response → evidence_submitted → won / lost; accepted: the merchant agrees to refund;
 * expired: the deadline passed with no response.
 */
export const DISPUTE_STATUSES = ['unmatched', 'needs_response', 'evidence_submitted', 'won', 'lost', 'accepted', 'expired'] as const;
export const DisputeStatus = z.enum(DISPUTE_STATUSES);
export type DisputeStatus = z.infer<typeof DisputeStatus>;
export const OPEN_DISPUTE_STATUSES = ['unmatched', 'needs_response', 'evidence_submitted'] as const satisfies readonly DisputeStatus[];

/** Why a dispute did not find its payment. */
export const DISPUTE_UNMATCHED_REASONS = ['no_payment', 'ambiguous', 'unknown_terminal'] as const;
export const DisputeUnmatchedReason = z.enum(DISPUTE_UNMATCHED_REASONS);
export type DisputeUnmatchedReason = z.infer<typeof DisputeUnmatchedReason>;

export const DISPUTE_MATCH_KEYS = ['rrn', 'terminal_stan_date', 'amount_time_card', 'manual'] as const;
export const DisputeMatchKey = z.enum(DISPUTE_MATCH_KEYS);
export type DisputeMatchKey = z.infer<typeof DisputeMatchKey>;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const reference = z.string().trim().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'printable characters without spaces');

/** How the acquirer names the payment: one of RRN; terminal (id, TID or serial) + STAN + day; or amount + time + card token. */
export const DisputePaymentLookup = z
  .object({
    rrn: z.string().trim().regex(/^[0-9A-Za-z]{1,24}$/).optional(),
    terminal: z.string().trim().min(1).max(64).optional().describe('Terminal id, TID or serial number'),
    stan: z.string().trim().regex(/^\d{1,12}$/).optional(),
    day: day.optional().describe('The payment day in REPORT_TIME_ZONE'),
    amountMinor: z.number().int().positive().optional(),
    at: Timestamp.optional().describe('When the payment was made (±10 minutes)'),
    cardToken: CardToken.optional(),
  })
  .strict();
export type DisputePaymentLookup = z.infer<typeof DisputePaymentLookup>;

export const DisputeCreate = z
  .object({
    network: DisputeNetwork,
    kind: DisputeKind,
    reasonCode: z.string().trim().min(1).max(16),
    /** The acquirer's case number: one dispute per (network, case number, kind). */
    caseNumber: reference,
    /** What the cardholder disputes (may be less than the payment). */
    amountMinor: z.number().int().positive(),
    currency: z.string().regex(/^[A-Z]{3}$/).default('CNY'),
    /** The acquirer's deadline; by default the kind's number of business days from now. */
    respondBy: Timestamp.optional(),
    /** The dispute's language (the pack and PDF); by default the merchant's users' language, else zh-CN. */
    language: Language.optional(),
    payment: DisputePaymentLookup,
    note: z.string().trim().max(2000).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const p = d.payment;
    const ok = !!p.rrn || (!!p.terminal && !!p.stan && !!p.day) || (!!p.amountMinor && !!p.at && !!p.cardToken);
    if (!ok) ctx.addIssue({ code: 'custom', path: ['payment'], message: 'give rrn, or terminal + stan + day, or amountMinor + at + cardToken' });
  });
export type DisputeCreate = z.infer<typeof DisputeCreate>;

export const DisputeQuery = z.object({
  status: z.union([DisputeStatus, z.enum(['open', 'all'])]).default('open'),
  kind: DisputeKind.optional(),
  network: DisputeNetwork.optional(),
  group: DisputeGroup.optional(),
  merchantId: Id.optional(),
  /** Deadline within this many calendar days (open disputes). */
  dueWithinDays: z.coerce.number().int().min(0).max(365).optional(),
  q: z.string().trim().max(64).optional().describe('Case number, RRN or STAN'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type DisputeQuery = z.infer<typeof DisputeQuery>;

export const DisputeRow = z.object({
  id: Id,
  network: DisputeNetwork,
  kind: DisputeKind,
  reasonCode: z.string(),
  /** The reason in the caller's language (the code when the data does not know it). */
  reasonText: z.string(),
  group: DisputeGroup.nullable(),
  caseNumber: z.string(),
  status: DisputeStatus,
  unmatchedReason: DisputeUnmatchedReason.nullable(),
  matchedBy: DisputeMatchKey.nullable(),
  amountMinor: z.number().int(),
  currency: z.string(),
  merchantId: z.string().nullable(),
  merchantName: z.string().nullable(),
  terminalId: z.string().nullable(),
  terminalLabel: z.string().nullable(),
  stan: z.string().nullable(),
  rrn: z.string().nullable(),
  paymentAt: Timestamp.nullable(),
  paymentDay: z.string().nullable(),
  language: Language,
  openedAt: Timestamp,
  dueAt: Timestamp,
  /** Whole business days left before the deadline (0 on its last day; negative once passed). */
  businessDaysLeft: z.number().int(),
  escalatedAt: Timestamp.nullable(),
  closedAt: Timestamp.nullable(),
  /** A duplicate-charge finding covers the payment: the merchant did charge twice; accepting is proposed. */
  duplicateFindingId: z.string().nullable(),
  /** What to do, in one sentence, in the caller's language. */
  todo: z.string(),
});
export type DisputeRow = z.infer<typeof DisputeRow>;
export const DisputePage = pageOf(DisputeRow);
export type DisputePage = z.infer<typeof DisputePage>;

export const EVIDENCE_ITEMS = [
  'receipt',
  'both_sides',
  'auth_code',
  'chip_read',
  'cardholder_verified',
  'terminal_health',
  'fraud_findings',
  'signed_receipt',
  'separate_purchases',
  'refund_proof',
  'delivery_proof',
  'merchant_statement',
] as const;
export const EvidenceItem = z.enum(EVIDENCE_ITEMS);
export type EvidenceItem = z.infer<typeof EvidenceItem>;

/** One required piece of evidence and whether the pack holds it. */
export const EvidenceCheck = z.object({
  item: EvidenceItem,
  /** auto: PosCare finds it in its records; merchant: the merchant adds it. */
  source: z.enum(['auto', 'merchant']),
  text: z.string(),
  present: z.boolean(),
  /** What satisfied it, or why not, in words. */
  detail: z.string().nullable(),
});
export type EvidenceCheck = z.infer<typeof EvidenceCheck>;

export const PackLine = z.object({
  source: z.enum(['terminal', 'host']),
  at: Timestamp,
  type: z.string(),
  amountMinor: z.number().int().nullable(),
  currency: z.string().nullable(),
  outcome: z.string(),
  responseCode: z.string().nullable(),
  responseText: z.string().nullable(),
  authCode: z.string().nullable(),
  stan: z.string().nullable(),
  rrn: z.string().nullable(),
  entryMode: z.string(),
  cardToken: z.string().nullable(),
});
export type PackLine = z.infer<typeof PackLine>;

/** The evidence pack as assembled when the dispute opened (refreshed when asked for). */
export const EvidencePack = z.object({
  assembledAt: Timestamp,
  language: Language,
  lines: z.array(PackLine),
  /** Entry mode and EMV data in words. */
  entryMode: z.string().nullable(),
  tvr: z.array(z.string()),
  tsi: z.array(z.string()),
  /** The receipt re-rendered from the record, line by line. */
  receipt: z.array(z.string()),
  health: z.array(z.object({ at: Timestamp, health: z.string(), reasons: z.array(z.string()) })),
  terminal: z.object({ label: z.string().nullable(), model: z.string().nullable(), site: z.string().nullable(), acceptedAt: Timestamp.nullable() }).nullable(),
  tickets: z.array(z.object({ id: Id, number: z.string().nullable(), title: z.string(), status: z.string(), createdAt: Timestamp })),
  fraudFindings: z.array(z.object({ id: Id, code: z.string(), summary: z.string(), decision: z.string().nullable() })),
  duplicateFinding: z.object({ id: Id, code: z.string(), summary: z.string() }).nullable(),
});
export type EvidencePack = z.infer<typeof EvidencePack>;

export const DisputeEvidenceRow = z.object({
  id: Id,
  item: EvidenceItem.nullable(),
  kind: z.enum(['text', 'photo']),
  body: z.string().nullable(),
  contentType: z.string().nullable(),
  bytes: z.number().int().nullable(),
  byName: z.string().nullable(),
  at: Timestamp,
});
export type DisputeEvidenceRow = z.infer<typeof DisputeEvidenceRow>;

export const DisputeEventRow = z.object({
  at: Timestamp,
  type: z.string(),
  text: z.string(),
  byName: z.string().nullable(),
});

export const DisputeDetail = DisputeRow.extend({
  note: z.string().nullable(),
  lookup: DisputePaymentLookup,
  pack: EvidencePack.nullable(),
  checklist: z.array(EvidenceCheck),
  evidence: z.array(DisputeEvidenceRow),
  timeline: z.array(DisputeEventRow),
  /** Transitions the caller may make now. */
  actions: z.array(z.enum(['submit', 'accept', 'won', 'lost', 'evidence'])),
});
export type DisputeDetail = z.infer<typeof DisputeDetail>;

export const DisputeEvidenceText = z.object({ item: EvidenceItem.optional(), body: z.string().trim().min(1).max(4000) }).strict();
export type DisputeEvidenceText = z.infer<typeof DisputeEvidenceText>;

/** An agent names the payment of an unmatched dispute again (after checking the references with the acquirer). */
export const DisputeMatch = z.object({ payment: DisputePaymentLookup }).strict();
export type DisputeMatch = z.infer<typeof DisputeMatch>;

export const DisputeTransition = z.object({ to: z.enum(['evidence_submitted', 'accepted', 'won', 'lost']), note: z.string().trim().max(2000).optional() }).strict();
export type DisputeTransition = z.infer<typeof DisputeTransition>;

export const DisputeReasonCode = z.object({
  network: DisputeNetwork,
  code: z.string(),
  group: DisputeGroup,
  kinds: z.array(DisputeKind),
  zh: z.string(),
  en: z.string(),
});
export const DisputeReasonCodes = z.object({
  version: z.string(),
  codes: z.array(DisputeReasonCode),
  groups: z.array(z.object({ group: DisputeGroup, zh: z.string(), en: z.string(), evidence: z.array(EvidenceItem) })),
});
export type DisputeReasonCodes = z.infer<typeof DisputeReasonCodes>;

/** Evidence photos: at most this many bytes each (JPEG or PNG). */
export const DISPUTE_PHOTO_MAX_BYTES = 5 * 1024 * 1024;

// ---- Opening disputes from a file (CSV or XLSX) ------------------------------------------------------

/** The columns of a dispute file, in this order in the template; headers may also be written in Chinese. */
export const DISPUTE_IMPORT_COLUMNS = [
  'network', 'kind', 'reason_code', 'case_number', 'amount', 'currency', 'respond_by',
  'rrn', 'terminal', 'stan', 'day', 'payment_time', 'card_token', 'payment_amount', 'language', 'note',
] as const;
export const DISPUTE_IMPORT_REQUIRED = ['network', 'kind', 'reason_code', 'case_number', 'amount'] as const;
/** Rows of one dispute file (acquirers send dozens to hundreds a day). */
export const DISPUTE_IMPORT_MAX_ROWS = 5_000;

/** What became of one row: opened matched, opened unmatched, already here (same network, case and kind), or refused. */
export const DisputeImportOutcome = z.enum(['needs_response', 'unmatched', 'existing', 'invalid']);
export const DisputeImportRow = z.object({
  row: z.number().int().describe('1-based row of the file; the header is row 1'),
  caseNumber: z.string().nullable(),
  outcome: DisputeImportOutcome,
  disputeId: Id.nullable(),
  matchedBy: DisputeMatchKey.nullable(),
  unmatchedReason: DisputeUnmatchedReason.nullable(),
});
export const DisputeImportProblem = z.object({
  row: z.number().int(),
  column: z.string().nullable(),
  code: z.string(),
  /** In the caller's language; never repeats a refused row's cells. */
  message: z.string(),
});
export const DisputeImportReport = z.object({
  totalRows: z.number().int(),
  opened: z.number().int().describe('Disputes opened now (matched or not)'),
  matched: z.number().int(),
  unmatched: z.number().int(),
  existing: z.number().int().describe('Rows whose dispute was already here (an identical file imported again): nothing is opened twice'),
  invalidRows: z.number().int(),
  rows: z.array(DisputeImportRow),
  problems: z.array(DisputeImportProblem),
  problemsTruncated: z.boolean(),
});
export type DisputeImportReport = z.infer<typeof DisputeImportReport>;

// ---- Finding the payment by hand ----------------------------------------------------------------------

/** Search for the payments some references name (any of RRN; terminal + STAN + day; amount + time + card token). */
export const DisputePaymentSearch = z.object({
  rrn: z.string().trim().regex(/^[0-9A-Za-z]{1,24}$/).optional(),
  terminal: z.string().trim().min(1).max(64).optional(),
  stan: z.string().trim().regex(/^\d{1,12}$/).optional(),
  day: day.optional(),
  amountMinor: z.coerce.number().int().positive().optional(),
  at: Timestamp.optional(),
  cardToken: CardToken.optional(),
});
export type DisputePaymentSearch = z.infer<typeof DisputePaymentSearch>;

/** One payment (its terminal line and host record together) that fits the references. */
export const DisputePaymentCandidate = z.object({
  terminalId: Id,
  terminalLabel: z.string().nullable(),
  merchantId: z.string().nullable(),
  merchantName: z.string().nullable(),
  stan: z.string(),
  day: z.string(),
  at: Timestamp,
  amountMinor: z.number().int().nullable(),
  currency: z.string().nullable(),
  rrn: z.string().nullable(),
  /** Last four of the card token, never more. */
  cardTail: z.string().nullable(),
  sides: z.array(z.enum(['terminal', 'host'])),
  matchedBy: z.enum(['rrn', 'terminal_stan_date', 'amount_time_card']),
});
export type DisputePaymentCandidate = z.infer<typeof DisputePaymentCandidate>;
export const DisputePaymentCandidates = z.object({ items: z.array(DisputePaymentCandidate), reason: DisputeUnmatchedReason.nullable() });
export type DisputePaymentCandidates = z.infer<typeof DisputePaymentCandidates>;

// ---- Reports ------------------------------------------------------------------------------------------

const ReportDayOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
export const DisputeReportQuery = z.object({
  /** Disputes opened, payments and findings from this day (REPORT_TIME_ZONE) … */
  from: ReportDayOrInstant.optional(),
  /** … to this day, inclusive. By default the last 30 days. */
  to: ReportDayOrInstant.optional(),
  merchantId: Id.optional(),
});
export type DisputeReportQuery = z.infer<typeof DisputeReportQuery>;

/** How disputes ended and what it cost; amounts in minor units of the disputes' currency. */
export const DisputeOutcomes = z.object({
  opened: z.number().int(),
  open: z.number().int(),
  won: z.number().int(),
  lost: z.number().int(),
  accepted: z.number().int(),
  expired: z.number().int(),
  /** won / (won + lost): of the disputes the acquirer decided; null when none was decided. */
  winRate: z.number().nullable(),
  amountMinor: z.number().int(),
  /** Charged back: lost, accepted and expired. */
  lostMinor: z.number().int(),
  /** Kept: won. */
  recoveredMinor: z.number().int(),
  /** Disputes answered (evidence submitted or accepted) and the hours from opening to that answer. */
  responded: z.number().int(),
  medianRespondHours: z.number().nullable(),
  meanRespondHours: z.number().nullable(),
});
export type DisputeOutcomes = z.infer<typeof DisputeOutcomes>;

export const DISPUTE_RATE_DIMENSIONS = ['merchant', 'terminal', 'model', 'app_version'] as const;
export const DisputeRateDimension = z.enum(DISPUTE_RATE_DIMENSIONS);
export type DisputeRateDimension = z.infer<typeof DisputeRateDimension>;

/** Findings and disputes of one merchant, terminal, model or app version, per 1,000 payments (sales) of the period. */
export const DisputeRateRow = z.object({
  key: z.string(),
  label: z.string(),
  payments: z.number().int(),
  duplicates: z.number().int(),
  fraud: z.number().int(),
  disputes: z.number().int(),
  duplicatesPer1000: z.number().nullable(),
  fraudPer1000: z.number().nullable(),
  disputesPer1000: z.number().nullable(),
});
export type DisputeRateRow = z.infer<typeof DisputeRateRow>;

export const DisputeReport = z.object({
  from: Timestamp,
  to: Timestamp,
  totals: DisputeOutcomes,
  byGroup: z.array(DisputeOutcomes.extend({ group: DisputeGroup.nullable(), label: z.string() })),
  byMerchant: z.array(DisputeOutcomes.extend({ merchantId: z.string().nullable(), label: z.string() })),
  rates: z.object({ merchant: z.array(DisputeRateRow), terminal: z.array(DisputeRateRow), model: z.array(DisputeRateRow), app_version: z.array(DisputeRateRow) }),
});
export type DisputeReport = z.infer<typeof DisputeReport>;
export const DisputeReportExport = DisputeReportQuery.extend({
  format: z.enum(['csv', 'xlsx']).default('xlsx'),
  /** CSV holds one table: this one. XLSX holds them all, one sheet each. */
  section: z.enum(['groups', 'merchants', 'merchant', 'terminal', 'model', 'app_version']).default('groups'),
});
