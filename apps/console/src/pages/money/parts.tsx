/** Pieces the money pages share: the payments of a finding from both sides, and the status and kind tags. */
import { Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../lib/format';
import { formatMoney, type FindingLine, type FindingPayment, type FindingRow } from './api';

export function StatusTag({ status }: { status: FindingRow['status'] }) {
  const { t } = useTranslation();
  return status === 'open' ? <Tag color="orange">{t('money.statusOpen')}</Tag> : <Tag color="green">{t('money.statusResolved')}</Tag>;
}

export function KindTag({ kind }: { kind: FindingRow['kind'] }) {
  const { t } = useTranslation();
  return kind === 'dup' ? <Tag color="volcano">{t('money.kindDup')}</Tag> : <Tag color="purple">{t('money.kindRisk')}</Tag>;
}

function Side({ line }: { line: FindingLine | null }) {
  const { t } = useTranslation();
  if (!line) return <Typography.Text type="secondary">{t('money.notRecorded')}</Typography.Text>;
  const good = line.outcome === 'approved';
  return (
    <span>
      <Tag color={good ? 'blue' : 'default'}>{t(`money.outcome.${line.outcome}`)}</Tag>
      {line.responseCode && <Typography.Text type="secondary">{line.responseCode}</Typography.Text>}
    </span>
  );
}

/** One row per payment: when, how much, the references, what the terminal and the host said, and what undid it. */
/** `compact`: on a phone only when, how much and the references (the money page's cards); both sides from tablets up. */
export function PaymentsTable({ payments, currency, compact }: { payments: FindingPayment[]; currency?: string | null; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const first = (p: FindingPayment) => p.terminal ?? p.host;
  const columns: TableColumnsType<FindingPayment> = [
    {
      title: t('money.at'),
      key: 'at',
      render: (_, p) => (
        <span>
          {formatTime(first(p)?.at)}
          {p.toRefund && (
            <Tag color="red" style={{ marginLeft: 6 }} data-testid="refund-this">
              {t('money.refundThis')}
            </Tag>
          )}
        </span>
      ),
    },
    { title: t('money.amount'), key: 'amount', render: (_, p) => formatMoney(lang, first(p)?.amountMinor ?? 0, first(p)?.currency ?? currency) },
    { title: t('money.stan'), key: 'stan', render: (_, p) => first(p)?.stan ?? '—' },
    { title: t('money.rrn'), key: 'rrn', render: (_, p) => p.terminal?.rrn ?? p.host?.rrn ?? '—' },
    { title: t('money.terminalSide'), key: 'terminal', render: (_, p) => <Side line={p.terminal} /> },
    { title: t('money.hostSide'), key: 'host', render: (_, p) => <Side line={p.host} /> },
    {
      title: t('money.undone'),
      key: 'undone',
      render: (_, p) =>
        p.undone.length ? (
          p.undone.map((u) => (
            <Tag color="green" key={u.id}>
              {t(`money.type.${u.type}`)} {formatMoney(lang, u.amountMinor, u.currency)} · {formatTime(u.at)}
            </Tag>
          ))
        ) : (
          <Typography.Text type="secondary">{t('money.none')}</Typography.Text>
        ),
    },
  ];
  const wide = new Set(['terminal', 'host', 'undone']);
  const shown = compact ? columns.map((c) => (wide.has(String(c.key)) ? { ...c, responsive: ['md' as const] } : c.key === 'rrn' ? { ...c, responsive: ['sm' as const] } : c)) : columns;
  return <Table rowKey="txnId" size="small" columns={shown} dataSource={payments} pagination={false} scroll={compact ? undefined : { x: 760 }} data-testid="finding-payments" />;
}
