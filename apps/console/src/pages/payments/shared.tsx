import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ReconStatus } from '@poscare/contracts';

export const STATUS_COLORS: Record<ReconStatus, string> = {
  matched: 'green',
  terminal_only: 'gold',
  host_only: 'purple',
  amount_differs: 'orange',
  outcome_differs: 'red',
};

export function StatusTag({ status }: { status: ReconStatus }) {
  const { t } = useTranslation();
  return <Tag color={STATUS_COLORS[status]} data-testid={`status-${status}`}>{t(`payments.status.${status}`)}</Tag>;
}

export function OutcomeText({ outcome }: { outcome: string | null }) {
  const { t } = useTranslation();
  if (!outcome) return <span>—</span>;
  const color = outcome === 'approved' || outcome === 'reversed' ? '#389e0d' : outcome === 'declined' ? '#8c8c8c' : '#cf1322';
  return <span style={{ color }}>{t(`payments.outcome.${outcome}`, { defaultValue: outcome })}</span>;
}

/** Amount in major units with the currency, as a receipt shows it. */
export function money(minor: number | null | undefined, currency: string | null | undefined, lng: string): string {
  if (minor === null || minor === undefined) return '—';
  const c = currency && /^[A-Z]{3}$/.test(currency) ? currency : 'CNY';
  try {
    return new Intl.NumberFormat(lng, { style: 'currency', currency: c }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${c}`;
  }
}

/** Today in Asia/Shanghai (the server's day for payments), as YYYY-MM-DD. */
export function todayShanghai(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
