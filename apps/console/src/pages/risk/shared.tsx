import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RiskCaseRow } from './api';

/**
 * The translation function with keys built at run time (kinds, outcomes, units): both language files
 * hold every key (parity-tested), so the page reads them as plain strings.
 */
export function useT(): (key: string, options?: Record<string, unknown>) => string {
  const { t } = useTranslation();
  return t as unknown as (key: string, options?: Record<string, unknown>) => string;
}

/** A fraud kind's name: `risk.card_testing` → the words of the reader's language. */
export function useKindName() {
  const t = useT();
  return (code: string) => t(`risk.kind.${code.replace(/^risk\./, '')}`);
}

const DECISION_COLOR: Record<string, string> = { fraud: 'red', not_fraud: 'green', contact_merchant: 'gold' };

export function DecisionTag({ row }: { row: Pick<RiskCaseRow, 'decision' | 'status' | 'resolvedReason'> }) {
  const t = useT();
  if (row.decision) return <Tag color={DECISION_COLOR[row.decision]} data-testid="decision-tag">{t(`risk.decision.${row.decision}`)}</Tag>;
  if (row.status === 'resolved') return <Tag>{t(row.resolvedReason === 'thresholds_changed' ? 'risk.status.thresholds_changed' : 'risk.status.explained')}</Tag>;
  return <Tag color="blue">{t('risk.status.open')}</Tag>;
}

export const percent = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10}%`);
