/** Hardware faults: card readers wearing out, the printer, the battery and its charger. */
import type { FleetTerminal } from '../fleet.js';
import type { ReaderKind } from '../conditions.js';
import { PAPER_LOW_SHARE, replacePaper } from '../terminal/printer.js';
import { ramp, type FaultDefinition } from './types.js';
import type { FaultId } from './ids.js';

/** A reader whose failure rate creeps up from a few percent towards most reads. */
function readerFault(id: FaultId, reader: ReaderKind): FaultDefinition {
  return {
    id,
    scopes: ['terminal', 'fleet'],
    affects: (t: FleetTerminal) => t.interfaces.includes(reader),
    apply(ctx) {
      const rate = 0.04 + 0.86 * ctx.severity * ramp(ctx);
      ctx.cond.readFailure[reader] = Math.max(ctx.cond.readFailure[reader], rate);
    },
  };
}

const hasPrinter = (t: FleetTerminal) => t.interfaces.includes('printer');
const portable = (t: FleetTerminal) => t.portable;

export const HARDWARE_FAULTS: readonly FaultDefinition[] = [
  readerFault('hw.reader.chip', 'chip'),
  readerFault('hw.reader.contactless', 'contactless'),
  readerFault('hw.reader.magstripe', 'magstripe'),
  {
    // Nobody changes the roll: it goes low, then out.
    id: 'hw.printer.paper_out',
    scopes: ['terminal'],
    affects: hasPrinter,
    begin(ctx) {
      const p = ctx.minute.s.paper;
      p.left = Math.min(p.left, Math.floor(p.capacity * PAPER_LOW_SHARE) + ctx.minute.s.rng.int(4, 10));
      p.lowShown = false;
      p.replaceAtMs = null;
    },
    apply(ctx) {
      ctx.cond.printer.paperNotReplaced = true;
    },
    end(ctx, atMs) {
      replacePaper(ctx.minute, atMs);
    },
  },
  {
    id: 'hw.printer.jam',
    scopes: ['terminal'],
    affects: hasPrinter,
    apply(ctx) {
      ctx.cond.printer.jam = true;
    },
    end(ctx) {
      ctx.minute.s.printerJammed = false;
    },
  },
  {
    id: 'hw.printer.fault',
    scopes: ['terminal', 'fleet'],
    affects: hasPrinter,
    apply(ctx) {
      ctx.cond.printer.fault = true;
    },
  },
  {
    // Health falls towards 85 − 50 × severity over the ramp; drain follows health (see power.ts).
    id: 'hw.battery.degraded',
    scopes: ['terminal', 'fleet'],
    affects: portable,
    apply(ctx) {
      const b = ctx.minute.s.battery;
      if (!b) return;
      const target = 85 - 50 * ctx.severity;
      const perMinute = Math.max(0, 90 - target) / (ctx.params.rampMinutes ?? 240);
      b.healthPct = Math.max(target, Math.min(b.healthPct, 90) - perMinute);
    },
    end(ctx) {
      const b = ctx.minute.s.battery;
      if (b) Object.assign(b, { healthPct: 99, cycles: 0 });
    },
  },
  {
    // Not charged overnight and the charging base is missing: the terminal trades on what is left until it dies.
    id: 'hw.battery.depleted',
    scopes: ['terminal'],
    affects: portable,
    begin(ctx) {
      const b = ctx.minute.s.battery;
      if (b) b.pct = Math.min(b.pct, 60 - 30 * ctx.severity);
    },
    apply(ctx) {
      ctx.cond.power.noCharging = true;
      ctx.cond.power.drainFactor = Math.max(ctx.cond.power.drainFactor, 1 + 2 * ctx.severity);
    },
  },
  {
    id: 'hw.power.adapter',
    scopes: ['terminal'],
    affects: (t, inj) => inj.params?.unplugged === true || portable(t),
    apply(ctx) {
      ctx.cond.power.adapterFault = true;
      if (ctx.params.unplugged) ctx.cond.power.unplugged = true;
    },
  },
];
