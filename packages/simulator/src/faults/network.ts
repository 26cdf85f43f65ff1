/**
 * Network faults. A site's router, DNS and firewall serve its wired and Wi-Fi terminals; a terminal
 * on its own SIM is not affected by them, which is one of the clues that points at the site network.
 */
import { addCommFailure } from '../conditions.js';
import type { FleetTerminal } from '../fleet.js';
import type { FaultDefinition, FaultInjection } from './types.js';

const onSiteNetwork = (t: FleetTerminal, inj: FaultInjection) => inj.scope.kind !== 'site' || t.networkType !== 'cellular';
const wireless = (t: FleetTerminal) => t.networkType !== 'ethernet';

export const NETWORK_FAULTS: readonly FaultDefinition[] = [
  {
    id: 'net.signal.weak',
    scopes: ['terminal', 'site'],
    affects: wireless,
    apply(ctx) {
      const n = ctx.cond.network;
      const sev = ctx.severity;
      n.signalDb -= 24 + 12 * sev;
      n.latencyMs += 300 + 1_500 * sev;
      n.lossPct += 5 + 20 * sev;
      n.dropChance = Math.max(n.dropChance, 0.05 + 0.2 * sev);
      addCommFailure(ctx.cond, 0.1 + 0.4 * sev, 'weak_signal');
      ctx.minute.eventEvery('WEAK_SIGNAL', ctx.minute.startMs + 15_000, 15 * 60_000);
    },
  },
  {
    // The router or the line is down: nothing leaves the site's LAN until it is back.
    id: 'net.site.outage',
    scopes: ['site'],
    affects: (t, inj) => inj.params?.includeCellular === true || t.networkType !== 'cellular',
    apply(ctx) {
      ctx.cond.network.linkDown = true;
      // After a few failures staff send customers to pay by phone or cash.
      ctx.cond.attemptFactor *= 0.5;
    },
  },
  {
    id: 'net.dns',
    scopes: ['terminal', 'site'],
    affects: onSiteNetwork,
    apply(ctx) {
      ctx.cond.network.dnsOk = false;
      ctx.cond.network.hostReachable = false;
      addCommFailure(ctx.cond, 1, 'dns');
      ctx.cond.attemptFactor *= 0.6;
    },
  },
  {
    id: 'net.firewall',
    scopes: ['terminal', 'site'],
    affects: onSiteNetwork,
    apply(ctx) {
      ctx.cond.network.hostReachable = false;
      addCommFailure(ctx.cond, 1, 'firewall');
      ctx.cond.attemptFactor *= 0.6;
    },
  },
  {
    id: 'net.latency',
    scopes: ['terminal', 'site'],
    affects: onSiteNetwork,
    apply(ctx) {
      ctx.cond.network.latencyMs += 400 + 1_600 * ctx.severity;
      ctx.cond.network.lossPct += 2 + 8 * ctx.severity;
      addCommFailure(ctx.cond, 0.05 + 0.3 * ctx.severity, 'latency');
    },
  },
  {
    id: 'net.sim',
    scopes: ['terminal'],
    affects: (t) => t.networkType === 'cellular',
    apply(ctx) {
      const n = ctx.cond.network;
      if (ctx.severity >= 0.5) {
        // The data plan is used up: nothing gets through until it is topped up.
        n.simState = 'no_data_plan';
        n.linkDown = true;
      } else if (ctx.minute.s.rng.chance(0.35 + ctx.severity)) {
        // A loose or worn SIM drops out now and then; what was recorded meanwhile goes out when it is back.
        n.simState = 'absent';
        n.linkDown = true;
      }
      if (n.linkDown) ctx.minute.eventEvery('SIM_ERROR', ctx.minute.startMs + 2_000, 30 * 60_000);
    },
  },
  {
    id: 'net.ip_conflict',
    scopes: ['terminal', 'site'],
    affects: (t) => t.networkType !== 'cellular',
    apply(ctx) {
      ctx.cond.network.ipConflict = true;
      ctx.cond.network.dropChance = Math.max(ctx.cond.network.dropChance, 0.15 + 0.35 * ctx.severity);
      ctx.minute.eventEvery('IP_CONFLICT', ctx.minute.startMs + 5_000, 20 * 60_000);
    },
  },
];
