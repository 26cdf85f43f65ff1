import { Alert, AutoComplete, Card, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type PageOf } from '../api/client';
import type { AuditChainReport, AuditEntry } from '../api/types';
import { JsonDiff } from '../components/JsonDiff';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryError } from '../components/Status';
import { formatTimeFull } from '../lib/format';
import { useServerPagination } from '../lib/hooks';
import { useUrlState } from '../lib/useUrlState';
import { useState, useEffect } from 'react';

const KEYS = ['entity'] as const;
const KNOWN_ENTITIES = ['terminal', 'merchant', 'site', 'user', 'organization', 'api_token', 'ticket', 'work_order', 'kb_article', 'alert', 'alert_rule', 'silence', 'maintenance_window', 'webhook', 'enrollment_code', 'depot', 'part'];

function actionColor(action: string): string {
  if (/delete|remove|revoke|disable|retire/i.test(action)) return 'red';
  if (/create|add|import|login/i.test(action)) return 'green';
  if (/lifecycle|state|acceptance/i.test(action)) return 'purple';
  return 'blue';
}

export default function AuditPage() {
  const { t } = useTranslation();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS, 50);
  const [entityText, setEntityText] = useState(values.entity ?? '');
  useEffect(() => setEntityText(values.entity ?? ''), [values.entity]);

  const list = useQuery({
    queryKey: ['audit', values.entity ?? '', page, pageSize],
    queryFn: () => api<PageOf<AuditEntry>>('/audit', { query: { entity: values.entity, limit: pageSize, offset } }),
    placeholderData: keepPreviousData,
  });

  // The organization's audit chain, checked when the page opens: intact, or where it breaks.
  const chain = useQuery({ queryKey: ['audit', 'verify'], queryFn: () => api<AuditChainReport>('/audit/verify'), staleTime: 60_000 });

  const entityLabel = (e: string) => t(`audit.entities.${e}` as 'audit.entities.terminal', { defaultValue: e });
  const actionLabel = (a: string) => t(`audit.actions.${a}` as 'audit.actions.create', { defaultValue: a });

  const columns: TableColumnsType<AuditEntry> = [
    { title: t('audit.seq'), dataIndex: 'seq', width: 70, render: (v: number | null) => <span className="mono muted">{v ?? '—'}</span> },
    { title: t('audit.time'), dataIndex: 'at', width: 180, render: (v: string) => <span className="nowrap">{formatTimeFull(v)}</span> },
    { title: t('audit.actor'), dataIndex: 'actorName', render: (v: string | null) => (v && v !== 'system' ? v : <span className="muted">{t('common.system')}</span>) },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      render: (a: string) => (
        <Tag color={actionColor(a)} title={a}>
          {actionLabel(a)}
        </Tag>
      ),
    },
    {
      title: t('audit.entity'),
      key: 'entity',
      render: (_, e) => (
        <span>
          {entityLabel(e.entity)}
          {e.entityId && <div className="muted mono small">{e.entityId}</div>}
        </span>
      ),
    },
  ];

  const options = KNOWN_ENTITIES.filter((e) => !entityText || e.includes(entityText.toLowerCase())).map((e) => ({
    value: e,
    label: `${entityLabel(e)} · ${e}`,
  }));

  const pagination = useServerPagination(list.data?.total, page, pageSize, setPage);

  return (
    <div data-testid="page-audit">
      <PageHeader title={t('audit.title')} subtitle={t('audit.subtitle')} />
      <ChainLine report={chain.data} loading={chain.isLoading} failed={chain.isError} />
      <Card className="table-card">
        <div className="toolbar">
          <AutoComplete
            allowClear
            value={entityText}
            options={options}
            onChange={(v: string) => setEntityText(v ?? '')}
            onSelect={(v: string) => setFilters({ entity: v })}
            onClear={() => setFilters({ entity: undefined })}
            onBlur={() => setFilters({ entity: entityText.trim() || undefined })}
            placeholder={t('audit.filterEntity')}
            style={{ width: 260, maxWidth: '100%' }}
            data-testid="audit-filter-entity"
          />
        </div>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<AuditEntry>
            rowKey="id"
            columns={columns}
            dataSource={list.data?.items}
            loading={list.isFetching}
            scroll={{ x: 'max-content' }}
            data-testid="audit-table"
            expandable={{
              expandedRowRender: (e) => <JsonDiff before={e.before} after={e.after} />,
              rowExpandable: (e) => e.before != null || e.after != null,
              expandRowByClick: true,
            }}
            pagination={pagination}
            locale={{ emptyText: <EmptyState title={values.entity ? t('common.noMatches') : t('audit.empty')} /> }}
          />
        )}
      </Card>
    </div>
  );
}

function ChainLine({ report, loading, failed }: { report: AuditChainReport | undefined; loading: boolean; failed: boolean }) {
  const { t } = useTranslation();
  if (loading) return <div className="muted" style={{ marginBottom: 16 }} data-testid="audit-chain">{t('audit.chain.checking')}</div>;
  if (failed || !report) return null;
  if (report.ok) {
    return (
      <Alert
        style={{ marginBottom: 16 }}
        type="success"
        showIcon
        data-testid="audit-chain"
        message={t('audit.chain.intact', { count: report.entries })}
        description={report.head ? t('audit.chain.head', { seq: report.head.seq, hash: report.head.hash.slice(0, 16) }) : undefined}
      />
    );
  }
  const p = report.problem!;
  return (
    <Alert
      style={{ marginBottom: 16 }}
      type="error"
      showIcon
      data-testid="audit-chain"
      message={p.seq === null ? t('audit.chain.brokenInserted', { id: p.id }) : t('audit.chain.broken', { entry: p.seq })}
      description={`${t(`audit.chain.kind.${p.kind}`)} ${p.detail}`}
    />
  );
}
