import { describe, expect, it } from 'vitest';
import { TxnAnalyzer } from './analyzer.js';
import { parseTxnLines, describeLineError } from './parse.js';
import { DEFAULT_THRESHOLDS, resolveThresholds } from './thresholds.js';
import { txnStream } from './testing/factories.js';
import { TxnFinding } from '@poscare/contracts';

const codes = (fs: { code: string }[]) => fs.map((f) => f.code).sort();

describe('TxnAnalyzer, fed live', () => {
  it('opens a double submit when the second sale arrives and resolves it when a late void explains it', () => {
    const s = txnStream();
    const first = s.sale({ at: 0 });
    const second = s.sale({ at: 3 });
    const a = new TxnAnalyzer();
    expect(a.addMany(s.records.slice(0, 2)).opened).toEqual([]);
    const opened = a.addMany(s.records.slice(2)).opened;
    expect(codes(opened)).toEqual(['dup.double_submit']);
    expect(opened[0]!.txnIds).toEqual([first.id, second.id]);
    expect(opened[0]!.amountMinor).toBe(3000);
    expect(TxnFinding.parse(opened[0])).toBeTruthy();

    const late = txnStream();
    late.undo(second, { at: 60 });
    const d = a.addMany(late.records.map((r) => ({ ...r, id: `late-${r.id}` })));
    expect(codes(d.resolved)).toEqual(['dup.double_submit']);
    expect(a.findings()).toEqual([]);
  });

  it('resolves a double submit when the duplicate is refunded (originalRrn), whatever the amount', () => {
    const s = txnStream();
    s.sale({ at: 0 });
    const dup = s.sale({ at: 2 });
    const a = new TxnAnalyzer();
    expect(codes(a.addMany(s.records).opened)).toEqual(['dup.double_submit']);
    const r = txnStream();
    r.refund({ at: 600, amount: 1, originalRrn: dup.rrn });
    const d = a.addMany(r.records.map((x) => ({ ...x, id: `r-${x.id}`, stan: `9${x.stan.slice(1)}` })));
    expect(codes(d.resolved)).toEqual(['dup.double_submit']);
  });

  it('turns a missing reversal into a timeout retry when the retry arrives late, and both go when the timeout is reversed', () => {
    const s = txnStream();
    const t = s.sale({ at: 0, outcome: 'timeout', host: 'approved' });
    s.sale({ at: 5 });
    const a = new TxnAnalyzer();
    let d = a.addMany(s.records.slice(0, 2));
    expect(codes(d.opened)).toEqual(['dup.missing_reversal']);
    d = a.addMany(s.records.slice(2));
    expect(codes(d.opened)).toEqual(['dup.timeout_retry']);
    expect(codes(d.resolved)).toEqual(['dup.missing_reversal']);
    const u = txnStream();
    u.undo(t, { at: 30, type: 'reversal' });
    d = a.addMany(u.records.map((x) => ({ ...x, id: `u-${x.id}`, stan: `8${x.stan.slice(1)}` })));
    expect(codes(d.resolved)).toEqual(['dup.timeout_retry']);
    expect(a.findings()).toEqual([]);
  });

  it('waits for the host: a timeout is a missing reversal only once the host line says approved', () => {
    const s = txnStream();
    s.sale({ at: 0, outcome: 'timeout', host: 'approved' });
    const [terminal, host] = s.records;
    const a = new TxnAnalyzer();
    expect(a.add(terminal!).opened).toEqual([]);
    expect(codes(a.add(host!).opened)).toEqual(['dup.missing_reversal']);
  });

  it('ignores re-deliveries and finds the same whatever the arrival order', () => {
    const s = txnStream();
    s.sale({ at: 0 });
    s.sale({ at: 4 });
    s.sale({ at: 8, outcome: 'timeout', host: 'approved', card: 'B' });
    for (let i = 0; i < 10; i++) s.sale({ at: 20 + i, card: `t${i}`, amount: 100, outcome: 'declined' });
    const inOrder = new TxnAnalyzer();
    inOrder.addMany(s.records);
    const reversed = new TxnAnalyzer();
    for (const r of [...s.records].reverse()) reversed.add(r);
    expect(reversed.findings()).toEqual(inOrder.findings());
    expect(reversed.addMany(s.records)).toEqual({ opened: [], resolved: [] });
    expect(codes(inOrder.findings())).toEqual(['dup.double_submit', 'dup.missing_reversal', 'risk.card_testing']);
  });

  it('words every finding in both languages with an action', () => {
    const s = txnStream();
    s.sale({ at: 0 });
    s.sale({ at: 4 });
    const [f] = new TxnAnalyzer().addMany(s.records).opened;
    expect(f!.summary['zh-CN']).toContain('重复扣款');
    expect(f!.summary['en-US']).toContain('¥30.00');
    expect(f!.action).toBe('refund_duplicate');
  });
});

describe('thresholds', () => {
  it("defaults are the contract's numbers, overrides lay over them one section at a time", () => {
    expect(DEFAULT_THRESHOLDS.cardTesting).toMatchObject({ spanMs: 30 * 60_000, minAttempts: 10, minCards: 8, maxAmountMinor: 1000 });
    expect(DEFAULT_THRESHOLDS.offHours.lookbackMs).toBe(168 * 3_600_000);
    const t = resolveThresholds({ splitSale: { singleSaleLimitByMerchant: { M9: 100_000 } }, cardVelocity: { minAttempts: 6 } });
    expect(t.splitSale.singleSaleLimitMinor).toBe(500_000);
    expect(t.splitSale.singleSaleLimitByMerchant).toEqual({ M9: 100_000 });
    expect(t.cardVelocity).toMatchObject({ minAttempts: 6, minMerchants: 3 });
  });
});

describe('parseTxnLines', () => {
  it('names the line and field of each bad line and never echoes card data', () => {
    const good = JSON.stringify({ id: 'a', source: 'terminal', at: '2026-10-05T10:00:00+08:00', merchantId: 'M1', terminalId: 'T1', type: 'sale', amountMinor: 1, currency: 'CNY', entryMode: 'chip', stan: '000001', outcome: 'approved' });
    const pan = '4111111111111111';
    const text = [good, '', JSON.stringify({ ...JSON.parse(good), id: 'b', amountMinor: -1 }), '{oops', JSON.stringify({ ...JSON.parse(good), id: 'c', cardToken: pan })].join('\n');
    const { records, errors } = parseTxnLines(text);
    expect(records.map((r) => r.id)).toEqual(['a']);
    expect(errors.map(describeLineError)).toEqual([
      expect.stringMatching(/^line 3, field amountMinor: /),
      'line 4: is not valid JSON',
      'line 5, field cardToken: holds card data (a card number is refused, not stored)',
    ]);
    expect(JSON.stringify(errors)).not.toContain(pan);
  });
});
