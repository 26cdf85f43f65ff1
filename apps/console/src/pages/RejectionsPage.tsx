import { useMemo } from 'react';
import { Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { LeftOutlined, ReloadOutlined, RightOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { REJECTION_REASONS, type DeviceRejection, type DeviceRejections } from '../api/fleet';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryError } from '../components/Status';
import { EMPTY, formatBytes, formatTimeFull } from '../lib/format';
import { useUrlState } from '../lib/useUrlState';

const FILTER_KEYS = ['reason'] as const;
const REASON_COLORS: Record<string, string> = {
  card_data: 'red',
  revoked: 'volcano',
  unauthenticated: 'orange',
  unknown_terminal: 'orange',
  wrong_tenant: 'magenta',
  wrong_topic: 'magenta',
  oversized: 'purple',
  malformed_json: 'gold',
  invalid: 'gold',
};

function useRejectionReason() {
  const { t, i18n } = useTranslation();
  return (r: string) => (i18n.exists(`rejections.reasons.${r}`) ? t(`rejections.reasons.${r}` as 'rejections.reasons.invalid') : r);
}

function prettySample(s: string): string {
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s;
  }
}

export default function RejectionsPage() {
  const { t } = useTranslation();
  const reasonText = useRejectionReason();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(FILTER_KEYS, 50);
  const reason = values.reason;

  const q = useQuery({
    queryKey: ['device-rejections', reason ?? '', offset, pageSize],
    queryFn: () => api<DeviceRejections>('/device-rejections', { query: { reason, limit: pageSize, offset } }),
    refetchInterval: 30_000,
    placeholderData: (prev) => prev,
  });
  const data = q.data;
  const total24h = useMemo(() => (data?.last24h ?? []).reduce((a, b) => a + b.count, 0), [data]);

  const columns: TableColumnsType<DeviceRejection> = [
    { title: t('rejections.time'), dataIndex: 'receivedAt', render: (v: string) => <span className="nowrap">{formatTimeFull(v)}</span> },
    {
      title: t('rejections.reason'),
      dataIndex: 'reason',
      render: (r: string) => (
        <Tag color={REASON_COLORS[r] ?? 'default'} data-testid="rejection-reason" data-reason={r}>
          {reasonText(r)}
        </Tag>
      ),
    },
    { title: t('rejections.channel'), dataIndex: 'channel', render: (c: string) => <span className="mono">{c.toUpperCase()}</span> },
    {
      title: t('rejections.terminal'),
      dataIndex: 'terminalId',
      render: (id: string | null) =>
        id ? (
          <Link to={`/terminals/${id}`} className="mono small">
            {id.slice(0, 8)}…
          </Link>
        ) : (
          EMPTY
        ),
    },
    { title: t('rejections.size'), dataIndex: 'sizeBytes', align: 'right', responsive: ['md'], render: (n: number) => <span className="nowrap">{formatBytes(n)}</span> },
    {
      title: t('rejections.detail'),
      dataIndex: 'detail',
      ellipsis: true,
      width: 380,
      responsive: ['lg'],
      render: (d: string | null) => <span title={d ?? undefined}>{d ?? EMPTY}</span>,
    },
  ];

  const items = data?.items ?? [];
  const hasNext = items.length === pageSize;

  return (
    <div data-testid="page-rejections">
      <PageHeader
        title={t('rejections.title')}
        subtitle={t('rejections.subtitle')}
        extra={<Button icon={<ReloadOutlined spin={q.isFetching} />} onClick={() => void q.refetch()} aria-label={t('common.refresh')} />}
      />
      <Card className="section-card" title={t('rejections.last24h')} extra={data && <strong data-testid="rejections-24h-total">{total24h}</strong>} data-testid="rejections-24h">
        {data && data.last24h.length === 0 ? (
          <Typography.Text type="secondary">{t('rejections.none24h')}</Typography.Text>
        ) : (
          <div className="rejection-bars">
            {(data?.last24h ?? []).map((r) => (
              <button
                type="button"
                key={r.reason}
                className={`rejection-bar${reason === r.reason ? ' rejection-bar-active' : ''}`}
                onClick={() => setFilters({ reason: reason === r.reason ? undefined : r.reason })}
                data-testid="rejection-summary"
                data-reason={r.reason}
              >
                <span className="rejection-bar-label">
                  <Tag color={REASON_COLORS[r.reason] ?? 'default'}>{reasonText(r.reason)}</Tag>
                  <strong>{r.count}</strong>
                </span>
                <span className="rejection-bar-track">
                  <span className="rejection-bar-fill" style={{ width: `${Math.max(2, (r.count / Math.max(1, data?.last24h[0]?.count ?? 1)) * 100)}%` }} />
                </span>
              </button>
            ))}
          </div>
        )}
      </Card>
      <Card className="table-card">
        <div className="toolbar">
          <Select
            allowClear
            placeholder={t('rejections.filterReason')}
            value={reason}
            onChange={(v?: string) => setFilters({ reason: v })}
            style={{ width: 240 }}
            options={REJECTION_REASONS.map((r) => ({ value: r, label: reasonText(r) }))}
            data-testid="rejection-filter"
          />
          {reason && <Button onClick={() => setFilters({ reason: undefined })}>{t('common.clearFilters')}</Button>}
        </div>
        {q.isError && !data ? (
          <QueryError error={q.error} onRetry={() => void q.refetch()} />
        ) : (
          <>
            <Table<DeviceRejection>
              rowKey="id"
              size="middle"
              columns={columns}
              dataSource={items}
              loading={q.isPending}
              pagination={false}
              scroll={{ x: 'max-content' }}
              data-testid="rejections-table"
              expandable={{
                expandedRowRender: (r) => (
                  <div className="rejection-expanded" style={{ maxWidth: 'calc(100vw - 380px)', minWidth: 260 }}>
                    {r.topic && (
                      <div>
                        <span className="muted">{t('rejections.topic')}: </span>
                        <span className="mono small">{r.topic}</span>
                      </div>
                    )}
                    {r.terminalId && (
                      <div>
                        <span className="muted">{t('rejections.terminal')}: </span>
                        <span className="mono small">{r.terminalId}</span>
                      </div>
                    )}
                    <div>
                      <span className="muted">{t('rejections.detail')}: </span>
                      {r.detail ?? EMPTY}
                    </div>
                    <div className="muted">{t('rejections.sample')}:</div>
                    {r.sample ? <pre className="rejection-sample" data-testid="rejection-sample">{prettySample(r.sample)}</pre> : <div className="muted">{t('rejections.noSample')}</div>}
                  </div>
                ),
              }}
              locale={{ emptyText: <EmptyState title={t('rejections.empty')} /> }}
            />
            {(page > 1 || hasNext) && (
              <Space className="pager">
                <Button icon={<LeftOutlined />} disabled={page <= 1} onClick={() => setPage(page - 1, pageSize)}>
                  {t('rejections.previous')}
                </Button>
                <span className="muted">{page}</span>
                <Button disabled={!hasNext} onClick={() => setPage(page + 1, pageSize)}>
                  {t('rejections.next')} <RightOutlined />
                </Button>
              </Space>
            )}
          </>
        )}
      </Card>
    </div>
  );
}
