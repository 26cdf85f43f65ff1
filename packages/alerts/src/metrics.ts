/**
 * What the rules see of a sample: one number per ALERT_METRICS entry (booleans 1 / 0, NaN where the
 * sample says nothing), computed once per sample where it is checked, so every rule reads an array slot.
 */
import type { z } from 'zod';
import { ALERT_METRICS, type AlertMetric, type DeviceTransaction as DeviceTransactionSchema, type Telemetry } from '@poscare/contracts';

type DeviceTransaction = z.infer<typeof DeviceTransactionSchema>;
import { responseCode } from '@poscare/codes';

export const METRIC_COUNT = ALERT_METRICS.length;
const INDEX = new Map<string, number>(ALERT_METRICS.map((m, i) => [m, i]));

export function metricIndex(m: AlertMetric): number {
  return INDEX.get(m)!;
}

/** Reader counters travel beside the metrics: attempts and failures per interface since the last sample. */
export const READERS = ['chip', 'contactless', 'magstripe'] as const;
export type Reader = (typeof READERS)[number];

export interface Features {
  metrics: Float64Array;
  /** [chip attempts, chip failures, contactless attempts, contactless failures, magstripe attempts, magstripe failures], NaN when absent. */
  reads: Float64Array;
}

const b = (v: boolean | undefined) => (v === undefined ? NaN : v ? 1 : 0);
const num = (v: number | undefined) => (v === undefined ? NaN : v);
const pct = (free: number | undefined, total: number | undefined) => (free === undefined || !total ? NaN : (100 * free) / total);
// Slots as constants: featuresOf runs for every sample, so it assigns straight into the array.
const I = Object.fromEntries(ALERT_METRICS.map((m, i) => [m, i])) as Record<AlertMetric, number>;

export function featuresOf(t: Telemetry): Features {
  const m = new Float64Array(METRIC_COUNT);
  m[I['battery.pct']] = num(t.battery?.pct);
  m[I['battery.charging']] = b(t.battery?.charging);
  m[I['battery.healthPct']] = num(t.battery?.healthPct);
  m[I['power.onBattery']] = t.power?.source ? (t.power.source === 'battery' ? 1 : 0) : NaN;
  m[I['power.mainsVoltage']] = num(t.power?.mainsVoltage);
  m[I.tempC] = num(t.tempC);
  m[I.ambientTempC] = num(t.ambientTempC);
  m[I.humidityPct] = num(t.humidityPct);
  const n = t.network;
  m[I['network.connected']] = b(n?.connected);
  m[I['network.signalDbm']] = num(n?.signalDbm);
  m[I['network.latencyMs']] = num(n?.latencyMs);
  m[I['network.lossPct']] = num(n?.lossPct);
  m[I['network.dnsOk']] = b(n?.dnsOk);
  m[I['network.hostReachable']] = b(n?.hostReachable);
  m[I['network.ipConflict']] = b(n?.ipConflict);
  m[I['network.simReady']] = n?.simState ? (n.simState === 'ready' ? 1 : 0) : NaN;
  const ps = t.printer?.status;
  m[I['printer.paperLow']] = ps ? (ps === 'paper_low' ? 1 : 0) : NaN;
  m[I['printer.paperOut']] = ps ? (ps === 'paper_out' ? 1 : 0) : NaN;
  m[I['printer.jam']] = ps ? (ps === 'jam' ? 1 : 0) : NaN;
  m[I['printer.fault']] = ps ? (ps === 'fault' || ps === 'overheat' ? 1 : 0) : NaN;
  m[I['app.crashes']] = num(t.app?.crashes);
  m[I['app.anrs']] = num(t.app?.anrs);
  m[I['os.reboots']] = num(t.os?.reboots);
  m[I['memory.freePct']] = pct(t.memory?.freeMb, t.memory?.totalMb);
  m[I['storage.freePct']] = pct(t.storage?.freeMb, t.storage?.totalMb);
  m[I.cpuPct] = num(t.cpuPct);
  m[I.clockSkewAbsS] = t.clockSkewS === undefined ? NaN : Math.abs(t.clockSkewS);
  m[I.tamper] = b(t.tamper);
  m[I['keys.loaded']] = b(t.keys?.loaded);
  m[I['keys.exchangeOk']] = b(t.keys?.lastKeyExchangeOk);
  m[I['batch.fillPct']] = t.batch?.capacity ? (100 * (t.batch.count ?? 0)) / t.batch.capacity : NaN;
  m[I['session.signedIn']] = b(t.session?.signedIn);
  m[I['keypad.stuckKeys']] = num(t.keypad?.stuckKeys);
  m[I['pinpad.connected']] = b(t.pinpad?.connected);
  const reads = new Float64Array(6).fill(NaN);
  const r = t.reader;
  if (r?.chip) (reads[0] = r.chip.attempts), (reads[1] = r.chip.failures);
  if (r?.contactless) (reads[2] = r.contactless.attempts), (reads[3] = r.contactless.failures);
  if (r?.magstripe) (reads[4] = r.magstripe.attempts), (reads[5] = r.magstripe.failures);
  return { metrics: m, reads };
}

/** A payment as the rules see it. */
export interface TxnFeatures {
  approved: boolean;
  /** Timed out, or the host answered with a system fault (CUP class E). */
  hostError: boolean;
  /** Failed on the terminal: card read errors and terminal errors. */
  terminalError: boolean;
  fallback: boolean;
  outcome: DeviceTransaction['outcome'];
  responseCode: string | null;
  cardToken: string | null;
}

export function txnFeaturesOf(t: Pick<DeviceTransaction, 'outcome' | 'responseCode' | 'entryMode' | 'cardToken'>): TxnFeatures {
  const rc = t.responseCode ? responseCode(t.responseCode) : null;
  return {
    approved: t.outcome === 'approved',
    hostError: t.outcome === 'timeout' || (rc !== null && rc.known && rc.action === 'system_fault'),
    terminalError: t.outcome === 'error' || t.outcome === 'card_read_error',
    fallback: t.entryMode === 'fallback',
    outcome: t.outcome,
    responseCode: rc ? rc.code : null,
    cardToken: t.cardToken ?? null,
  };
}
