/** Operator mistakes: not signing on, not settling. (Wrong PINs are card-scoped: see cards.ts.) */
import { settleBatch } from '../terminal/daily.js';
import type { FaultDefinition } from './types.js';

export const OPERATION_FAULTS: readonly FaultDefinition[] = [
  {
    // A new shift starts without signing on (or the sign-on was lost in a reboot): every sale is refused.
    id: 'op.not_signed_in',
    scopes: ['terminal', 'site'],
    begin(ctx) {
      ctx.minute.s.signedIn = false;
    },
    apply(ctx) {
      ctx.cond.operation.notSignedIn = true;
      ctx.cond.attemptFactor *= 0.6;
    },
    end(ctx, atMs) {
      const s = ctx.minute.s;
      if (s.signedIn) return;
      s.signedIn = true;
      ctx.minute.event('SIGN_ON_OK', atMs);
    },
  },
  {
    // Nobody settles: the batch fills up and the terminal refuses sales once it is full.
    id: 'op.settlement.overdue',
    scopes: ['terminal', 'site'],
    begin(ctx) {
      const b = ctx.minute.s.batch;
      b.count = Math.max(b.count, Math.floor(b.capacity * (0.97 - 0.15 * (1 - ctx.severity))));
    },
    apply(ctx) {
      ctx.cond.operation.settlementOverdue = true;
    },
    end(ctx, atMs) {
      settleBatch(ctx.minute, atMs);
    },
  },
];
