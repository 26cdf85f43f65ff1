/** Which terminals a fault scope names. Unknown ids are errors: a typo must not silently inject nothing. */
import type { Fleet, FleetTerminal } from '../fleet.js';
import type { Rng } from '../random.js';
import type { FaultScope } from './types.js';

export function resolveScope(fleet: Fleet, scope: FaultScope, rng: Rng): FleetTerminal[] {
  switch (scope.kind) {
    case 'terminal': {
      const t = fleet.terminals.find((x) => x.id === scope.terminalId);
      if (!t) throw new Error(`unknown terminal ${scope.terminalId}`);
      return [t];
    }
    case 'site': {
      if (!fleet.sites.some((s) => s.id === scope.siteId)) throw new Error(`unknown site ${scope.siteId}`);
      const segment = scope.terminalIds ? new Set(scope.terminalIds) : null;
      return fleet.terminals.filter((t) => t.siteId === scope.siteId && (!segment || segment.has(t.id)));
    }
    case 'host': {
      if (!fleet.hosts.some((h) => h.id === scope.hostId)) throw new Error(`unknown acquirer host ${scope.hostId}`);
      return fleet.terminals.filter((t) => t.hostId === scope.hostId);
    }
    case 'fleet': {
      const matching = fleet.terminals.filter(
        (t) =>
          (scope.vendor === undefined || t.vendor === scope.vendor) &&
          (scope.model === undefined || t.model === scope.model) &&
          (scope.appVersion === undefined || t.appVersion === scope.appVersion) &&
          (scope.merchantId === undefined || t.merchantId === scope.merchantId),
      );
      if (scope.share === undefined || scope.share >= 1) return matching;
      return matching.filter(() => rng.next() < Math.max(0, scope.share!));
    }
    case 'card': {
      if (!scope.terminalIds?.length) return fleet.terminals;
      return scope.terminalIds.map((id) => {
        const t = fleet.terminals.find((x) => x.id === id);
        if (!t) throw new Error(`unknown terminal ${id}`);
        return t;
      });
    }
  }
}
