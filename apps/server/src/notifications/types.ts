/**
 * What the alert engine hands to notifications, and the few shared notions (severity order, the
 * default audience). The engine decides *when* to tell; this folder decides *whom* and *how*.
 */
import type { AlertSeverity, Language, Role } from '@poscare/contracts';

export type AlertNoticeEvent = 'fired' | 'escalated' | 'resolved' | 'flapping';

export interface AlertNotice {
  alertId: string;
  orgId: string;
  event: AlertNoticeEvent;
  severity: AlertSeverity;
  ruleCode: string;
  ruleName: Record<Language, string>;
  /** e.g. a site name, a terminal serial, "v3.2.1". */
  scopeLabel: string;
  /** null: the alert is not tied to one merchant (fleet, host), so no merchant is told. */
  merchantId: string | null;
  siteId: string | null;
  terminalId: string | null;
  memberCount: number;
  value: number | null;
  threshold: number | null;
  predictedAt: string | null;
  startedAt: string;
  /** Escalation: notify exactly these roles (else the default audience: admin, agent, engineer + the merchant's users). */
  roles?: string[];
  escalationLevel?: number;
}

/** What notifyAlert wrote, for the alert's 'notified' event. */
export interface NotifyResult {
  notifications: number;
  emails: number;
  webhooks: number;
  /** Group robot messages queued (issue 19). */
  groups?: number;
  /** SMS to merchant contacts queued. */
  sms?: number;
}

/** Staff told about every alert of their organization unless an escalation names other roles. */
export const DEFAULT_STAFF_ROLES: readonly Role[] = ['admin', 'agent', 'engineer'];

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** True when an alert of `severity` reaches someone (or a webhook) whose threshold is `min`. */
export function atLeast(severity: AlertSeverity, min: string): boolean {
  return SEVERITY_RANK[severity] >= (SEVERITY_RANK[min as AlertSeverity] ?? SEVERITY_RANK.warning);
}

/** Preferences of a person who never saved any. Email is opt-in: nobody is mailed by surprise. */
export const DEFAULT_PREFERENCES = { console: true, email: false, minSeverity: 'warning' as AlertSeverity };
