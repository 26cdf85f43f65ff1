import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import type { AlertCondition, AlertRow, AlertRuleDefinition } from '../api/alerts';
import {
  cleanCondition,
  conditionSummary,
  defaultCondition,
  definitionFromEditor,
  formatAlertValue,
  formatMetricValue,
  formatMinutes,
  groupAlerts,
  hourlyFirings,
  matcherPairs,
  scopeText,
  silenceMatchersFor,
  type Translate,
} from './alerts';
import { CONDITION_KINDS } from '../api/alerts';

const zh = i18n.getFixedT('zh-CN') as unknown as Translate;
const en = i18n.getFixedT('en-US') as unknown as Translate;

let seq = 0;
function row(over: Partial<AlertRow> = {}): AlertRow {
  seq += 1;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    ruleCode: 'reader.chip',
    ruleVersion: 1,
    name: '芯片读卡失败率高',
    severity: 'warning',
    status: 'firing',
    flapping: false,
    suppressed: null,
    groupBy: 'terminal',
    scopeKey: `t${seq}`,
    scopeLabel: `SN-${seq}`,
    terminalId: `t-${seq}`,
    siteId: null,
    merchantId: null,
    memberCount: 1,
    cause: null,
    value: null,
    threshold: null,
    predictedAt: null,
    startedAt: '2025-01-01T08:00:00.000Z',
    lastChangeAt: '2025-01-01T08:00:00.000Z',
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    escalationLevel: 0,
    ticketId: null,
    ticketNumber: null,
    diagnosis: null,
    ...over,
  };
}

describe('condition summaries', () => {
  it('reads a chip-reader ratio rule as the issue states it, in both languages', () => {
    const c: AlertCondition = { kind: 'ratio', source: 'reader.chip', attempts: 30, minAttempts: 10, op: '>', value: 0.2 };
    expect(conditionSummary(c, zh)).toBe('芯片读卡失败率 > 20%（最近 30 次）');
    expect(conditionSummary(c, en)).toBe('Chip read failure rate > 20% (last 30 attempts)');
  });

  it('writes thresholds with the unit and how long they must hold', () => {
    const c: AlertCondition = { kind: 'threshold', metric: 'battery.pct', op: '<', value: 15, forMinutes: 10 };
    expect(conditionSummary(c, zh)).toBe('电池电量 < 15%，持续 10 分钟');
    expect(conditionSummary(c, en)).toBe('Battery level < 15% for 10 min');
    expect(conditionSummary({ kind: 'threshold', metric: 'tempC', op: '>=', value: 55, forMinutes: 0 }, en)).toBe('Device temperature ≥ 55 °C');
  });

  it('says yes / no for on-off metrics instead of comparing with 1 or 0', () => {
    expect(conditionSummary({ kind: 'threshold', metric: 'printer.paperOut', op: '==', value: 1, forMinutes: 0 }, zh)).toBe('打印机缺纸：是');
    expect(conditionSummary({ kind: 'threshold', metric: 'keys.loaded', op: '!=', value: 1, forMinutes: 0 }, en)).toBe('Keys loaded: no');
  });

  it('turns whole hours and days into hours and days', () => {
    expect(formatMinutes(45, zh)).toBe('45 分钟');
    expect(formatMinutes(120, zh)).toBe('2 小时');
    expect(formatMinutes(2880, en)).toBe('2 d');
    expect(formatMinutes(90, en)).toBe('90 min');
  });

  it('describes a falling-battery forecast with its horizon and window', () => {
    const c: AlertCondition = { kind: 'trend', metric: 'battery.pct', direction: 'falling', threshold: 10, windowMinutes: 360, horizonMinutes: 120, minPoints: 6 };
    expect(conditionSummary(c, zh)).toBe('电池电量预计 2 小时内降至 10%（依据最近 6 小时的趋势）');
  });

  it('has words for every kind of condition in both languages (no raw keys)', () => {
    for (const kind of CONDITION_KINDS) {
      for (const t of [zh, en]) {
        const text = conditionSummary(defaultCondition(kind), t);
        expect(text, kind).not.toMatch(/alerts\.|undefined|NaN/);
      }
    }
  });

  it('formats an alert value the way its rule measures it', () => {
    const ratio: AlertCondition = { kind: 'ratio', source: 'reader.chip', attempts: 30, minAttempts: 10, op: '>', value: 0.2 };
    expect(formatAlertValue(ratio, 0.3333, zh)).toBe('33.3%');
    expect(formatAlertValue({ kind: 'threshold', metric: 'network.latencyMs', op: '>', value: 800, forMinutes: 5 }, 1234, en)).toBe('1234 ms');
    expect(formatAlertValue(null, 0.5, en)).toBe('0.5');
    expect(formatAlertValue(ratio, null, en)).toBe('—');
    expect(formatMetricValue('reader.chip.failureRate', 0.25, en)).toBe('25%');
  });
});

describe('scope labels', () => {
  it('names a site alert with its number of terminals', () => {
    expect(scopeText({ groupBy: 'site', scopeLabel: '门店 A', memberCount: 12 }, zh)).toBe('门店 A · 12 台终端');
    expect(scopeText({ groupBy: 'site', scopeLabel: 'Store A', memberCount: 12 }, en)).toBe('Store A · 12 terminals');
    expect(scopeText({ groupBy: 'site', scopeLabel: 'Store A', memberCount: 1 }, en)).toBe('Store A · 1 terminal');
  });

  it('shows a single-terminal alert as just the terminal', () => {
    expect(scopeText({ groupBy: 'terminal', scopeLabel: 'PAX-0001', memberCount: 1 }, zh)).toBe('PAX-0001');
  });
});

describe('grouping the inbox', () => {
  it('groups by rule, the group with the worst open alert first', () => {
    const rows = [
      row({ ruleCode: 'battery.low', name: 'Battery low', severity: 'info' }),
      row({ ruleCode: 'reader.chip', name: 'Chip reader', severity: 'warning' }),
      row({ ruleCode: 'battery.low', name: 'Battery low', severity: 'info', status: 'acknowledged' }),
      row({ ruleCode: 'host.down', name: 'Host down', severity: 'critical', status: 'resolved' }),
      row({ ruleCode: 'host.down', name: 'Host down', severity: 'info' }),
    ];
    const groups = groupAlerts(rows, 'rule', { noSite: '—' });
    expect(groups.map((g) => g.key)).toEqual(['reader.chip', 'battery.low', 'host.down']);
    // A resolved critical alert does not make its group critical; the open one decides.
    expect(groups.find((g) => g.key === 'host.down')!.worst).toBe('info');
    expect(groups.find((g) => g.key === 'battery.low')).toMatchObject({ firing: 1, terminals: 2 });
    expect(groups.find((g) => g.key === 'battery.low')!.rows).toHaveLength(2);
  });

  it('groups by site, naming the site from a site alert or the lookup, fleet-wide alerts last', () => {
    const rows = [
      row({ groupBy: 'version', scopeLabel: '3.2.1', siteId: null, severity: 'critical', memberCount: 40 }),
      row({ siteId: 's1', severity: 'warning' }),
      row({ siteId: 's1', groupBy: 'site', scopeLabel: '人民路店', memberCount: 5, severity: 'warning' }),
      row({ siteId: 's2', severity: 'warning' }),
    ];
    const groups = groupAlerts(rows, 'site', { siteName: (id) => (id === 's2' ? '南京西路店' : undefined), noSite: '跨网点' });
    expect(groups.map((g) => [g.key, g.label])).toEqual([
      ['', '跨网点'],
      ['s1', '人民路店'],
      ['s2', '南京西路店'],
    ]);
    expect(groups[1]).toMatchObject({ firing: 2, terminals: 6 });
  });
});

describe('silence from an alert', () => {
  it('narrows the silence to the alert’s rule and scope', () => {
    expect(silenceMatchersFor(row({ ruleCode: 'r', groupBy: 'terminal', terminalId: 't1', siteId: 's1' }))).toEqual({ rule: 'r', terminalId: 't1' });
    expect(silenceMatchersFor(row({ ruleCode: 'r', groupBy: 'site', terminalId: null, siteId: 's1' }))).toEqual({ rule: 'r', siteId: 's1' });
    expect(silenceMatchersFor(row({ ruleCode: 'r', groupBy: 'host', terminalId: null, siteId: null }))).toEqual({ rule: 'r' });
  });

  it('lists matchers in a stable order with names where known', () => {
    const pairs = matcherPairs({ siteId: 's1', rule: 'reader.chip', severity: 'critical' }, zh, { rule: () => '芯片读卡失败率高', siteId: () => '人民路店' });
    expect(pairs.map((p) => `${p.label}=${p.value}`)).toEqual(['规则=芯片读卡失败率高', '级别=严重', '网点=人民路店']);
  });
});

describe('the rule editor', () => {
  const base: AlertRuleDefinition = {
    code: 'battery.low',
    name: { 'zh-CN': '电量低', 'en-US': 'Battery low' },
    enabled: true,
    severity: 'warning',
    condition: { kind: 'threshold', metric: 'battery.pct', op: '<', value: 15, forMinutes: 5 },
    groupBy: 'terminal',
    resolveAfterMinutes: 5,
    escalation: [],
    autoTicket: false,
  };

  it('keeps only the fields of the chosen kind after the kind was switched', () => {
    const mixed = { ...defaultCondition('ratio'), metric: 'battery.pct', forMinutes: 5 } as unknown as AlertCondition;
    expect(cleanCondition(mixed)).toEqual({ kind: 'ratio', source: 'reader.chip', attempts: 30, minAttempts: 10, op: '>', value: 0.2 });
  });

  it('keeps condition fields it does not know, so a newer server does not lose them', () => {
    const c = { kind: 'threshold', metric: 'app.crashes', op: '>=', value: 10, forMinutes: 0, sumMinutes: 30 } as unknown as AlertCondition;
    expect(cleanCondition(c)).toHaveProperty('sumMinutes', 30);
  });

  it('reads stored rules that leave out defaulted fields', () => {
    expect(conditionSummary({ kind: 'card_failures', responseCodes: ['54', '33'], count: 3, minutes: 240 } as unknown as AlertCondition, zh)).toBe(
      '同一张卡 4 小时内失败至少 3 次（应答码 54、33）',
    );
  });

  it('saves the form over the stored definition and drops incomplete escalation steps', () => {
    const def = definitionFromEditor(base, {
      severity: 'critical',
      condition: { kind: 'threshold', metric: 'battery.pct', op: '<', value: 10, forMinutes: 5 },
      escalation: [
        { afterMinutes: 30, notifyRoles: ['admin'], raiseSeverity: false },
        { afterMinutes: 60, notifyRoles: [], raiseSeverity: true },
      ],
    });
    expect(def).toMatchObject({ code: 'battery.low', severity: 'critical', condition: { value: 10 } });
    expect(def.escalation).toEqual([{ afterMinutes: 30, notifyRoles: ['admin'], raiseSeverity: false }]);
    expect(def).not.toHaveProperty('description');
  });
});

describe('preview chart', () => {
  it('counts firings per hour across the whole range, empty hours included', () => {
    const h = hourlyFirings(
      [{ firedAt: '2025-01-01T00:10:00Z' }, { firedAt: '2025-01-01T00:50:00Z' }, { firedAt: '2025-01-01T02:00:00Z' }, { firedAt: '2024-12-31T23:00:00Z' }],
      '2025-01-01T00:00:00Z',
      '2025-01-01T04:00:00Z',
    );
    expect(h.counts).toEqual([2, 0, 1, 0]);
    expect(new Date(h.hours[0]!).toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });
});
