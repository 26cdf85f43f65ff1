import { useState } from 'react';
import { App, Button, Card, Drawer, Form, Select, Space, Table } from 'antd';
import type { TableColumnsType } from 'antd';
import { CloudUploadOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { FLEET_STATUSES, LIFECYCLE_STATES, type TerminalListItem } from '@poscare/contracts';
import { api, type PageOf } from '../api/client';
import type { LifecycleState, Terminal, TerminalStats } from '../api/types';
import type { FleetStatus } from '../api/fleet';
import { FleetStatusTag, ReasonTags, useReasonText } from '../components/FleetTags';
import { fromNow } from '../lib/fleet';
import { useAuth } from '../auth/AuthContext';
import { MerchantSelect, SiteSelect, useMerchantNames, useSiteNames } from '../components/EntitySelects';
import { PageHeader } from '../components/PageHeader';
import { SearchBox } from '../components/SearchBox';
import { ExportButtons } from '../components/ExportButtons';
import { BulkLifecycle } from '../components/BulkLifecycle';
import { StateTag } from '../components/StateTag';
import { EmptyState, QueryError } from '../components/Status';
import { TerminalForm, terminalBody, type TerminalFormValues } from '../components/TerminalForm';
import { EMPTY, formatTime, orDash } from '../lib/format';
import { useShowError, useServerPagination } from '../lib/hooks';
import { useUrlState } from '../lib/useUrlState';

const KEYS = ['q', 'lifecycleState', 'merchantId', 'siteId', 'model', 'appVersion', 'status', 'reason', 'inService', 'sort', 'order'] as const;

export default function TerminalsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS);
  const [creating, setCreating] = useState(false);
  /** Rows chosen for a bulk action (on this page of the list). */
  const [selected, setSelected] = useState<string[]>([]);
  const [initial, setInitial] = useState<Partial<TerminalFormValues>>({});
  const [form] = Form.useForm<TerminalFormValues>();
  const merchants = useMerchantNames();
  const sites = useSiteNames();

  const stats = useQuery({ queryKey: ['terminals', 'stats'], queryFn: () => api<TerminalStats>('/terminals/stats') });

  const query = {
    q: values.q,
    lifecycleState: values.lifecycleState,
    merchantId: values.merchantId,
    siteId: values.siteId,
    model: values.model,
    appVersion: values.appVersion,
    status: values.status,
    reason: values.reason,
    inService: values.inService,
    sort: values.sort,
    order: values.order,
    limit: pageSize,
    offset,
  };
  const list = useQuery({
    queryKey: ['terminals', 'list', query],
    queryFn: () => api<PageOf<TerminalListItem>>('/terminals', { query }),
    placeholderData: keepPreviousData,
  });

  const create = useMutation({
    mutationFn: (v: TerminalFormValues) => api<Terminal>('/terminals', { method: 'POST', body: terminalBody(v) }),
    onSuccess: (term) => {
      void message.success(t('terminal.created', { serial: term.serialNumber }));
      setCreating(false);
      void qc.invalidateQueries({ queryKey: ['terminals'] });
      navigate(`/terminals/${term.id}`);
    },
    onError: (e) => showError(e, form),
  });

  const openCreate = () => {
    setInitial({ lifecycleState: 'in_stock', merchantId: values.merchantId, siteId: values.siteId });
    setCreating(true);
  };

  const reasonText = useReasonText();
  const sortOrder = (key: string) => (values.sort === key ? (values.order === 'desc' ? ('descend' as const) : ('ascend' as const)) : null);
  const columns: TableColumnsType<TerminalListItem> = [
    {
      title: t('terminal.serialNumber'),
      dataIndex: 'serialNumber',
      fixed: 'left',
      render: (v: string, r) => (
        <Link to={`/terminals/${r.id}`} className="mono" data-testid="terminal-link">
          {v}
        </Link>
      ),
    },
    { title: t('terminal.tid'), dataIndex: 'tid', responsive: ['sm'], render: (v: string | null) => <span className="mono">{orDash(v)}</span> },
    {
      title: t('terminal.model'),
      key: 'model',
      render: (_, r) => (
        <span>
          {r.model}
          <div className="muted">{r.vendor}</div>
        </span>
      ),
    },
    { title: t('terminal.lifecycleState'), dataIndex: 'lifecycleState', render: (s: LifecycleState) => <StateTag state={s} /> },
    {
      // Live status as the fleet page counts it; an offline terminal's old readings are not shown as its health.
      title: t('terminal.liveStatus'),
      key: 'status',
      sorter: true,
      sortOrder: sortOrder('status'),
      render: (_, r) => (
        <span data-testid="terminal-status" data-status={r.status}>
          <FleetStatusTag status={r.status as FleetStatus} />
          {r.healthReasons.length > 0 && <ReasonTags reasons={r.healthReasons.slice(0, 2)} />}
        </span>
      ),
    },
    {
      title: t('live.lastSeen'),
      key: 'lastSeen',
      sorter: true,
      sortOrder: sortOrder('lastSeen'),
      responsive: ['sm'],
      render: (_, r) => (r.lastSeenAt ? <span title={formatTime(r.lastSeenAt)} data-testid="terminal-last-seen">{fromNow(r.lastSeenAt)}</span> : <span className="muted">{t('fleet.status.never_seen')}</span>),
    },
    {
      title: t('terminal.merchantSite'),
      key: 'where',
      responsive: ['md'],
      render: (_, r) => {
        const site = r.siteId ? sites.get(r.siteId) : undefined;
        const merchant = r.merchantId ? merchants.get(r.merchantId) : undefined;
        if (!site && !merchant) return <span className="muted">{t('terminal.unassigned')}</span>;
        return (
          <span>
            {merchant?.name ?? EMPTY}
            <div className="muted">{site ? `${site.name} · ${site.code}` : EMPTY}</div>
          </span>
        );
      },
    },
    {
      title: t('terminal.connectivity'),
      dataIndex: 'connectivity',
      responsive: ['lg'],
      render: (c: Terminal['connectivity']) => (c ? t(`connectivity.${c}`) : EMPTY),
    },
    { title: t('terminal.appVersion'), dataIndex: 'appVersion', responsive: ['xl'], render: orDash },
    { title: t('common.updatedAt'), dataIndex: 'updatedAt', responsive: ['lg'], render: formatTime },
  ];

  const filtered = KEYS.some((k) => k !== 'sort' && k !== 'order' && values[k]);

  const pagination = useServerPagination(list.data?.total, page, pageSize, setPage);

  return (
    <div data-testid="page-terminals">
      <PageHeader
        title={t('terminal.title')}
        subtitle={t('terminal.subtitle')}
        extra={
          <>
            {can('import:run') && (
              <Button icon={<CloudUploadOutlined />} onClick={() => navigate('/terminals/import')} data-testid="terminal-import">
                {t('terminal.import')}
              </Button>
            )}
            {can('inventory:write') && (
              <Button type="primary" icon={<PlusOutlined />} onClick={openCreate} data-testid="terminal-create">
                {t('terminal.create')}
              </Button>
            )}
          </>
        }
      />
      <Card className="table-card">
        <div className="toolbar">
          <SearchBox
            value={values.q}
            onChange={(q) => setFilters({ q })}
            placeholder={t('terminal.searchPlaceholder')}
            testId="terminal-search"
            width={240}
          />
          <Select<LifecycleState>
            allowClear
            placeholder={t('terminal.filterState')}
            value={(values.lifecycleState as LifecycleState | undefined) ?? undefined}
            onChange={(v) => setFilters({ lifecycleState: v })}
            options={LIFECYCLE_STATES.map((s) => ({ value: s, label: t(`states.${s}`) }))}
            style={{ width: 130 }}
            data-testid="terminal-filter-state"
          />
          <MerchantSelect
            value={values.merchantId}
            onChange={(merchantId) => setFilters({ merchantId, siteId: undefined })}
            placeholder={t('terminal.filterMerchant')}
            style={{ width: 200 }}
          />
          <SiteSelect
            value={values.siteId}
            merchantId={values.merchantId}
            onChange={(siteId) => setFilters({ siteId })}
            placeholder={t('terminal.filterSite')}
            style={{ width: 200 }}
          />
          <Select<FleetStatus>
            allowClear
            placeholder={t('terminal.filterStatus')}
            value={(values.status as FleetStatus | undefined) ?? undefined}
            onChange={(v) => setFilters({ status: v })}
            options={FLEET_STATUSES.map((s) => ({ value: s, label: t(`fleet.status.${s}`) }))}
            style={{ width: 130 }}
            data-testid="terminal-filter-status"
          />
          {values.reason && (
            <Button size="small" onClick={() => setFilters({ reason: undefined })} data-testid="terminal-filter-reason">
              {reasonText(values.reason)} ✕
            </Button>
          )}
          {values.appVersion && (
            <Button size="small" onClick={() => setFilters({ appVersion: undefined })}>
              {t('terminal.appVersion')} {values.appVersion} ✕
            </Button>
          )}
          <Select<string>
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('terminal.filterModel')}
            value={values.model}
            onChange={(v) => setFilters({ model: v })}
            options={(stats.data?.byModel ?? []).map((m) => ({ value: m.model, label: `${m.model} (${m.count})` }))}
            style={{ width: 160 }}
          />
          <div className="toolbar-spacer" />
          {filtered && (
            <Button
              type="link"
              onClick={() => setFilters({ q: undefined, lifecycleState: undefined, merchantId: undefined, siteId: undefined, model: undefined, appVersion: undefined, status: undefined, reason: undefined, inService: undefined })}
            >
              {t('common.clearFilters')}
            </Button>
          )}
          {can('terminal:lifecycle') && selected.length > 0 && <BulkLifecycle ids={selected} onDone={() => setSelected([])} />}
          <ExportButtons path="/terminals/export" query={{ ...query, limit: undefined, offset: undefined }} />
          <Button icon={<ReloadOutlined />} onClick={() => void list.refetch()} aria-label={t('common.refresh')} />
        </div>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<TerminalListItem>
            rowKey="id"
            columns={columns}
            rowSelection={can('terminal:lifecycle') ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)), columnWidth: 40 } : undefined}
            dataSource={list.data?.items}
            loading={list.isFetching}
            scroll={{ x: 'max-content' }}
            data-testid="terminal-table"
            onRow={(r) => ({
              // A click on the row opens the terminal; a click on its checkbox only chooses it.
              onClick: (e) => {
                if (!(e.target as HTMLElement).closest('.ant-table-selection-column')) navigate(`/terminals/${r.id}`);
              },
              className: 'clickable-row',
            })}
            pagination={pagination}
            onChange={(_p, _f, sorter, extra) => {
              if (extra.action !== 'sort') return;
              const one = Array.isArray(sorter) ? sorter[0] : sorter;
              const key = one?.order ? String(one.columnKey) : undefined;
              setFilters({ sort: key, order: key ? (one?.order === 'descend' ? 'desc' : 'asc') : undefined });
            }}
            locale={{
              emptyText: filtered ? (
                <EmptyState title={t('common.noMatches')} />
              ) : (
                <EmptyState
                  title={t('terminal.emptyTitle')}
                  hint={t('terminal.emptyHint')}
                  action={
                    <Space>
                      {can('import:run') && (
                        <Button type="primary" onClick={() => navigate('/terminals/import')}>
                          {t('terminal.import')}
                        </Button>
                      )}
                      {can('inventory:write') && <Button onClick={openCreate}>{t('terminal.create')}</Button>}
                    </Space>
                  }
                />
              ),
            }}
          />
        )}
      </Card>
      <Drawer
        open={creating}
        title={t('terminal.create')}
        onClose={() => setCreating(false)}
        size={640}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={() => setCreating(false)}>{t('common.cancel')}</Button>
            <Button type="primary" loading={create.isPending} onClick={() => form.submit()} data-testid="terminal-save">
              {t('common.create')}
            </Button>
          </Space>
        }
      >
        <TerminalForm form={form} initialValues={initial} mode="create" onFinish={(v) => create.mutate(v)} />
      </Drawer>
    </div>
  );
}
