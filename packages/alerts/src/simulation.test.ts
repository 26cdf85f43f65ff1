/**
 * The default rules against the fleet simulator, the quick version of `npm run eval:alerts`: a few
 * faults staged in their realistic scope on an 80-terminal fleet, each firing its rule within the
 * expected delay, and a healthy fleet of 200 terminals for a day without a single alert. (Trade
 * absence needs weeks of history: the eval covers it.)
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from './rules.js';
import { FAULT_CASES, FLEET_START, runFaultCase } from './testing/faultCases.js';
import { runUntil, scenarioFleet, startSim } from './testing/simulate.js';

const fleet = scenarioFleet(7, 80, FLEET_START);
const QUICK = ['net.site.outage', 'net.site.outage/segment', 'hw.power.adapter/unplugged', 'ext.host.outage', 'sw.update.regression', 'hw.reader.chip', 'ext.card.expired', 'hw.printer.paper_out', 'hw.battery.depleted'];

describe('default rules on simulated faults', () => {
  for (const id of QUICK) {
    const fc = FAULT_CASES.find((c) => c.id === id)!;
    it(`${id}: ${fc.expect.map((e) => `${e.rule} within ${e.withinMinutes} min`).join(', ')}, nothing elsewhere`, () => {
      const r = runFaultCase(fc, { fleet, seed: 7, rules: DEFAULT_RULES });
      for (const e of r.expected) expect(e, e.rule).toMatchObject({ pass: true, suppressed: null });
      expect(r.elsewhere).toEqual([]);
    });
  }

  it('a site outage is one alert listing the dark terminals; their own offline alerts are inhibited', () => {
    const fc = FAULT_CASES.find((c) => c.id === 'net.site.outage')!;
    const r = runFaultCase(fc, { fleet, seed: 7, rules: DEFAULT_RULES });
    expect(r.expected[0]!.members).toBeGreaterThan(2);
    const offline = r.alsoOnAffected['terminal.offline']!;
    expect(offline.fired).toBe(r.expected[0]!.members);
    expect(offline.suppressed).toBe(offline.fired);
  });

  it('three terminals of a large site going dark together are one site alert, though far less than half the site; their own offline alerts are inhibited', () => {
    const fc = FAULT_CASES.find((c) => c.id === 'net.site.outage/segment')!;
    const r = runFaultCase(fc, { fleet, seed: 7, rules: DEFAULT_RULES });
    expect(r.expected[0]).toMatchObject({ pass: true, members: 3 });
    expect(r.alsoOnAffected['terminal.offline']).toEqual({ fired: 3, suppressed: 3 });
  });

  it('one countertop unit unplugged is its own offline alert, not a site alert', () => {
    const fc = FAULT_CASES.find((c) => c.id === 'hw.power.adapter/unplugged')!;
    const r = runFaultCase(fc, { fleet, seed: 7, rules: DEFAULT_RULES });
    expect(r.expected[0]).toMatchObject({ pass: true, suppressed: null });
    expect(r.alsoOnAffected['site.offline']).toBeUndefined();
  });
});

describe('a healthy fleet', () => {
  it('200 terminals for a day: no alert at all', () => {
    const start = new Date(FLEET_START.getTime() + 15 * 86_400_000);
    const run = startSim({ seed: 42, terminals: 200, startAt: start, rules: DEFAULT_RULES });
    runUntil(run, new Date(start.getTime() + 86_400_000));
    const fired = run.changes.filter((c) => c.type === 'fired').map((c) => `${c.alert.ruleCode} ${c.alert.scopeLabel} ${new Date(c.at).toISOString()}`);
    expect(fired).toEqual([]);
  });
});
