import { useMemo } from 'react';
import { Button, Card, Select, Space, Table, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { fromNow } from '../../lib/fleet';
import { formatTimeFull } from '../../lib/format';
import { useUrlState } from '../../lib/useUrlState';
import { RISK_CASE_CODES, RISK_DECISIONS, riskApi, yuan, type RiskCaseRow, type RiskKindStats } from './api';
import { DecisionTag, percent, useKindName, useT } from './shared';
import './risk.css';

const KEYS = ['code', 'status', 'assignee', 'decision'] as const;

/** How often each kind was right: fraud among the decided cases, per kind. */
function KindStats({ onPick }: { onPick: (code: string) => void }) {
  const t = useT();
  const kindName = useKindName();
  const stats = useQuery({ queryKey: ['risk', 'stats'], queryFn: riskApi.stats });
  const columns: TableColumnsType<RiskKindStats> = [
    { title: t('risk.inbox.kind'), dataIndex: 'code', render: (c: string) => <a onClick={() => onPick(c)}>{kindName(c)}</a> },
    { title: t('risk.inbox.open'), dataIndex: 'open', align: 'right' },
    { title: t('risk.inbox.decided'), dataIndex: 'decided', align: 'right' },
    { title: t('risk.decision.fraud'), dataIndex: 'fraud', align: 'right' },
    { title: t('risk.decision.not_fraud'), dataIndex: 'notFraud', align: 'right' },
    { title: t('risk.decision.contact_merchant'), dataIndex: 'contactMerchant', align: 'right' },
    {
      title: <Tooltip title={t('risk.inbox.rightShareHint')}>{t('risk.inbox.rightShare')}</Tooltip>,
      dataIndex: 'rightShare',
      align: 'right',
      render: (x: number | null) => <strong>{percent(x)}</strong>,
    },
  ];
  if (stats.error) return <QueryError error={stats.error} onRetry={() => stats.refetch()} />;
  return (
    <Card size="small" title={t('risk.inbox.statsTitle')} className="risk-stats" data-testid="risk-stats">
      <Table rowKey="code" size="small" pagination={false} loading={stats.isLoading} columns={columns} dataSource={stats.data?.kinds ?? []} scroll={{ x: 640 }} />
    </Card>
  );
}

export default function RiskInboxPage() {
  const t = useT();
  const navigate = useNavigate();
  const kindName = useKindName();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS, 20);
  const query = { code: values.code, status: values.status ?? 'open', assignee: values.assignee, decision: values.decision, limit: pageSize, offset };
  const list = useQuery({ queryKey: ['risk', 'cases', query], queryFn: () => riskApi.cases(query as never), placeholderData: keepPreviousData });

  const columns: TableColumnsType<RiskCaseRow> = useMemo(
    () => [
      {
        title: t('risk.inbox.kind'),
        dataIndex: 'code',
        render: (c: string, r) => (
          <Link to={`/risk/cases/${r.id}`} data-testid="risk-case-link">
            {kindName(c)}
          </Link>
        ),
      },
      { title: t('risk.inbox.summary'), dataIndex: 'summary', ellipsis: true, width: '34%' },
      { title: t('risk.col.merchant'), dataIndex: 'merchantName', render: (x: string | null) => x ?? '—' },
      { title: t('risk.col.amount'), dataIndex: 'amountMinor', align: 'right', render: (x: number) => yuan(x) },
      { title: t('risk.inbox.payments'), dataIndex: 'paymentCount', align: 'right' },
      { title: t('risk.inbox.when'), dataIndex: 'lastAt', render: (x: string) => <span title={formatTimeFull(x)}>{fromNow(x)}</span> },
      { title: t('risk.inbox.assignee'), dataIndex: 'assigneeName', render: (x: string | null) => x ?? <span className="muted">{t('risk.inbox.unassigned')}</span> },
      { title: t('risk.inbox.state'), key: 'state', render: (_: unknown, r) => <DecisionTag row={r} /> },
    ],
    [t, kindName],
  );

  return (
    <div data-testid="risk-inbox">
      <PageHeader
        title={t('risk.inbox.title')}
        subtitle={t('risk.inbox.subtitle')}
        extra={<Button icon={<ReloadOutlined />} onClick={() => list.refetch()}>{t('common.refresh')}</Button>}
      />
      <KindStats onPick={(code) => setFilters({ code })} />
      <Space wrap className="risk-filters">
        <Select
          allowClear
          placeholder={t('risk.inbox.kind')}
          style={{ minWidth: 180 }}
          value={values.code}
          onChange={(v) => setFilters({ code: v })}
          options={RISK_CASE_CODES.map((c) => ({ value: c, label: kindName(c) }))}
          data-testid="filter-code"
        />
        <Select
          style={{ minWidth: 140 }}
          value={values.status ?? 'open'}
          onChange={(v) => setFilters({ status: v === 'open' ? undefined : v })}
          options={(['open', 'decided', 'resolved', 'all'] as const).map((s) => ({ value: s, label: t(`risk.status.${s}`) }))}
          data-testid="filter-status"
        />
        <Select
          allowClear
          placeholder={t('risk.inbox.assignee')}
          style={{ minWidth: 140 }}
          value={values.assignee}
          onChange={(v) => setFilters({ assignee: v })}
          options={[
            { value: 'me', label: t('risk.inbox.me') },
            { value: 'none', label: t('risk.inbox.unassigned') },
          ]}
        />
        <Select
          allowClear
          placeholder={t('risk.inbox.decision')}
          style={{ minWidth: 160 }}
          value={values.decision}
          onChange={(v) => setFilters({ decision: v })}
          options={[{ value: 'none', label: t('risk.decision.none') }, ...RISK_DECISIONS.map((d) => ({ value: d, label: t(`risk.decision.${d}`) }))]}
        />
      </Space>
      {list.error ? (
        <QueryError error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table
          rowKey="id"
          size="middle"
          loading={list.isLoading}
          columns={columns}
          dataSource={list.data?.items ?? []}
          scroll={{ x: 900 }}
          onRow={(r) => ({ onDoubleClick: () => navigate(`/risk/cases/${r.id}`), 'data-testid': 'risk-case-row', 'data-code': r.code } as never)}
          locale={{ emptyText: <EmptyState title={t('risk.inbox.empty')} /> }}
          pagination={{ current: page, pageSize, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: true, showTotal: (n) => t('common.totalItems', { count: n }) }}
        />
      )}
    </div>
  );
}
