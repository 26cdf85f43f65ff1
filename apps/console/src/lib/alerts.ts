/**
 * The console's side of early warning as pure functions: how alerts are grouped on the inbox, how a
 * scope and a rule's condition read in words, how a silence is prefilled from an alert, and what a
 * rule definition looks like after the editor (only the fields of its condition kind).
 * Translations come in as a function so the same code serves both languages and the unit tests.
 */
import { AlertConditionSchema } from '../api/alerts';
import type {
  AlertCondition,
  AlertGrouping,
  AlertMetric,
  AlertPreviewHit,
  AlertRow,
  AlertRuleDefinition,
  AlertSeverity,
  SilenceMatchers,
} from '../api/alerts';

/** A translation function: i18next's `t`, or a fixed-language one in tests. */
export type Translate = (key: string, vars?: Record<string, unknown>) => string;

export const EMPTY = '—';

export const SEVERITY_RANK: Record<AlertSeverity, number> = { critical: 3, warning: 2, info: 1 };

/** One color per severity, shared by tags, counters and charts. */
export const SEVERITY_COLORS: Record<AlertSeverity, { tag: string; hex: string }> = {
  critical: { tag: 'error', hex: '#cf1322' },
  warning: { tag: 'warning', hex: '#d48806' },
  info: { tag: 'processing', hex: '#1f4fd6' },
};

export const worstSeverity = (a: AlertSeverity, b: AlertSeverity): AlertSeverity => (SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b);

/** Metrics that are 1 / 0: shown as yes / no rather than as numbers. */
export const BOOLEAN_METRICS: ReadonlySet<string> = new Set<AlertMetric>([
  'battery.charging',
  'power.onBattery',
  'network.connected',
  'network.dnsOk',
  'network.hostReachable',
  'network.ipConflict',
  'network.simReady',
  'printer.paperLow',
  'printer.paperOut',
  'printer.jam',
  'printer.fault',
  'tamper',
  'keys.loaded',
  'keys.exchangeOk',
  'session.signedIn',
  'pinpad.connected',
]);

/** The unit written after a metric's value (none for counts and booleans). */
export const METRIC_UNITS: Readonly<Record<string, string>> = {
  'battery.pct': '%',
  'battery.healthPct': '%',
  'power.mainsVoltage': ' V',
  tempC: ' °C',
  ambientTempC: ' °C',
  humidityPct: '%',
  'network.signalDbm': ' dBm',
  'network.latencyMs': ' ms',
  'network.lossPct': '%',
  'memory.freePct': '%',
  'storage.freePct': '%',
  cpuPct: '%',
  clockSkewAbsS: ' s',
  'batch.fillPct': '%',
};

/** Metrics a trend rule may forecast besides the sample metrics. */
export const TREND_EXTRA_METRICS = ['reader.chip.failureRate', 'reader.contactless.failureRate', 'reader.magstripe.failureRate', 'paper.receiptsLeft'] as const;
const RATE_METRICS: ReadonlySet<string> = new Set(TREND_EXTRA_METRICS.filter((m) => m.endsWith('failureRate')));

export const metricLabel = (metric: string, t: Translate): string => t(`alerts.metrics.${metric}`);
export const ratioSourceLabel = (source: string, t: Translate): string => t(`alerts.ratioSources.${source}`);

const OP_TEXT: Record<string, string> = { '>': '>', '>=': '≥', '<': '<', '<=': '≤', '==': '=', '!=': '≠' };
export const opText = (op: string): string => OP_TEXT[op] ?? op;

/** A number without float noise: 0.30000000000000004 → "0.3", 12.0 → "12". */
export function num(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toFixed(digits)));
}

/** A fraction (0.2) as a percentage ("20%"). */
export const percent = (fraction: number, digits = 1): string => `${num(fraction * 100, digits)}%`;

/** 30 → "30 分钟", 120 → "2 小时", 2880 → "2 天"; whole hours and days only, minutes otherwise. */
export function formatMinutes(minutes: number, t: Translate): string {
  if (minutes >= 1440 && minutes % 1440 === 0) return t('alerts.duration.days', { count: minutes / 1440 });
  if (minutes >= 60 && minutes % 60 === 0) return t('alerts.duration.hours', { count: minutes / 60 });
  return t('alerts.duration.minutes', { count: num(minutes, 1) });
}

/** A metric's value in words: booleans as yes / no, rates as percentages, the rest with its unit. */
export function formatMetricValue(metric: string, value: number | null | undefined, t: Translate): string {
  if (value === null || value === undefined || Number.isNaN(value)) return EMPTY;
  if (BOOLEAN_METRICS.has(metric)) return value ? t('alerts.bool.yes') : t('alerts.bool.no');
  if (RATE_METRICS.has(metric)) return percent(value);
  return `${num(value)}${METRIC_UNITS[metric] ?? ''}`;
}

/**
 * A rule's condition in one line, e.g. "芯片读卡失败率 > 20%（最近 30 次）" or
 * "Battery below 15% within 2 h (trend over 6 h)".
 */
export function conditionSummary(condition: AlertCondition, t: Translate): string {
  // Stored rules may leave out fields that have defaults; read them with the defaults filled in.
  const parsed = AlertConditionSchema.safeParse(condition);
  const c = parsed.success ? parsed.data : condition;
  switch (c.kind) {
    case 'threshold': {
      const boolEq = BOOLEAN_METRICS.has(c.metric) && (c.op === '==' || c.op === '!=') && (c.value === 0 || c.value === 1);
      const base = boolEq
        ? t('alerts.cond.thresholdBool', {
            metric: metricLabel(c.metric, t),
            value: formatMetricValue(c.metric, c.op === '==' ? c.value : 1 - c.value, t),
          })
        : t('alerts.cond.threshold', { metric: metricLabel(c.metric, t), op: opText(c.op), value: formatMetricValue(c.metric, c.value, t) });
      return c.forMinutes > 0 ? base + t('alerts.cond.forMinutes', { duration: formatMinutes(c.forMinutes, t) }) : base;
    }
    case 'ratio':
      return t('alerts.cond.ratio', { source: ratioSourceLabel(c.source, t), op: opText(c.op), value: percent(c.value), attempts: c.attempts });
    case 'absence':
      return t('alerts.cond.absence', { duration: formatMinutes(c.minutes, t) });
    case 'trade_absence':
      return t('alerts.cond.tradeAbsence', { duration: formatMinutes(c.minutes, t) });
    case 'trend':
      return t(c.direction === 'falling' ? 'alerts.cond.trendFalling' : 'alerts.cond.trendRising', {
        metric: metricLabel(c.metric, t),
        value: formatMetricValue(c.metric, c.threshold, t),
        horizon: formatMinutes(c.horizonMinutes, t),
        window: formatMinutes(c.windowMinutes, t),
      });
    case 'fleet_version':
      return t('alerts.cond.fleetVersion', {
        metric: metricLabel(c.metric, t),
        factor: num(c.factor),
        window: formatMinutes(c.windowMinutes, t),
        min: c.minTerminals,
      });
    case 'site_offline':
      return t('alerts.cond.siteOffline', { share: percent(c.share, 0), min: c.minTerminals, duration: formatMinutes(c.minutes, t) });
    case 'host_outage':
      return t('alerts.cond.hostOutage', { sites: c.minSites, value: percent(c.value, 0), window: formatMinutes(c.windowMinutes, t) });
    case 'card_failures': {
      const what = [
        ...(c.responseCodes?.length ? [t('alerts.cond.responseCodes', { codes: c.responseCodes.join(t('common.listSeparator')) })] : []),
        ...(c.outcomes ?? []).map((o) => t(`alerts.outcomes.${o}`)),
      ];
      const base = t('alerts.cond.cardFailures', { count: c.count, duration: formatMinutes(c.minutes, t) });
      return what.length ? base + t('alerts.cond.cardFailuresWhat', { what: what.join(t('common.listSeparator')) }) : base;
    }
  }
}

/**
 * An alert's current value as the rule measures it: ratios and outages as percentages, metrics with
 * their unit; without the rule, the number as it comes.
 */
export function formatAlertValue(condition: AlertCondition | null | undefined, value: number | null | undefined, t: Translate): string {
  if (value === null || value === undefined) return EMPTY;
  if (!condition) return num(value);
  switch (condition.kind) {
    case 'threshold':
    case 'trend':
      return formatMetricValue(condition.metric, value, t);
    case 'ratio':
    case 'host_outage':
    case 'site_offline':
      return percent(value);
    case 'absence':
    case 'trade_absence':
      return formatMinutes(value, t);
    case 'fleet_version':
      return t('alerts.cond.perTerminalHour', { value: num(value) });
    case 'card_failures':
      return num(value);
  }
}

/** "人民路店 · 12 台终端"; a one-terminal alert is just its terminal. */
export function scopeText(row: Pick<AlertRow, 'groupBy' | 'scopeLabel' | 'memberCount'>, t: Translate): string {
  const label = row.scopeLabel || EMPTY;
  if (row.groupBy === 'terminal' && row.memberCount <= 1) return label;
  return t(row.memberCount === 1 ? 'alerts.scope.oneTerminal' : 'alerts.scope.terminals', { label, count: row.memberCount });
}

export const GROUP_MODES = ['none', 'rule', 'site'] as const;
export type GroupMode = (typeof GROUP_MODES)[number];
export const isGroupMode = (s: string | undefined): s is GroupMode => !!s && (GROUP_MODES as readonly string[]).includes(s);

export interface AlertGroup {
  key: string;
  label: string;
  rows: AlertRow[];
  /** The most severe open alert in the group (or of all rows when none is open). */
  worst: AlertSeverity;
  /** Rows that are still firing (not acknowledged, not resolved). */
  firing: number;
  /** Terminals across the group's alerts. */
  terminals: number;
}

export interface GroupOptions {
  /** A site's name by id, for alerts of single terminals. */
  siteName?: (id: string) => string | undefined;
  /** The label of the group of alerts without a site (fleet-wide, host, version). */
  noSite: string;
}

/**
 * The page's rows grouped by rule or by site, most urgent group first (worst severity, then most
 * firing, then most alerts, then by name). Rows keep their order inside a group.
 */
export function groupAlerts(rows: readonly AlertRow[], by: Exclude<GroupMode, 'none'>, opts: GroupOptions): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const r of rows) {
    let key: string;
    let label: string;
    if (by === 'rule') {
      key = r.ruleCode;
      label = r.name;
    } else if (r.siteId) {
      key = r.siteId;
      label = (r.groupBy === 'site' ? r.scopeLabel : undefined) || opts.siteName?.(r.siteId) || r.siteId;
    } else {
      key = '';
      label = opts.noSite;
    }
    let g = groups.get(key);
    if (!g) {
      g = { key, label, rows: [], worst: r.severity, firing: 0, terminals: 0 };
      groups.set(key, g);
    }
    // A site-scoped alert names the site better than a site id or a lookup that has not loaded yet.
    if (by === 'site' && r.groupBy === 'site' && r.scopeLabel) g.label = r.scopeLabel;
    g.rows.push(r);
    g.terminals += r.memberCount;
    if (r.status === 'firing') g.firing += 1;
  }
  for (const g of groups.values()) {
    const open = g.rows.filter((r) => r.status !== 'resolved');
    g.worst = (open.length ? open : g.rows).map((r) => r.severity).reduce(worstSeverity);
  }
  return [...groups.values()].sort(
    (a, b) =>
      SEVERITY_RANK[b.worst] - SEVERITY_RANK[a.worst] ||
      b.firing - a.firing ||
      b.rows.length - a.rows.length ||
      (a.key === '' ? 1 : 0) - (b.key === '' ? 1 : 0) ||
      a.label.localeCompare(b.label),
  );
}

/** A silence for "this alert": its rule, narrowed to the terminal, site or merchant the alert is about. */
export function silenceMatchersFor(row: Pick<AlertRow, 'ruleCode' | 'groupBy' | 'terminalId' | 'siteId' | 'merchantId'>): SilenceMatchers {
  const m: SilenceMatchers = { rule: row.ruleCode };
  // Version, host and card alerts span sites: the rule alone is the narrowest silence that matches them.
  const scope: Partial<Record<AlertRow['groupBy'], 'terminalId' | 'siteId' | 'merchantId'>> = { terminal: 'terminalId', site: 'siteId', merchant: 'merchantId' };
  const field = scope[row.groupBy];
  if (field && row[field]) m[field] = row[field]!;
  return m;
}

const CONDITION_FIELDS: Record<AlertCondition['kind'], readonly string[]> = {
  threshold: ['metric', 'op', 'value', 'forMinutes'],
  ratio: ['source', 'attempts', 'minAttempts', 'op', 'value'],
  absence: ['minutes'],
  trade_absence: ['minutes', 'minPerHour', 'minWeeks'],
  trend: ['metric', 'direction', 'threshold', 'windowMinutes', 'horizonMinutes', 'minPoints', 'when', 'minSpanMinutes', 'receiptsAtLow'],
  fleet_version: ['metric', 'windowMinutes', 'minTerminals', 'factor', 'minRate'],
  site_offline: ['minutes', 'minTerminals', 'share'],
  host_outage: ['windowMinutes', 'minSites', 'minPayments', 'value'],
  card_failures: ['responseCodes', 'outcomes', 'count', 'minutes'],
};
const ALL_FIELDS = new Set(Object.values(CONDITION_FIELDS).flat());

/**
 * The condition without the fields that belong to other kinds (left over when the editor switched
 * kinds) and without blanks. Fields this console does not know are kept: a newer server may have them.
 */
export function cleanCondition(c: AlertCondition): AlertCondition {
  const own = new Set(CONDITION_FIELDS[c.kind] ?? []);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (k !== 'kind' && ALL_FIELDS.has(k) && !own.has(k)) continue;
    if (v === undefined || v === null || v === '') continue;
    out[k] = v;
  }
  return out as unknown as AlertCondition;
}

/** A starting point when the editor switches a rule to another kind of condition. */
export function defaultCondition(kind: AlertCondition['kind']): AlertCondition {
  switch (kind) {
    case 'threshold':
      return { kind, metric: 'battery.pct', op: '<', value: 15, forMinutes: 5 };
    case 'ratio':
      return { kind, source: 'reader.chip', attempts: 30, minAttempts: 10, op: '>', value: 0.2 };
    case 'absence':
      return { kind, minutes: 15 };
    case 'trade_absence':
      return { kind, minutes: 60, minPerHour: 4, minWeeks: 2 };
    case 'trend':
      return { kind, metric: 'battery.pct', direction: 'falling', threshold: 10, windowMinutes: 360, horizonMinutes: 120, minPoints: 6 };
    case 'fleet_version':
      return { kind, metric: 'app.crashes', windowMinutes: 120, minTerminals: 5, factor: 3, minRate: 0.5 };
    case 'site_offline':
      return { kind, minutes: 5, minTerminals: 2, share: 1 };
    case 'host_outage':
      return { kind, windowMinutes: 10, minSites: 3, minPayments: 20, value: 0.3 };
    case 'card_failures':
      return { kind, responseCodes: [], outcomes: ['card_read_error'], count: 3, minutes: 60 };
  }
}

/** The definition the editor saves: its form values over the stored definition, the condition cleaned. */
export function definitionFromEditor(base: AlertRuleDefinition, values: Partial<AlertRuleDefinition>): AlertRuleDefinition {
  const merged = { ...base, ...values } as AlertRuleDefinition;
  const condition = cleanCondition({ ...(values.condition ?? base.condition) } as AlertCondition);
  const escalation = (merged.escalation ?? []).filter((s) => s && s.afterMinutes && s.notifyRoles?.length);
  const out: AlertRuleDefinition = { ...merged, condition, escalation };
  if (!out.description?.['zh-CN'] || !out.description['en-US']) delete out.description;
  if (!out.cause) delete out.cause;
  return out;
}

export interface HourlyFirings {
  /** Start of each hour, as Date values (ms). */
  hours: number[];
  counts: number[];
}

const HOUR = 3_600_000;

/** Firings per hour between `from` and `to`, for the preview chart; hours without firings count 0. */
export function hourlyFirings(hits: readonly Pick<AlertPreviewHit, 'firedAt'>[], from: string, to: string): HourlyFirings {
  const start = Math.floor(Date.parse(from) / HOUR) * HOUR;
  const end = Math.max(start, Math.floor((Date.parse(to) - 1) / HOUR) * HOUR);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return { hours: [], counts: [] };
  const n = Math.min(24 * 31, Math.round((end - start) / HOUR) + 1);
  const hours = Array.from({ length: n }, (_, i) => start + i * HOUR);
  const counts = hours.map(() => 0);
  for (const h of hits) {
    const i = Math.floor((Date.parse(h.firedAt) - start) / HOUR);
    if (i >= 0 && i < n) counts[i] = (counts[i] ?? 0) + 1;
  }
  return { hours, counts };
}

export const MATCHER_KEYS = ['rule', 'severity', 'merchantId', 'siteId', 'terminalId'] as const;
export type MatcherKey = (typeof MATCHER_KEYS)[number];

export interface MatcherNames {
  rule?: (code: string) => string | undefined;
  merchantId?: (id: string) => string | undefined;
  siteId?: (id: string) => string | undefined;
  terminalId?: (id: string) => string | undefined;
}

/** A silence's matchers as "label: value" pairs in a stable order, names looked up where known. */
export function matcherPairs(matchers: Record<string, string | undefined>, t: Translate, names: MatcherNames = {}): { key: string; label: string; value: string }[] {
  const out: { key: string; label: string; value: string }[] = [];
  const keys = [...MATCHER_KEYS, ...Object.keys(matchers).filter((k) => !(MATCHER_KEYS as readonly string[]).includes(k))];
  for (const k of keys) {
    const v = matchers[k];
    if (!v) continue;
    let value = v;
    if (k === 'severity') value = t(`alerts.severity.${v}`);
    else if (k in names) value = names[k as keyof MatcherNames]?.(v) ?? v;
    const label = (MATCHER_KEYS as readonly string[]).includes(k) ? t(`alerts.matchers.${k}`) : k;
    out.push({ key: k, label, value });
  }
  return out;
}

/** Still needs someone: firing or acknowledged but not resolved. */
export const isOpen = (row: Pick<AlertRow, 'status'>): boolean => row.status !== 'resolved';

/** Quick durations offered by the silence form, in minutes. */
export const SILENCE_PRESETS = [60, 240, 1440, 10080] as const;

const SECURITY_SIGNALS = ['login_burst', 'login_burst_account', 'device_two_addresses', 'revoked_terminal'] as const;
/** An alert's rule name in the console's language: security.* alerts (raised by the server's signals, not rules) by their code. */
export function alertName(t: (key: `alerts.security.${(typeof SECURITY_SIGNALS)[number]}`) => string, row: Pick<AlertRow, 'ruleCode' | 'name'>): string {
  const code = row.ruleCode.startsWith('security.') ? row.ruleCode.slice('security.'.length) : null;
  return code && (SECURITY_SIGNALS as readonly string[]).includes(code) ? t(`alerts.security.${code as (typeof SECURITY_SIGNALS)[number]}`) : row.name;
}
