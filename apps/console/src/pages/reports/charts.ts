/**
 * ECharts options of the reports page, built from the report as the server sent it (pure functions, so
 * they are tested without a browser).
 */
import type { EChartsCoreOption } from 'echarts/core';
import { TICKET_PRIORITIES } from '@poscare/contracts';
import type { CauseGroup, ServiceDeskReport } from '../../api/reports';

type T = (key: string, opts?: Record<string, unknown>) => string;

export const PRIORITY_HEX: Record<(typeof TICKET_PRIORITIES)[number], string> = { p1: '#cf1322', p2: '#fa8c16', p3: '#1f4fd6', p4: '#8c8c8c' };
/** 1 ★ (red) to 5 ★ (green). */
export const SCORE_HEX = ['#cf1322', '#fa8c16', '#fadb14', '#95de64', '#389e0d'];
const CAUSE_HEX = ['#1f4fd6', '#13a8a8', '#fa8c16', '#722ed1', '#eb2f96', '#52c41a'];
const OTHER_HEX = '#d0d5dd';
const GRID_LINE = { lineStyle: { color: '#eef0f4' } };

export function mttrOption(r: ServiceDeskReport, t: T): EChartsCoreOption {
  const weeks = r.mttr.weeks;
  return {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0, icon: 'roundRect', itemWidth: 10, itemHeight: 8 },
    grid: { left: 8, right: 8, top: 28, bottom: 36, containLabel: true },
    xAxis: { type: 'category', data: weeks.map((w) => w.week.slice(5)), axisTick: { alignWithLabel: true } },
    yAxis: [
      { type: 'value', name: t('reports.charts.hours'), splitLine: GRID_LINE, nameTextStyle: { align: 'left' } },
      { type: 'value', name: t('reports.charts.tickets'), minInterval: 1, splitLine: { show: false }, nameTextStyle: { align: 'right' } },
    ],
    series: [
      { type: 'bar', name: t('reports.charts.resolved'), yAxisIndex: 1, data: weeks.map((w) => w.resolved), itemStyle: { color: '#dbe4fb', borderRadius: [3, 3, 0, 0] }, barMaxWidth: 28 },
      { type: 'line', name: t('reports.charts.mean'), data: weeks.map((w) => w.meanHours), smooth: true, symbolSize: 6, itemStyle: { color: '#1f4fd6' }, connectNulls: true },
      { type: 'line', name: t('reports.charts.median'), data: weeks.map((w) => w.medianHours), smooth: true, symbolSize: 6, itemStyle: { color: '#13a8a8' }, lineStyle: { type: 'dashed' }, connectNulls: true },
    ],
  };
}

export function backlogOption(r: ServiceDeskReport, t: T): EChartsCoreOption {
  const buckets = r.backlog.buckets;
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { bottom: 0, icon: 'roundRect', itemWidth: 10, itemHeight: 8 },
    grid: { left: 8, right: 8, top: 16, bottom: 36, containLabel: true },
    xAxis: { type: 'category', data: buckets.map((b) => t(`reports.buckets.${b.bucket}`)) },
    yAxis: { type: 'value', minInterval: 1, splitLine: GRID_LINE },
    series: TICKET_PRIORITIES.map((p) => ({
      type: 'bar',
      stack: 'backlog',
      name: p.toUpperCase(),
      data: buckets.map((b) => b.byPriority[p] ?? 0),
      itemStyle: { color: PRIORITY_HEX[p] },
      barMaxWidth: 44,
    })),
  };
}

export function satisfactionOption(r: ServiceDeskReport, t: T): EChartsCoreOption {
  const d = r.satisfaction.distribution;
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: d.map((_, i) => t('reports.stars', { n: i + 1 })) },
    yAxis: { type: 'value', minInterval: 1, splitLine: GRID_LINE },
    series: [
      {
        type: 'bar',
        name: t('reports.charts.ratings'),
        data: d.map((n, i) => ({ value: n, itemStyle: { color: SCORE_HEX[i], borderRadius: [4, 4, 0, 0] } })),
        barMaxWidth: 40,
        label: { show: true, position: 'top', color: '#595959' },
      },
    ],
  };
}

/** The causes that stack: the most frequent across the groups shown; the rest of each group is "other". */
export function stackedCauses(groups: CauseGroup[], max = 6): (string | null)[] {
  const totals = new Map<string | null, number>();
  for (const g of groups) for (const c of g.causes) totals.set(c.code, (totals.get(c.code) ?? 0) + c.count);
  return [...totals].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, max).map(([code]) => code);
}

export function causesOption(groups: CauseGroup[], titles: Record<string, string>, t: T, labelOf: (g: CauseGroup) => string): EChartsCoreOption {
  const shown = [...groups].reverse();
  const codes = stackedCauses(groups);
  const name = (code: string | null) => (code ? (titles[code] ?? code) : t('reports.charts.unclassified'));
  const other = shown.map((g) => g.total - g.causes.filter((c) => codes.includes(c.code)).reduce((a, c) => a + c.count, 0));
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    legend: { bottom: 0, type: 'scroll', icon: 'roundRect', itemWidth: 10, itemHeight: 8 },
    grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, splitLine: GRID_LINE },
    yAxis: { type: 'category', data: shown.map(labelOf), axisTick: { show: false }, axisLabel: { width: 120, overflow: 'truncate' } },
    series: [
      ...codes.map((code, i) => ({
        type: 'bar',
        stack: 'causes',
        name: name(code),
        data: shown.map((g) => g.causes.find((c) => c.code === code)?.count ?? 0),
        itemStyle: { color: code ? CAUSE_HEX[i % CAUSE_HEX.length] : '#bfbfbf' },
        barMaxWidth: 22,
      })),
      ...(other.some((n) => n > 0) ? [{ type: 'bar', stack: 'causes', name: t('reports.charts.other'), data: other, itemStyle: { color: OTHER_HEX }, barMaxWidth: 22 }] : []),
    ],
  };
}
