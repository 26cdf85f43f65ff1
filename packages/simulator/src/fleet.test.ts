import { TerminalFields } from '@poscare/contracts';
import { describe, expect, it } from 'vitest';
import { createFleet } from './fleet.js';

const START = new Date('2026-03-02T16:00:00Z');

describe('createFleet', () => {
  it('is reproducible by seed, ids included', () => {
    const a = createFleet({ seed: 5, terminals: 60, merchants: 12, sitesPerMerchant: [1, 3], startAt: START });
    const b = createFleet({ seed: 5, terminals: 60, merchants: 12, sitesPerMerchant: [1, 3], startAt: START });
    expect(b).toEqual(a);
    const c = createFleet({ seed: 6, terminals: 60, merchants: 12, sitesPerMerchant: [1, 3], startAt: START });
    expect(c.terminals.map((t) => t.serialNumber)).not.toEqual(a.terminals.map((t) => t.serialNumber));
  });

  it('makes exactly the terminals asked for, spread so that every site has one', () => {
    const f = createFleet({ seed: 1, terminals: 100, merchants: 15, sitesPerMerchant: 2, startAt: START });
    expect(f.terminals).toHaveLength(100);
    expect(f.sites).toHaveLength(30);
    for (const s of f.sites) expect(f.terminals.some((t) => t.siteId === s.id)).toBe(true);
    expect(new Set(f.terminals.map((t) => t.serialNumber)).size).toBe(100);
    expect(new Set(f.terminals.map((t) => t.id)).size).toBe(100);
    expect(new Set(f.terminals.map((t) => t.model)).size).toBeGreaterThan(3);
    expect(new Set(f.terminals.map((t) => t.appVersion)).size).toBeGreaterThan(1);
    expect(new Set(f.terminals.map((t) => t.networkType))).toEqual(new Set(['wifi', 'cellular', 'ethernet']));
  });

  it('describes terminals the inventory would accept', () => {
    const f = createFleet({ seed: 2, terminals: 40, merchants: 8, sitesPerMerchant: [1, 2], startAt: START });
    for (const t of f.terminals) {
      const r = TerminalFields.safeParse({ serialNumber: t.serialNumber, tid: t.tid, vendor: t.vendor, model: t.model, osVersion: t.osVersion, appVersion: t.appVersion, firmwareVersion: t.firmwareVersion, connectivity: t.connectivity });
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
    }
  });

  it('handles a fleet larger than the sites need and a tiny one', () => {
    expect(createFleet({ seed: 3, terminals: 5_000, merchants: 300, sitesPerMerchant: [1, 4], startAt: START }).terminals).toHaveLength(5_000);
    const tiny = createFleet({ seed: 3, terminals: 2, merchants: 3, sitesPerMerchant: 1, startAt: START });
    expect(tiny.terminals).toHaveLength(2);
  });
});
