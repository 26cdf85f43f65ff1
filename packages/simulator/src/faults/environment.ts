/** Where the terminal stands: heat (sun, a kitchen), damp, a bad power supply. */
import { reboot } from '../terminal/software.js';
import { ramp, type FaultDefinition } from './types.js';

export const ENVIRONMENT_FAULTS: readonly FaultDefinition[] = [
  {
    id: 'env.temperature',
    scopes: ['terminal', 'site'],
    apply(ctx) {
      const heat = (6 + 14 * ctx.severity) * Math.min(1, ctx.elapsedMin / 30);
      ctx.cond.heat.ambientC += heat;
      ctx.cond.heat.internalC += heat;
      // Hot electronics: the contactless antenna and the CPU suffer first.
      ctx.cond.readFailure.contactless += 0.06 * ctx.severity * ramp(ctx);
      ctx.cond.app.cpuPct += 15 * ctx.severity;
      ctx.cond.app.crashesPerMinute += 0.004 * ctx.severity;
    },
  },
  {
    id: 'env.humidity',
    scopes: ['terminal', 'site'],
    apply(ctx) {
      ctx.cond.humidityPct = 86 + 10 * ctx.severity;
      const r = ramp(ctx);
      ctx.cond.readFailure.chip += 0.12 * ctx.severity * r;
      ctx.cond.readFailure.magstripe += 0.12 * ctx.severity * r;
      if (ctx.severity * r > 0.5) ctx.cond.keypadStuck = 1;
    },
  },
  {
    id: 'env.power.unstable',
    scopes: ['terminal', 'site'],
    apply(ctx) {
      ctx.cond.power.mainsUnstable = true;
      const s = ctx.minute.s;
      const onMains = !s.battery || s.battery.docked;
      if (onMains && !ctx.minute.isDown(ctx.minute.startMs) && s.rng.chance(0.02 * ctx.severity)) {
        const at = ctx.minute.startMs + s.rng.int(0, 40_000);
        ctx.minute.event('POWER_UNSTABLE', at);
        // Countertop units have no battery to ride through the dip.
        if (!s.battery) reboot(ctx.minute, at + 500);
      }
    },
  },
];
