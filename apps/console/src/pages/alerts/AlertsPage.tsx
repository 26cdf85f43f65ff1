import { useMemo, useState, type ReactNode } from 'react';
import { Button, Card, Dropdown, Grid, Pagination, Segmented, Select, Skeleton, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import type { MenuProps, TableColumnsType } from 'antd';
import {
  CheckOutlined,
  EllipsisOutlined,
  ExportOutlined,
  PauseCircleOutlined,
  ReloadOutlined,
  SettingOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ALERT_SEVERITIES, type AlertListQuery, type AlertRow, type AlertSeverity, type SilenceMatchers } from '../../api/alerts';
import { useAuth } from '../../auth/AuthContext';
import { useSiteNames } from '../../components/EntitySelects';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox } from '../../components/SearchBox';
import { EmptyState, QueryError } from '../../components/Status';
import { GROUP_MODES, SEVERITY_COLORS, alertName, groupAlerts, isGroupMode, isOpen, scopeText, silenceMatchersFor, type AlertGroup, type GroupMode } from '../../lib/alerts';
import { confidencePct } from '../../lib/diagnosis';
import { formatClock, fromNow } from '../../lib/fleet';
import { formatTimeFull } from '../../lib/format';
import { useServerPagination } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { useAlertList, useAlertRules } from './queries';
import { AckModal, AlertStatusTags, SeverityTag, SilenceModal, ruleName, useTr } from './shared';

const KEYS = ['status', 'severity', 'rule', 'q', 'suppressed', 'group'] as const;
const STATUSES = ['open', 'firing', 'acknowledged', 'resolved', 'all'] as const;
type StatusFilter = (typeof STATUSES)[number];
const SUPPRESSED = ['hide', 'show', 'only'] as const;
type SuppressedFilter = (typeof SUPPRESSED)[number];
const pick = <T extends string>(list: readonly T[], v: string | undefined, dflt: T): T => (v && (list as readonly string[]).includes(v) ? (v as T) : dflt);

/** The diagnosis' most likely cause, in one line. */
function TopCause({ row }: { row: AlertRow }) {
  const c = row.diagnosis?.causes[0];
  if (!c) return <span className="muted">—</span>;
  return (
    <Tooltip title={row.diagnosis!.causes.slice(0, 3).map((x) => `${x.title} · ${confidencePct(x.confidence)}%`).join('\n')}>
      <span className="alert-cause" data-testid="alert-top-cause">
        <span className="alert-cause-title">{c.title}</span>
        <span className="muted">{confidencePct(c.confidence)}%</span>
      </span>
    </Tooltip>
  );
}

function TicketLink({ row }: { row: AlertRow }) {
  const { t } = useTranslation();
  if (!row.ticketId) return null;
  return (
    <Link to={`/tickets/${row.ticketId}`} className="mono" data-testid="alert-ticket">
      {t('alerts.ticketShort', { id: row.ticketNumber ?? row.ticketId.slice(0, 8) })}
    </Link>
  );
}

/** Acknowledge, silence, open: what one may do with one alert. */
function RowActions({ row, onAck, onSilence, compact }: { row: AlertRow; onAck: (r: AlertRow) => void; onSilence: (r: AlertRow) => void; compact?: boolean }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const manage = can('alerts:manage');
  const canAck = manage && row.status === 'firing';
  if (compact) {
    const items: MenuProps['items'] = [
      ...(canAck ? [{ key: 'ack', icon: <CheckOutlined />, label: t('alerts.ack.action') }] : []),
      ...(manage && isOpen(row) ? [{ key: 'silence', icon: <PauseCircleOutlined />, label: t('alerts.silenceForm.action') }] : []),
      { key: 'open', icon: <ExportOutlined />, label: t('alerts.open') },
    ];
    return (
      <Dropdown
        trigger={['click']}
        menu={{
          items,
          onClick: ({ key, domEvent }) => {
            domEvent.stopPropagation();
            if (key === 'ack') onAck(row);
            else if (key === 'silence') onSilence(row);
            else navigate(`/alerts/${row.id}`);
          },
        }}
      >
        <Button type="text" icon={<EllipsisOutlined />} aria-label={t('common.actions')} onClick={(e) => e.stopPropagation()} data-testid="alert-row-menu" />
      </Dropdown>
    );
  }
  return (
    <span className="alert-row-actions" onClick={(e) => e.stopPropagation()}>
      {canAck && (
        <Tooltip title={t('alerts.ack.action')}>
          <Button size="small" icon={<CheckOutlined />} onClick={() => onAck(row)} data-testid="alert-ack">
            {t('alerts.ack.short')}
          </Button>
        </Tooltip>
      )}
      {manage && isOpen(row) && (
        <Tooltip title={t('alerts.silenceForm.action')}>
          <Button size="small" icon={<PauseCircleOutlined />} onClick={() => onSilence(row)} aria-label={t('alerts.silenceForm.action')} data-testid="alert-silence" />
        </Tooltip>
      )}
      <Link to={`/alerts/${row.id}`} data-testid="alert-open">
        <Button size="small" type="link">
          {t('alerts.open')}
        </Button>
      </Link>
    </span>
  );
}

/** One alert as a card, for phones. */
function AlertCard({ row, actions }: { row: AlertRow; actions: ReactNode }) {
  const tr = useTr();
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <div
      className={`alert-card alert-card-${row.severity}${row.status === 'resolved' ? ' alert-card-resolved' : ''}`}
      onClick={() => navigate(`/alerts/${row.id}`)}
      data-testid="alert-row"
      data-id={row.id}
      data-status={row.status}
      role="link"
    >
      <div className="alert-card-head">
        <SeverityTag severity={row.severity} />
        <span className="alert-card-name">{alertName(t, row)}</span>
        {actions}
      </div>
      <div className="alert-card-scope">
        {scopeText(row, tr)}
        {row.ticketId && (
          <span onClick={(e) => e.stopPropagation()}>
            {' · '}
            <TicketLink row={row} />
          </span>
        )}
      </div>
      <div className="alert-card-foot">
        <AlertStatusTags row={row} />
        <span className="muted" title={formatTimeFull(row.startedAt)}>
          {fromNow(row.startedAt)}
        </span>
      </div>
      {row.diagnosis?.causes[0] && (
        <div className="alert-card-cause">
          <TopCause row={row} />
        </div>
      )}
    </div>
  );
}

export default function AlertsPage() {
  const { t } = useTranslation();
  const tr = useTr();
  const { can, me } = useAuth();
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS, 50);
  const status = pick<StatusFilter>(STATUSES, values.status, 'open');
  const suppressed = pick<SuppressedFilter>(SUPPRESSED, values.suppressed, 'hide');
  const severity = ALERT_SEVERITIES.includes(values.severity as AlertSeverity) ? (values.severity as AlertSeverity) : undefined;
  const group: GroupMode = isGroupMode(values.group) ? values.group : 'none';
  const staff = me?.role !== 'merchant';

  const query: AlertListQuery = { status, severity, rule: values.rule, q: values.q, suppressed, limit: pageSize, offset };
  const list = useAlertList(query);
  const rules = useAlertRules(staff);
  const sites = useSiteNames();
  const data = list.data;
  const rows = useMemo(() => data?.items ?? [], [data]);
  const [acking, setAcking] = useState<AlertRow | null>(null);
  const [silencing, setSilencing] = useState<SilenceMatchers | null>(null);
  const pagination = useServerPagination(data?.total, page, pageSize, setPage, [20, 50, 100, 200]);

  const groups = useMemo<AlertGroup[] | null>(
    () => (group === 'none' ? null : groupAlerts(rows, group, { siteName: (id) => sites.get(id)?.name, noSite: t('alerts.inbox.noSite') })),
    [group, rows, sites, t],
  );

  const ruleOptions = useMemo(() => {
    const seen = new Map<string, string>();
    for (const r of rules.data ?? []) seen.set(r.code, ruleName(r.definition));
    for (const r of rows) if (!seen.has(r.ruleCode)) seen.set(r.ruleCode, alertName(t, r));
    if (values.rule && !seen.has(values.rule)) seen.set(values.rule, values.rule);
    return [...seen].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
  }, [rules.data, rows, values.rule]);

  const onAck = (r: AlertRow) => setAcking(r);
  const onSilence = (r: AlertRow) => setSilencing(silenceMatchersFor(r));
  const filtered = !!(values.severity || values.rule || values.q || values.status || values.suppressed);

  const columns: TableColumnsType<AlertRow> = [
    {
      title: t('alerts.cols.severity'),
      dataIndex: 'severity',
      width: 84,
      render: (s: AlertSeverity) => <SeverityTag severity={s} />,
    },
    {
      title: t('alerts.cols.rule'),
      key: 'rule',
      render: (_, r) => (
        <div className="alert-rule-cell">
          <Link to={`/alerts/${r.id}`} className="alert-rule-name" onClick={(e) => e.stopPropagation()}>
            {alertName(t, r)}
          </Link>
          <div className="alert-rule-sub">
            <span className="mono muted">{r.ruleCode}</span>
            {r.ticketId && <TicketLink row={r} />}
          </div>
        </div>
      ),
    },
    {
      title: t('alerts.cols.scope'),
      key: 'scope',
      width: 170,
      render: (_, r) => (
        <span data-testid="alert-scope" className="alert-scope-cell">
          <Tag className="alert-scope-kind">{t(`alerts.groupBy.${r.groupBy}`)}</Tag>
          <span className="alert-scope-text">{scopeText(r, tr)}</span>
        </span>
      ),
    },
    {
      title: t('alerts.cols.started'),
      dataIndex: 'startedAt',
      width: 96,
      render: (v: string) => (
        <Tooltip title={formatTimeFull(v)}>
          <span>{fromNow(v)}</span>
        </Tooltip>
      ),
    },
    { title: t('alerts.cols.status'), key: 'status', width: 124, render: (_, r) => <AlertStatusTags row={r} /> },
    { title: t('alerts.cols.diagnosis'), key: 'diagnosis', width: 170, responsive: ['xl'], render: (_, r) => <TopCause row={r} /> },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 150,
      render: (_, r) => <RowActions row={r} onAck={onAck} onSilence={onSilence} />,
    },
  ];

  const table = (data: AlertRow[], testId: string, showHeader = true) =>
    phone ? (
      list.isPending ? (
        <Skeleton active paragraph={{ rows: 4 }} />
      ) : (
      <div className="alert-cards" data-testid={testId}>
        {data.map((r) => (
          <AlertCard key={r.id} row={r} actions={<RowActions row={r} onAck={onAck} onSilence={onSilence} compact />} />
        ))}
      </div>
      )
    ) : (
      <Table<AlertRow>
        data-testid={testId}
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={data}
        loading={list.isPending}
        pagination={false}
        tableLayout="fixed"
        showHeader={showHeader}
        scroll={{ x: 940 }}
        rowClassName={(r) => `clickable-row alert-row-${r.severity}${r.status === 'resolved' ? ' row-disabled' : ''}`}
        onRow={(r) => ({ onClick: () => navigate(`/alerts/${r.id}`), 'data-testid': 'alert-row', 'data-id': r.id, 'data-status': r.status } as object)}
        locale={{ emptyText: <span className="muted">{t('alerts.inbox.empty')}</span> }}
      />
    );

  const counts = data?.counts;
  const countCards: { key: 'firing' | 'acknowledged' | 'critical' | 'suppressed'; selected: boolean; onClick: () => void; color: string }[] = [
    { key: 'firing', selected: status === 'firing', color: '#cf1322', onClick: () => setFilters({ status: status === 'firing' ? undefined : 'firing' }) },
    {
      key: 'acknowledged',
      selected: status === 'acknowledged',
      color: '#1f4fd6',
      onClick: () => setFilters({ status: status === 'acknowledged' ? undefined : 'acknowledged' }),
    },
    { key: 'critical', selected: severity === 'critical', color: SEVERITY_COLORS.critical.hex, onClick: () => setFilters({ severity: severity === 'critical' ? undefined : 'critical' }) },
    { key: 'suppressed', selected: suppressed === 'only', color: '#8c8c8c', onClick: () => setFilters({ suppressed: suppressed === 'only' ? undefined : 'only' }) },
  ];

  const extra = (
    <span className="fleet-updated" data-testid="alerts-updated">
      <Tooltip title={t('alerts.inbox.live')}>
        <SyncOutlined spin={list.isFetching} className="muted" />
      </Tooltip>
      {!phone && <Typography.Text type="secondary">{list.dataUpdatedAt ? t('fleet.updatedAt', { time: formatClock(new Date(list.dataUpdatedAt).toISOString()) }) : ''}</Typography.Text>}
      <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} aria-label={t('common.refresh')} />
      {staff && can('alerts:read') && (
        <Link to="/alerts/rules">
          <Button icon={<SettingOutlined />}>{phone ? null : t('nav.alertRules')}</Button>
        </Link>
      )}
    </span>
  );

  return (
    <div data-testid="page-alerts">
      <PageHeader title={t('alerts.inbox.title')} subtitle={t('alerts.inbox.subtitle')} extra={extra} />
      <div className="stat-grid alert-counts" data-testid="alert-counts">
        {countCards.map((c) => (
          <Card
            key={c.key}
            className={`stat-card${c.selected ? ' stat-card-selected' : ''}`}
            hoverable
            onClick={c.onClick}
            style={{ borderTop: `3px solid ${c.color}` }}
            data-testid={`alert-count-${c.key}`}
            data-count={counts?.[c.key] ?? 0}
          >
            <Statistic
              title={t(`alerts.counts.${c.key}`)}
              value={counts?.[c.key] ?? 0}
              loading={list.isPending}
              styles={{ content: { color: c.key !== 'suppressed' && (counts?.[c.key] ?? 0) > 0 ? c.color : undefined } }}
            />
          </Card>
        ))}
      </div>

      <Card className="table-card alert-inbox-card">
        <div className="toolbar alert-toolbar">
          <Select<StatusFilter>
            value={status}
            onChange={(v) => setFilters({ status: v === 'open' ? undefined : v })}
            options={STATUSES.map((s) => ({ value: s, label: t(`alerts.statusFilter.${s}`) }))}
            style={{ width: 140 }}
            data-testid="filter-status"
            aria-label={t('alerts.cols.status')}
          />
          <Select<AlertSeverity>
            value={severity}
            allowClear
            placeholder={t('alerts.inbox.allSeverities')}
            onChange={(v) => setFilters({ severity: v })}
            options={ALERT_SEVERITIES.map((s) => ({ value: s, label: t(`alerts.severity.${s}`) }))}
            style={{ width: 130 }}
            data-testid="filter-severity"
          />
          <Select<string>
            value={values.rule}
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('alerts.inbox.allRules')}
            onChange={(v) => setFilters({ rule: v })}
            options={ruleOptions}
            style={{ width: 200 }}
            popupMatchSelectWidth={false}
            data-testid="filter-rule"
          />
          <Select<SuppressedFilter>
            value={suppressed}
            onChange={(v) => setFilters({ suppressed: v === 'hide' ? undefined : v })}
            options={SUPPRESSED.map((s) => ({ value: s, label: t(`alerts.inbox.suppressed.${s}`) }))}
            style={{ width: 170 }}
            data-testid="filter-suppressed"
          />
          <SearchBox value={values.q} onChange={(q) => setFilters({ q })} placeholder={t('alerts.inbox.search')} testId="filter-q" width={240} />
          <span className="toolbar-spacer" />
          <Segmented<GroupMode>
            value={group}
            onChange={(g) => setFilters({ group: g === 'none' ? undefined : g })}
            options={GROUP_MODES.map((g) => ({ value: g, label: <span data-testid={`group-${g}`}>{t(`alerts.inbox.group.${g}`)}</span> }))}
            data-testid="group-toggle"
          />
          {filtered && (
            <Button onClick={() => setFilters({ status: undefined, severity: undefined, rule: undefined, q: undefined, suppressed: undefined })}>
              {t('common.clearFilters')}
            </Button>
          )}
        </div>

        {list.isError && !data ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : !list.isPending && rows.length === 0 ? (
          <EmptyState
            title={filtered ? t('common.noMatches') : t('alerts.inbox.emptyTitle')}
            hint={filtered ? undefined : t('alerts.inbox.emptyHint')}
          />
        ) : groups ? (
          <div className="alert-groups" data-testid="alert-groups">
            {groups.map((g, i) => (
              <section key={g.key || '∅'} className="alert-group" data-testid="alert-group" data-key={g.key}>
                <header className="alert-group-head">
                  <SeverityTag severity={g.worst} />
                  <span className="alert-group-label">{g.label}</span>
                  <span className="muted">
                    {t('alerts.inbox.groupCounts', { alerts: g.rows.length, firing: g.firing, terminals: g.terminals })}
                  </span>
                </header>
                {/* The columns line up across groups: one header is enough. */}
                {table(g.rows, 'alerts-table', i === 0)}
              </section>
            ))}
          </div>
        ) : (
          table(rows, 'alerts-table')
        )}
        {(data?.total ?? 0) > pageSize || page > 1 ? (
          <div className="pager">
            <Pagination {...pagination} />
          </div>
        ) : null}
      </Card>

      <AckModal alert={acking} onClose={() => setAcking(null)} />
      <SilenceModal open={silencing !== null} initial={silencing ?? undefined} onClose={() => setSilencing(null)} />
    </div>
  );
}
