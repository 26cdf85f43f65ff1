import { useMemo } from 'react';
import { Button, Card, Pagination, Segmented, Select, Skeleton, Table, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { EnvironmentOutlined, ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { WORK_ORDER_KINDS, WORK_ORDER_STATUSES, type WorkOrderKind, type WorkOrderListQuery, type WorkOrderRow } from '../../api/fieldwork';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox } from '../../components/SearchBox';
import { EmptyState, QueryError } from '../../components/Status';
import { fromNow } from '../../lib/fleet';
import { formatTime, formatTimeFull } from '../../lib/format';
import { useServerPagination } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { useWorkOrderList } from './queries';
import { OutcomeTag, usePhone, WorkOrderKindTag, WorkOrderStatusTag } from './shared';

const KEYS = ['status', 'kind', 'who', 'q'] as const;
type StatusFilter = 'open' | 'all' | (typeof WORK_ORDER_STATUSES)[number];

/** One work order as a card: what a field engineer scans on a phone. */
function WorkOrderCard({ row }: { row: WorkOrderRow }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <div className={`wo-card wo-card-${row.status}`} onClick={() => navigate(`/work-orders/${row.id}`)} role="link" data-testid="wo-row" data-id={row.id} data-number={row.number} data-status={row.status}>
      <div className="wo-card-head">
        <span className="wo-number">{row.number}</span>
        <WorkOrderKindTag kind={row.kind} />
        <span style={{ flex: 1 }} />
        <WorkOrderStatusTag status={row.status} />
      </div>
      <div className="wo-card-title">{row.siteName ?? row.merchantName ?? row.serialNumber ?? '—'}</div>
      {row.address && (
        <div className="wo-card-address">
          <EnvironmentOutlined /> {row.address}
        </div>
      )}
      <div className="wo-card-foot">
        <span className="mono">{row.serialNumber ?? ''}</span>
        <span className={row.scheduledAt ? undefined : 'muted'}>{row.scheduledAt ? formatTime(row.scheduledAt) : t('workOrders.unscheduled')}</span>
      </div>
    </div>
  );
}

export default function WorkOrdersPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const navigate = useNavigate();
  const phone = usePhone();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS, 50);
  // Engineers come for their own visits; dispatchers for everybody's.
  const who = values.who ?? (me?.role === 'engineer' ? 'mine' : 'all');
  const status = (values.status ?? 'open') as StatusFilter;
  const query: WorkOrderListQuery = {
    status,
    ...(values.kind ? { kind: values.kind as WorkOrderKind } : {}),
    ...(who === 'mine' ? { assigneeId: 'me' as const } : who === 'none' ? { assigneeId: 'none' as const } : {}),
    ...(values.q ? { q: values.q } : {}),
    limit: pageSize,
    offset,
  };
  const list = useWorkOrderList(query);
  const rows = useMemo(() => list.data?.items ?? [], [list.data]);
  const pagination = useServerPagination(list.data?.total, page, pageSize, setPage, [20, 50, 100, 200]);
  const filtered = !!(values.status || values.kind || values.q);

  const columns: TableColumnsType<WorkOrderRow> = [
    {
      title: t('workOrders.cols.number'),
      dataIndex: 'number',
      width: 110,
      render: (n: string, r) => (
        <Link to={`/work-orders/${r.id}`} className="wo-number" onClick={(e) => e.stopPropagation()} data-testid="wo-link">
          {n}
        </Link>
      ),
    },
    { title: t('workOrders.cols.kind'), dataIndex: 'kind', width: 100, render: (k: WorkOrderKind) => <WorkOrderKindTag kind={k} /> },
    {
      title: t('workOrders.cols.status'),
      dataIndex: 'status',
      width: 150,
      render: (_, r) => (
        <span>
          <WorkOrderStatusTag status={r.status} />
          {r.outcome && <OutcomeTag outcome={r.outcome} />}
        </span>
      ),
    },
    {
      title: t('workOrders.cols.site'),
      key: 'site',
      ellipsis: true,
      render: (_, r) => (
        <span>
          <div className="wo-cell-strong">{r.siteName ?? r.merchantName ?? '—'}</div>
          {r.address && <div className="muted wo-cell-sub">{r.address}</div>}
        </span>
      ),
    },
    {
      title: t('workOrders.cols.terminal'),
      dataIndex: 'serialNumber',
      width: 150,
      render: (s: string | null, r) =>
        r.terminalId ? (
          <Link to={`/terminals/${r.terminalId}`} className="mono" onClick={(e) => e.stopPropagation()}>
            {s ?? r.terminalId.slice(0, 8)}
          </Link>
        ) : (
          '—'
        ),
    },
    {
      title: t('workOrders.cols.ticket'),
      dataIndex: 'ticketNumber',
      width: 100,
      render: (n: string | null, r) =>
        r.ticketId ? (
          <Link to={`/tickets/${r.ticketId}`} className="mono" onClick={(e) => e.stopPropagation()}>
            {n}
          </Link>
        ) : (
          <span className="muted">—</span>
        ),
    },
    { title: t('workOrders.cols.assignee'), dataIndex: 'assigneeName', width: 120, ellipsis: true, render: (s: string | null) => s ?? <span className="muted">—</span> },
    {
      title: t('workOrders.cols.scheduled'),
      dataIndex: 'scheduledAt',
      width: 140,
      render: (v: string | null) => (v ? formatTime(v) : <span className="muted">{t('workOrders.unscheduled')}</span>),
    },
    {
      title: t('workOrders.cols.updated'),
      dataIndex: 'updatedAt',
      width: 110,
      render: (v: string) => (
        <Tooltip title={formatTimeFull(v)}>
          <span>{fromNow(v)}</span>
        </Tooltip>
      ),
    },
  ];

  return (
    <div data-testid="page-work-orders">
      <PageHeader
        title={t('workOrders.title')}
        subtitle={t('workOrders.subtitle')}
        extra={
          <span className="fleet-updated">
            <SyncOutlined spin={list.isFetching} className="muted" />
            <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} aria-label={t('common.refresh')} />
          </span>
        }
      />
      <Card className="table-card">
        <div className="toolbar">
          <Segmented
            value={who}
            onChange={(v) => setFilters({ who: v === (me?.role === 'engineer' ? 'mine' : 'all') ? undefined : String(v) })}
            options={[
              { value: 'mine', label: t('workOrders.mine') },
              { value: 'all', label: t('workOrders.all') },
              ...(me?.role === 'engineer' ? [] : [{ value: 'none', label: t('myWork.unassigned') }]),
            ]}
            data-testid="wo-filter-who"
            block={phone}
            style={phone ? { width: '100%' } : undefined}
          />
          <Select<StatusFilter>
            value={status}
            onChange={(v) => setFilters({ status: v === 'open' ? undefined : v })}
            options={(['open', 'all', ...WORK_ORDER_STATUSES] as StatusFilter[]).map((s) => ({
              value: s,
              label: s === 'open' || s === 'all' ? t(`workOrders.statusFilter.${s}`) : t(`workOrders.status.${s}`),
            }))}
            style={{ width: phone ? '100%' : 140 }}
            data-testid="wo-filter-status"
            aria-label={t('workOrders.cols.status')}
          />
          <Select<WorkOrderKind>
            value={values.kind as WorkOrderKind | undefined}
            allowClear
            placeholder={t('workOrders.allKinds')}
            onChange={(v) => setFilters({ kind: v })}
            options={WORK_ORDER_KINDS.map((k) => ({ value: k, label: t(`workOrders.kind.${k}`) }))}
            style={{ width: phone ? '100%' : 130 }}
            data-testid="wo-filter-kind"
          />
          <SearchBox value={values.q} onChange={(q) => setFilters({ q })} placeholder={t('workOrders.search')} testId="wo-filter-q" width={phone ? '100%' : 260} />
          {filtered && <Button onClick={() => setFilters({ status: undefined, kind: undefined, q: undefined })}>{t('common.clearFilters')}</Button>}
        </div>
        {list.isError && !list.data ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : !list.isPending && rows.length === 0 ? (
          <EmptyState title={filtered ? t('common.noMatches') : who === 'mine' ? t('workOrders.emptyMine') : t('workOrders.emptyTitle')} hint={filtered ? undefined : t('workOrders.emptyHint')} />
        ) : phone ? (
          list.isPending ? (
            <Skeleton active paragraph={{ rows: 4 }} />
          ) : (
            <div className="wo-cards" data-testid="wo-table">
              {rows.map((r) => (
                <WorkOrderCard key={r.id} row={r} />
              ))}
            </div>
          )
        ) : (
          <Table<WorkOrderRow>
            data-testid="wo-table"
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={list.isPending}
            pagination={false}
            tableLayout="fixed"
            scroll={{ x: 1100 }}
            rowClassName={(r) => `clickable-row${r.status === 'cancelled' ? ' row-disabled' : ''}`}
            onRow={(r) => ({ onClick: () => navigate(`/work-orders/${r.id}`), 'data-testid': 'wo-row', 'data-id': r.id, 'data-number': r.number, 'data-status': r.status }) as object}
          />
        )}
        {(list.data?.total ?? 0) > pageSize || page > 1 ? (
          <div className="pager">
            <Pagination {...pagination} />
          </div>
        ) : null}
      </Card>
    </div>
  );
}
