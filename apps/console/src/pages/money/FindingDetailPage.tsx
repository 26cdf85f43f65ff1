/**
 * One finding (/findings/:id): what the analysis found, what to do, and each payment from both sides.
 * Merchant users reach their own duplicate charges here from /money; staff from the inbox.
 */
import { Alert, Card, Descriptions, Skeleton, Space, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { findingsApi, formatMoney } from './api';
import { KindTag, PaymentsTable, StatusTag } from './parts';
import './money.css';

export default function FindingDetailPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const merchant = me?.role === 'merchant';
  const q = useQuery({ queryKey: ['findings', 'detail', id, i18n.language], queryFn: () => findingsApi.get(id), refetchInterval: 10_000 });
  if (q.error) return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Skeleton active />;
  const f = q.data;
  const lang = i18n.language as 'zh-CN' | 'en-US';
  return (
    <div className="money-page" data-testid="finding-detail" data-status={f.status}>
      <PageHeader
        title={t(`money.codes.${f.code}`)}
        backTo={merchant ? '/money' : '/findings'}
        tags={
          <Space>
            <KindTag kind={f.kind} />
            <StatusTag status={f.status} />
          </Space>
        }
      />
      {f.kind === 'dup' && f.status === 'open' && f.refund && (
        <Alert
          type="error"
          showIcon
          className="money-check"
          message={t('money.refundAmount', { amount: formatMoney(i18n.language, f.refund.amountMinor, f.currency) })}
          description={t(`money.actions.${f.action}` as 'money.actions.refund_duplicate', { defaultValue: f.action })}
          data-testid="finding-refund"
        />
      )}
      <Card className="money-check">
        <Descriptions column={{ xs: 1, sm: 2, lg: 3 }} size="small">
          <Descriptions.Item label={t('money.amount')}>{formatMoney(i18n.language, f.amountMinor, f.currency)}</Descriptions.Item>
          {!merchant && <Descriptions.Item label={t('money.merchant')}>{f.merchantName ?? '—'}</Descriptions.Item>}
          <Descriptions.Item label={t('money.terminal')}>{f.terminalId ? <Link to={`/terminals/${f.terminalId}`}>{f.terminalSerial ?? f.terminalId}</Link> : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('money.card')}>{f.cardToken ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('money.firstAt')}>{formatTime(f.firstAt)}</Descriptions.Item>
          <Descriptions.Item label={t('money.lastAt')}>{formatTime(f.lastAt)}</Descriptions.Item>
          <Descriptions.Item label={t('money.openedAt')}>{formatTime(f.openedAt)}</Descriptions.Item>
          {f.resolvedAt && <Descriptions.Item label={t('money.resolvedAt')}>{formatTime(f.resolvedAt)}</Descriptions.Item>}
          {f.resolvedReason && (
            <Descriptions.Item label={t('money.resolvedReason')}>{t(`money.reason.${f.resolvedReason}` as 'money.reason.explained', { defaultValue: f.resolvedReason })}</Descriptions.Item>
          )}
          {f.ticketId && (
            <Descriptions.Item label={t('nav.tickets')}>
              <Link to={`/tickets/${f.ticketId}`}>{f.ticketNumber}</Link>
            </Descriptions.Item>
          )}
        </Descriptions>
        {!merchant && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
            {t('money.engineSays')}: {f.summary[lang] ?? f.summary['zh-CN']}
          </Typography.Paragraph>
        )}
      </Card>
      <Card title={t('money.payments')} className="money-check">
        <PaymentsTable payments={f.payments} currency={f.currency} />
      </Card>
      {f.kind === 'risk' && (
        <Link to={`/risk/cases/${f.id}`}>{t('money.inbox.riskCase')}</Link>
      )}
    </div>
  );
}
