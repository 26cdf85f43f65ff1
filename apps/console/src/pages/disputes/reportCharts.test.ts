import { describe, expect, it } from 'vitest';
import type { DisputeRateRow, DisputeReport } from './api';
import { groupsOption, ratesOption } from './reportCharts';

const t = (k: string) => k;
const outcome = { opened: 0, open: 0, won: 0, lost: 0, accepted: 0, expired: 0, winRate: null, amountMinor: 0, lostMinor: 0, recoveredMinor: 0, responded: 0, medianRespondHours: null, meanRespondHours: null };
const rate = (label: string, payments: number, duplicatesPer1000: number | null, fraudPer1000: number | null): DisputeRateRow => ({ key: label, label, payments, duplicates: 0, fraud: 0, disputes: 0, duplicatesPer1000, fraudPer1000, disputesPer1000: null });

describe('dispute report charts', () => {
  it('stacks how the disputes of each reason group ended, leaving out groups with none', () => {
    const r = {
      byGroup: [
        { ...outcome, group: 'fraud', label: 'Fraud', opened: 3, won: 1, lost: 1, open: 1 },
        { ...outcome, group: 'authorization', label: 'Auth', opened: 0 },
        { ...outcome, group: null, label: 'Unknown', opened: 1, expired: 1 },
      ],
    } as unknown as DisputeReport;
    const o = groupsOption(r, t) as { yAxis: { data: string[] }; series: { name: string; data: number[] }[] };
    expect(o.yAxis.data).toEqual(['disputes.group.fraud', 'Unknown']);
    expect(o.series.map((s) => [s.name, s.data])).toEqual([
      ['disputes.report.outcome.won', [1, 0]],
      ['disputes.report.outcome.lost', [1, 0]],
      ['disputes.report.outcome.accepted', [0, 0]],
      ['disputes.report.outcome.expired', [0, 1]],
      ['disputes.report.outcome.open', [1, 0]],
    ]);
  });

  it('draws the rates per 1,000 payments of rows that had payments, in the server’s order, at most 12', () => {
    const rows = [rate('V240m', 78, 51.28, 12.82), rate('no sales', 0, null, null), ...Array.from({ length: 14 }, (_, i) => rate(`M${i}`, 100, 1, 0))];
    const o = ratesOption(rows, t) as { yAxis: { data: string[] }; series: { data: number[] }[] };
    expect(o.yAxis.data).toHaveLength(12);
    expect(o.yAxis.data.slice(0, 2)).toEqual(['V240m', 'M0']);
    expect(o.series[0]!.data[0]).toBe(51.28);
    expect(o.series[1]!.data[0]).toBe(12.82);
  });
});
