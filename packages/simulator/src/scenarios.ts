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
  const used = new Set<string>();
  const usedSites = new Set<string>();
  const ids = new Map<FaultId, string>();
  const terminalsOf = (siteId: string) => fleet.terminals.filter((t) => t.siteId === siteId);
  const isFree = (t: FleetTerminal) => !used.has(t.id) && !usedSites.has(t.siteId);
  // Sites go to site faults whole, so their signals do not mix with a terminal fault's, and vice versa.
  const freeSite = (want: (ts: FleetTerminal[]) => boolean): FleetSite => {
    const site = fleet.sites.find((s) => !usedSites.has(s.id) && terminalsOf(s.id).length > 0 && terminalsOf(s.id).every(isFree) && want(terminalsOf(s.id)));
    if (!site) throw new Error('fleet too small for every fault: no free site left');
    usedSites.add(site.id);
    return site;
  };
  const freeTerminal = (id: FaultId, probe: FaultInjection): FleetTerminal => {
    const def = faultDefinition(id);
    const t = fleet.terminals.find((x) => isFree(x) && (def.affects?.(x, probe) ?? true));
    if (!t) throw new Error(`fleet too small for every fault: no free terminal for ${id}`);
    used.add(t.id);
    return t;
  };
  const inject = (id: FaultId, scope: FaultScope) => {
    const timing = TIMELINE[id] ?? { offsetMin: 0 };
    const startAt = new Date(start + timing.offsetMin * 60_000);
    const lasts = timing.lastsMin ?? opts.durationMinutes;
    const injectionId = sim.inject({ fault: id, scope, startAt, severity: 0.8, ...(lasts ? { endAt: new Date(startAt.getTime() + lasts * 60_000) } : {}) });
    ids.set(id, injectionId);
    return injectionId;
  };

  // A bad release on half of the most common model, first, so that no other fault lands on its terminals.
  const model = mostCommon(fleet.terminals.map((t) => t.model));
  for (const t of sim.affectedTerminals(inject('sw.update.regression', { kind: 'fleet', model, share: 0.5 }))) used.add(t);
  // Four clean terminals that every problem card visits in turn.
  const cardStops = fleet.terminals.filter(isFree).slice(0, 4);
  cardStops.forEach((t) => used.add(t.id));

  for (const id of FAULT_IDS) {
    if (ids.has(id)) continue;
    const def = faultDefinition(id);
    if (id === 'ext.host.outage') {
      const bySites = [...fleet.hosts].sort((a, b) => sitesOn(b.id) - sitesOn(a.id));
      inject(id, { kind: 'host', hostId: bySites[0]!.id });
    } else if (def.scopes.includes('card')) {
      inject(id, { kind: 'card', terminalIds: cardStops.map((t) => t.id) });
    } else if (id === 'net.site.outage' || id === 'net.dns' || id === 'net.firewall') {
      inject(id, { kind: 'site', siteId: freeSite((ts) => ts.some((t) => t.networkType !== 'cellular')).id });
    } else {
      const probe: FaultInjection = { fault: id, startAt: new Date(start), scope: { kind: 'terminal', terminalId: '' } };
      inject(id, { kind: 'terminal', terminalId: freeTerminal(id, probe).id });
    }
  }
  return ids;

  function sitesOn(hostId: string): number {
    return new Set(fleet.terminals.filter((t) => t.hostId === hostId).map((t) => t.siteId)).size;
  }
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}
