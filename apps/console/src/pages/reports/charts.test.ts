import { describe, expect, it } from 'vitest';
import type { CauseGroup } from '../../api/reports';
import { causesOption, stackedCauses } from './charts';

const t = (k: string) => k;
const groups: CauseGroup[] = [
  { key: 'A920', label: 'A920', total: 10, causes: [{ code: 'hw.printer.jam', count: 6 }, { code: 'hw.reader.chip', count: 3 }] },
  { key: 'V2', label: 'V2', total: 5, causes: [{ code: 'net.signal.weak', count: 4 }, { code: null, count: 1 }] },
];

describe('top-causes chart', () => {
  it('stacks the causes most frequent across the groups shown, largest first', () => {
    expect(stackedCauses(groups)).toEqual(['hw.printer.jam', 'net.signal.weak', 'hw.reader.chip', null]);
    expect(stackedCauses(groups, 2)).toEqual(['hw.printer.jam', 'net.signal.weak']);
  });

  it('each bar adds up to its group total: what is not stacked, and causes beyond the top five, are "other"', () => {
    const option = causesOption(groups, { 'hw.printer.jam': 'Printer jam' }, t, (g) => g.label ?? '') as { series: { name: string; data: number[] }[]; yAxis: { data: string[] } };
    // Bars are drawn bottom-up: the largest group last.
    expect(option.yAxis.data).toEqual(['V2', 'A920']);
    const sums = option.yAxis.data.map((_, i) => option.series.reduce((a, s) => a + (s.data[i] ?? 0), 0));
    expect(sums).toEqual([5, 10]);
    expect(option.series.map((s) => s.name)).toEqual(['Printer jam', 'net.signal.weak', 'hw.reader.chip', 'reports.charts.unclassified', 'reports.charts.other']);
    expect(option.series.at(-1)!.data).toEqual([0, 1]);
  });
});
