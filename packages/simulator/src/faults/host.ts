/** The acquirer host (or the channel to it) failing: every terminal routed to it, across many sites. */
import type { FaultDefinition } from './types.js';

export const HOST_FAULTS: readonly FaultDefinition[] = [
  {
    id: 'ext.host.outage',
    scopes: ['host'],
    apply(ctx) {
      const sev = ctx.severity;
      ctx.cond.host.errorChance = Math.max(ctx.cond.host.errorChance, sev);
      // A full outage fails the terminal's reachability probe too; a partial one only now and then.
      if (sev >= 0.7 || ctx.minute.s.rng.chance(sev)) ctx.cond.network.hostReachable = false;
      ctx.cond.attemptFactor *= 1 - 0.3 * sev;
    },
  },
];
