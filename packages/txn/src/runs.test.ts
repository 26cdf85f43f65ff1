/**
 * The sliding windows against the words of the definitions: on many small random streams, a
 * brute-force reading that tries every run (every set of consecutive items within the span) must
 * involve exactly the payments the analyzer's two-pointer windows involve.
 */
import { describe, expect, it } from 'vitest';
import type { TxnRecord } from '@poscare/contracts';
import { DEFAULT_THRESHOLDS as T } from './thresholds.js';
import { involved, txnStream } from './testing/factories.js';

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every run of `items` (time order) within `span`; the items of runs meeting `ok`. */
function bruteRuns(items: TxnRecord[], span: number, ok: (run: TxnRecord[]) => boolean): string[] {
  const sorted = [...items].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || Number(a.id.slice(1)) - Number(b.id.slice(1)));
  const out = new Set<string>();
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i; j < sorted.length && Date.parse(sorted[j]!.at) - Date.parse(sorted[i]!.at) <= span; j++) {
      const run = sorted.slice(i, j + 1);
      if (ok(run)) for (const x of run) out.add(`${x.terminalId}/${x.stan}`);
    }
  }
  return [...out].sort();
}

const groupBy = <K>(xs: TxnRecord[], key: (x: TxnRecord) => K) => {
  const m = new Map<K, TxnRecord[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return [...m.values()];
};
const distinct = (xs: TxnRecord[], key: (x: TxnRecord) => string | undefined) => new Set(xs.map(key)).size;

describe('runs: sliding windows equal trying every run', () => {
  it('risk.card_testing, risk.card_velocity and risk.fallback_abuse on 150 random streams', () => {
    const positive = { ct: 0, v: 0, f: 0 };
    for (let seed = 1; seed <= 150; seed++) {
      const r = rng(seed);
      const s = txnStream();
      const n = 20 + Math.floor(r() * 60);
      const minutes = 20 + r() * 130;
      const merchants = 1 + Math.floor(r() * 3);
      const cards = 6 + Math.floor(r() * 20);
      for (let i = 0; i < n; i++) {
        s.sale({
          at: r() * minutes,
          merchant: `M${1 + Math.floor(r() * merchants)}`,
          card: `c${Math.floor(r() * cards)}`,
          amount: r() < 0.7 ? 1 + Math.floor(r() * 1100) : 50_000 + Math.floor(r() * 150_000),
          outcome: (['approved', 'approved', 'declined', 'timeout', 'card_read_error'] as const)[Math.floor(r() * 5)],
          entryMode: r() < 0.3 ? 'fallback' : 'chip',
        });
      }
      const terminal = s.records.filter((x) => x.source === 'terminal');
      const attempts = terminal.filter((x) => x.outcome !== 'card_read_error');

      const ct = T.cardTesting;
      const small = attempts.filter((x) => x.amountMinor <= ct.maxAmountMinor);
      const wantCt = groupBy(small, (x) => x.merchantId).flatMap((g) =>
        bruteRuns(g, ct.spanMs, (run) => run.length >= ct.minAttempts && distinct(run, (x) => x.cardToken) >= ct.minCards && run.filter((x) => x.outcome !== 'approved').length * 2 >= run.length),
      );
      expect(involved(s.records, 'risk.card_testing'), `seed ${seed}`).toEqual(wantCt.sort());
      if (wantCt.length) positive.ct++;

      const v = T.cardVelocity;
      const wantV = groupBy(attempts, (x) => x.cardToken).flatMap((g) =>
        bruteRuns(g, v.spanMs, (run) => run.length >= v.minAttempts && distinct(run, (x) => x.merchantId) >= v.minMerchants && run.reduce((t, x) => t + x.amountMinor, 0) >= v.minTotalMinor),
      );
      expect(involved(s.records, 'risk.card_velocity'), `seed ${seed}`).toEqual(wantV.sort());
      if (wantV.length) positive.v++;

      const f = T.fallbackAbuse;
      const unexplained = attempts.filter(
        (x) =>
          x.entryMode === 'fallback' &&
          !terminal.some((e) => e.outcome === 'card_read_error' && e.entryMode === 'chip' && e.cardToken === x.cardToken && e.terminalId === x.terminalId && Date.parse(e.at) <= Date.parse(x.at) && Date.parse(x.at) - Date.parse(e.at) <= f.explainedWithinMs),
      );
      const wantF = groupBy(unexplained, (x) => x.terminalId).flatMap((g) => bruteRuns(g, f.spanMs, (run) => distinct(run, (x) => x.cardToken) >= f.minCards));
      expect(involved(s.records, 'risk.fallback_abuse'), `seed ${seed}`).toEqual(wantF.sort());
      if (wantF.length) positive.f++;
    }
    // The streams are dense enough that each kind is found in some and not in others.
    for (const k of ['ct', 'v', 'f'] as const) expect(positive[k], k).toBeGreaterThan(4);
  });
});

/** The stream's terminal sales with whether each is undone, read straight from the definitions. */
function readStream(records: TxnRecord[]) {
  const terminal = records.filter((x) => x.source === 'terminal');
  const host = records.filter((x) => x.source === 'host');
  const undone = (x: TxnRecord) =>
    terminal.some((v) => (v.type === 'void' || v.type === 'reversal') && v.outcome === 'approved' && v.terminalId === x.terminalId && v.originalStan === x.stan) ||
    records.some((r) => r.type === 'refund' && r.outcome === 'approved' && r.originalRrn !== undefined && records.some((y) => y.terminalId === x.terminalId && y.stan === x.stan && y.rrn === r.originalRrn));
  const sales = terminal.filter((x) => x.type === 'sale');
  const approved = sales.filter((x) => x.outcome === 'approved' && !undone(x));
  const t = (x: TxnRecord) => Date.parse(x.at);
  const key = (x: TxnRecord) => `${x.terminalId}/${x.stan}`;
  return { terminal, host, undone, sales, approved, t, key };
}

describe('the other findings against their words, on random streams', () => {
  it('dup.double_submit, dup.timeout_retry, dup.missing_reversal, risk.split_sale, risk.refund_abuse', () => {
    const positive = new Map<string, number>();
    for (let seed = 1; seed <= 150; seed++) {
      const r = rng(seed * 7919);
      const s = txnStream();
      const pays: ReturnType<typeof s.sale>[] = [];
      const n = 15 + Math.floor(r() * 40);
      for (let i = 0; i < n; i++) {
        const kind = r();
        const spec = {
          at: r() * 60,
          merchant: `M${1 + Math.floor(r() * 2)}`,
          card: `c${Math.floor(r() * 4)}`,
          amount: [3000, 4000, 460_000, 480_000][Math.floor(r() * 4)]!,
        };
        const terminal = `${spec.merchant}-T${1 + Math.floor(r() * 2)}`;
        if (kind < 0.15) pays.push(s.sale({ ...spec, terminal, outcome: r() < 0.7 ? 'timeout' : 'error', host: r() < 0.7 ? 'approved' : 'declined' }));
        else if (kind < 0.22 && pays.length) {
          const target = pays[Math.floor(r() * pays.length)]!;
          s.undo(target, { at: spec.at, type: r() < 0.5 ? 'void' : 'reversal', outcome: r() < 0.8 ? 'approved' : 'declined', host: r() < 0.5 ? 'approved' : 'declined' });
        } else if (kind < 0.3) {
          const target = pays.length && r() < 0.5 ? pays[Math.floor(r() * pays.length)] : undefined;
          s.refund({ ...spec, terminal, amount: Math.floor(r() * 500_000), outcome: r() < 0.9 ? 'approved' : 'declined', ...(target?.rrn && { originalRrn: target.rrn }) });
        } else pays.push(s.sale({ ...spec, terminal, outcome: r() < 0.9 ? 'approved' : 'declined' }));
      }
      const { terminal, host, undone, sales, approved, t, key } = readStream(s.records);
      const want = new Map<string, Set<string>>();
      const add = (code: string, ...xs: TxnRecord[]) => {
        if (!want.has(code)) want.set(code, new Set());
        for (const x of xs) want.get(code)!.add(key(x));
      };
      // Double submit: chains of the same terminal, card and amount.
      for (const g of groupBy(approved, (x) => `${x.terminalId}|${x.cardToken}|${x.amountMinor}`)) {
        const sorted = [...g].sort((a, b) => t(a) - t(b));
        for (let i = 1; i < sorted.length; i++) if (t(sorted[i]!) - t(sorted[i - 1]!) <= 10 * 60_000) add('dup.double_submit', sorted[i - 1]!, sorted[i]!);
      }
      // Timeouts the host approved, never undone.
      for (const x of sales.filter((y) => (y.outcome === 'timeout' || y.outcome === 'error') && !undone(y) && host.some((h) => h.type === 'sale' && h.terminalId === y.terminalId && h.stan === y.stan && h.outcome === 'approved'))) {
        const retries = approved.filter((y) => y.merchantId === x.merchantId && y.cardToken === x.cardToken && y.amountMinor === x.amountMinor && t(y) >= t(x) && t(y) - t(x) <= 10 * 60_000);
        if (retries.length) add('dup.timeout_retry', x, ...retries);
        else add('dup.missing_reversal', x);
      }
      // Split sale: chains of near-limit sales of one card at one terminal, 3 or more.
      for (const g of groupBy(approved.filter((x) => x.amountMinor >= 450_000 && x.amountMinor < 500_000), (x) => `${x.terminalId}|${x.cardToken}`)) {
        const sorted = [...g].sort((a, b) => t(a) - t(b));
        let chain: TxnRecord[] = [];
        for (const x of sorted) {
          if (chain.length && t(x) - t(chain[chain.length - 1]!) > 15 * 60_000) chain = [];
          chain.push(x);
          if (chain.length >= 3) add('risk.split_sale', ...chain);
        }
      }
      // Refunds with no approved terminal sale of at least their amount in the 30 days before.
      for (const x of terminal.filter((y) => y.type === 'refund' && y.outcome === 'approved')) {
        const backed = sales.some((y) => y.outcome === 'approved' && y.merchantId === x.merchantId && y.cardToken === x.cardToken && y.amountMinor >= x.amountMinor && t(y) <= t(x) && t(x) - t(y) <= 30 * 24 * 3_600_000);
        if (!backed) add('risk.refund_abuse', x);
      }
      for (const code of ['dup.double_submit', 'dup.timeout_retry', 'dup.missing_reversal', 'risk.split_sale', 'risk.refund_abuse'] as const) {
        const w = [...(want.get(code) ?? [])].sort();
        expect(involved(s.records, code), `${code}, seed ${seed}`).toEqual(w);
        if (w.length) positive.set(code, (positive.get(code) ?? 0) + 1);
      }
    }
    for (const code of ['dup.double_submit', 'dup.timeout_retry', 'dup.missing_reversal', 'risk.split_sale', 'risk.refund_abuse']) expect(positive.get(code) ?? 0, code).toBeGreaterThan(4);
  });

  it('risk.off_hours on 60 random ten-day streams', () => {
    let positive = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = rng(seed * 104_729);
      const s = txnStream();
      const pays: ReturnType<typeof s.sale>[] = [];
      const n = 30 + Math.floor(r() * 60);
      for (let i = 0; i < n; i++) {
        const night = r() < 0.15;
        const day = Math.floor(r() * 10);
        const at = day * 1440 + (night ? 14 * 60 + r() * 360 : r() * 600); // 00:00–06:00 or 10:00–20:00 local
        pays.push(s.sale({ at, card: `c${i}`, merchant: `M${1 + Math.floor(r() * 2)}`, amount: Math.floor(1000 + r() * (night ? 30_000 : 10_000)), outcome: r() < 0.9 ? 'approved' : 'declined' }));
        if (r() < 0.05) s.undo(pays[Math.floor(r() * pays.length)]!, { at: at + 1 });
      }
      const { terminal, approved, t, key } = readStream(s.records);
      const hour = (x: TxnRecord) => Math.floor((t(x) + 8 * 3_600_000) / 3_600_000) % 24;
      const want: string[] = [];
      for (const x of approved) {
        const first = Math.min(...terminal.filter((y) => y.merchantId === x.merchantId).map(t));
        if (t(x) - first < 7 * 24 * 3_600_000) continue;
        const week = approved.filter((y) => y.merchantId === x.merchantId && t(y) < t(x) && t(x) - t(y) <= 168 * 3_600_000);
        if (!week.length || week.some((y) => hour(y) === hour(x))) continue;
        const v = week.map((y) => y.amountMinor).sort((a, b) => a - b);
        const m = v.length % 2 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
        if (x.amountMinor >= 3 * m) want.push(key(x));
      }
      expect(involved(s.records, 'risk.off_hours'), `seed ${seed}`).toEqual(want.sort());
      if (want.length) positive++;
    }
    expect(positive).toBeGreaterThan(4);
  });
});
