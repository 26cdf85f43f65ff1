/** What the rules read (features of a sample and a payment), the trading baseline, version order, and the shipped rule set. */
import { FAULT_IDS } from '@poscare/simulator';
import { describe, expect, it } from 'vitest';
import { ALERT_METRICS } from '@poscare/contracts';
import { DEFAULT_RULES, parseRuleSet } from './rules.js';
import { featuresOf, metricIndex, txnFeaturesOf } from './metrics.js';
import { TradingBaseline } from './trading.js';
import { compareVersions } from './versions.js';
import { FAULT_CASES } from './testing/faultCases.js';

describe('features', () => {
  it('a sample gives one number per metric: booleans as 1 / 0, what it does not say as unknown', () => {
    const f = featuresOf({ battery: { pct: 40, charging: false }, network: { type: 'cellular', connected: true, simState: 'absent' }, printer: { status: 'paper_low' }, reader: { chip: { attempts: 4, failures: 1 } } });
    expect(f.metrics[metricIndex('battery.pct')]).toBe(40);
    expect(f.metrics[metricIndex('battery.charging')]).toBe(0);
    expect(f.metrics[metricIndex('network.simReady')]).toBe(0);
    expect(f.metrics[metricIndex('printer.paperLow')]).toBe(1);
    expect(f.metrics[metricIndex('printer.paperOut')]).toBe(0);
    expect([...f.reads.slice(0, 2)]).toEqual([4, 1]);
    const unknown = ALERT_METRICS.filter((m) => Number.isNaN(f.metrics[metricIndex(m)]));
    expect(unknown).toContain('tempC');
    expect(unknown).toContain('network.dnsOk');
    // pct, charging, connected, simReady and the four printer flags.
    expect(unknown).toHaveLength(ALERT_METRICS.length - 8);
  });

  it('a payment: timeouts and system-fault codes are host errors, read errors terminal errors', () => {
    expect(txnFeaturesOf({ outcome: 'timeout', entryMode: 'chip' })).toMatchObject({ hostError: true, approved: false });
    expect(txnFeaturesOf({ outcome: 'declined', responseCode: '91', entryMode: 'contactless' })).toMatchObject({ hostError: true });
    expect(txnFeaturesOf({ outcome: 'declined', responseCode: '51', entryMode: 'contactless' })).toMatchObject({ hostError: false });
    expect(txnFeaturesOf({ outcome: 'card_read_error', entryMode: 'chip' })).toMatchObject({ terminalError: true });
    expect(txnFeaturesOf({ outcome: 'approved', responseCode: '00', entryMode: 'fallback', cardToken: 'tok_1' })).toMatchObject({ approved: true, fallback: true, cardToken: 'tok_1' });
  });
});

describe('trading baseline', () => {
  const HOUR = 3_600_000;
  const WEEK = 168 * HOUR;
  // Tuesday 10:00 China time.
  const at = Date.parse('2026-11-17T02:00:00Z');

  it('an hour of the week counts when enough past weeks (not this one) traded in it', () => {
    const b = new TradingBaseline(480);
    b.add(at - WEEK, 15);
    expect(b.expected(at, 12, 1)).toBe(true);
    expect(b.expected(at, 12, 2)).toBe(false);
    b.add(at - 2 * WEEK, 13);
    expect(b.expected(at, 12, 2)).toBe(true);
    // This week's payments are not history yet; another hour of the week has none.
    b.add(at, 50);
    expect(b.expected(at + WEEK, 12, 3)).toBe(true);
    expect(b.expected(at + HOUR, 12, 1)).toBe(false);
  });

  it('weeks older than four are forgotten', () => {
    const b = new TradingBaseline(480);
    for (let w = 1; w <= 2; w++) b.add(at - w * WEEK, 20);
    expect(b.expected(at + 3 * WEEK, 12, 2)).toBe(false);
  });
});

describe('versions', () => {
  it('orders releases the way people number them', () => {
    expect(['3.10.0', '3.9.2', '3.9.10', '3.9.2-rc1', '3.8.2'].sort(compareVersions)).toEqual(['3.8.2', '3.9.2', '3.9.2-rc1', '3.9.10', '3.10.0']);
  });
});

describe('the default rule set', () => {
  it('parses, with unique codes, and names every fault it warns about by its taxonomy code', () => {
    expect(DEFAULT_RULES.length).toBeGreaterThanOrEqual(39);
    for (const r of DEFAULT_RULES) if (r.cause) expect(FAULT_IDS, r.code).toContain(r.cause);
    expect(() => parseRuleSet({ version: 'x', rules: [DEFAULT_RULES[0], DEFAULT_RULES[0]] })).toThrow(/twice/);
  });

  it('every simulator fault has a case, and every default rule is expected to fire in one', () => {
    expect(new Set(FAULT_CASES.map((c) => c.fault))).toEqual(new Set(FAULT_IDS));
    const expected = new Set(FAULT_CASES.flatMap((c) => c.expect.map((e) => e.rule)));
    expect(DEFAULT_RULES.map((r) => r.code).filter((c) => !expected.has(c))).toEqual([]);
  });

  it('inhibitions name rules that exist', () => {
    const codes = new Set(DEFAULT_RULES.map((r) => r.code));
    for (const r of DEFAULT_RULES) for (const x of r.inhibits?.rules ?? []) expect(codes, `${r.code} inhibits ${x}`).toContain(x);
  });
});
