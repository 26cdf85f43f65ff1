/**
 * Early warning: alert rules (data, per organization, versioned), alerts with their lifecycle and
 * noise control, silences, maintenance windows, notification preferences, webhooks and the delivery
 * log. The rule engine is packages/alerts; docs/alerts.md explains the rules.
 */
import { z } from 'zod';
import { Id, Language, pageOf, ROLES, Timestamp } from './common.js';

/**
 * What a rule can watch on one telemetry sample. Booleans are 1 / 0; a metric the sample lacks is
 * absent (a rule on it neither fires nor clears on that sample).
 */
export const ALERT_METRICS = [
  'battery.pct',
  'battery.charging',
  'battery.healthPct',
  'power.onBattery',
  'power.mainsVoltage',
  'tempC',
  'ambientTempC',
  'humidityPct',
  'network.connected',
  'network.signalDbm',
  'network.latencyMs',
  'network.lossPct',
  'network.dnsOk',
  'network.hostReachable',
  'network.ipConflict',
  'network.simReady',
  'printer.paperLow',
  'printer.paperOut',
  'printer.jam',
  'printer.fault',
  'app.crashes',
  'app.anrs',
  'os.reboots',
  'memory.freePct',
  'storage.freePct',
  'cpuPct',
  'clockSkewAbsS',
  'tamper',
  'keys.loaded',
  'keys.exchangeOk',
  'batch.fillPct',
  'session.signedIn',
  'keypad.stuckKeys',
  'pinpad.connected',
] as const;
export const AlertMetric = z.enum(ALERT_METRICS);
export type AlertMetric = z.infer<typeof AlertMetric>;

/** Ratios over the last N attempts: a reader's failures over its attempts, or payments failing a given way. */
export const RATIO_SOURCES = [
  'reader.chip',
  'reader.contactless',
  'reader.magstripe',
  /** Payments that timed out or got a host/system-fault response code. */
  'txn.host_error',
  /** Payments that failed on the terminal (card read errors, terminal errors). */
  'txn.terminal_error',
  /** Chip cards that fell back to magstripe. */
  'txn.fallback',
] as const;
export const RatioSource = z.enum(RATIO_SOURCES);
export type RatioSource = z.infer<typeof RatioSource>;

export const COMPARATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export const Comparator = z.enum(COMPARATORS);
export type Comparator = z.infer<typeof Comparator>;

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export const AlertSeverity = z.enum(ALERT_SEVERITIES);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/** How per-terminal conditions are gathered into one alert. */
export const ALERT_GROUPINGS = ['terminal', 'site', 'merchant', 'version', 'host', 'card'] as const;
export const AlertGrouping = z.enum(ALERT_GROUPINGS);
export type AlertGrouping = z.infer<typeof AlertGrouping>;

const Text = z.object({ 'zh-CN': z.string().min(1).max(200), 'en-US': z.string().min(1).max(200) });
const minutes = z.number().positive().max(60 * 24 * 60);

/** A metric compared with a value, sustained for `forMinutes` (0: the first sample fires). */
const ThresholdCondition = z.object({
  kind: z.literal('threshold'),
  metric: AlertMetric,
  op: Comparator,
  value: z.number().finite(),
  forMinutes: z.number().min(0).max(24 * 60).default(0),
  /**
   * Counters (app.crashes, app.anrs, os.reboots): compare the metric's sum over the last this-many
   * minutes instead of each sample, e.g. "12 crashes within 30 minutes".
   */
  sumMinutes: z.number().positive().max(24 * 60).optional(),
});

/** failures / attempts over the last `attempts` attempts (at least `minAttempts` seen) compared with `value`. */
const RatioCondition = z.object({
  kind: z.literal('ratio'),
  source: RatioSource,
  attempts: z.number().int().min(3).max(1000).default(30),
  minAttempts: z.number().int().min(1).max(1000).default(10),
  op: z.enum(['>', '>=']).default('>'),
  value: z.number().min(0).max(1),
});

/** Nothing (no message at all) from the terminal for `minutes`. */
const AbsenceCondition = z.object({ kind: z.literal('absence'), minutes });

/**
 * No payment at all for `minutes` during hours in which this terminal normally trades: learned per
 * terminal and hour of the week from the last weeks (at least `minWeeks` of them seen trading at
 * least `minPerHour` payments an hour in that slot). Only while the terminal has been online
 * (reporting, and connected) throughout those minutes: an outage is not a quiet till.
 */
const TradeAbsenceCondition = z.object({
  kind: z.literal('trade_absence'),
  minutes: minutes.default(60),
  minPerHour: z.number().positive().default(4),
  minWeeks: z.number().int().min(1).max(8).default(2),
});

/**
 * A metric's least-squares trend over `windowMinutes`, extrapolated: fires when it will cross
 * `threshold` within `horizonMinutes`, with the predicted time. `paper` forecasts from receipts printed
 * since the terminal said paper low.
 */
const TrendCondition = z.object({
  kind: z.literal('trend'),
  metric: z.union([AlertMetric, z.enum(['reader.chip.failureRate', 'reader.contactless.failureRate', 'reader.magstripe.failureRate', 'paper.receiptsLeft'])]),
  direction: z.enum(['falling', 'rising']),
  threshold: z.number().finite(),
  windowMinutes: minutes,
  horizonMinutes: minutes,
  minPoints: z.number().int().min(3).max(10_000).default(6),
  /** Only samples while this metric has this value (e.g. battery.charging = 0). */
  when: z.object({ metric: AlertMetric, value: z.number() }).optional(),
  /** The points must span at least this long before the forecast counts (default: a quarter of the window). */
  minSpanMinutes: z.number().min(0).optional(),
  /** paper.receiptsLeft: receipts a roll holds when the terminal first says paper low. */
  receiptsAtLow: z.number().int().positive().optional(),
  /**
   * The forecast counts only once the line's current value has already passed this level (rising: at
   * or above it, falling: at or below it), so noise around a healthy level never forecasts a crossing.
   */
  armAt: z.number().finite().optional(),
  /** The forecast must keep saying so this long before the alert fires (a noisy line crosses once by chance). */
  forMinutes: z.number().min(0).max(24 * 60).optional(),
});

/** A version's rate of `metric` per terminal-hour over `windowMinutes` against its predecessor's. */
const FleetVersionCondition = z.object({
  kind: z.literal('fleet_version'),
  metric: z.enum(['app.crashes', 'app.anrs', 'os.reboots', 'txn.terminal_error']),
  windowMinutes: minutes.default(120),
  minTerminals: z.number().int().min(1).default(5),
  /** How many times the predecessor's rate. */
  factor: z.number().min(1).default(3),
  /** Rate per terminal-hour below which a version is never flagged. */
  minRate: z.number().min(0).default(0.5),
  /** At least this many of the version's terminals show the metric in the window (default 1), so one broken terminal cannot flag a release. */
  minAffected: z.number().int().min(1).optional(),
});

/**
 * At least `share` of a site's terminals (and at least `minTerminals`) silent for `minutes`; or, with
 * `together`, several of them gone silent within `withinMinutes` of each other, whatever share of the
 * site they are (a switch, a network segment, a power circuit): at least `minTerminals`, or
 * `smallSite.minTerminals` on a site of at most `smallSite.upTo` terminals.
 */
const SiteOfflineCondition = z.object({
  kind: z.literal('site_offline'),
  minutes: minutes.default(5),
  minTerminals: z.number().int().min(1).default(2),
  share: z.number().min(0.1).max(1).default(1),
  together: z
    .object({
      withinMinutes: minutes.default(10),
      minTerminals: z.number().int().min(2).default(3),
      smallSite: z.object({ upTo: z.number().int().min(2), minTerminals: z.number().int().min(2) }).optional(),
    })
    .optional(),
});

/** At least `minSites` sites routing to one acquirer host see `txn.host_error` above `value` over `windowMinutes`. */
const HostOutageCondition = z.object({
  kind: z.literal('host_outage'),
  windowMinutes: minutes.default(10),
  minSites: z.number().int().min(1).default(3),
  minPayments: z.number().int().min(1).default(20),
  value: z.number().min(0).max(1).default(0.3),
  /**
   * Also fires when terminals at this many sites on the host report it unreachable (connected, but
   * network.hostReachable = 0 for two minutes, at least half of a site's reporting terminals): an outage
   * seen before, or without, payments (at night).
   */
  unreachableSites: z.number().int().min(1).optional(),
});

/**
 * One card (by token) failing at least `count` times within `minutes`, on any terminals of the
 * organization, with one of these response codes or outcomes: a card problem, not a terminal one.
 */
const CardFailuresCondition = z.object({
  kind: z.literal('card_failures'),
  responseCodes: z.array(z.string().regex(/^[A-Za-z0-9]{2}$/)).max(30).default([]),
  outcomes: z.array(z.enum(['declined', 'timeout', 'error', 'card_read_error'])).max(4).default([]),
  count: z.number().int().min(2).max(100).default(3),
  minutes: minutes.default(60),
  /** Count chip cards that fell back to the stripe too (a damaged chip: failed reads carry no card token). */
  fallback: z.boolean().optional(),
  /** The failures must come from at least this many terminals (default 1): a card problem follows the card. */
  minTerminals: z.number().int().min(1).max(20).optional(),
});

export const AlertCondition = z.discriminatedUnion('kind', [
  CardFailuresCondition,
  ThresholdCondition,
  RatioCondition,
  AbsenceCondition,
  TradeAbsenceCondition,
  TrendCondition,
  FleetVersionCondition,
  SiteOfflineCondition,
  HostOutageCondition,
]);
export type AlertCondition = z.infer<typeof AlertCondition>;
export const CONDITION_KINDS = ['card_failures', 'threshold', 'ratio', 'absence', 'trade_absence', 'trend', 'fleet_version', 'site_offline', 'host_outage'] as const;

export const EscalationStep = z.object({
  /** Minutes after firing, if nobody acknowledged by then. */
  afterMinutes: minutes,
  notifyRoles: z.array(z.enum(ROLES)).min(1),
  raiseSeverity: z.boolean().default(false),
});
export type EscalationStep = z.infer<typeof EscalationStep>;

export const RULE_CODE = /^[a-z][a-z0-9_.-]{1,63}$/;

export const AlertRuleDefinition = z.object({
  code: z.string().regex(RULE_CODE),
  name: Text,
  description: Text.optional(),
  enabled: z.boolean().default(true),
  severity: AlertSeverity,
  /** The fault-taxonomy code this rule warns about (links to diagnosis and knowledge). */
  cause: z.string().max(64).optional(),
  condition: AlertCondition,
  groupBy: AlertGrouping.default('terminal'),
  /** The condition must be false this long before the alert resolves. */
  resolveAfterMinutes: z.number().min(0).max(24 * 60).default(5),
  /** While an alert of this rule fires, alerts of these rules in the same site / host / merchant are suppressed. */
  inhibits: z.object({ rules: z.array(z.string().regex(RULE_CODE)).min(1), within: z.enum(['site', 'merchant', 'host']) }).optional(),
  escalation: z.array(EscalationStep).max(5).default([]),
  /** Open a service ticket when this rule fires (linked to the alert). */
  autoTicket: z.boolean().default(false),
});
export type AlertRuleDefinition = z.infer<typeof AlertRuleDefinition>;
export type AlertRuleInput = z.input<typeof AlertRuleDefinition>;

export const AlertRuleRow = z.object({
  code: z.string(),
  version: z.number().int(),
  /** `default`: the shipped rule, unchanged in this organization. */
  source: z.enum(['default', 'organization']),
  definition: AlertRuleDefinition,
  updatedAt: Timestamp.nullable(),
  updatedBy: z.string().nullable(),
  comment: z.string().nullable(),
});
export type AlertRuleRow = z.infer<typeof AlertRuleRow>;

export const AlertRuleSave = z.object({ definition: AlertRuleDefinition, comment: z.string().trim().max(500).optional() });

export const AlertRulePreview = z.object({ definition: AlertRuleDefinition, hours: z.number().int().min(1).max(72).default(24) });
export const AlertPreviewHit = z.object({
  scopeKey: z.string(),
  label: z.string(),
  terminals: z.number().int(),
  firedAt: Timestamp,
  resolvedAt: Timestamp.nullable(),
  value: z.number().nullable(),
});
export const AlertRulePreviewResult = z.object({
  from: Timestamp,
  to: Timestamp,
  terminals: z.number().int(),
  samples: z.number().int(),
  alerts: z.number().int(),
  hits: z.array(AlertPreviewHit),
});
export type AlertRulePreviewResult = z.infer<typeof AlertRulePreviewResult>;

export const ALERT_STATUSES = ['firing', 'acknowledged', 'resolved'] as const;
export const AlertStatus = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof AlertStatus>;

export const SUPPRESSIONS = ['silence', 'maintenance', 'inhibited'] as const;

export const AlertMember = z.object({
  terminalId: Id,
  serialNumber: z.string().nullable(),
  since: Timestamp,
  /** Still meeting the condition. */
  active: z.boolean(),
});

export const AlertDiagnosisSummary = z.object({
  at: Timestamp,
  scope: z.string(),
  causes: z.array(z.object({ code: z.string(), confidence: z.number(), title: z.string() })),
});

export const AlertRow = z.object({
  id: Id,
  ruleCode: z.string(),
  ruleVersion: z.number().int(),
  name: z.string().describe("The rule's name in the caller's language"),
  severity: AlertSeverity,
  status: AlertStatus,
  flapping: z.boolean(),
  suppressed: z.object({ kind: z.enum(SUPPRESSIONS), id: z.string(), until: Timestamp.nullable() }).nullable(),
  /** Rules group by the fleet's groupings; security.* alerts also by an account or the whole organization. */
  groupBy: z.enum([...ALERT_GROUPINGS, 'account', 'organization']),
  scopeKey: z.string(),
  scopeLabel: z.string(),
  terminalId: Id.nullable(),
  siteId: Id.nullable(),
  merchantId: Id.nullable(),
  memberCount: z.number().int(),
  cause: z.string().nullable(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  predictedAt: Timestamp.nullable(),
  startedAt: Timestamp,
  lastChangeAt: Timestamp,
  acknowledgedAt: Timestamp.nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: Timestamp.nullable(),
  escalationLevel: z.number().int(),
  ticketId: Id.nullable(),
  /** The linked ticket's number (T000123), as people name tickets. */
  ticketNumber: z.string().nullable(),
  diagnosis: AlertDiagnosisSummary.nullable(),
});
export type AlertRow = z.infer<typeof AlertRow>;

export const ALERT_EVENT_TYPES = [
  'fired', 'member_added', 'member_cleared', 'acknowledged', 'resolved', 'reopened', 'flapping', 'stable',
  'suppressed', 'unsuppressed', 'escalated', 'notified', 'diagnosed', 'ticket_opened', 'comment',
] as const;
export const AlertEvent = z.object({
  at: Timestamp,
  type: z.enum(ALERT_EVENT_TYPES),
  actor: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AlertEvent = z.infer<typeof AlertEvent>;

export const AlertDetail = AlertRow.extend({
  members: z.array(AlertMember),
  events: z.array(AlertEvent),
  rule: AlertRuleDefinition.nullable(),
});
export type AlertDetail = z.infer<typeof AlertDetail>;

export const AlertQuery = z.object({
  status: z.enum(['open', ...ALERT_STATUSES, 'all']).default('open'),
  severity: AlertSeverity.optional(),
  rule: z.string().max(64).optional(),
  terminalId: Id.optional(),
  siteId: Id.optional(),
  merchantId: Id.optional(),
  /** Include silenced, inhibited and in-maintenance alerts (hidden by default). */
  suppressed: z.enum(['hide', 'show', 'only']).default('hide'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  q: z.string().trim().max(200).optional(),
});
export type AlertQuery = z.infer<typeof AlertQuery>;
export const AlertPage = pageOf(AlertRow).extend({
  counts: z.object({ firing: z.number().int(), acknowledged: z.number().int(), critical: z.number().int(), suppressed: z.number().int() }),
});
export type AlertPage = z.infer<typeof AlertPage>;

export const AlertAck = z.object({ comment: z.string().trim().max(500).optional() });

export const SilenceMatchers = z
  .object({
    rule: z.string().max(64).optional(),
    terminalId: Id.optional(),
    siteId: Id.optional(),
    merchantId: Id.optional(),
    severity: AlertSeverity.optional(),
  })
  .refine((m) => Object.values(m).some((v) => v !== undefined), { message: 'a silence needs at least one matcher' });
export const SilenceCreate = z.object({
  matchers: SilenceMatchers,
  startsAt: Timestamp.optional(),
  endsAt: Timestamp,
  comment: z.string().trim().min(1).max(500),
});
export const SilenceRow = z.object({
  id: Id,
  matchers: z.record(z.string(), z.string()),
  startsAt: Timestamp,
  endsAt: Timestamp,
  comment: z.string(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  active: z.boolean(),
});
export type SilenceRow = z.infer<typeof SilenceRow>;

export const MaintenanceCreate = z
  .object({
    siteId: Id.optional(),
    terminalId: Id.optional(),
    startsAt: Timestamp,
    endsAt: Timestamp,
    reason: z.string().trim().min(1).max(500),
  })
  .refine((m) => !!m.siteId !== !!m.terminalId, { message: 'a maintenance window is for one site or one terminal' });
export const MaintenanceRow = z.object({
  id: Id,
  siteId: Id.nullable(),
  terminalId: Id.nullable(),
  label: z.string(),
  startsAt: Timestamp,
  endsAt: Timestamp,
  reason: z.string(),
  createdBy: z.string().nullable(),
  active: z.boolean(),
});
export type MaintenanceRow = z.infer<typeof MaintenanceRow>;

export const NOTIFICATION_CHANNELS = ['console', 'email', 'webhook'] as const;
export const NotificationPreferences = z.object({
  console: z.boolean(),
  email: z.boolean(),
  /** The least severe alert this person hears about. */
  minSeverity: AlertSeverity,
  language: Language,
});
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

export const NotificationRow = z.object({
  id: Id,
  alertId: Id.nullable(),
  ticketId: Id.nullable(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  severity: AlertSeverity,
  createdAt: Timestamp,
  readAt: Timestamp.nullable(),
});
export type NotificationRow = z.infer<typeof NotificationRow>;
export const NotificationPage = pageOf(NotificationRow).extend({ unread: z.number().int() });

export const WebhookCreate = z.object({
  name: z.string().trim().min(1).max(100),
  url: z.string().url().max(500).refine((u) => /^https?:\/\//.test(u), { message: 'http or https only' }),
  minSeverity: AlertSeverity.default('warning'),
  enabled: z.boolean().default(true),
});
export const WebhookRow = z.object({
  id: Id,
  name: z.string(),
  url: z.string(),
  minSeverity: AlertSeverity,
  enabled: z.boolean(),
  /** Shown once, when created; afterwards only its last four characters. */
  secret: z.string(),
  createdAt: Timestamp,
});
export type WebhookRow = z.infer<typeof WebhookRow>;

export const DELIVERY_STATUSES = ['pending', 'sent', 'retrying', 'failed'] as const;
/** E-mail, webhook, and since issue 19 group robots and SMS. */
export const DELIVERY_CHANNELS = ['email', 'webhook', 'wecom', 'dingtalk', 'feishu', 'sms'] as const;
export const DeliveryRow = z.object({
  id: Id,
  channel: z.enum(DELIVERY_CHANNELS),
  target: z.string(),
  alertId: Id.nullable(),
  event: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  responseStatus: z.number().int().nullable(),
  createdAt: Timestamp,
  nextAttemptAt: Timestamp.nullable(),
  deliveredAt: Timestamp.nullable(),
  /** The group robot or SMS provider it went through (issue 19). */
  notifyChannelId: Id.nullable().optional(),
  /** Sent inside this other delivery's summary (a robot over its rate, the morning summary after quiet hours). */
  batchedInto: Id.nullable().optional(),
});
export type DeliveryRow = z.infer<typeof DeliveryRow>;
export const DeliveryQuery = z.object({
  channel: z.enum(DELIVERY_CHANNELS).optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  notifyChannelId: Id.optional(),
  webhookId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
