import { useMemo, useState } from 'react';
import { Badge, Button, Card, Grid, Pagination, Segmented, Select, Skeleton, Table, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { AppstoreOutlined, BarsOutlined, PlusOutlined, ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { type TicketPriority, type TicketRow } from '../../api/tickets';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox } from '../../components/SearchBox';
import { EmptyState, QueryError } from '../../components/Status';
import { fromNow } from '../../lib/fleet';
import { formatTimeFull } from '../../lib/format';
import { useServerPagination } from '../../lib/hooks';
import { QUEUE_STATUS_OPTIONS, TICKET_PRIORITY_LIST, queueQuery, type QueueStatus } from '../../lib/tickets';
import { useUrlState } from '../../lib/useUrlState';
import { ExportButtons } from '../../components/ExportButtons';
import { useTicketList } from './queries';
import { NewTicketModal, PriorityTag, SlaDue, TicketStatusTag } from './shared';
import { BulkAssign } from './BulkAssign';

const KEYS = ['status', 'priority', 'assignee', 'q', 'terminal', 'view', 'sla'] as const;

/** The board's columns: the working steps of the handling flow, then the pause. */
const BOARD_COLUMNS = ['new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant'] as const;

type Clock = Parameters<typeof SlaDue>[0]['clock'];

/** The queue row carries its SLA deadlines (kept by the server on every change): read as the resolution clock. */
function rowClock(r: TicketRow, now = Date.now()): Clock {
  const finished = r.status === 'resolved' || r.status === 'closed';
  const due = r.resolutionDue;
  return {
    paused: r.status === 'waiting_merchant',
    due: finished ? null : due,
    outcome: finished ? (r.slaBreached ? 'breached' : 'met') : null,
    breachedAt: r.slaBreached ? (due ?? r.updatedAt) : null,
    state: finished ? 'stopped' : r.status === 'waiting_merchant' ? 'paused' : 'running',
    remainingMinutes: due ? Math.round((Date.parse(due) - now) / 60_000) : 0,
  };
}

function TicketCard({ row, clock, staff = true }: { row: TicketRow; clock: Clock | undefined; staff?: boolean }) {
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
        {/* SLA deadlines are the desk's: merchants see progress on the ticket, not a countdown. */}
        {staff && row.status !== 'closed' && clock && (
          <span className="ticket-card-sla">
            <span className="muted">{t('tickets.cols.sla')}</span> <SlaDue clock={clock} />
          </span>
        )}
        <span className="muted" title={formatTimeFull(row.updatedAt)}>
          {t('tickets.cols.updated')} {fromNow(row.updatedAt)}
        </span>
      </div>
    </div>
  );
}

/** Open tickets as a board: one column per step of the handling flow, most urgent first in each. */
function TicketBoard({ rows, clocks }: { rows: readonly TicketRow[]; clocks: Map<string, Clock> }) {
  const { t } = useTranslation();
  return (
    <div className="ticket-board" data-testid="ticket-board">
      {BOARD_COLUMNS.map((status) => {
        const cards = rows.filter((r) => r.status === status);
        return (
          <div key={status} className="ticket-board-col" data-testid="ticket-board-col" data-status={status}>
            <div className="ticket-board-head">
              <TicketStatusTag status={status} />
              <Badge count={cards.length} showZero color={cards.length ? '#1f4fd6' : '#bfbfbf'} />
            </div>
            <div className="ticket-board-cards">
              {cards.length === 0 ? <div className="muted ticket-board-empty">{t('tickets.board.empty')}</div> : cards.map((r) => <TicketCard key={r.id} row={r} clock={clocks.get(r.id)} />)}
            </div>
          </div>
        );
      })}
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
  const board = values.view === 'board' && !phone && staff;
  // The board shows every open ticket at once (up to 500), by step.
  const query = board ? { ...queueQuery({ ...values, status: undefined }, 500, 0), status: 'open' as const } : queueQuery(values, pageSize, offset);
  const list = useTicketList(query);
  const data = list.data;
  const rows = useMemo(() => data?.items ?? [], [data]);
  const clocks = useMemo(() => new Map(rows.map((r) => [r.id, rowClock(r)])), [rows]);
  const basePagination = useServerPagination(data?.total, page, pageSize, setPage, [20, 50, 100, 200]);
  // Past 10,000 the server stops counting (a million-ticket desk): "10,000+".
  const pagination = data?.totalCapped && basePagination.showTotal ? { ...basePagination, showTotal: (n: number) => t('tickets.totalCapped', { count: n }) } : basePagination;
  const [creating, setCreating] = useState(false);
  // Rows chosen for a bulk assignment (list view, staff who work tickets).
  const [selected, setSelected] = useState<string[]>([]);
  const canWork = staff && can('tickets:work');
  const filtered = !!(values.status || values.priority || values.assignee || values.q || values.terminal || values.sla);

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
    ...(staff
      ? [{ title: t('tickets.cols.sla'), key: 'sla', width: 120, render: (_: unknown, r: TicketRow) => (r.status === 'closed' ? <span className="muted">—</span> : <SlaDue clock={clocks.get(r.id)} />) }]
      : []),
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
      {staff && !phone && (
        <Segmented
          value={board ? 'board' : 'list'}
          onChange={(v) => setFilters({ view: v === 'board' ? 'board' : undefined })}
          options={[
            { value: 'list', icon: <BarsOutlined />, label: t('tickets.board.list') },
            { value: 'board', icon: <AppstoreOutlined />, label: t('tickets.board.board') },
          ]}
          data-testid="tickets-view"
        />
      )}
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
          {!board && <Select<QueueStatus>
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
          />}
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
          {staff && (
            <Select<string>
              value={values.sla ?? 'any'}
              onChange={(v) => setFilters({ sla: v === 'any' ? undefined : v })}
              options={(['any', 'at_risk', 'breached'] as const).map((a) => ({ value: a, label: t(`tickets.slaFilter.${a}`) }))}
              style={{ width: phone ? '100%' : 150 }}
              data-testid="filter-sla"
            />
          )}
          <SearchBox value={values.q} onChange={(q) => setFilters({ q })} placeholder={t('tickets.search')} testId="filter-q" width={phone ? '100%' : 240} />
          {!phone && <ExportButtons path="/tickets/export" query={{ ...query, limit: undefined, offset: undefined }} />}
          {canWork && selected.length > 0 && !board && !phone && <BulkAssign ids={selected} onDone={() => setSelected([])} />}
          {filtered && (
            <Button onClick={() => setFilters({ status: undefined, priority: undefined, assignee: undefined, q: undefined, terminal: undefined, sla: undefined })}>
              {t('common.clearFilters')}
            </Button>
          )}
        </div>
        {list.isError && !data ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : !list.isPending && rows.length === 0 ? (
          <EmptyState title={filtered ? t('common.noMatches') : t('tickets.emptyTitle')} hint={filtered ? undefined : t('tickets.emptyHint')} />
        ) : board ? (
          list.isPending ? <Skeleton active paragraph={{ rows: 6 }} /> : <TicketBoard rows={rows} clocks={clocks} />
        ) : phone ? (
          list.isPending ? (
            <Skeleton active paragraph={{ rows: 4 }} />
          ) : (
            <div className="ticket-cards" data-testid="tickets-table">
              {rows.map((r) => (
                <TicketCard key={r.id} row={r} clock={clocks.get(r.id)} staff={staff} />
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
            rowSelection={canWork ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)), columnWidth: 40 } : undefined}
            onRow={(r) => ({ onClick: () => navigate(`/tickets/${r.id}`), 'data-testid': 'ticket-row', 'data-id': r.id, 'data-number': r.number, 'data-status': r.status }) as object}
          />
        )}
        {!board && ((data?.total ?? 0) > pageSize || page > 1) ? (
          <div className="pager">
            <Pagination {...pagination} />
          </div>
        ) : null}
      </Card>
      <NewTicketModal open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}
