/**
 * Battery and mains. Hand-held terminals trade on battery and go back on their charging base when the
 * shop closes or the battery runs low; countertop units live on mains. A worn battery (low health)
 * drains disproportionately fast, which is how "the battery dies by noon" looks in telemetry.
 */
import { isOpen } from '../curves.js';
import type { Minute } from './minute.js';

/** Low-battery warnings a terminal shows, highest first. */
const WARN_AT = [20, 10, 5] as const;

export function updatePower(m: Minute, txnsLastMinute: number): void {
  const { s, c } = m;
  const b = s.battery;
  if (!b) {
    // A countertop unit has nothing to ride on: pulled from the socket, it is off at once, without a word.
    if (c.power.unplugged) s.off = true;
    return;
  }
  const rng = s.rng;
  const open = isOpen(s.merchant.kind, m.local);
  const quietNight = m.local.minuteOfDay >= 60 && m.local.minuteOfDay < 360;

  if (c.power.noCharging) b.docked = false;
  else if (!open || quietNight) b.docked = true;
  else if (b.docked && b.pct >= 95 && rng.chance(0.2)) b.docked = false;
  else if (!b.docked && b.pct < 20 && rng.chance(0.12)) b.docked = true;

  const charging = b.docked && !c.power.adapterFault && b.pct < 100;
  if (charging) {
    const gain = Math.min(100 - b.pct, 1.1 * (0.5 + b.healthPct / 200));
    b.pct += gain;
    b.chargedPct += gain;
    if (b.chargedPct >= 100) {
      b.cycles += 1;
      b.chargedPct -= 100;
    }
    if (b.pct > 30) b.warnedBelow = 101;
  } else if (!b.docked || c.power.adapterFault) {
    // With a dead adapter the base still powers the terminal a little, so it drains more slowly.
    const onBase = b.docked ? 0.5 : 1;
    const drain = (0.06 + 0.03 * txnsLastMinute) * (100 / Math.max(5, b.healthPct)) ** 1.5 * c.power.drainFactor * onBase;
    b.pct = Math.max(0, b.pct - drain);
    if (b.docked && c.power.adapterFault) m.eventEvery('NOT_CHARGING', m.startMs + 5_000, 30 * 60_000);
    for (const level of WARN_AT) {
      if (b.pct < level && b.warnedBelow > level) {
        b.warnedBelow = level;
        m.event('LOW_BATTERY', m.startMs + rng.int(0, 50_000), { pct: Math.round(b.pct) });
      }
    }
    if (b.pct <= 0) {
      m.event('BATTERY_EMPTY', m.startMs + 55_000);
      s.off = true;
    }
  }
}

/** A terminal switched off by its battery comes back once someone puts it on a working charger. */
export function tryPowerOn(m: Minute): boolean {
  const { s, c } = m;
  if (!s.off) return true;
  if (c.power.noCharging || c.power.adapterFault || c.power.unplugged || !m.s.rng.chance(0.08)) return false;
  s.off = false;
  if (s.battery) {
    s.battery.docked = true;
    s.battery.pct = Math.max(s.battery.pct, 3);
  }
  const at = m.startMs + s.rng.int(5_000, 40_000);
  s.bootedAtMs = at;
  s.appStartedAtMs = at + 20_000;
  s.since.reboots++;
  s.downUntilMs = at;
  s.bootPending = true;
  return true;
}

export function mainsVoltage(m: Minute): number {
  const sd = m.c.power.mainsUnstable ? 18 : 1.5;
  return Math.round(Math.min(265, Math.max(165, m.s.rng.normal(220, sd))) * 10) / 10;
}
