/**
 * What the analyzer keeps of a stream: every record once (re-deliveries by id dropped), payments
 * (a terminal's line and the host's line with the same terminalId and stan), what undoes them, and
 * the terminal's records indexed by each finding's subject (terminal, merchant, card and their pairs),
 * kept in time order. Index membership never changes after a record arrives; whether a sale is
 * still an "approved sale" (not undone) is asked when a detector runs, so a late void only marks
 * subjects for re-evaluation.
 */
import type { TxnRecord } from '@poscare/contracts';

/**
 * A record as the analyzer holds it: the record's own fields (one fixed shape), its time as epoch
 * milliseconds, its arrival number (a stable tie-break), its payment and its subject keys.
 */
export interface Txn extends TxnRecord {
  t: number;
  seq: number;
  pay: Payment;
  /** terminal|card and merchant|card ('' without a card). */
  kTC: string;
  kMC: string;
}

export interface Payment {
  key: string;
  terminal?: Txn;
  host?: Txn;
  /** An approved void or reversal of the terminal names this payment's stan. */
  voided: boolean;
  /** An approved refund names this payment's rrn. */
  refunded: boolean;
}

/**
 * Records of one subject in time order. Streams are mostly time ordered, so a record usually goes at
 * the end; one that arrives late is put in its place (a binary search, and a short move of the tail).
 */
export class Series {
  private items: Txn[] = [];
  add(x: Txn) {
    const items = this.items;
    const n = items.length;
    if (n === 0 || byTime(items[n - 1]!, x) <= 0) {
      items.push(x);
      return;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byTime(items[mid]!, x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, x);
  }
  get list(): readonly Txn[] {
    return this.items;
  }
}

export const byTime = (a: Txn, b: Txn) => a.t - b.t || a.seq - b.seq;

export const paymentKey = (terminalId: string, stan: string) => `${terminalId}\u0000${stan}`;

class Index {
  readonly map = new Map<string, Series>();
  add(key: string, x: Txn) {
    let s = this.map.get(key);
    if (!s) this.map.set(key, (s = new Series()));
    s.add(x);
  }
  list(key: string): readonly Txn[] {
    return this.map.get(key)?.list ?? [];
  }
}

export class TxnStore {
  /** @param utcOffsetMinutes the local time of the clock hours (off-hours), UTC+8 by default */
  constructor(private readonly utcOffsetMinutes = 480) {}

  /** The local clock hour (0–23) of a record. */
  localHour(x: Txn): number {
    return Math.floor((x.t + this.utcOffsetMinutes * 60_000) / 3_600_000) % 24;
  }

  private seen = new Set<string>();
  private seq = 0;
  readonly payments = new Map<string, Payment>();
  /** rrns named by an approved refund's originalRrn. */
  private refundedRrns = new Set<string>();
  private rrnToPayment = new Map<string, Payment>();
  /** The records as they came, by id (first delivery). */
  readonly byId = new Map<string, TxnRecord>();
  /** First terminal record of each merchant (epoch ms). */
  readonly merchantFirstAt = new Map<string, number>();

  // Subjects, terminal records only (host lines live in payments).
  /** Sales of the terminal by terminal|card (dup.double_submit, risk.split_sale, chip failures explaining a fallback). */
  readonly salesByTerminalCard = new Index();
  /** Sales and approved refunds by merchant|card (dup.timeout_retry, dup.missing_reversal, risk.refund_abuse). */
  readonly byMerchantCard = new Index();
  /** Sales by merchant (risk.card_testing, risk.off_hours). */
  readonly salesByMerchant = new Index();
  /** Sales the terminal approved, by merchant|local clock hour (risk.off_hours asks "any sale in this hour this week?"). */
  readonly approvedByMerchantHour = new Index();
  /** Attempts by card (risk.card_velocity). */
  readonly attemptsByCard = new Index();
  /** Fallback attempts by terminal (risk.fallback_abuse). */
  readonly fallbacksByTerminal = new Index();

  
  /** Stores a record; undefined when its id was seen before (a re-delivery). */
  put(record: TxnRecord): Txn | undefined {
    if (this.seen.has(record.id)) return undefined;
    this.seen.add(record.id);
    const p = this.paymentOf(record.terminalId, record.stan);
    const card = record.cardToken;
    const x: Txn = {
      id: record.id,
      source: record.source,
      at: record.at,
      merchantId: record.merchantId,
      mcc: record.mcc,
      terminalId: record.terminalId,
      type: record.type,
      amountMinor: record.amountMinor,
      currency: record.currency,
      entryMode: record.entryMode,
      cardToken: card,
      stan: record.stan,
      rrn: record.rrn,
      authCode: record.authCode,
      outcome: record.outcome,
      responseCode: record.responseCode,
      originalStan: record.originalStan,
      originalRrn: record.originalRrn,
      t: Date.parse(record.at),
      seq: this.seq++,
      pay: p,
      kTC: card ? `${record.terminalId}|${card}` : '',
      kMC: card ? `${record.merchantId}|${card}` : '',
    };
    this.byId.set(x.id, record);

    if (x.source === 'terminal') p.terminal ??= x;
    else p.host ??= x;
    if (x.rrn && x.type === 'sale') {
      this.rrnToPayment.set(x.rrn, p);
      if (this.refundedRrns.has(x.rrn)) p.refunded = true;
    }
    if (x.outcome === 'approved' && (x.type === 'void' || x.type === 'reversal') && x.source === 'terminal' && x.originalStan) {
      this.paymentOf(x.terminalId, x.originalStan).voided = true;
    }
    if (x.outcome === 'approved' && x.type === 'refund' && x.originalRrn) {
      this.refundedRrns.add(x.originalRrn);
      const target = this.rrnToPayment.get(x.originalRrn);
      if (target) target.refunded = true;
    }

    // A payment has one terminal line; a second one with another id is the same payment, not another sale.
    if (x.source === 'terminal' && p.terminal === x) this.index(x);
    return x;
  }

  private paymentOf(terminalId: string, stan: string): Payment {
    const key = paymentKey(terminalId, stan);
    let p = this.payments.get(key);
    if (!p) this.payments.set(key, (p = { key, voided: false, refunded: false }));
    return p;
  }

  private index(x: Txn) {
    const first = this.merchantFirstAt.get(x.merchantId);
    if (first === undefined || x.t < first) this.merchantFirstAt.set(x.merchantId, x.t);
    const card = x.cardToken;
    if (x.type === 'sale') {
      this.salesByMerchant.add(x.merchantId, x);
      if (x.outcome === 'approved') this.approvedByMerchantHour.add(`${x.merchantId}|${this.localHour(x)}`, x);
      if (!card) return;
      this.salesByTerminalCard.add(x.kTC, x);
      this.byMerchantCard.add(x.kMC, x);
      if (x.outcome !== 'card_read_error') {
        this.attemptsByCard.add(card, x);
        if (x.entryMode === 'fallback') this.fallbacksByTerminal.add(x.terminalId, x);
      }
    } else if (x.type === 'refund' && x.outcome === 'approved' && card) {
      this.byMerchantCard.add(x.kMC, x);
    }
  }

  /** The sale a void/reversal (originalStan) or a refund (originalRrn) names, when it has arrived. */
  target(x: Txn): Payment | undefined {
    if ((x.type === 'void' || x.type === 'reversal') && x.originalStan) return this.payments.get(paymentKey(x.terminalId, x.originalStan));
    if (x.type === 'refund' && x.originalRrn) return this.rrnToPayment.get(x.originalRrn);
    return undefined;
  }

  /** Undone: an approved void or reversal of the terminal names its stan, or an approved refund names its rrn. */
  isUndone(sale: Txn): boolean {
    return sale.pay.voided || sale.pay.refunded;
  }

  /** A terminal record of type sale with outcome approved that is not undone. */
  isApprovedSale(x: Txn): boolean {
    return x.source === 'terminal' && x.type === 'sale' && x.outcome === 'approved' && !this.isUndone(x);
  }

  /** The host's line of the payment says approved: the customer was charged. */
  hostApproved(x: Txn): boolean {
    const h = x.pay.host;
    return h !== undefined && h.type === 'sale' && h.outcome === 'approved';
  }
}
