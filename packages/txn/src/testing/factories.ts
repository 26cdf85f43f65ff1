/**
 * Hand-made streams for tests: `const s = txnStream()`, then `s.sale({ at: 5, card: 'A', amount: 3000 })`
 * (times in minutes after a base instant, or ISO strings) writes the terminal's line and the host's line
 * of one payment and returns it; `s.undo`, `s.refund` the rest. `involved(records, code)` is what a code
 * found, as stans ("T1/000001" when terminals differ).
 */
import type { TxnFindingCode, TxnRecord } from '@poscare/contracts';
import { analyze } from '../analyzer.js';
import type { TxnThresholdOverrides } from '../thresholds.js';

export const BASE = Date.parse('2026-10-05T10:00:00+08:00');
export const iso = (t: number) => `${new Date(t + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
type When = number | string;
const time = (w: When) => (typeof w === 'number' ? BASE + Math.round(w * 60_000) : Date.parse(w));

export interface PaymentRef {
  terminalId: string;
  stan: string;
  id: string;
  rrn?: string;
}

export interface SaleSpec {
  at: When;
  card?: string;
  amount?: number;
  merchant?: string;
  terminal?: string;
  outcome?: TxnRecord['outcome'];
  /** The host's answer; 'none' for no host line. Default: the terminal's outcome (declined for timeout/error). */
  host?: TxnRecord['outcome'] | 'none';
  entryMode?: TxnRecord['entryMode'];
  type?: 'sale' | 'refund';
  originalRrn?: string;
}

export function txnStream() {
  const records: TxnRecord[] = [];
  let stan = 0;
  let id = 0;
  const nextStan = () => String(++stan).padStart(6, '0');
  const push = (r: Omit<TxnRecord, 'id' | 'currency'>) => {
    const rec = { id: `x${++id}`, currency: 'CNY', ...r } as TxnRecord;
    records.push(rec);
    return rec;
  };
  const s = {
    records,
    sale(o: SaleSpec): PaymentRef {
      const merchantId = o.merchant ?? 'M1';
      const terminalId = o.terminal ?? `${merchantId}-T1`;
      const outcome = o.outcome ?? 'approved';
      const host = o.host ?? (outcome === 'card_read_error' ? 'none' : outcome === 'timeout' || outcome === 'error' ? 'declined' : outcome);
      const st = nextStan();
      const rrn = host === 'approved' ? `rrn${st}${terminalId}` : undefined;
      const t = time(o.at);
      const base = { merchantId, terminalId, type: o.type ?? 'sale', amountMinor: o.amount ?? 3000, entryMode: o.entryMode ?? 'chip', cardToken: o.card ?? 'card-A', stan: st, ...(o.originalRrn && { originalRrn: o.originalRrn }) } as const;
      const term = push({ source: 'terminal', at: iso(t), ...base, outcome, ...(rrn && outcome === 'approved' && { rrn }) });
      if (host !== 'none') push({ source: 'host', at: iso(t + 1000), ...base, outcome: host, ...(rrn && { rrn }) });
      return { terminalId, stan: st, id: term.id, rrn };
    },
    /** A void or reversal by the terminal naming `target`; `outcome` is the terminal's, `host` the host's answer. */
    undo(target: PaymentRef, o: { at: When; type?: 'void' | 'reversal'; outcome?: TxnRecord['outcome']; host?: TxnRecord['outcome']; merchant?: string }) {
      const base = { merchantId: o.merchant ?? target.terminalId.split('-')[0]!, terminalId: target.terminalId, type: o.type ?? 'void', amountMinor: 0, entryMode: 'chip', cardToken: 'card-A', stan: nextStan(), originalStan: target.stan } as const;
      push({ source: 'terminal', at: iso(time(o.at)), ...base, outcome: o.outcome ?? 'approved' });
      push({ source: 'host', at: iso(time(o.at) + 1000), ...base, outcome: o.host ?? 'approved' });
    },
    refund(o: Omit<SaleSpec, 'type'>) {
      return s.sale({ ...o, type: 'refund' });
    },
  };
  return s;
}

/** The payments a code found, as "terminal/stan", sorted. */
export function involved(records: TxnRecord[], code: TxnFindingCode, thresholds?: TxnThresholdOverrides): string[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  const out = new Set<string>();
  for (const f of analyze(records, { thresholds })) if (f.code === code) for (const id of f.txnIds) out.add(`${byId.get(id)!.terminalId}/${byId.get(id)!.stan}`);
  return [...out].sort();
}

export const refs = (...ps: PaymentRef[]) => ps.map((p) => `${p.terminalId}/${p.stan}`).sort();
