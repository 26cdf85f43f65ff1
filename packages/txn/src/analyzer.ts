/**
 * The streaming transaction analyzer: records go in one by one or in batches (in any arrival order;
 * detectors read each subject in time order), findings come out as deltas — opened when the record
 * completing them arrives, resolved when a later record explains them away (a late void or
 * reversal, a refund of the duplicate, the host's line, a retry that turns a missing reversal into a
 * timeout retry). A record only marks the subjects it can change; a flush re-evaluates just those.
 */
import type { TxnFinding, TxnRecord } from '@poscare/contracts';
import { formatAmount, word, WORDING } from './catalogue.js';
import { CONFINED, DETECTORS, type DetectorName, type Draft } from './detectors.js';
import { TxnStore, type Txn } from './store.js';
import { resolveThresholds, type TxnThresholdOverrides, type TxnThresholds } from './thresholds.js';

export interface TxnDelta {
  opened: TxnFinding[];
  resolved: TxnFinding[];
}

interface Held {
  key: string;
  t: number;
  finding: TxnFinding;
}

const NAMES = Object.keys(DETECTORS) as DetectorName[];

export class TxnAnalyzer {
  readonly thresholds: TxnThresholds;
  private readonly store: TxnStore;
  /** Subjects to re-evaluate, each with the earliest time a change touched (−∞: all of it). */
  private readonly dirty = new Map<DetectorName, Map<string, number>>(NAMES.map((n) => [n, new Map<string, number>()]));
  private readonly held = new Map<DetectorName, Map<string, Held[]>>(NAMES.map((n) => [n, new Map<string, Held[]>()]));

  constructor(options: { thresholds?: TxnThresholdOverrides } = {}) {
    this.thresholds = resolveThresholds(options.thresholds);
    this.store = new TxnStore(this.thresholds.offHours.utcOffsetMinutes);
  }

  /** Takes one record and returns what it opened and resolved. */
  add(record: TxnRecord): TxnDelta {
    this.push(record);
    return this.flush();
  }

  /** Takes a batch (e.g. one committed ingest batch, or a whole file) and returns the net change. */
  addMany(records: Iterable<TxnRecord>): TxnDelta {
    for (const r of records) this.push(r);
    return this.flush();
  }

  /** Stores a record and marks what it may change, without evaluating; false for a re-delivery. */
  push(record: TxnRecord): boolean {
    const firstBefore = this.store.merchantFirstAt.get(record.merchantId);
    const x = this.store.put(record);
    if (!x) return false;
    if (x.source === 'terminal' && this.store.merchantFirstAt.get(x.merchantId) !== firstBefore) this.mark('offHours', x.merchantId);
    if (x.type === 'sale') {
      if (x.pay.terminal) this.markSale(x.pay.terminal);
      else if (x.cardToken) this.mark('timeout', x.kMC);
    } else {
      const target = this.store.target(x);
      if (target?.terminal && x.outcome === 'approved' && (x.type === 'refund' || x.source === 'terminal')) this.markSale(target.terminal);
      if (x.type === 'refund' && x.source === 'terminal' && x.outcome === 'approved' && x.cardToken) this.mark('refundAbuse', x.kMC);
    }
    return true;
  }

  /** Re-evaluates the marked subjects; the net change since the last flush. */
  flush(): TxnDelta {
    const delta: TxnDelta = { opened: [], resolved: [] };
    const ctx = { store: this.store, th: this.thresholds };
    for (const name of NAMES) {
      const subjects = this.dirty.get(name)!;
      if (!subjects.size) continue;
      const held = this.held.get(name)!;
      const confined = CONFINED.has(name);
      for (const [subject, since] of subjects) {
        const before = held.get(subject);
        const drafts = DETECTORS[name](ctx, subject, since);
        if (!before && !drafts.length) continue; // the common case: nothing before, nothing now
        // A confined detector judged only what is at or after `since`; its earlier findings stand.
        const kept = confined && before ? before.filter((h) => h.t < since) : [];
        const after = [...kept, ...drafts.map((d) => this.toHeld(d))];
        if (after.length) held.set(subject, after);
        else held.delete(subject);
        if (!before) {
          delta.opened.push(...after.map((h) => h.finding));
          continue;
        }
        const was = new Set(before.map((h) => h.key));
        const is = new Set(after.map((h) => h.key));
        for (const h of after) if (!was.has(h.key)) delta.opened.push(h.finding);
        for (const h of before) if (!is.has(h.key)) delta.resolved.push(h.finding);
      }
      subjects.clear();
    }
    return delta;
  }

  /** Every finding standing now, in time order. */
  findings(): TxnFinding[] {
    const all: Held[] = [];
    for (const bySubject of this.held.values()) for (const hs of bySubject.values()) all.push(...hs);
    all.sort((a, b) => a.t - b.t || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return all.map((h) => h.finding);
  }

  /** The stored record of an id (the first delivery), e.g. to show a finding's payments. */
  record(id: string): TxnRecord | undefined {
    return this.store.byId.get(id);
  }

  private mark(name: DetectorName, subject: string, since = -Infinity) {
    const d = this.dirty.get(name)!;
    const was = d.get(subject);
    if (was === undefined || since < was) d.set(subject, since);
  }

  /** A terminal sale arrived or changed (its host line, an undo): every subject it belongs to. */
  private markSale(x: Txn) {
    const card = x.cardToken;
    if (x.outcome !== 'card_read_error' && x.amountMinor <= this.thresholds.cardTesting.maxAmountMinor) this.mark('cardTesting', x.merchantId);
    if (x.outcome === 'approved') this.mark('offHours', x.merchantId, x.t);
    if (!card) return;
    this.mark('doubleSubmit', x.kTC);
    this.mark('timeout', x.kMC);
    this.mark('cardVelocity', card);
    if (x.entryMode === 'fallback' || x.outcome === 'card_read_error') this.mark('fallbackAbuse', x.terminalId);
    this.mark('splitSale', x.kTC);
    this.mark('refundAbuse', x.kMC);
  }

  private toHeld(d: Draft): Held {
    const items = d.items;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const same = <K extends 'merchantId' | 'terminalId' | 'cardToken'>(k: K) => (items.every((x) => x[k] === first[k]) ? first[k] : undefined);
    const merchantId = same('merchantId');
    const terminalId = same('terminalId');
    const cardToken = same('cardToken');
    const txnIds = items.map((x) => x.id);
    const w = WORDING[d.code];
    const params = { count: items.length, retries: items.length - 1, amount: formatAmount(d.amountMinor), merchant: merchantId, terminal: terminalId, card: cardToken, first: first.at, last: last.at };
    const finding: TxnFinding = {
      code: d.code,
      txnIds,
      ...(merchantId !== undefined && { merchantId }),
      ...(terminalId !== undefined && { terminalId }),
      ...(cardToken !== undefined && { cardToken }),
      amountMinor: d.amountMinor,
      firstAt: first.at,
      lastAt: last.at,
      summary: { 'zh-CN': word(w['zh-CN'], params), 'en-US': word(w['en-US'], params) },
      action: w.action,
    };
    return { key: `${d.code}\u0000${txnIds.join(',')}`, t: first.t, finding };
  }
}

/** Analyzes a whole stream at once: the findings standing at its end. */
export function analyze(records: Iterable<TxnRecord>, options: { thresholds?: TxnThresholdOverrides } = {}): TxnFinding[] {
  const a = new TxnAnalyzer(options);
  a.addMany(records);
  return a.findings();
}
