/** The engine's view of terminals and alerts. Times are epoch milliseconds; the engine never reads a clock. */
import type { AlertEvent, AlertGrouping, AlertRuleDefinition, AlertSeverity, AlertStatus, Role } from '@poscare/contracts';

export interface TerminalInfo {
  id: string;
  orgId: string;
  serial: string;
  siteId: string | null;
  siteLabel?: string | null;
  merchantId: string | null;
  merchantLabel?: string | null;
  /** The acquirer host the terminal's payments route to. */
  host: string | null;
  appVersion: string | null;
  /** For "hours in which this terminal normally trades": its local time. Default +08:00. */
  utcOffsetMinutes?: number;
}

export interface RuleVersion {
  definition: AlertRuleDefinition;
  version: number;
}

export interface AlertMemberState {
  since: number;
  active: boolean;
  clearedAt: number | null;
}

export interface Suppression {
  kind: 'silence' | 'maintenance' | 'inhibited';
  id: string;
  until: number | null;
}

export interface AlertState {
  id: string;
  orgId: string;
  fingerprint: string;
  ruleCode: string;
  ruleVersion: number;
  rule: AlertRuleDefinition;
  groupBy: AlertGrouping;
  scopeKey: string;
  scopeLabel: string;
  terminalId: string | null;
  siteId: string | null;
  merchantId: string | null;
  severity: AlertSeverity;
  status: AlertStatus;
  flapping: boolean;
  suppressed: Suppression | null;
  members: Map<string, AlertMemberState>;
  value: number | null;
  threshold: number | null;
  predictedAt: number | null;
  startedAt: number;
  lastChangeAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  escalationLevel: number;
  /**
   * Escalation counts from here: when it fired, or when a silence, maintenance window or inhibition
   * last let it through (absent: `startedAt`).
   */
  escalateFrom?: number;
  /** Since when no member meets the condition (null while one does). */
  clearSince: number | null;
  ticketId: string | null;
}

export type AlertEventType = AlertEvent['type'];

export interface AlertChange {
  type: AlertEventType;
  alert: AlertState;
  at: number;
  detail?: Record<string, unknown>;
  /** Escalation: the roles to tell. */
  roles?: Role[];
}

export interface Silence {
  id: string;
  orgId: string;
  matchers: { rule?: string; terminalId?: string; siteId?: string; merchantId?: string; severity?: string };
  startsAt: number;
  endsAt: number;
}

export interface Maintenance {
  id: string;
  orgId: string;
  siteId: string | null;
  terminalId: string | null;
  startsAt: number;
  endsAt: number;
}

export interface FlapPolicy {
  /** This many firings of one fingerprint within `windowMinutes` make it flapping. */
  firings: number;
  windowMinutes: number;
  /** A flapping alert resolves only after its condition stayed clear this long. */
  stableMinutes: number;
}

export const DEFAULT_FLAP: FlapPolicy = { firings: 3, windowMinutes: 60, stableMinutes: 30 };
