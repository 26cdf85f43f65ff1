import { describe, expect, it } from 'vitest';
import { checkOutgoing } from './messages.js';
import { StanCounter } from './stan.js';

describe('StanCounter', () => {
  it('counts six-digit STANs and wraps from 999999 to 000001', () => {
    const s = new StanCounter(999_998);
    expect([s.next(), s.next(), s.next()]).toEqual(['999999', '000001', '000002']);
    expect(new StanCounter().next()).toBe('000001');
  });

  it('refuses a starting value that is not a STAN', () => {
    expect(() => new StanCounter(1_000_000)).toThrow(RangeError);
  });
});

describe('payment lines', () => {
  const line = (data: Record<string, unknown>) => ({ v: 1, msgId: 'msg-00000001', at: '2026-03-02T09:00:00+08:00', kind: 'txn', data });

  it('lets a typed sale, refund and reversal leave the terminal', () => {
    const s = new StanCounter();
    expect(() => checkOutgoing(line({ type: 'sale', stan: s.next(), authCode: 'A1B2C3', entryMode: 'chip', outcome: 'approved', amountMinor: 100 }))).not.toThrow();
    expect(() => checkOutgoing(line({ type: 'reversal', stan: s.next(), originalStan: '000001', entryMode: 'chip', outcome: 'approved' }))).not.toThrow();
    expect(() => checkOutgoing(line({ type: 'refund', stan: s.next(), originalRrn: '612345678901', entryMode: 'chip', outcome: 'approved' }))).not.toThrow();
  });

  it('stops a typed line without its STAN before it is sent', () => {
    expect(() => checkOutgoing(line({ type: 'void', originalStan: '000001', entryMode: 'chip', outcome: 'approved' }))).toThrow(/stan/);
  });
});
