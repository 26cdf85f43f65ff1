/**
 * Payments seen from both sides (issue 15): the acquirer host's records imported next to the
 * terminals' lines, one payment per terminal + STAN + day, its reconciliation status, the
 * transactions explorer, the per terminal and day reconciliation and the success-rate charts.
 */
import { z } from 'zod';
import { TXN_RECORD_ENTRY_MODES, TXN_RECORD_TYPES } from './txn.js';
import { TXN_OUTCOMES } from './device.js';

// ---- Host records import -------------------------------------------------------------------

/** jsonl: txn-record/v1 lines with source "host"; csv: the same columns; iso8583: one message per line, hex. */
export const HOST_IMPORT_FORMATS = ['jsonl', 'csv', 'iso8583'] as const;
export const HostImportFormat = z.enum(HOST_IMPORT_FORMATS);
export type HostImportFormat = z.infer<typeof HostImportFormat>;

/** CSV columns of a host log, named as in txn-record/v1 (`source` may be left out; it is always host). */
export const HOST_CSV_COLUMNS = [
  'id',
  'source',
  'at',
  'merchantId',
  'mcc',
  'terminalId',
  'type',
  'amountMinor',
  'currency',
  'entryMode',
  'cardToken',
  'stan',
  'rrn',
  'authCode',
  'outcome',
  'responseCode',
  'originalStan',
  'originalRrn',
] as const;

export const HostImportProblem = z.object({
  line: z.number().int().describe('1-based line of the file (CSV: the header is line 1)'),
  field: z.string().nullable().describe('The field at fault (ISO 8583: "field 39"), when one is'),
  code: z.string().describe('Stable id of the reason'),
  message: z.string().describe("In the caller's language; never repeats card data"),
});
export type HostImportProblem = z.infer<typeof HostImportProblem>;

export const HostImportReport = z.object({
  format: HostImportFormat,
  /** Records read (ISO 8583: messages; a request and its reply are one record). */
  totalRows: z.number().int(),
  accepted: z.number().int().describe('Records that passed every check'),
  stored: z.number().int().describe('Accepted records stored now'),
  duplicates: z.number().int().describe('Accepted records stored before (same host id): stored once'),
  refused: z.number().int(),
  problems: z.array(HostImportProblem),
  problemsTruncated: z.boolean(),
});
export type HostImportReport = z.infer<typeof HostImportReport>;

export const HostImportQuery = z.object({
  format: HostImportFormat.optional().describe('Defaults from the file name: .jsonl/.ndjson/.json, .csv, .hex/.iso/.iso8583/.txt'),
});

// ---- Payments and reconciliation ----------------------------------------------------------

/** Per payment (terminal + STAN + day): what the two sides say of it. */
export const RECON_STATUSES = ['matched', 'terminal_only', 'host_only', 'amount_differs', 'outcome_differs'] as const;
export const ReconStatus = z.enum(RECON_STATUSES);
export type ReconStatus = z.infer<typeof ReconStatus>;

/** Outcomes either side may report (the terminal's `reversed` included). */
export const PAYMENT_OUTCOMES = TXN_OUTCOMES;
export const PaymentType = z.enum(TXN_RECORD_TYPES);
export const PaymentEntryMode = z.enum(TXN_RECORD_ENTRY_MODES);

/** One line of one side. */
export const PaymentLine = z.object({
  id: z.string().describe('terminal: {terminalId}/{msgId}; host: host:{id}'),
  source: z.enum(['terminal', 'host']),
  at: z.string(),
  type: z.string(),
  amountMinor: z.number().int().nullable(),
  currency: z.string().nullable(),
  entryMode: z.string(),
  outcome: z.string(),
  responseCode: z.string().nullable(),
  responseText: z.string().nullable().describe("The response code's meaning, in the caller's language"),
  stan: z.string().nullable(),
  rrn: z.string().nullable(),
  authCode: z.string().nullable(),
  originalStan: z.string().nullable(),
  originalRrn: z.string().nullable(),
  cardToken: z.string().nullable(),
  /** Host lines: where the record came from (iso8583, jsonl, csv) and the ISO 8583 message type. */
  origin: z.string().nullable(),
  mti: z.string().nullable(),
  durationMs: z.number().int().nullable(),
});
export type PaymentLine = z.infer<typeof PaymentLine>;

export const PaymentRow = z.object({
  terminalId: z.string().uuid(),
  serialNumber: z.string(),
  tid: z.string().nullable(),
  merchantId: z.string().nullable(),
  merchantName: z.string().nullable(),
  /** Calendar day in REPORT_TIME_ZONE. */
  day: z.string(),
  /** Six digits; null for a first-generation terminal line that carries none (never reconciled). */
  stan: z.string().nullable(),
  at: z.string(),
  type: z.string(),
  amountMinor: z.number().int().nullable(),
  currency: z.string().nullable(),
  entryMode: z.string(),
  cardToken: z.string().nullable(),
  terminalOutcome: z.string().nullable(),
  hostOutcome: z.string().nullable(),
  terminalAmountMinor: z.number().int().nullable(),
  hostAmountMinor: z.number().int().nullable(),
  responseCode: z.string().nullable(),
  rrn: z.string().nullable(),
  terminalLines: z.number().int(),
  hostLines: z.number().int(),
  status: ReconStatus,
});
export type PaymentRow = z.infer<typeof PaymentRow>;

const isoInstant = z.iso.datetime({ offset: true });

export const PaymentQuery = z.object({
  from: isoInstant.optional().describe('Default: 24 hours before `to`'),
  to: isoInstant.optional().describe('Default: now'),
  terminalId: z.string().uuid().optional(),
  merchantId: z.string().uuid().optional(),
  type: PaymentType.optional(),
  outcome: z.enum(PAYMENT_OUTCOMES).optional().describe("Either side's outcome"),
  entryMode: PaymentEntryMode.optional(),
  responseCode: z.string().regex(/^[A-Za-z0-9]{2}$/).optional(),
  status: ReconStatus.optional(),
  cardToken: z.string().trim().min(1).max(128).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type PaymentQuery = z.infer<typeof PaymentQuery>;

/** Longest period one query of payments may span. */
export const MAX_PAYMENT_RANGE_DAYS = 31;

export const PaymentList = z.object({
  items: z.array(PaymentRow),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  from: z.string(),
  to: z.string(),
});
export type PaymentList = z.infer<typeof PaymentList>;

export const PaymentDetail = z.object({
  payment: PaymentRow,
  terminal: z.array(PaymentLine),
  host: z.array(PaymentLine),
});
export type PaymentDetail = z.infer<typeof PaymentDetail>;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const PaymentDetailQuery = z.object({ day: day.describe('The payment\'s day (REPORT_TIME_ZONE); STANs wrap, so a STAN names a payment only within a day') });

export const ReconciliationQuery = z.object({
  day: day.optional().describe('Default: today (REPORT_TIME_ZONE)'),
  terminalId: z.string().uuid().optional(),
  merchantId: z.string().uuid().optional(),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});

/** One terminal's day: the terminal's batch against the host's. Totals are net: approved sales less approved refunds, voids and reversals. */
export const ReconciliationRow = z.object({
  terminalId: z.string().uuid(),
  serialNumber: z.string(),
  tid: z.string().nullable(),
  merchantId: z.string().nullable(),
  merchantName: z.string().nullable(),
  day: z.string(),
  terminalCount: z.number().int().describe('Approved lines the terminal reported'),
  terminalTotalMinor: z.number().int(),
  hostCount: z.number().int().describe('Approved records of the host'),
  hostTotalMinor: z.number().int(),
  matched: z.number().int(),
  terminalOnly: z.number().int(),
  hostOnly: z.number().int(),
  amountDiffers: z.number().int(),
  outcomeDiffers: z.number().int(),
  balanced: z.boolean().describe('Counts and totals agree and no payment differs'),
});
export type ReconciliationRow = z.infer<typeof ReconciliationRow>;

export const Reconciliation = z.object({
  day: z.string(),
  timeZone: z.string(),
  rows: z.array(ReconciliationRow),
  totals: z.object({
    terminals: z.number().int(),
    balanced: z.number().int(),
    terminalTotalMinor: z.number().int(),
    hostTotalMinor: z.number().int(),
  }),
});
export type Reconciliation = z.infer<typeof Reconciliation>;

export const PaymentStatsQuery = PaymentQuery.omit({ page: true, pageSize: true });

/** Success rate of the terminals' payment lines, by entry mode and by response code (for charts). */
export const PaymentStats = z.object({
  from: z.string(),
  to: z.string(),
  total: z.number().int(),
  approved: z.number().int(),
  byEntryMode: z.array(z.object({ entryMode: z.string(), total: z.number().int(), approved: z.number().int(), rate: z.number() })),
  byResponseCode: z.array(z.object({ responseCode: z.string(), text: z.string(), total: z.number().int(), share: z.number() })),
  byStatus: z.array(z.object({ status: ReconStatus, count: z.number().int() })),
});
export type PaymentStats = z.infer<typeof PaymentStats>;
