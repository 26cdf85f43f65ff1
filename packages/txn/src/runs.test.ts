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
