/**
 * Answers of the fleet and device-admin endpoints. The contracts package does not export schemas for these
 * responses (they are declared in apps/server/src/fleet/routes.ts and devices/routes.ts), so they are written
 * out here; the telemetry sample itself is the shared `Telemetry` contract.
 */
import type { Telemetry } from '@poscare/contracts';

export type { Telemetry };

export const FLEET_STATUSES = ['ok', 'degraded', 'critical', 'offline', 'never_seen'] as const;
export type FleetStatus = (typeof FLEET_STATUSES)[number];

/** Every health reason the server can report (apps/server/src/fleet/health.ts), in its order of importance. */
export const HEALTH_REASONS = [
  'tamper',
  'keys_missing',
  'network_down',
  'host_unreachable',
  'printer_fault',
  'paper_low',
  'battery_low',
  'battery_worn',
  'overheating',
  'humidity',
  'weak_signal',
  'chip_reader_failing',
  'contactless_failing',
  'magstripe_failing',
  'app_crashing',
  'not_signed_in',
  'batch_full',
  'clock_skew',
  'storage_low',
] as const;
export type HealthReason = (typeof HEALTH_REASONS)[number];

export const REJECTION_REASONS = [
  'oversized',
  'malformed_json',
  'invalid',
  'card_data',
  'unknown_terminal',
  'wrong_tenant',
  'wrong_topic',
  'revoked',
  'unauthenticated',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface FleetDimRow {
  key: string | null;
  label: string | null;
  total: number;
  offline: number;
  degraded: number;
  critical: number;
}

export interface FleetOverview {
  at: string;
  inService: number;
  status: Partial<Record<FleetStatus, number>>;
  reasons: { reason: string; count: number }[];
  byMerchant: FleetDimRow[];
  bySite: FleetDimRow[];
  byModel: FleetDimRow[];
  byVersion: FleetDimRow[];
}

export interface TerminalLive {
  terminalId: string;
  status: FleetStatus;
  lastSeenAt: string | null;
  lastTelemetryAt: string | null;
  telemetry: Telemetry | null;
  health: string | null;
  healthReasons: string[];
  appVersion: string | null;
  osVersion: string | null;
}

export interface TelemetryPoint {
  at: string;
  samples: number;
  batteryPct: number | null;
  tempC: number | null;
  tempMaxC: number | null;
  signalDbm: number | null;
  latencyMs: number | null;
  lossPct: number | null;
  chipSuccess: number | null;
  contactlessSuccess: number | null;
  magstripeSuccess: number | null;
}

export interface DeviceEventRow {
  at: string;
  type: string;
  code: string | null;
  message: string | null;
}

export interface DeviceTxnRow {
  at: string;
  id: string | null;
  amountMinor: number | null;
  currency: string | null;
  entryMode: string;
  outcome: string;
  responseCode: string | null;
  tvr: string | null;
  tsi: string | null;
  cardToken: string | null;
  durationMs: number | null;
}

export interface EnrollmentCode {
  id: string;
  label: string | null;
  maxUses: number;
  uses: number;
  expiresAt: string;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}
export type EnrollmentCodeCreated = EnrollmentCode & { code: string };
export interface EnrollmentCodeInput {
  label?: string;
  maxUses?: number;
  expiresInHours?: number;
}

export interface DeviceCredential {
  enrolled: boolean;
  enrolledAt: string | null;
  revokedAt: string | null;
  lastConnectedAt: string | null;
}

export interface DeviceRejection {
  id: number;
  terminalId: string | null;
  channel: string;
  topic: string | null;
  reason: string;
  detail: string | null;
  sizeBytes: number;
  sample: string | null;
  receivedAt: string;
}
export interface DeviceRejections {
  last24h: { reason: string; count: number }[];
  items: DeviceRejection[];
}
