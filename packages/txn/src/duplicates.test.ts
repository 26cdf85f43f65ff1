import { describe, expect, it } from 'vitest';
import { involved, refs, txnStream } from './testing/factories.js';

describe('dup.double_submit', () => {
  it('finds two approved sales, same terminal, card and amount, exactly 10 minutes apart', () => {
    const s = txnStream();
    const a = s.sale({ at: 0 }), b = s.sale({ at: 10 });
    expect(involved(s.records, 'dup.double_submit')).toEqual(refs(a, b));
  });

  it('chains: each within 10 minutes of the one before, 25 minutes end to end', () => {
    const s = txnStream();
    const ps = [s.sale({ at: 0 }), s.sale({ at: 9 }), s.sale({ at: 18 }), s.sale({ at: 25 })];
    expect(involved(s.records, 'dup.double_submit')).toEqual(refs(...ps));
  });

  it("does not find a regular's same coffee an hour apart, or 10 minutes and a second apart", () => {
    const s = txnStream();
    s.sale({ at: 0 });
    s.sale({ at: 60 });
    s.sale({ at: 120 });
    s.sale({ at: 130 + 1 / 60 });
    expect(involved(s.records, 'dup.double_submit')).toEqual([]);
  });

  it('does not find a voided sale rung again, nor one reversed or refunded (originalRrn)', () => {
    const s = txnStream();
    const voided = s.sale({ at: 0 });
    s.undo(voided, { at: 1 });
    s.sale({ at: 2 });
    const reversed = s.sale({ at: 100, card: 'B' });
    s.undo(reversed, { at: 101, type: 'reversal', host: 'declined' }); // the host's answer does not matter
    s.sale({ at: 103, card: 'B' });
    const refunded = s.sale({ at: 200, card: 'C' });
    s.refund({ at: 300, card: 'C', amount: 1, originalRrn: refunded.rrn }); // any amount undoes it
    s.sale({ at: 205, card: 'C' });
    expect(involved(s.records, 'dup.double_submit')).toEqual([]);
  });

  it('ignores a void the terminal did not get approved, and other terminals, cards and amounts', () => {
    const s = txnStream();
    const a = s.sale({ at: 0 });
    s.undo(a, { at: 1, outcome: 'declined' });
    const b = s.sale({ at: 3 });
    s.sale({ at: 4, terminal: 'M1-T2' });
    s.sale({ at: 5, card: 'B' });
    s.sale({ at: 6, amount: 3001 });
    s.sale({ at: 7, outcome: 'declined' });
    expect(involved(s.records, 'dup.double_submit')).toEqual(refs(a, b));
  });

  it('ignores records delivered twice', () => {
    const s = txnStream();
    s.sale({ at: 0 });
    const twice = [...s.records, ...s.records];
    expect(involved(twice, 'dup.double_submit')).toEqual([]);
  });
});

describe('dup.timeout_retry and dup.missing_reversal', () => {
  it('finds a timeout the host approved and its retries within 10 minutes, not chained, at any terminal of the merchant', () => {
    const s = txnStream();
    const t = s.sale({ at: 0, outcome: 'timeout', host: 'approved' });
    const r1 = s.sale({ at: 6, terminal: 'M1-T2' });
    const r2 = s.sale({ at: 10 });
    s.sale({ at: 14, terminal: 'M1-T3' }); // 14 minutes after the timeout: not a retry, though 4 after r2
    expect(involved(s.records, 'dup.timeout_retry')).toEqual(refs(t, r1, r2));
    expect(involved(s.records, 'dup.missing_reversal')).toEqual([]);
  });

  it('an error counts as a timeout; a retry at another merchant, or of another amount or card, does not count', () => {
    const s = txnStream();
    const t = s.sale({ at: 0, outcome: 'error', host: 'approved' });
    s.sale({ at: 2, merchant: 'M2' });
    s.sale({ at: 3, amount: 2999 });
    s.sale({ at: 4, card: 'B' });
    expect(involved(s.records, 'dup.timeout_retry')).toEqual([]);
    expect(involved(s.records, 'dup.missing_reversal')).toEqual(refs(t));
  });

  it('a retry 10 minutes and a second later leaves a missing reversal', () => {
    const s = txnStream();
    const t = s.sale({ at: 0, outcome: 'timeout', host: 'approved' });
    s.sale({ at: 10 + 1 / 60 });
    expect(involved(s.records, 'dup.missing_reversal')).toEqual(refs(t));
    expect(involved(s.records, 'dup.timeout_retry')).toEqual([]);
  });

  it('finds nothing when the host declined, when no host line came, or when the sale was undone', () => {
    const s = txnStream();
    s.sale({ at: 0, outcome: 'timeout', host: 'declined' });
    s.sale({ at: 2 });
    s.sale({ at: 100, card: 'B', outcome: 'timeout', host: 'none' });
    const reversed = s.sale({ at: 200, card: 'C', outcome: 'timeout', host: 'approved' });
    s.undo(reversed, { at: 200.5, type: 'reversal', host: 'declined' });
    s.sale({ at: 202, card: 'C' });
    const refunded = s.sale({ at: 300, card: 'D', outcome: 'timeout', host: 'approved' });
    s.refund({ at: 2000, card: 'D', originalRrn: refunded.rrn });
    for (const code of ['dup.timeout_retry', 'dup.missing_reversal'] as const) expect(involved(s.records, code)).toEqual([]);
  });

  it('a retry that was itself voided is no retry', () => {
    const s = txnStream();
    const t = s.sale({ at: 0, outcome: 'timeout', host: 'approved' });
    const r = s.sale({ at: 3 });
    s.undo(r, { at: 4 });
    expect(involved(s.records, 'dup.missing_reversal')).toEqual(refs(t));
  });
});
