/**
 * Ready-made fault mixes for demos and tests: every fault the simulator knows, each on its own
 * terminal, site, segment, host or card, spread over a day so their signals can be told apart.
 */
import type { FleetSite, FleetTerminal } from './fleet.js';
import { FAULT_IDS, type FaultId } from './faults/ids.js';
import { faultDefinition } from './faults/registry.js';
import type { FaultInjection, FaultScope } from './faults/types.js';
import type { Simulator } from './simulator.js';

export interface EveryFaultOptions {
  /** When the first faults begin; default one hour after the simulator's current time. */
  startAt?: Date;
  /** How long faults last; open-ended when absent. Outages always end, so their backlog can be seen. */
  durationMinutes?: number;
}

const HOUR = 3_600_000;

/** Minutes after `startAt` at which each fault begins, and how long the ones that always end last. */
const TIMELINE: Partial<Record<FaultId, { offsetMin: number; lastsMin?: number }>> = {
  'net.site.outage': { offsetMin: 150, lastsMin: 120 },
  'ext.host.outage': { offsetMin: 540, lastsMin: 90 },
  'net.dns': { offsetMin: 60, lastsMin: 180 },
  'net.firewall': { offsetMin: 90, lastsMin: 180 },
  'sw.update.regression': { offsetMin: 0 },
  'hw.battery.depleted': { offsetMin: 0, lastsMin: 600 },
};

/**
 * Injects every fault in FAULT_IDS into `sim`, choosing distinct targets where the fault allows it.
 * Returns the injection id of each fault. Needs a fleet of about 40 terminals or more.
 */
export function injectEveryFault(sim: Simulator, opts: EveryFaultOptions = {}): Map<FaultId, string> {
  const fleet = sim.fleet;
  const start = (opts.startAt ?? new Date(sim.now.getTime() + HOUR)).getTime();
  const usedTerminals = new Set<string>();
  const usedSites = new Set<string>();
  const ids = new Map<FaultId, string>();
  const terminalsOf = (site: FleetSite) => fleet.terminals.filter((t) => t.siteId === site.id);
  // Sites are kept apart from terminal-scoped faults so that site signals stay clean, and vice versa.
  const freeSite = (want: (ts: FleetTerminal[]) => boolean) => {
    const site = fleet.sites.find((s) => !usedSites.has(s.id) && terminalsOf(s).length > 0 && terminalsOf(s).every((t) => !usedTerminals.has(t.id)) && want(terminalsOf(s)));
    if (!site) throw new Error('fleet too small for every fault: no free site left');
    usedSites.add(site.id);
    terminalsOf(site).forEach((t) => usedTerminals.add(t.id));
    return site;
  };
  const freeTerminal = (id: FaultId, injection: FaultInjection) => {
    const def = faultDefinition(id);
    const t = fleet.terminals.find((x) => !usedTerminals.has(x.id) && !usedSites.has(x.siteId) && (def.affects?.(x, injection) ?? true));
    if (!t) throw new Error(`fleet too small for every fault: no free terminal for ${id}`);
    usedTerminals.add(t.id);
    return t;
  };

  for (const id of FAULT_IDS) {
    const def = faultDefinition(id);
    const timing = TIMELINE[id] ?? { offsetMin: 0 };
    const startAt = new Date(start + timing.offsetMin * 60_000);
    const lasts = timing.lastsMin ?? opts.durationMinutes;
    const base: Omit<FaultInjection, 'scope'> = { fault: id, startAt, severity: 0.8, ...(lasts ? { endAt: new Date(startAt.getTime() + lasts * 60_000) } : {}) };
    let scope: FaultScope;
    if (id === 'ext.host.outage') {
      const smallest = [...fleet.hosts].sort((a, b) => fleet.terminals.filter((t) => t.hostId === a.id).length - fleet.terminals.filter((t) => t.hostId === b.id).length).find((h) => fleet.terminals.some((t) => t.hostId === h.id));
      scope = { kind: 'host', hostId: smallest!.id };
    } else if (def.scopes.includes('card')) {
      scope = { kind: 'card' };
    } else if (id === 'sw.update.regression') {
      const model = mostCommon(fleet.terminals.map((t) => t.model));
      scope = { kind: 'fleet', model, share: 0.5 };
    } else if (def.scopes.includes('site') && !def.scopes.includes('terminal')) {
      scope = { kind: 'site', siteId: freeSite((ts) => ts.some((t) => t.networkType !== 'cellular')).id };
    } else if (id === 'net.dns' || id === 'net.firewall') {
      scope = { kind: 'site', siteId: freeSite((ts) => ts.some((t) => t.networkType !== 'cellular')).id };
    } else {
      const probe: FaultInjection = { ...base, scope: { kind: 'terminal', terminalId: '' } };
      scope = { kind: 'terminal', terminalId: freeTerminal(id, probe).id };
    }
    ids.set(id, sim.inject({ ...base, scope }));
  }
  return ids;
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}
