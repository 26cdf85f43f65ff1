/**
 * What makes a terminal "degraded", as data: each rule names a reason code and the condition on the
 * latest telemetry sample. Offline is not here: it is decided at read time from last_seen_at.
 */
import { MONITORED_STATES, type HealthReason, type Telemetry } from '@poscare/contracts';

export interface HealthRule {
  reason: HealthReason;
  severity: 'warning' | 'critical';
  when: (t: Telemetry) => boolean;
}

const failureRate = (c?: { attempts: number; failures: number }) => (c && c.attempts >= 5 ? c.failures / c.attempts : 0);

export const HEALTH_RULES: readonly HealthRule[] = [
  { reason: 'tamper', severity: 'critical', when: (t) => t.tamper === true },
  { reason: 'keys_missing', severity: 'critical', when: (t) => t.keys?.loaded === false },
  { reason: 'network_down', severity: 'critical', when: (t) => t.network?.connected === false },
  { reason: 'host_unreachable', severity: 'critical', when: (t) => t.network?.connected !== false && (t.network?.dnsOk === false || t.network?.hostReachable === false) },
  { reason: 'printer_fault', severity: 'critical', when: (t) => ['paper_out', 'jam', 'fault', 'overheat'].includes(t.printer?.status ?? 'ok') },
  { reason: 'paper_low', severity: 'warning', when: (t) => t.printer?.status === 'paper_low' },
  { reason: 'battery_low', severity: 'warning', when: (t) => (t.battery?.pct ?? 100) < 15 && t.battery?.charging !== true },
  { reason: 'battery_worn', severity: 'warning', when: (t) => (t.battery?.healthPct ?? 100) < 60 },
  { reason: 'overheating', severity: 'critical', when: (t) => (t.tempC ?? 0) >= 65 },
  { reason: 'humidity', severity: 'warning', when: (t) => (t.humidityPct ?? 0) >= 85 },
  { reason: 'weak_signal', severity: 'warning', when: (t) => t.network?.type === 'cellular' && (t.network?.signalDbm ?? 0) <= -105 },
  { reason: 'chip_reader_failing', severity: 'critical', when: (t) => failureRate(t.reader?.chip) >= 0.2 },
  { reason: 'contactless_failing', severity: 'critical', when: (t) => failureRate(t.reader?.contactless) >= 0.2 },
  { reason: 'magstripe_failing', severity: 'warning', when: (t) => failureRate(t.reader?.magstripe) >= 0.3 },
  { reason: 'app_crashing', severity: 'critical', when: (t) => (t.app?.crashes ?? 0) >= 2 },
  { reason: 'not_signed_in', severity: 'warning', when: (t) => t.session?.signedIn === false },
  { reason: 'batch_full', severity: 'critical', when: (t) => !!t.batch?.capacity && (t.batch.count ?? 0) >= t.batch.capacity },
  { reason: 'clock_skew', severity: 'warning', when: (t) => Math.abs(t.clockSkewS ?? 0) > 300 },
  { reason: 'storage_low', severity: 'warning', when: (t) => !!t.storage?.totalMb && (t.storage.freeMb ?? Infinity) / t.storage.totalMb < 0.05 },
];

export type Health = 'ok' | 'degraded' | 'critical';

export function assessHealth(t: Telemetry): { health: Health; reasons: string[] } {
  const hits = HEALTH_RULES.filter((r) => r.when(t));
  return {
    health: hits.some((h) => h.severity === 'critical') ? 'critical' : hits.length ? 'degraded' : 'ok',
    reasons: hits.map((h) => h.reason),
  };
}

/** A terminal that sent nothing for this long is offline (heartbeats come every minute). */
export const OFFLINE_AFTER_MS = 3 * 60_000;

/**
 * Status and health as the API shows them, consistent with each other: a terminal that stopped
 * reporting is `offline` with health `unknown`, never `ok` from a sample taken before it went quiet;
 * what that stale sample said is kept apart (`lastReadings`) with its age.
 */
export function liveHealth(stored: { health: string; reasons: string[]; lastSeenAt: Date; lastTelemetryAt: Date | null }, now: Date) {
  const offline = now.getTime() - stored.lastSeenAt.getTime() > OFFLINE_AFTER_MS;
  const ageOf = (d: Date | null) => (d ? Math.max(0, Math.floor((now.getTime() - d.getTime()) / 60_000)) : null);
  if (!offline) return { status: stored.health, health: stored.health, healthReasons: stored.reasons, offlineSince: null, readingsAgeMinutes: ageOf(stored.lastTelemetryAt), lastReadings: null };
  return {
    status: 'offline',
    health: 'unknown',
    healthReasons: [],
    offlineSince: stored.lastSeenAt.toISOString(),
    readingsAgeMinutes: ageOf(stored.lastTelemetryAt ?? stored.lastSeenAt),
    lastReadings: { health: stored.health, reasons: stored.reasons },
  };
}

/** The monitored lifecycle states as an SQL list, for queries that count terminals in service (constants, not input). */
export const IN_SERVICE_SQL = MONITORED_STATES.map((s) => `'${s}'`).join(', ');

/**
 * A terminal's status as every count and list reads it: never seen, offline (silent since before
 * `cutoff`, an SQL expression), or the health of its latest sample. `live` names terminal_live in the query.
 */
export const liveStatusSql = (live: string, cutoff: string) =>
  `CASE WHEN ${live}.terminal_id IS NULL THEN 'never_seen' WHEN ${live}.last_seen_at < ${cutoff} THEN 'offline' ELSE ${live}.health END`;
