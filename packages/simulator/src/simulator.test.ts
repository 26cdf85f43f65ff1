import { containsCardData, DeviceMessage } from '@poscare/contracts';
import { describe, expect, it } from 'vitest';
import { createFleet } from './fleet.js';
import { FAULT_IDS } from './faults/ids.js';
import { injectEveryFault } from './scenarios.js';
import { Simulator } from './simulator.js';
import { txnsOf } from './testing/streams.js';

/** Midnight, 3 March 2026 (a Tuesday), China Standard Time. */
const MIDNIGHT = new Date('2026-03-02T16:00:00Z');
const local = (h: number, m = 0, day = 0) => new Date(MIDNIGHT.getTime() + ((day * 24 + h) * 60 + m) * 60_000);
const fleetOf = (seed: number, terminals = 30) => createFleet({ seed, terminals, merchants: Math.ceil(terminals / 4), sitesPerMerchant: [1, 3], startAt: MIDNIGHT });

describe('a repair on site', () => {
  const printerOf = (deliveries: ReturnType<Simulator['step']>, terminalId: string) =>
    deliveries
      .filter((d) => d.terminalId === terminalId && d.message.kind === 'telemetry')
      .map((d) => (d.message.data as { printer?: { status?: string } }).printer?.status);

  it('ends the terminal\'s own faults, so its telemetry shows the fix; site faults go on', () => {
    const sim = new Simulator(fleetOf(3, 12));
    const term = sim.fleet.terminals.find((x) => x.networkType !== 'cellular')!;
    sim.inject({ fault: 'hw.printer.paper_out', scope: { kind: 'terminal', terminalId: term.id }, startAt: local(9) });
    sim.inject({ fault: 'net.site.outage', scope: { kind: 'site', siteId: term.siteId }, startAt: local(12, 30), endAt: local(14) });
    const before = printerOf(sim.step(local(12)), term.id);
    expect(before.at(-1)).toBe('paper_out');
    expect(sim.repair(term.id, local(12))).toEqual(['hw.printer.paper_out']);
    const after = printerOf(sim.step(local(12, 25)), term.id);
    expect(after.length).toBeGreaterThan(10);
    expect(after.slice(2).every((s) => s !== 'paper_out')).toBe(true);
    expect(sim.groundTruth().find((g) => g.fault === 'hw.printer.paper_out')?.endedBy).toBe('repair');
    // The site's outage is not the terminal's to fix: it lasts until its own end.
    sim.step(local(12, 40));
    expect(sim.groundTruth().find((g) => g.fault === 'net.site.outage' && g.terminalId === term.id)).toMatchObject({ to: null, endedBy: null });
    expect(sim.repair(term.id, local(13))).toEqual([]);
  });
});

describe('Simulator', () => {
  it('produces the same message stream for the same seed, and a different one for another', () => {
    const run = (seed: number) => {
      const sim = new Simulator(fleetOf(seed, 20));
      sim.inject({ fault: 'hw.reader.chip', scope: { kind: 'terminal', terminalId: sim.fleet.terminals[0]!.id }, startAt: local(9) });
      return JSON.stringify(sim.step(local(13)));
    };
    const a = run(99);
    expect(run(99)).toBe(a);
    expect(run(100)).not.toBe(a);
  });

  it('gives message ids that differ between runs starting at different times, even with one seed', () => {
    const ids = (start: Date) => new Simulator(fleetOf(1, 5), { startAt: start }).step(new Date(start.getTime() + 10 * 60_000)).map((d) => d.message.msgId);
    const a = new Set(ids(local(10)));
    expect(ids(local(10, 0, 1)).some((id) => a.has(id))).toBe(false);
  });

  it('trades on a daily curve: lunch is far busier than 3 a.m., and dinner has a peak of its own', () => {
    const sim = new Simulator(fleetOf(7, 60));
    const txns = txnsOf(sim.step(local(24)));
    const count = (from: Date, to: Date) => txns.filter((t) => t.at >= +from && t.at < +to).length;
    const lunch = count(local(11, 30), local(13, 30)) / 2;
    const night = count(local(2, 30), local(4, 30)) / 2;
    const afternoon = count(local(15), local(16, 30)) / 1.5;
    const dinner = count(local(17, 30), local(20)) / 2.5;
    expect(lunch).toBeGreaterThan(10 * Math.max(1, night));
    expect(lunch).toBeGreaterThan(1.5 * afternoon);
    expect(dinner).toBeGreaterThan(1.5 * afternoon);
  });

  it('trades differently at weekends: restaurants busier on Saturday than on Tuesday', () => {
    const fleet = fleetOf(8, 60);
    const restaurants = new Set(fleet.terminals.filter((t) => fleet.merchants.find((m) => m.id === t.merchantId)!.kind === 'restaurant').map((t) => t.id));
    const day = (d: number) => txnsOf(new Simulator(fleet, { startAt: local(10, 0, d) }).step(local(22, 0, d))).filter((t) => restaurants.has(t.terminalId)).length;
    expect(restaurants.size).toBeGreaterThan(3);
    expect(day(4)).toBeGreaterThan(day(0) * 1.1);
  });

  it('over a day with every fault injected, sends only schema-valid messages, never card data, ids unique per terminal', () => {
    const sim = new Simulator(createFleet({ seed: 11, terminals: 50, merchants: 14, sitesPerMerchant: [1, 3], startAt: MIDNIGHT }));
    const ids = injectEveryFault(sim, { startAt: local(8) });
    expect([...ids.keys()].sort()).toEqual([...FAULT_IDS].sort());
    const out = sim.step(local(24));
    expect(out.length).toBeGreaterThan(80_000);
    const kinds = new Set(out.map((d) => d.message.kind));
    expect(kinds).toEqual(new Set(['telemetry', 'event', 'txn']));
    // Checked without an expect() per message: a day is about 100,000 of them.
    const seen = new Map<string, Set<string>>();
    const problems: string[] = [];
    let previousSentAt = 0;
    for (const d of out) {
      const parsed = DeviceMessage.safeParse(d.message);
      if (!parsed.success) problems.push(`invalid ${d.message.kind}: ${JSON.stringify(parsed.error.issues)} in ${JSON.stringify(d.message)}`);
      if (containsCardData(d.message)) problems.push(`card data in ${JSON.stringify(d.message)}`);
      const mine = seen.get(d.terminalId) ?? new Set<string>();
      if (mine.has(d.message.msgId)) problems.push(`duplicate msgId ${d.message.msgId}`);
      mine.add(d.message.msgId);
      seen.set(d.terminalId, mine);
      if (d.sentAt.getTime() < Date.parse(d.message.at)) problems.push(`sent before it happened: ${d.message.msgId}`);
      // Deliveries come in the order they were sent.
      if (d.sentAt.getTime() < previousSentAt) problems.push(`out of order: ${d.message.msgId}`);
      previousSentAt = d.sentAt.getTime();
    }
    expect(problems.slice(0, 5)).toEqual([]);
    // Every injection is in the ground truth, with its terminals.
    const truth = sim.groundTruth();
    for (const [fault, id] of ids) {
      const entries = truth.filter((g) => g.injectionId === id);
      expect(entries.length, fault).toBeGreaterThan(0);
      expect(entries.every((e) => e.fault === fault)).toBe(true);
    }
  });

  it('records ground truth per terminal: when a fault reached it and when it ended', () => {
    const sim = new Simulator(fleetOf(12));
    const site = sim.fleet.sites.find((s) => sim.fleet.terminals.filter((t) => t.siteId === s.id && t.networkType !== 'cellular').length >= 1)!;
    const id = sim.inject({ fault: 'net.site.outage', scope: { kind: 'site', siteId: site.id }, startAt: local(11), endAt: local(12, 30) });
    expect(sim.groundTruth()).toEqual([]);
    sim.step(local(12));
    expect(sim.groundTruth().every((g) => g.to === null)).toBe(true);
    sim.step(local(14));
    const truth = sim.groundTruth();
    const lan = sim.fleet.terminals.filter((t) => t.siteId === site.id && t.networkType !== 'cellular').map((t) => t.id);
    expect(truth.map((g) => g.terminalId).sort()).toEqual(lan.sort());
    expect(truth[0]).toMatchObject({ injectionId: id, fault: 'net.site.outage', category: 'network', scope: 'site', siteId: site.id, from: local(11), to: local(12, 30), endedBy: 'schedule' });
  });

  it('ends a fault early on request, and drops injections that had not begun', () => {
    const sim = new Simulator(fleetOf(14));
    const t = sim.fleet.terminals.find((x) => x.interfaces.includes('printer'))!;
    const jam = sim.inject({ fault: 'hw.printer.jam', scope: { kind: 'terminal', terminalId: t.id }, startAt: local(9) });
    const later = sim.inject({ fault: 'sec.tamper', scope: { kind: 'terminal', terminalId: t.id }, startAt: local(15) });
    sim.step(local(10));
    sim.endFault(jam);
    sim.endFault(later);
    const out = sim.step(local(16));
    expect(sim.groundTruth()).toEqual([expect.objectContaining({ injectionId: jam, from: local(9), to: local(10), endedBy: 'schedule' })]);
    expect(sim.snapshot(t.id).tamper).toBe(false);
    const statuses = out.filter((d) => d.terminalId === t.id && d.message.kind === 'telemetry').map((d) => (d.message.data as { printer?: { status?: string } }).printer?.status);
    expect(statuses.includes('jam')).toBe(false);
  });

  it('refuses scopes a fault does not take and targets it cannot reach', () => {
    const sim = new Simulator(fleetOf(13));
    const wired = sim.fleet.terminals.find((t) => t.networkType === 'ethernet');
    expect(() => sim.inject({ fault: 'net.site.outage', scope: { kind: 'terminal', terminalId: sim.fleet.terminals[0]!.id }, startAt: local(9) })).toThrow(/cannot be scoped to a terminal/);
    if (wired) expect(() => sim.inject({ fault: 'net.signal.weak', scope: { kind: 'terminal', terminalId: wired.id }, startAt: local(9) })).toThrow(/reaches no terminal/);
    expect(() => sim.inject({ fault: 'hw.printer.jam', scope: { kind: 'terminal', terminalId: 'nope' }, startAt: local(9) })).toThrow(/unknown terminal/);
  });
});
