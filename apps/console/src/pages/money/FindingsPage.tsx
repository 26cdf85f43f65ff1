/**
 * The findings inbox for staff (/findings): every finding of the live analysis, filters in the URL.
 * Fraud findings open as risk cases (/risk/cases/:id), duplicate charges as a finding (/findings/:id).
 */
import { Input, Select, Table } from 'antd';
import type { TableColumnsType } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { TXN_FINDING_CODES } from '@poscare/contracts';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useServerPagination } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { findingsApi, formatMoney, type FindingRow } from './api';
import { KindTag, StatusTag } from './parts';
import './money.css';

const KEYS = ['status', 'kind', 'code', 'cardToken', 'terminalId', 'merchantId'] as const;

/** Where a finding opens: the risk team's case page for fraud kinds, the finding itself for duplicate charges. */
export const findingPath = (f: Pick<FindingRow, 'id' | 'kind'>) => (f.kind === 'risk' ? `/risk/cases/${f.id}` : `/findings/${f.id}`);

export default function FindingsPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS, 50);
  const status = values.status ?? 'open';
  const q = useQuery({
    queryKey: ['findings', 'inbox', values, page, pageSize, i18n.language],
    queryFn: () => findingsApi.list({ ...values, status, limit: pageSize, offset }),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const pagination = useServerPagination(q.data?.total, page, pageSize, setPage);
  const columns: TableColumnsType<FindingRow> = [
    { title: t('money.lastAt'), dataIndex: 'lastAt', render: (v: string) => formatTime(v), width: 150 },
    { title: t('money.kind'), dataIndex: 'kind', render: (k: FindingRow['kind']) => <KindTag kind={k} />, width: 110 },
    { title: t('money.code'), dataIndex: 'code', render: (c: string) => t(`money.codes.${c}` as 'money.codes.dup.double_submit', { defaultValue: c }) },
    { title: t('money.merchant'), dataIndex: 'merchantName', render: (v: string | null) => v ?? '—' },
    { title: t('money.terminal'), dataIndex: 'terminalSerial', render: (v: string | null) => v ?? '—' },
    { title: t('money.card'), dataIndex: 'cardToken', render: (v: string | null) => v ?? '—' },
    { title: t('money.amount'), key: 'amount', align: 'right', render: (_, f) => formatMoney(i18n.language, f.amountMinor, f.currency) },
    { title: t('money.status'), dataIndex: 'status', render: (s: FindingRow['status']) => <StatusTag status={s} />, width: 100 },
  ];
  return (
    <div data-testid="findings-page">
      <PageHeader title={t('money.inbox.title')} subtitle={t('money.inbox.subtitle')} />
      <div className="findings-filters">
        <Select
          value={status}
          style={{ width: 130 }}
          onChange={(v) => setFilters({ status: v === 'open' ? null : v })}
          options={[
            { value: 'open', label: t('money.statusOpen') },
            { value: 'resolved', label: t('money.statusResolved') },
            { value: 'all', label: t('money.statusAll') },
          ]}
          data-testid="findings-status"
        />
        <Select
          allowClear
          placeholder={t('money.kind')}
          value={values.kind}
          style={{ width: 150 }}
          onChange={(v) => setFilters({ kind: v ?? null })}
          options={[
            { value: 'dup', label: t('money.kindDup') },
            { value: 'risk', label: t('money.kindRisk') },
          ]}
          data-testid="findings-kind"
        />
        <Select
          allowClear
          placeholder={t('money.code')}
          value={values.code}
          style={{ width: 220 }}
          onChange={(v) => setFilters({ code: v ?? null })}
          options={TXN_FINDING_CODES.map((c) => ({ value: c, label: t(`money.codes.${c}`) }))}
        />
        <Input.Search allowClear placeholder={t('money.inbox.cardFilter')} defaultValue={values.cardToken} style={{ width: 200 }} onSearch={(v) => setFilters({ cardToken: v.trim() || null })} />
      </div>
      {q.error ? (
        <QueryError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Table
          rowKey="id"
          size="middle"
          loading={q.isFetching && !q.data}
          columns={columns}
          dataSource={q.data?.items ?? []}
          pagination={pagination}
          scroll={{ x: 900 }}
          onRow={(f) => ({ onClick: () => navigate(findingPath(f)), style: { cursor: 'pointer' }, 'data-testid': 'finding-row', 'data-finding-id': f.id }) as never}
        />
      )}
    </div>
  );
}
