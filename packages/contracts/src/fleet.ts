/** Answers of the fleet read side and of device administration; the console takes its types from here. */
import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import { Telemetry } from './device.js';

export const FLEET_STATUSES = ['ok', 'degraded', 'critical', 'offline', 'never_seen'] as const;
export const FleetStatus = z.enum(FLEET_STATUSES);
export type FleetStatus = z.infer<typeof FleetStatus>;

/** Every reason a terminal can be degraded or critical, in order of importance (rules: server fleet/health.ts). */
export const HEALTH_REASONS = [
  'tamper', 'keys_missing', 'network_down', 'host_unreachable', 'printer_fault', 'paper_low', 'battery_low', 'battery_worn',
  'overheating', 'humidity', 'weak_signal', 'chip_reader_failing', 'contactless_failing', 'magstripe_failing', 'app_crashing',
  'not_signed_in', 'batch_full', 'clock_skew', 'storage_low',
] as const;
export type HealthReason = (typeof HEALTH_REASONS)[number];

/** Why ingest refused a device message. */
export const REJECTION_REASONS = [
  'oversized', 'malformed_json', 'invalid', 'card_data', 'unknown_terminal', 'wrong_tenant', 'wrong_topic', 'revoked', 'unauthenticated',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export const FleetDimRow = z.object({
  key: z.string().nullable(),
  label: z.string().nullable(),
  total: z.number().int(),
  offline: z.number().int(),
  degraded: z.number().int(),
  critical: z.number().int(),
});
export type FleetDimRow = z.infer<typeof FleetDimRow>;

export const FleetOverview = z.object({
  at: Timestamp,
  inService: z.number().int(),
  status: z.record(FleetStatus, z.number().int()),
  reasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
  byMerchant: z.array(FleetDimRow),
  bySite: z.array(FleetDimRow),
  byModel: z.array(FleetDimRow),
  byVersion: z.array(FleetDimRow),
});
export type FleetOverview = z.infer<typeof FleetOverview>;

/**
 * A terminal's live state. `health` is judged now: `ok`, `degraded` or `critical` from its latest
 * sample while it reports, `unknown` once it is offline (its last readings are stale and never summed
 * up as healthy); `lastReadings` then says what that stale sample said and `readingsAgeMinutes` how old
 * it is, `offlineSince` when the terminal was last heard from.
 */
export const LIVE_HEALTH = ['ok', 'degraded', 'critical', 'unknown'] as const;
export const TerminalLive = z.object({
  terminalId: z.string(),
  status: FleetStatus,
  lastSeenAt: Timestamp.nullable(),
  lastTelemetryAt: Timestamp.nullable(),
  telemetry: Telemetry.nullable(),
  health: z.string().nullable(),
  healthReasons: z.array(z.string()),
  offlineSince: Timestamp.nullable().optional(),
  readingsAgeMinutes: z.number().int().nullable().optional(),
  lastReadings: z.object({ health: z.string(), reasons: z.array(z.string()) }).nullable().optional(),
  appVersion: z.string().nullable(),
  osVersion: z.string().nullable(),
  /**
   * Set while the terminal refuses payments by remote `lock` (issue 18): the newest lock or unlock the
   * terminal confirmed was a lock. `since` is when the terminal confirmed it, `by` who sent it, `message`
   * what its screen shows.
   */
  lock: z.object({ since: Timestamp, by: z.string().nullable(), message: z.string().nullable() }).nullable().optional(),
});
export type TerminalLive = z.infer<typeof TerminalLive>;

export const TelemetryPoint = z.object({
  at: Timestamp,
  samples: z.number().int(),
  batteryPct: z.number().nullable(),
  tempC: z.number().nullable(),
  tempMaxC: z.number().nullable(),
  signalDbm: z.number().nullable(),
  latencyMs: z.number().nullable(),
  lossPct: z.number().nullable(),
  chipSuccess: z.number().nullable(),
  contactlessSuccess: z.number().nullable(),
  magstripeSuccess: z.number().nullable(),
});
export type TelemetryPoint = z.infer<typeof TelemetryPoint>;

export const DeviceEventRow = z.object({ at: Timestamp, type: z.string(), code: z.string().nullable(), message: z.string().nullable() });
export type DeviceEventRow = z.infer<typeof DeviceEventRow>;

export const DeviceTxnRow = z.object({
  at: Timestamp,
  id: z.string().nullable(),
  amountMinor: z.number().nullable(),
  currency: z.string().nullable(),
  entryMode: z.string(),
  outcome: z.string(),
  responseCode: z.string().nullable(),
  tvr: z.string().nullable(),
  tsi: z.string().nullable(),
  cardToken: z.string().nullable(),
  durationMs: z.number().nullable(),
});
export type DeviceTxnRow = z.infer<typeof DeviceTxnRow>;

export const EnrollmentCode = z.object({
  id: Id,
  label: z.string().nullable(),
  maxUses: z.number().int(),
  uses: z.number().int(),
  expiresAt: Timestamp,
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  revokedAt: Timestamp.nullable(),
});
export type EnrollmentCode = z.infer<typeof EnrollmentCode>;
export const EnrollmentCodeCreate = z.object({
  label: z.string().trim().max(100).optional(),
  maxUses: z.number().int().min(1).max(100_000).default(1),
  expiresInHours: z.number().min(1).max(24 * 90).default(72),
});
export type EnrollmentCodeInput = z.input<typeof EnrollmentCodeCreate>;
export const EnrollmentCodeCreated = EnrollmentCode.extend({ code: z.string().describe('Shown once') });
export type EnrollmentCodeCreated = z.infer<typeof EnrollmentCodeCreated>;

export const DeviceCredential = z.object({
  enrolled: z.boolean(),
  enrolledAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
  lastConnectedAt: Timestamp.nullable(),
});
export type DeviceCredential = z.infer<typeof DeviceCredential>;

export const DeviceRejection = z.object({
  id: z.number().int(),
  terminalId: z.string().nullable(),
  channel: z.string(),
  topic: z.string().nullable(),
  reason: z.string(),
  detail: z.string().nullable(),
  sizeBytes: z.number().int(),
  sample: z.string().nullable(),
  receivedAt: Timestamp,
});
export type DeviceRejection = z.infer<typeof DeviceRejection>;
export const DeviceRejections = z.object({
  last24h: z.array(z.object({ reason: z.string(), count: z.number().int() })),
  items: z.array(DeviceRejection),
});
export type DeviceRejections = z.infer<typeof DeviceRejections>;
