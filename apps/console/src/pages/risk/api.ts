/**
 * Risk work calls: the inbox, a case and its actions, the block list, statistics, thresholds and the
 * backtest. Types come from the contracts package.
 */
import type { z } from 'zod';
import type {
  BacktestAnswer,
  RiskAssignees,
  RiskBlock,
  RiskBlockCreate,
  RiskBlockPage,
  RiskCaseDetail,
  RiskCasePage,
  RiskCaseQuery,
  RiskDecisionCreate,
  RiskStats,
  ThresholdOverrides,
  ThresholdsView,
} from '@poscare/contracts';
import { api } from '../../api/client';

export { RISK_CASE_CODES, RISK_DECISIONS } from '@poscare/contracts';
export type { BacktestAnswer, RiskBlock, RiskCaseDetail, RiskCaseRow, RiskKindStats, RiskPayment, ThresholdOverrides, ThresholdsView } from '@poscare/contracts';

export type CaseParams = Partial<z.input<typeof RiskCaseQuery>>;

export const riskApi = {
  cases: (q: CaseParams) => api<RiskCasePage>('/risk/cases', { query: q as Record<string, string | number | undefined> }),
  stats: () => api<RiskStats>('/risk/stats'),
  case: (id: string) => api<RiskCaseDetail>(`/risk/cases/${id}`),
  assignees: () => api<RiskAssignees>('/risk/assignees'),
  assign: (id: string, assigneeId: string | null) => api<RiskCaseDetail>(`/risk/cases/${id}/assign`, { method: 'POST', body: { assigneeId } }),
  note: (id: string, body: string) => api<RiskCaseDetail>(`/risk/cases/${id}/notes`, { method: 'POST', body: { body } }),
  decide: (id: string, body: RiskDecisionCreate) => api<RiskCaseDetail>(`/risk/cases/${id}/decision`, { method: 'POST', body }),
  blocks: (q: { kind?: string; status?: string; q?: string; limit?: number; offset?: number }) => api<RiskBlockPage>('/risk/blocks', { query: q }),
  block: (body: RiskBlockCreate) => api<RiskBlock>('/risk/blocks', { method: 'POST', body }),
  unblock: (id: string) => api<RiskBlock>(`/risk/blocks/${id}`, { method: 'DELETE' }),
  thresholds: () => api<ThresholdsView>('/risk/thresholds'),
  backtest: (overrides: ThresholdOverrides, days = 30) => api<BacktestAnswer>('/risk/thresholds/backtest', { method: 'POST', body: { overrides, days } }),
  saveThresholds: (overrides: ThresholdOverrides, baseVersion: number, note?: string) =>
    api<ThresholdsView>('/risk/thresholds', { method: 'POST', body: { overrides, baseVersion, note } }),
};

/** Money in fen as yuan with two decimals. */
export const yuan = (minor: number) => `¥${(minor / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
