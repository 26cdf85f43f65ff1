import { describe, expect, it } from 'vitest';
import { BASE, iso, involved, refs, txnStream, type PaymentRef } from './testing/factories.js';

const HOUR = 60;
const DAY = 24 * HOUR;

describe('risk.card_testing', () => {
  /** n small attempts by distinct cards, one a minute, the outcome of each from `approved(i)`. */
  const burst = (s: ReturnType<typeof txnStream>, n: number, approved: (i: number) => boolean, o: { at?: number; amount?: number; cards?: number } = {}) =>
    Array.from({ length: n }, (_, i) =>
      s.sale({ at: (o.at ?? 0) + i * (29 / Math.max(1, n - 1)), card: `c${i % (o.cards ?? n)}`, amount: o.amount ?? 100, outcome: approved(i) ? 'approved' : 'declined' }),
    );

  it('finds 10 small attempts by 8 cards within 30 minutes, half not approved, approved ones included', () => {
    const s = txnStream();
    const ps = burst(s, 10, (i) => i % 2 === 0, { cards: 8 });
    expect(involved(s.records, 'risk.card_testing')).toEqual(refs(...ps));
  });

  it('does not find 9 attempts, 7 cards, or fewer than half not approved', () => {
    for (const [n, cards, approved] of [[9, 9, (i: number) => i % 2 === 0], [10, 7, (i: number) => i % 2 === 0], [10, 10, (i: number) => i < 6]] as const) {
      const s = txnStream();
      burst(s, n, approved, { cards });
      expect(involved(s.records, 'risk.card_testing')).toEqual([]);
    }
  });

  it('does not find a rush of small approved payments at a counter', () => {
    const s = txnStream();
    burst(s, 40, (i) => i % 5 !== 0);
    expect(involved(s.records, 'risk.card_testing')).toEqual([]);
  });

  it('30 minutes inclusive; amounts over ¥10 and card read errors are not items', () => {
    const s = txnStream();
    const ps = Array.from({ length: 10 }, (_, i) => s.sale({ at: (i * 30) / 9, card: `c${i}`, amount: 1000, outcome: i < 5 ? 'approved' : 'declined' }));
    s.sale({ at: 31, card: 'big', amount: 1001, outcome: 'declined' });
    expect(involved(s.records, 'risk.card_testing')).toEqual(refs(...ps));
    const late = txnStream();
    Array.from({ length: 10 }, (_, i) => late.sale({ at: (i * 30.02) / 9, card: `c${i}`, amount: 1000, outcome: 'declined' }));
    expect(involved(late.records, 'risk.card_testing')).toEqual([]);
    const unread = txnStream();
    Array.from({ length: 10 }, (_, i) => unread.sale({ at: i, card: `c${i}`, outcome: i < 5 ? 'approved' : 'card_read_error' }));
    expect(involved(unread.records, 'risk.card_testing')).toEqual([]);
  });

  it('every qualifying run counts, not only the longest: a declined burst inside a rush of approved payments', () => {
    const s = txnStream();
    const before = Array.from({ length: 20 }, (_, i) => s.sale({ at: i * 0.5, card: `a${i}`, amount: 500 }));
    const bad = Array.from({ length: 10 }, (_, i) => s.sale({ at: 10 + i * 0.5, card: `b${i}`, amount: 500, outcome: 'declined' }));
    const after = Array.from({ length: 20 }, (_, i) => s.sale({ at: 15 + i * 0.5, card: `z${i}`, amount: 500 }));
    const found = involved(s.records, 'risk.card_testing');
    // Runs of 10+ with at least half declined reach 10 approved ones either side of the 10 declined.
    expect(found).toEqual(refs(...before.slice(10), ...bad, ...after.slice(0, 10)));
  });

  it('works across the terminals of one merchant, not across merchants', () => {
    const s = txnStream();
    const ps = Array.from({ length: 10 }, (_, i) => s.sale({ at: i, card: `c${i}`, amount: 100, terminal: `M1-T${(i % 3) + 1}`, outcome: 'declined' }));
    Array.from({ length: 10 }, (_, i) => s.sale({ at: i, card: `d${i}`, amount: 100, merchant: i % 2 ? 'M2' : 'M3', outcome: 'declined' }));
    expect(involved(s.records, 'risk.card_testing')).toEqual(refs(...ps));
  });
});

describe('risk.card_velocity', () => {
  it('finds 5 attempts at 3 merchants within 2 hours adding up to ¥5000, declined ones included', () => {
    const s = txnStream();
    const ps = [0, 30, 60, 90, 120].map((at, i) => s.sale({ at, card: 'V', merchant: `M${(i % 3) + 1}`, amount: 100_000, outcome: i === 2 ? 'declined' : 'approved' }));
    expect(involved(s.records, 'risk.card_velocity')).toEqual(refs(...ps));
  });

  it('does not find 4 attempts, 2 merchants, ¥4999.99, or 2 hours and a minute', () => {
    const cases = [
      { times: [0, 30, 60, 90], merchants: 3, amount: 200_000 },
      { times: [0, 30, 60, 90, 100], merchants: 2, amount: 200_000 },
      { times: [0, 30, 60, 90, 100], merchants: 3, amount: 99_999 },
      { times: [0, 30, 60, 90, 121], merchants: 3, amount: 200_000 },
    ];
    for (const c of cases) {
      const s = txnStream();
      c.times.forEach((at, i) => s.sale({ at, card: 'V', merchant: `M${(i % c.merchants) + 1}`, amount: c.amount }));
      expect(involved(s.records, 'risk.card_velocity')).toEqual([]);
    }
  });

  it('card read errors are not attempts; only the attempts in a qualifying run are involved', () => {
    const s = txnStream();
    const early = s.sale({ at: -200, card: 'V', merchant: 'M9', amount: 100 });
    s.sale({ at: 0, card: 'V', merchant: 'M4', amount: 400_000, outcome: 'card_read_error' });
    const ps = [0, 10, 20, 30, 40].map((at, i) => s.sale({ at, card: 'V', merchant: `M${(i % 3) + 1}`, amount: 100_000 }));
    const found = involved(s.records, 'risk.card_velocity');
    expect(found).toEqual(refs(...ps));
    expect(found).not.toContain(refs(early)[0]);
  });
});

describe('risk.fallback_abuse', () => {
  it('finds unexplained fallbacks by 3 cards at one terminal within 2 hours', () => {
    const s = txnStream();
    const ps = [0, 60, 120].map((at, i) => s.sale({ at, card: `f${i}`, entryMode: 'fallback' }));
    expect(involved(s.records, 'risk.fallback_abuse')).toEqual(refs(...ps));
  });

  it('a chip failure of the same card at the same terminal in the 2 minutes before explains a fallback', () => {
    const s = txnStream();
    [0, 30, 60].forEach((at, i) => {
      s.sale({ at, card: `f${i}`, entryMode: 'chip', outcome: 'card_read_error' });
      s.sale({ at: at + 2, card: `f${i}`, entryMode: 'fallback' });
    });
    expect(involved(s.records, 'risk.fallback_abuse')).toEqual([]);
  });

  it('a failure 2 minutes and a second before, of another card, or at another terminal explains nothing', () => {
    const s = txnStream();
    s.sale({ at: 0, card: 'f0', entryMode: 'chip', outcome: 'card_read_error' });
    const a = s.sale({ at: 2 + 1 / 60, card: 'f0', entryMode: 'fallback' });
    s.sale({ at: 9, card: 'other', entryMode: 'chip', outcome: 'card_read_error' });
    const b = s.sale({ at: 10, card: 'f1', entryMode: 'fallback' });
    s.sale({ at: 19, card: 'f2', entryMode: 'chip', outcome: 'card_read_error', terminal: 'M1-T2' });
    const c = s.sale({ at: 20, card: 'f2', entryMode: 'fallback' });
    expect(involved(s.records, 'risk.fallback_abuse')).toEqual(refs(a, b, c));
  });

  it('does not find 2 cards, or 3 cards over 2 hours and a minute', () => {
    const two = txnStream();
    [0, 10, 20].forEach((at, i) => two.sale({ at, card: `f${i % 2}`, entryMode: 'fallback' }));
    expect(involved(two.records, 'risk.fallback_abuse')).toEqual([]);
    const slow = txnStream();
    [0, 60, 121].forEach((at, i) => slow.sale({ at, card: `f${i}`, entryMode: 'fallback' }));
    expect(involved(slow.records, 'risk.fallback_abuse')).toEqual([]);
  });
});

describe('risk.split_sale', () => {
  it('finds 3 approved sales at 90–100% of the limit, each within 15 minutes of the one before', () => {
    const s = txnStream();
    const ps = [0, 15, 30].map((at, i) => s.sale({ at, card: 'S', amount: [450_000, 499_999, 470_000][i] }));
    expect(involved(s.records, 'risk.split_sale')).toEqual(refs(...ps));
  });

  it('does not find a sale at the limit, under 90%, 15 minutes and a second apart, or a voided one', () => {
    const cases: [number[], number[]][] = [
      [[0, 5, 10], [450_000, 460_000, 500_000]],
      [[0, 5, 10], [449_999, 460_000, 470_000]],
      [[0, 5, 20 + 1 / 60], [460_000, 460_000, 460_000]],
    ];
    for (const [times, amounts] of cases) {
      const s = txnStream();
      times.forEach((at, i) => s.sale({ at, card: 'S', amount: amounts[i] }));
      expect(involved(s.records, 'risk.split_sale')).toEqual([]);
    }
    const s = txnStream();
    const ps = [0, 5, 10].map((at) => s.sale({ at, card: 'S', amount: 460_000 }));
    s.undo(ps[1]!, { at: 11 });
    expect(involved(s.records, 'risk.split_sale')).toEqual([]);
  });

  it("uses a merchant's own single-sale limit when one is set", () => {
    const s = txnStream();
    const ps = [0, 5, 10].map((at) => s.sale({ at, card: 'S', amount: 95_000 }));
    expect(involved(s.records, 'risk.split_sale')).toEqual([]);
    expect(involved(s.records, 'risk.split_sale', { splitSale: { singleSaleLimitByMerchant: { M1: 100_000 } } })).toEqual(refs(...ps));
  });
});

describe('risk.off_hours', () => {
  /** A restaurant trading 11:00–14:00 local every day for `days` days from `BASE` (10:00 local). */
  const restaurant = (days: number, amount = 10_000) => {
    const s = txnStream();
    for (let d = 0; d < days; d++) for (const h of [1.5, 2, 2.5, 3, 3.5]) s.sale({ at: d * DAY + h * HOUR, card: `r${d}-${h}`, amount });
    return s;
  };

  it('finds a sale in an hour without sales for 168 hours, 3 times the median, a week after the first record', () => {
    const s = restaurant(9);
    const night = s.sale({ at: 8 * DAY + 17 * HOUR, card: 'N', amount: 30_000 }); // 03:00 local
    expect(involved(s.records, 'risk.off_hours')).toEqual(refs(night));
  });

  it('does not find one under 3 times the median, nor at a merchant with less than 7 days of records', () => {
    const s = restaurant(9);
    s.sale({ at: 8 * DAY + 17 * HOUR, card: 'N', amount: 29_999 });
    expect(involved(s.records, 'risk.off_hours')).toEqual([]);
    const young = restaurant(7);
    young.sale({ at: 7 * DAY - 1, card: 'N', amount: 90_000 }); // 09:59 local on day 7: a minute short of a week
    expect(involved(young.records, 'risk.off_hours')).toEqual([]);
  });

  it("does not find a hotel's night sale when it had a sale in that hour during the week before", () => {
    const s = restaurant(9);
    s.sale({ at: 2 * DAY + 17 * HOUR + 30, card: 'guest', amount: 8_000 }); // 03:30 local, 6 days before
    s.sale({ at: 8 * DAY + 17 * HOUR, card: 'N', amount: 90_000 });
    expect(involved(s.records, 'risk.off_hours')).toEqual([]);
  });

  it('the median of an even count is the mean of the two middle values; voided sales do not count', () => {
    const s = txnStream();
    s.sale({ at: 0, card: 'a', amount: 1_000 }); // the first record, 8 days before
    const amounts = [1_000, 3_000, 5_000, 100_000];
    amounts.forEach((amount, i) => s.sale({ at: 2 * DAY + i * HOUR, card: `m${i}`, amount })); // 10:00–13:00 local
    const v = s.sale({ at: 2 * DAY + 30, card: 'v', amount: 1 });
    s.undo(v, { at: 2 * DAY + 31 });
    // Median of 1000, 3000, 5000, 100000 = 4000: 12000 is 3×, found; 11999 is not.
    const found = s.sale({ at: 8 * DAY + 17 * HOUR, card: 'N', amount: 12_000 });
    s.sale({ at: 8 * DAY + 19 * HOUR, card: 'N2', amount: 11_999 });
    expect(involved(s.records, 'risk.off_hours')).toEqual(refs(found));
  });

  it('local hours are UTC+8', () => {
    expect(iso(BASE)).toBe('2026-10-05T10:00:00+08:00');
  });
});

describe('risk.refund_abuse', () => {
  it('finds an approved refund with no approved sale of that card at that merchant in the 30 days before', () => {
    const s = txnStream();
    const r = s.refund({ at: 0, card: 'R', amount: 5_000 });
    expect(involved(s.records, 'risk.refund_abuse')).toEqual(refs(r));
  });

  it('a sale of at least the amount within 30 days backs it, even if voided, refunded or at another terminal', () => {
    const s = txnStream();
    const sale = s.sale({ at: -30 * DAY, card: 'R', amount: 5_000, terminal: 'M1-T2' });
    s.undo(sale, { at: -30 * DAY + 1 });
    s.refund({ at: 0, card: 'R', amount: 5_000 });
    expect(involved(s.records, 'risk.refund_abuse')).toEqual([]);
  });

  it('a smaller sale, one 30 days and a minute before, another card, merchant, or a declined sale back nothing', () => {
    const s = txnStream();
    const refunds: PaymentRef[] = [];
    s.sale({ at: 0, card: 'A', amount: 4_999 });
    refunds.push(s.refund({ at: 10, card: 'A', amount: 5_000 }));
    s.sale({ at: 0, card: 'B', amount: 5_000 });
    refunds.push(s.refund({ at: 30 * DAY + 1, card: 'B', amount: 5_000 }));
    s.sale({ at: 0, card: 'C', amount: 5_000, merchant: 'M2' });
    refunds.push(s.refund({ at: 10, card: 'C', amount: 5_000 }));
    s.sale({ at: 0, card: 'D', amount: 5_000, outcome: 'declined' });
    refunds.push(s.refund({ at: 10, card: 'D', amount: 5_000 }));
    s.refund({ at: 10, card: 'E', amount: 5_000, outcome: 'declined' }); // not approved: not a finding
    expect(involved(s.records, 'risk.refund_abuse')).toEqual(refs(...refunds));
  });
});
