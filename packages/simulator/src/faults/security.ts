/** Security: the case was opened. The terminal erases its keys and locks itself, as PCI PTS requires. */
import type { FaultDefinition } from './types.js';

export const SECURITY_FAULTS: readonly FaultDefinition[] = [
  {
    id: 'sec.tamper',
    scopes: ['terminal'],
    begin(ctx, atMs) {
      const s = ctx.minute.s;
      s.tamper = true;
      s.keysLoaded = false;
      s.lastKeyExchangeOk = false;
      ctx.minute.event('TAMPER', atMs);
    },
    apply(ctx) {
      ctx.minute.eventEvery('TAMPER', ctx.minute.startMs, 30 * 60_000);
    },
    end(ctx) {
      // Inspected, re-keyed and released by the vendor.
      const s = ctx.minute.s;
      s.tamper = false;
      s.keysLoaded = true;
      s.lastKeyExchangeOk = true;
    },
  },
];
