/**
 * ECharts options of the dispute report, built from the report as the server sent it (pure functions,
 * tested without a browser).
 */
import type { EChartsCoreOption } from 'echarts/core';
import type { DisputeRateRow, DisputeReport } from './api';

type T = (key: string, opts?: Record<string, unknown>) => string;

const GRID_LINE = { lineStyle: { color: '#eef0f4' } };
export const OUTCOME_HEX = { won: '#389e0d', lost: '#cf1322', accepted: '#722ed1', expired: '#fa8c16', open: '#8c8c8c' } as const;
const OUTCOMES = ['won', 'lost', 'accepted', 'expired', 'open'] as const;

/** How the disputes of each reason group ended, stacked. */
export function groupsOption(r: DisputeReport, t: T): EChartsCoreOption {
  const groups = r.byGroup.filter((g) => g.opened > 0);
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { bottom: 0, icon: 'roundRect', itemWidth: 10, itemHeight: 8 },
    grid: { left: 8, right: 16, top: 8, bottom: 36, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, splitLine: GRID_LINE },
    yAxis: { type: 'category', inverse: true, data: groups.map((g) => (g.group ? t(`disputes.group.${g.group}`) : g.label)) },
    series: OUTCOMES.map((o) => ({
      type: 'bar',
      stack: 'outcome',
      name: t(`disputes.report.outcome.${o}`),
      data: groups.map((g) => g[o]),
      itemStyle: { color: OUTCOME_HEX[o] },
      barMaxWidth: 22,
    })),
  };
}

/** Duplicate charges and fraud findings per 1,000 payments, the highest first (at most 12 bars). */
export function ratesOption(rows: readonly DisputeRateRow[], t: T): EChartsCoreOption {
  const top = rows.filter((x) => x.payments > 0).slice(0, 12);
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { bottom: 0, icon: 'roundRect', itemWidth: 10, itemHeight: 8 },
    grid: { left: 8, right: 16, top: 8, bottom: 52, containLabel: true },
    xAxis: { type: 'value', name: t('disputes.report.per1000'), nameLocation: 'middle', nameGap: 26, splitLine: GRID_LINE },
    yAxis: { type: 'category', inverse: true, data: top.map((x) => x.label), axisLabel: { width: 140, overflow: 'truncate' } },
    series: [
      { type: 'bar', stack: 'rate', name: t('disputes.report.col.duplicates'), data: top.map((x) => x.duplicatesPer1000 ?? 0), itemStyle: { color: '#fa8c16' }, barMaxWidth: 18 },
      { type: 'bar', stack: 'rate', name: t('disputes.report.col.fraud'), data: top.map((x) => x.fraudPer1000 ?? 0), itemStyle: { color: '#cf1322' }, barMaxWidth: 18 },
    ],
  };
}
