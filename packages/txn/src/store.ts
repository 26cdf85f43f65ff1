/**
 * What the analyzer keeps of a stream: every record once (re-deliveries by id dropped), payments
 * (a terminal's line and the host's line with the same terminalId and stan), what undoes them, and
 * the terminal's records indexed by each finding's subject (terminal, merchant, card and their pairs),
 * kept in time order. Index membership never changes after a record arrives; whether a sale is
 * still an "approved sale" (not undone) is asked when a detector runs, so a late void only marks
 * subjects for re-evaluation.
 */
import type { TxnRecord } from '@poscare/contracts';

/** A record with its time as epoch milliseconds and its arrival number (stable tie-break). */
export type Txn = TxnRecord & { t: number; seq: number };

export interface Payment {
  key: string;
  terminal?: Txn;
  host?: Txn;
}

/** Records of one subject in time order (sorted lazily: streams are mostly time ordered already). */
export class Series {
  private items: Txn[] = [];
  private sorted = true;
  add(x: Txn) {
    const last = this.items[this.items.length - 1];
    if (last && byTime(last, x) > 0) this.sorted = false;
    this.items.push(x);
  }
  get list(): readonly Txn[] {
    if (!this.sorted) {
      this.items.sort(byTime);
      this.sorted = true;
    }
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
  private seen = new Set<string>();
  private seq = 0;
  readonly payments = new Map<string, Payment>();
  /** Payment keys named by an approved void or reversal of the terminal. */
  private undoneByStan = new Set<string>();
  /** rrns named by an approved refund's originalRrn. */
  private refundedRrns = new Set<string>();
  private rrnToPayment = new Map<string, string>();
  readonly byId = new Map<string, Txn>();
  /** First terminal record of each merchant (epoch ms). */
  readonly merchantFirstAt = new Map<string, number>();

  // Subjects, terminal records only.
  /** Terminal-approved sales by terminal|card|amount (dup.double_submit). */
  readonly approvedByTerminalCardAmount = new Index();
  /** Sales the terminal saw approved, timed out or in error, by merchant|card|amount (dup.timeout_retry, dup.missing_reversal). */
  readonly salesByMerchantCardAmount = new Index();
  /** Small attempts by merchant (risk.card_testing). */
  readonly smallAttemptsByMerchant = new Index();
  /** Attempts by card (risk.card_velocity). */
  readonly attemptsByCard = new Index();
  /** Fallback attempts by terminal (risk.fallback_abuse). */
  readonly fallbacksByTerminal = new Index();
  /** Chip read failures by terminal|card (what explains a fallback). */
  readonly chipFailuresByTerminalCard = new Index();
  /** Terminal-approved sales by terminal|card (risk.split_sale). */
  readonly approvedByTerminalCard = new Index();
  /** Terminal-approved sales by merchant (risk.off_hours). */
  readonly approvedByMerchant = new Index();
  /** Terminal-approved sales and approved refunds by merchant|card (risk.refund_abuse). */
  readonly approvedByMerchantCard = new Index();
  readonly refundsByMerchantCard = new Index();

  constructor(private readonly smallAmountMax: number) {}

  /** Stores a record; undefined when its id was seen before (a re-delivery). */
  put(record: TxnRecord): Txn | undefined {
    if (this.seen.has(record.id)) return undefined;
    this.seen.add(record.id);
    const t = Date.parse(record.at);
    const x: Txn = { ...record, t, seq: this.seq++ };
    this.byId.set(x.id, x);

    const key = paymentKey(x.terminalId, x.stan);
    let p = this.payments.get(key);
    if (!p) this.payments.set(key, (p = { key }));
    if (x.source === 'terminal') p.terminal ??= x;
    else p.host ??= x;
    if (x.rrn && x.type === 'sale') this.rrnToPayment.set(x.rrn, key);

    if (x.outcome === 'approved' && (x.type === 'void' || x.type === 'reversal') && x.source === 'terminal' && x.originalStan) {
      this.undoneByStan.add(paymentKey(x.terminalId, x.originalStan));
    }
    if (x.outcome === 'approved' && x.type === 'refund' && x.originalRrn) this.refundedRrns.add(x.originalRrn);

    if (x.source === 'terminal') this.index(x);
    return x;
  }

  private index(x: Txn) {
    const first = this.merchantFirstAt.get(x.merchantId);
    if (first === undefined || x.t < first) this.merchantFirstAt.set(x.merchantId, x.t);
    const card = x.cardToken;
    if (x.type === 'sale') {
      const attempt = x.outcome !== 'card_read_error';
      if (attempt && x.amountMinor <= this.smallAmountMax) this.smallAttemptsByMerchant.add(x.merchantId, x);
      if (x.outcome === 'approved') this.approvedByMerchant.add(x.merchantId, x);
      if (!card) return;
      if (attempt) this.attemptsByCard.add(card, x);
      if (attempt && x.entryMode === 'fallback') this.fallbacksByTerminal.add(x.terminalId, x);
      if (x.outcome === 'card_read_error' && x.entryMode === 'chip') this.chipFailuresByTerminalCard.add(`${x.terminalId}|${card}`, x);
      if (x.outcome === 'approved' || x.outcome === 'timeout' || x.outcome === 'error') this.salesByMerchantCardAmount.add(`${x.merchantId}|${card}|${x.amountMinor}`, x);
      if (x.outcome === 'approved') {
        this.approvedByTerminalCardAmount.add(`${x.terminalId}|${card}|${x.amountMinor}`, x);
        this.approvedByTerminalCard.add(`${x.terminalId}|${card}`, x);
        this.approvedByMerchantCard.add(`${x.merchantId}|${card}`, x);
      }
    } else if (x.type === 'refund' && x.outcome === 'approved' && card) {
      this.refundsByMerchantCard.add(`${x.merchantId}|${card}`, x);
    }
  }

  payment(x: Txn): Payment | undefined {
    return this.payments.get(paymentKey(x.terminalId, x.stan));
  }

  /** The sale a void/reversal (originalStan) or a refund (originalRrn) names, when it has arrived. */
  target(x: Txn): Payment | undefined {
    if ((x.type === 'void' || x.type === 'reversal') && x.originalStan) return this.payments.get(paymentKey(x.terminalId, x.originalStan));
    if (x.type === 'refund' && x.originalRrn) {
      const k = this.rrnToPayment.get(x.originalRrn);
      return k ? this.payments.get(k) : undefined;
    }
    return undefined;
  }

  /** Undone: an approved void or reversal of the terminal names its stan, or an approved refund names its rrn. */
  isUndone(sale: Txn): boolean {
    const p = this.payment(sale);
    if (this.undoneByStan.has(paymentKey(sale.terminalId, sale.stan))) return true;
    const rrns = [sale.rrn, p?.terminal?.rrn, p?.host?.rrn];
    return rrns.some((r) => r !== undefined && this.refundedRrns.has(r));
  }

  /** A terminal record of type sale with outcome approved that is not undone. */
  isApprovedSale(x: Txn): boolean {
    return x.source === 'terminal' && x.type === 'sale' && x.outcome === 'approved' && !this.isUndone(x);
  }

  /** The host's line of the payment says approved: the customer was charged. */
  hostApproved(x: Txn): boolean {
    const h = this.payment(x)?.host;
    return h !== undefined && h.type === 'sale' && h.outcome === 'approved';
  }
}
