import { useMemo, useState } from 'react';
import { Button, Card, Grid, Pagination, Select, Skeleton, Table, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { useQueries } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ticketsApi, type TicketPriority, type TicketRow } from '../../api/tickets';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox } from '../../components/SearchBox';
import { EmptyState, QueryError } from '../../components/Status';
import { fromNow } from '../../lib/fleet';
import { formatTimeFull } from '../../lib/format';
import { useServerPagination } from '../../lib/hooks';
import { QUEUE_STATUS_OPTIONS, TICKET_PRIORITY_LIST, queueQuery, resolutionClock, type QueueStatus } from '../../lib/tickets';
import { useLang } from '../alerts/queries';
import { useUrlState } from '../../lib/useUrlState';
import { useTicketList } from './queries';
import { NewTicketModal, PriorityTag, SlaDue, TicketStatusTag } from './shared';

const KEYS = ['status', 'priority', 'assignee', 'q', 'terminal'] as const;

type Clock = Parameters<typeof SlaDue>[0]['clock'];

/**
 * The resolution clock of the rows on screen. The queue row carries no SLA yet, so each visible ticket is read
 * once a minute (TicketDetail has the clocks); a row that brings its own `resolutionClock` is used as is.
 */
function useResolutionClocks(rows: readonly TicketRow[]): Map<string, Clock> {
  const lng = useLang();
  const missing = rows.filter((r) => !(r as { resolutionClock?: Clock }).resolutionClock && r.status !== 'closed').slice(0, 50);
  const details = useQueries({
    queries: missing.map((r) => ({
      queryKey: ['tickets', 'detail', r.id, lng],
      queryFn: () => ticketsApi.get(r.id),
      staleTime: 60_000,
      refetchInterval: 60_000,
    })),
  });
  const out = new Map<string, Clock>();
  for (const r of rows) {
    const own = (r as { resolutionClock?: Clock }).resolutionClock;
    if (own) out.set(r.id, own);
  }
  details.forEach((d, i) => {
    const c = resolutionClock(d.data);
    if (c && missing[i]) out.set(missing[i].id, c);
  });
  return out;
}

function TicketCard({ row, clock }: { row: TicketRow; clock: Clock | undefined }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <div
      className={`ticket-card ticket-card-${row.priority}`}
      onClick={() => navigate(`/tickets/${row.id}`)}
      data-testid="ticket-row"
      data-id={row.id}
      data-number={row.number}
      data-status={row.status}
      role="link"
    >
      <div className="ticket-card-head">
        <span className="ticket-number">{row.number}</span>
        <PriorityTag priority={row.priority} />
        <span style={{ flex: 1 }} />
        <TicketStatusTag status={row.status} />
      </div>
      <div className="ticket-card-title">{row.title}</div>
      <div className="ticket-card-foot">
        <span className="mono">{row.serialNumber ?? ''}</span>
        {row.status !== 'closed' && clock && <SlaDue clock={clock} />}
        <span className="muted" title={formatTimeFull(row.updatedAt)}>
          {t('tickets.cols.updated')} {fromNow(row.updatedAt)}
        </span>
      </div>
    </div>
  );
}

export default function TicketsPage() {
  const { t } = useTranslation();
  const { can, me } = useAuth();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  const staff = me?.role !== 'merchant';
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS, 50);
  const query = queueQuery(values, pageSize, offset);
  const list = useTicketList(query);
  const data = list.data;
  const rows = useMemo(() => data?.items ?? [], [data]);
  const clocks = useResolutionClocks(rows);
  const pagination = useServerPagination(data?.total, page, pageSize, setPage, [20, 50, 100, 200]);
  const [creating, setCreating] = useState(false);
  const filtered = !!(values.status || values.priority || values.assignee || values.q || values.terminal);

  const columns: TableColumnsType<TicketRow> = [
    {
      title: t('tickets.cols.number'),
      dataIndex: 'number',
      width: 110,
      render: (n: string, r) => (
        <Link to={`/tickets/${r.id}`} className="ticket-number" onClick={(e) => e.stopPropagation()} data-testid="ticket-link">
          {n}
        </Link>
      ),
    },
    { title: t('tickets.cols.priority'), dataIndex: 'priority', width: 100, render: (p: TicketPriority) => <PriorityTag priority={p} /> },
    { title: t('tickets.cols.title'), dataIndex: 'title', ellipsis: true, render: (s: string) => <span className="ticket-title-cell">{s}</span> },
    {
      title: t('tickets.cols.terminal'),
      dataIndex: 'serialNumber',
      width: 160,
      render: (s: string | null, r) =>
        r.terminalId ? (
          <Link to={`/terminals/${r.terminalId}`} className="mono" onClick={(e) => e.stopPropagation()}>
            {s ?? r.terminalId.slice(0, 8)}
          </Link>
        ) : (
          <span className="muted">—</span>
        ),
    },
    { title: t('tickets.cols.status'), dataIndex: 'status', width: 130, render: (_, r) => <TicketStatusTag status={r.status} /> },
    ...(staff
      ? [
          {
            title: t('tickets.cols.assignee'),
            dataIndex: 'assigneeName',
            width: 120,
            ellipsis: true,
            render: (s: string | null) => (s ? s : <span className="muted">{t('tickets.unassigned')}</span>),
          },
        ]
      : []),
    { title: t('tickets.cols.sla'), key: 'sla', width: 120, render: (_, r) => (r.status === 'closed' ? <span className="muted">—</span> : <SlaDue clock={clocks.get(r.id)} />) },
    {
      title: t('tickets.cols.updated'),
      dataIndex: 'updatedAt',
      width: 110,
      render: (v: string) => (
        <Tooltip title={formatTimeFull(v)}>
          <span>{fromNow(v)}</span>
        </Tooltip>
      ),
    },
  ];

  const extra = (
    <span className="fleet-updated">
      <Tooltip title={t('tickets.live')}>
        <SyncOutlined spin={list.isFetching} className="muted" />
      </Tooltip>
      <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} aria-label={t('common.refresh')} />
      {can('tickets:create') && staff && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="ticket-new">
          {t('tickets.new')}
        </Button>
      )}
    </span>
  );

  return (
    <div data-testid="page-tickets">
      <PageHeader title={t('tickets.title')} subtitle={staff ? t('tickets.subtitle') : t('tickets.merchantSubtitle')} extra={extra} />
      <Card className="table-card">
        <div className="toolbar">
          <Select<QueueStatus>
            value={query.status as QueueStatus}
            onChange={(v) => setFilters({ status: v === 'open' ? undefined : v })}
            options={QUEUE_STATUS_OPTIONS.map((s) => ({
              value: s,
              label: s === 'open' || s === 'all' ? t(`tickets.statusFilter.${s}`) : t(`tickets.status.${s}`),
            }))}
            style={{ width: phone ? '100%' : 150 }}
            popupMatchSelectWidth={false}
            data-testid="filter-status"
            aria-label={t('tickets.cols.status')}
          />
          <Select<TicketPriority>
            value={query.priority}
            allowClear
            placeholder={t('tickets.allPriorities')}
            onChange={(v) => setFilters({ priority: v })}
            options={TICKET_PRIORITY_LIST.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))}
            style={{ width: phone ? '100%' : 140 }}
            data-testid="filter-priority"
          />
          {staff && (
            <Select<string>
              value={values.assignee ?? 'any'}
              onChange={(v) => setFilters({ assignee: v === 'any' ? undefined : v })}
              options={(['any', 'me', 'none'] as const).map((a) => ({ value: a, label: t(`tickets.assigneeFilter.${a}`) }))}
              style={{ width: phone ? '100%' : 140 }}
              data-testid="filter-assignee"
            />
          )}
          <SearchBox value={values.q} onChange={(q) => setFilters({ q })} placeholder={t('tickets.search')} testId="filter-q" width={phone ? '100%' : 240} />
          {filtered && (
            <Button onClick={() => setFilters({ status: undefined, priority: undefined, assignee: undefined, q: undefined, terminal: undefined })}>
              {t('common.clearFilters')}
            </Button>
          )}
        </div>
        {list.isError && !data ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : !list.isPending && rows.length === 0 ? (
          <EmptyState title={filtered ? t('common.noMatches') : t('tickets.emptyTitle')} hint={filtered ? undefined : t('tickets.emptyHint')} />
        ) : phone ? (
          list.isPending ? (
            <Skeleton active paragraph={{ rows: 4 }} />
          ) : (
            <div className="ticket-cards" data-testid="tickets-table">
              {rows.map((r) => (
                <TicketCard key={r.id} row={r} clock={clocks.get(r.id)} />
              ))}
            </div>
          )
        ) : (
          <Table<TicketRow>
            data-testid="tickets-table"
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={list.isPending}
            pagination={false}
            tableLayout="fixed"
            scroll={{ x: 960 }}
            rowClassName={(r) => `clickable-row${r.status === 'closed' ? ' row-disabled' : ''}`}
            onRow={(r) => ({ onClick: () => navigate(`/tickets/${r.id}`), 'data-testid': 'ticket-row', 'data-id': r.id, 'data-number': r.number, 'data-status': r.status }) as object}
          />
        )}
        {(data?.total ?? 0) > pageSize || page > 1 ? (
          <div className="pager">
            <Pagination {...pagination} />
          </div>
        ) : null}
      </Card>
      <NewTicketModal open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}
