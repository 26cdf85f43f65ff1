/**
 * The numbers of the finding definitions (shared contracts, txn-findings.json) as one typed,
 * versioned object. The defaults are the contract's; an organization may override some later
 * (per-merchant single-sale limits first), so every detector reads them from here, never a literal.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface TxnThresholds {
  version: string;
  doubleSubmit: { gapMs: number };
  timeoutRetry: { windowMs: number };
  cardTesting: { spanMs: number; minAttempts: number; minCards: number; maxAmountMinor: number; minNotApprovedPercent: number };
  cardVelocity: { spanMs: number; minAttempts: number; minMerchants: number; minTotalMinor: number };
  fallbackAbuse: { spanMs: number; minCards: number; explainedWithinMs: number };
  splitSale: { gapMs: number; minSales: number; minPercentOfLimit: number; singleSaleLimitMinor: number; singleSaleLimitByMerchant: Record<string, number> };
  offHours: { lookbackMs: number; minHistoryMs: number; medianMultiple: number; utcOffsetMinutes: number };
  refundAbuse: { lookbackMs: number };
}

export const DEFAULT_THRESHOLDS: Readonly<TxnThresholds> = Object.freeze({
  version: 'poscare.txn-thresholds/v1',
  doubleSubmit: { gapMs: 10 * MINUTE },
  timeoutRetry: { windowMs: 10 * MINUTE },
  cardTesting: { spanMs: 30 * MINUTE, minAttempts: 10, minCards: 8, maxAmountMinor: 1000, minNotApprovedPercent: 50 },
  cardVelocity: { spanMs: 2 * HOUR, minAttempts: 5, minMerchants: 3, minTotalMinor: 500_000 },
  fallbackAbuse: { spanMs: 2 * HOUR, minCards: 3, explainedWithinMs: 2 * MINUTE },
  splitSale: { gapMs: 15 * MINUTE, minSales: 3, minPercentOfLimit: 90, singleSaleLimitMinor: 500_000, singleSaleLimitByMerchant: {} },
  offHours: { lookbackMs: 168 * HOUR, minHistoryMs: 7 * DAY, medianMultiple: 3, utcOffsetMinutes: 8 * 60 },
  refundAbuse: { lookbackMs: 30 * DAY },
});

export type TxnThresholdOverrides = { [K in keyof TxnThresholds]?: TxnThresholds[K] extends object ? Partial<TxnThresholds[K]> : TxnThresholds[K] };

/** The defaults with an organization's overrides laid over them, one section at a time. */
export function resolveThresholds(overrides: TxnThresholdOverrides = {}): TxnThresholds {
  const d = DEFAULT_THRESHOLDS;
  return {
    version: overrides.version ?? d.version,
    doubleSubmit: { ...d.doubleSubmit, ...overrides.doubleSubmit },
    timeoutRetry: { ...d.timeoutRetry, ...overrides.timeoutRetry },
    cardTesting: { ...d.cardTesting, ...overrides.cardTesting },
    cardVelocity: { ...d.cardVelocity, ...overrides.cardVelocity },
    fallbackAbuse: { ...d.fallbackAbuse, ...overrides.fallbackAbuse },
    splitSale: {
      ...d.splitSale,
      ...overrides.splitSale,
      singleSaleLimitByMerchant: { ...d.splitSale.singleSaleLimitByMerchant, ...overrides.splitSale?.singleSaleLimitByMerchant },
    },
    offHours: { ...d.offHours, ...overrides.offHours },
    refundAbuse: { ...d.refundAbuse, ...overrides.refundAbuse },
  };
}

/** The single-sale limit of a merchant (its own when set, else the default). */
export const singleSaleLimit = (t: TxnThresholds, merchantId: string) => t.splitSale.singleSaleLimitByMerchant[merchantId] ?? t.splitSale.singleSaleLimitMinor;
