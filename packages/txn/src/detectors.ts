/**
 * One detector per finding family, each evaluating one subject (a terminal, merchant, card or a pair
 * of them) from the store's time-ordered series. Windows slide with two pointers; nothing compares
 * every pair of a subject, let alone of the stream. Definitions: shared contracts, txn-findings.json.
 */
import type { TxnFindingCode } from '@poscare/contracts';
import type { Txn, TxnStore } from './store.js';
import { singleSaleLimit, type TxnThresholds } from './thresholds.js';

/** A finding before it is worded: the code, the payments involved (terminal records) and the money at stake. */
export interface Draft {
  code: TxnFindingCode;
  items: Txn[];
  amountMinor: number;
}

export interface DetectorContext {
  store: TxnStore;
  th: TxnThresholds;
}

export type DetectorName = 'doubleSubmit' | 'timeout' | 'cardTesting' | 'cardVelocity' | 'fallbackAbuse' | 'splitSale' | 'offHours' | 'refundAbuse';
/**
 * Evaluates one subject. A detector that can confine its work judges only items at or after `since`
 * (epoch ms) and says so in CONFINED; the others judge the whole subject whatever `since` says.
 */
export type Detector = (ctx: DetectorContext, subject: string, since?: number) => Draft[];

const sum = (xs: readonly Txn[]) => xs.reduce((s, x) => s + x.amountMinor, 0);

/** Groups of a time-ordered list where each item is within `gap` of the one before (chained). */
function chains(list: readonly Txn[], gap: number, min: number): Txn[][] {
  const out: Txn[][] = [];
  let cur: Txn[] = [];
  for (const x of list) {
    if (cur.length && x.t - cur[cur.length - 1]!.t > gap) {
      if (cur.length >= min) out.push(cur);
      cur = [];
    }
    cur.push(x);
  }
  if (cur.length >= min) out.push(cur);
  return out;
}

/**
 * Items covered by the given index intervals [from, to], as maximal stretches of the list: each
 * stretch is one finding (intervals that overlap or touch are one episode).
 */
function covered(list: readonly Txn[], intervals: [number, number][]): Txn[][] {
  if (!intervals.length) return [];
  const diff = new Int32Array(list.length + 1);
  for (const [a, b] of intervals) {
    diff[a]! += 1;
    diff[b + 1]! -= 1;
  }
  const out: Txn[][] = [];
  let depth = 0;
  let cur: Txn[] = [];
  for (let i = 0; i < list.length; i++) {
    depth += diff[i]!;
    if (depth > 0) cur.push(list[i]!);
    else if (cur.length) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Items grouped by amount, each group in time order. */
function byAmount(list: readonly Txn[]): Txn[][] {
  if (list.length < 2) return list.length ? [[...list]] : [];
  const groups = new Map<number, Txn[]>();
  for (const x of list) {
    const g = groups.get(x.amountMinor);
    if (g) g.push(x);
    else groups.set(x.amountMinor, [x]);
  }
  return [...groups.values()];
}

/** dup.double_submit — subject terminal|card. */
export const doubleSubmit: Detector = ({ store, th }, subject) => {
  const sales = store.salesByTerminalCard.list(subject).filter((x) => x.outcome === 'approved' && !store.isUndone(x));
  if (sales.length < 2) return [];
  return byAmount(sales).flatMap((same) =>
    chains(same, th.doubleSubmit.gapMs, 2).map((g): Draft => ({ code: 'dup.double_submit', items: g, amountMinor: (g.length - 1) * g[0]!.amountMinor })),
  );
};

/** dup.timeout_retry and dup.missing_reversal — subject merchant|card. */
export const timeoutRetry: Detector = ({ store, th }, subject) => {
  const all = store.byMerchantCard.list(subject);
  if (!all.some((x) => x.type === 'sale' && (x.outcome === 'timeout' || x.outcome === 'error'))) return [];
  const out: Draft[] = [];
  for (const list of byAmount(all.filter((x) => x.type === 'sale'))) {
    const approved = list.filter((x) => x.outcome === 'approved' && !store.isUndone(x));
    let from = 0;
    for (const s of list) {
      if (s.outcome !== 'timeout' && s.outcome !== 'error') continue;
      if (store.isUndone(s) || !store.hostApproved(s)) continue;
      while (from < approved.length && approved[from]!.t < s.t) from++;
      const retries: Txn[] = [];
      for (let i = from; i < approved.length && approved[i]!.t - s.t <= th.timeoutRetry.windowMs; i++) retries.push(approved[i]!);
      out.push(
        retries.length
          ? { code: 'dup.timeout_retry', items: [s, ...retries], amountMinor: retries.length * s.amountMinor }
          : { code: 'dup.missing_reversal', items: [s], amountMinor: s.amountMinor },
      );
    }
  }
  return out;
};

/**
 * risk.card_testing — subject merchant. Every window of consecutive small attempts within the span
 * is a run; for each last item j the earliest qualifying first item i gives the widest run ending at
 * j, and the union of those runs is what is involved. Count and distinct cards only grow as i moves
 * left, the share not approved can go either way, so i is searched among the candidates left.
 */
export const cardTesting: Detector = ({ store, th }, subject) => {
  const c = th.cardTesting;
  const list = store.salesByMerchant.list(subject).filter((x) => x.outcome !== 'card_read_error' && x.amountMinor <= c.maxAmountMinor);
  const n = list.length;
  if (n < c.minAttempts) return [];
  // q[i] = 100·(not approved among the first i) − pct·i; run [i, j] qualifies on share when q[j+1] ≥ q[i].
  const q = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) q[i + 1] = q[i]! + (list[i]!.outcome !== 'approved' ? 100 : 0) - c.minNotApprovedPercent;
  const counts = new Map<string, number>();
  let distinct = 0;
  let p = 0; // left end of the widest window [p, j] keeping at least minCards distinct cards
  let lo = 0;
  const intervals: [number, number][] = [];
  const dq: number[] = [];
  let head = 0;
  let next = 0; // the next first item to enter the deque
  const cardOf = (x: Txn) => x.cardToken ?? `\u0000${x.id}`;
  for (let j = 0; j < n; j++) {
    const cj = cardOf(list[j]!);
    const k = (counts.get(cj) ?? 0) + 1;
    counts.set(cj, k);
    if (k === 1) distinct++;
    while (list[j]!.t - list[lo]!.t > c.spanMs) lo++;
    // Move p right while dropping list[p] keeps at least minCards cards.
    while (p < j) {
      const cp = cardOf(list[p]!);
      const kp = counts.get(cp)!;
      if (kp > 1 || distinct > c.minCards) {
        if (kp === 1) distinct--;
        counts.set(cp, kp - 1);
        p++;
      } else break;
    }
    // Sliding minimum of q over the candidate first items [lo, hi]: both ends only move right.
    const hi = distinct >= c.minCards ? Math.min(j - c.minAttempts + 1, p) : -1;
    while (next <= hi) {
      while (dq.length > head && q[dq[dq.length - 1]!]! >= q[next]!) dq.pop();
      dq.push(next++);
    }
    while (dq.length > head && dq[head]! < lo) head++;
    if (hi < lo || dq.length === head || q[dq[head]!]! > q[j + 1]!) continue;
    for (let i = lo; i <= hi; i++) {
      if (q[j + 1]! >= q[i]!) {
        intervals.push([i, j]);
        break;
      }
    }
  }
  return covered(list, intervals).map((g) => ({ code: 'risk.card_testing', items: g, amountMinor: sum(g) }));
};

/**
 * Runs whose condition only grows as the run widens (count, distinct values, total): for each last
 * item the widest run within the span decides, and the union of qualifying widest runs is involved.
 */
function monotoneRuns(list: readonly Txn[], span: number, qualifies: (w: { count: number; distinct: number; total: number }) => boolean, keyOf: (x: Txn) => string): Txn[][] {
  const counts = new Map<string, number>();
  const w = { count: 0, distinct: 0, total: 0 };
  const intervals: [number, number][] = [];
  let lo = 0;
  for (let j = 0; j < list.length; j++) {
    const x = list[j]!;
    const k = keyOf(x);
    const n = (counts.get(k) ?? 0) + 1;
    counts.set(k, n);
    if (n === 1) w.distinct++;
    w.count++;
    w.total += x.amountMinor;
    while (x.t - list[lo]!.t > span) {
      const y = list[lo++]!;
      const ky = keyOf(y);
      const m = counts.get(ky)! - 1;
      counts.set(ky, m);
      if (m === 0) w.distinct--;
      w.count--;
      w.total -= y.amountMinor;
    }
    if (qualifies(w)) intervals.push([lo, j]);
  }
  return covered(list, intervals);
}

/** risk.card_velocity — subject card. */
export const cardVelocity: Detector = ({ store, th }, subject) => {
  const v = th.cardVelocity;
  return monotoneRuns(
    store.attemptsByCard.list(subject),
    v.spanMs,
    (w) => w.count >= v.minAttempts && w.distinct >= v.minMerchants && w.total >= v.minTotalMinor,
    (x) => x.merchantId,
  ).map((g) => ({ code: 'risk.card_velocity', items: g, amountMinor: sum(g) }));
};

/** risk.fallback_abuse — subject terminal. */
export const fallbackAbuse: Detector = ({ store, th }, subject) => {
  const f = th.fallbackAbuse;
  const unexplained = store.fallbacksByTerminal.list(subject).filter((x) => {
    const sales = store.salesByTerminalCard.list(x.kTC);
    return !sales.some((e) => e.outcome === 'card_read_error' && e.entryMode === 'chip' && e.t <= x.t && x.t - e.t <= f.explainedWithinMs);
  });
  return monotoneRuns(unexplained, f.spanMs, (w) => w.distinct >= f.minCards, (x) => x.cardToken ?? x.id).map((g) => ({
    code: 'risk.fallback_abuse',
    items: g,
    amountMinor: sum(g),
  }));
};

/** risk.split_sale — subject terminal|card. */
export const splitSale: Detector = ({ store, th }, subject) => {
  const s = th.splitSale;
  const sales = store.salesByTerminalCard.list(subject).filter((x) => {
    if (x.outcome !== 'approved') return false;
    const limit = singleSaleLimit(th, x.merchantId);
    return x.amountMinor < limit && x.amountMinor * 100 >= limit * s.minPercentOfLimit && !store.isUndone(x);
  });
  return chains(sales, s.gapMs, s.minSales).map((g) => ({ code: 'risk.split_sale', items: g, amountMinor: sum(g) }));
};

/** The middle value of a list (the mean of the two middle values for an even count). */
export function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** The first index of a time-ordered list at or after `t`. */
function firstAtOrAfter(list: readonly Txn[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * risk.off_hours — subject merchant. Whether the sale's clock hour had an approved sale in the week
 * before is one binary search in the merchant's sales of that hour; the median is only needed when
 * it had none. With `since`, only the sales at or after it are judged (a new or undone sale changes
 * its own verdict and those of the week after it, never earlier ones).
 */
export const offHours: Detector = ({ store, th }, subject, since = -Infinity) => {
  const o = th.offHours;
  const first = store.merchantFirstAt.get(subject);
  if (first === undefined) return [];
  const list = store.salesByMerchant.list(subject);
  const counts = (x: Txn) => x.outcome === 'approved' && !store.isUndone(x);
  const out: Draft[] = [];
  for (let i = firstAtOrAfter(list, since); i < list.length; i++) {
    const s = list[i]!;
    if (!counts(s) || s.t - first < o.minHistoryMs) continue;
    const from = s.t - o.lookbackMs;
    const sameHour = store.approvedByMerchantHour.list(`${subject}|${store.localHour(s)}`);
    let busy = false;
    for (let k = firstAtOrAfter(sameHour, from); k < sameHour.length && sameHour[k]!.t < s.t; k++) {
      if (counts(sameHour[k]!)) {
        busy = true;
        break;
      }
    }
    if (busy) continue;
    const amounts: number[] = [];
    for (let k = firstAtOrAfter(list, from); k < list.length && list[k]!.t < s.t; k++) if (counts(list[k]!)) amounts.push(list[k]!.amountMinor);
    if (amounts.length && s.amountMinor >= o.medianMultiple * median(amounts)) out.push({ code: 'risk.off_hours', items: [s], amountMinor: s.amountMinor });
  }
  return out;
};

/** risk.refund_abuse — subject merchant|card. */
export const refundAbuse: Detector = ({ store, th }, subject) => {
  const all = store.byMerchantCard.list(subject);
  const sales = all.filter((x) => x.type === 'sale' && x.outcome === 'approved');
  const out: Draft[] = [];
  for (const r of all) {
    if (r.type !== 'refund') continue;
    const backed = sales.some((s) => s.t <= r.t && r.t - s.t <= th.refundAbuse.lookbackMs && s.amountMinor >= r.amountMinor);
    if (!backed) out.push({ code: 'risk.refund_abuse', items: [r], amountMinor: r.amountMinor });
  }
  return out;
};

/** Detectors whose findings before `since` stand unchanged when they are given `since`. */
export const CONFINED: ReadonlySet<DetectorName> = new Set<DetectorName>(['offHours']);

export const DETECTORS: Record<DetectorName, Detector> = {
  doubleSubmit,
  timeout: timeoutRetry,
  cardTesting,
  cardVelocity,
  fallbackAbuse,
  splitSale,
  offHours,
  refundAbuse,
};
