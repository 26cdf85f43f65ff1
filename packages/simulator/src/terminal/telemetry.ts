/** The per-minute telemetry sample: the terminal's state as its agent reads it, counters since the last sample. */
import type { TelemetryData } from '@poscare/terminal-sdk';
import { emptySince } from './state.js';
import type { Minute } from './minute.js';
import { mainsVoltage } from './power.js';
import { printerStatus } from './printer.js';

const round1 = (v: number) => Math.round(v * 10) / 10;

const BASE_SIGNAL: Record<'wifi' | 'cellular', number> = { wifi: -55, cellular: -82 };
const BASE_LATENCY: Record<'wifi' | 'cellular' | 'ethernet', number> = { ethernet: 22, wifi: 38, cellular: 95 };

export function telemetrySample(m: Minute, atMs: number): TelemetryData {
  const { s, c } = m;
  const t = s.terminal;
  const rng = s.rng;
  const b = s.battery;
  const onMains = !b || b.docked;
  const since = s.since;
  s.since = emptySince();

  const reader: NonNullable<TelemetryData['reader']> = {};
  if (t.interfaces.includes('chip')) reader.chip = since.reads.chip;
  if (t.interfaces.includes('contactless')) reader.contactless = since.reads.contactless;
  if (t.interfaces.includes('magstripe')) reader.magstripe = since.reads.magstripe;

  const busy = Math.min(1, since.txns / 3);
  const usedMb = t.memoryMb * (0.42 + 0.12 * busy) + s.leakMb + rng.normal(0, t.memoryMb * 0.01);
  const cpu = 6 + 45 * busy + c.app.cpuPct + Math.abs(rng.normal(0, 3));

  // Built by assignment rather than spreads: a fleet mixes shapes (battery or not, keypad or touch),
  // and spreading optional parts made this the simulator's hottest function.
  const data: TelemetryData = {};
  if (b) data.battery = { pct: round1(b.pct), charging: b.docked && !c.power.adapterFault && b.pct < 100, healthPct: round1(b.healthPct), cycles: b.cycles };
  data.power = onMains ? { source: 'mains', mainsVoltage: mainsVoltage(m) } : { source: 'battery' };
  data.tempC = round1(s.env.internalC);
  data.ambientTempC = round1(s.env.ambientC);
  data.humidityPct = round1(s.env.humidityPct);
  data.network = network(m);
  data.printer = { status: printerStatus(m), headTempC: round1(s.env.internalC - 2 + 6 * busy) };
  data.reader = reader;
  if (t.interfaces.includes('keypad')) data.keypad = { stuckKeys: c.keypadStuck };
  if (t.interfaces.includes('touchscreen')) data.touch = { deadZones: c.keypadStuck > 0 ? 1 : 0 };
  data.memory = { freeMb: round1(Math.max(8, t.memoryMb - usedMb)), totalMb: t.memoryMb };
  data.storage = { freeMb: round1(c.storageFull ? t.storageMb * 0.02 : Math.max(0, t.storageMb - s.storageUsedMb)), totalMb: t.storageMb };
  data.cpuPct = round1(Math.min(100, cpu));
  data.app = { version: s.appVersion, crashes: since.crashes, anrs: since.anrs, uptimeS: Math.max(0, Math.floor((atMs - s.appStartedAtMs) / 1000)) };
  data.os = { version: s.osVersion, reboots: since.reboots };
  data.clockSkewS = round1(c.clockSkewS ?? s.clockSkewS);
  data.tamper = s.tamper;
  data.keys = { loaded: s.keysLoaded, lastKeyExchangeOk: s.lastKeyExchangeOk };
  data.batch = { count: s.batch.count, capacity: s.batch.capacity };
  data.session = { signedIn: s.signedIn };
  return data;
}

function network(m: Minute): NonNullable<TelemetryData['network']> {
  const { s, c } = m;
  const t = s.terminal;
  const rng = s.rng;
  const type = t.networkType;
  const n: NonNullable<TelemetryData['network']> = { type };
  if (type === 'cellular') n.simState = c.network.simState;
  if (type !== 'ethernet') n.signalDbm = round1(Math.max(-140, Math.min(-30, BASE_SIGNAL[type] + c.network.signalDb + rng.normal(0, 3))));
  if (!s.linkUp) {
    n.connected = false;
    n.hostReachable = false;
    return n;
  }
  n.connected = true;
  n.latencyMs = round1(BASE_LATENCY[type] * (0.8 + 0.4 * rng.next()) + c.network.latencyMs);
  n.lossPct = round1(Math.min(100, Math.abs(rng.normal(0, 0.3)) + c.network.lossPct));
  n.dnsOk = c.network.dnsOk;
  n.hostReachable = c.network.hostReachable;
  n.ip = type === 'cellular' ? `10.${64 + (t.index % 64)}.${(t.index >> 6) % 256}.${(t.index % 250) + 2}` : `${s.site.lanPrefix}.${(t.index % 200) + 20}`;
  n.ipConflict = c.network.ipConflict;
  return n;
}
