import { useMemo, useState } from 'react';
import { App, Badge, Button, Card, DatePicker, Form, Input, Modal, Popconfirm, Radio, Segmented, Table, Tabs, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined, StopOutlined } from '@ant-design/icons';
import { useMutation, useQueries, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../../api/client';
import { alertsApi, type MaintenanceRow, type SilenceRow } from '../../api/alerts';
import type { Terminal } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { SiteSelect, useMerchantNames, useSiteNames } from '../../components/EntitySelects';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { matcherPairs } from '../../lib/alerts';
import { fromNow } from '../../lib/fleet';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useAlertRules, useRefreshAlerts } from './queries';
import { SilenceModal, ruleName, useTr } from './shared';
import { TerminalSelect } from '../../components/EntitySelects';

type Tab = 'silences' | 'maintenance';
type Show = 'active' | 'expired' | 'all';

const shown = <T extends { active: boolean }>(rows: T[] | undefined, show: Show): T[] =>
  (rows ?? []).filter((r) => show === 'all' || (show === 'active' ? r.active : !r.active));

function ActiveBadge({ active, endsAt }: { active: boolean; endsAt: string }) {
  const { t } = useTranslation();
  const upcoming = !active && dayjs(endsAt).isAfter(dayjs());
  return active ? (
    <Badge status="processing" text={t('alerts.silences.active')} />
  ) : upcoming ? (
    <Badge status="warning" text={t('alerts.silences.upcoming')} />
  ) : (
    <Badge status="default" text={t('alerts.silences.expired')} />
  );
}

/** "11-23 22:11 → 11-24 02:11", the year only when it is not this one; the full times on hover. */
function Period({ from, to }: { from: string; to: string }) {
  const short = (ts: string) => (dayjs(ts).year() === dayjs().year() ? dayjs(ts).format('MM-DD HH:mm') : formatTime(ts));
  return (
    <span className="nowrap" title={`${formatTime(from)} → ${formatTime(to)}`}>
      {short(from)} → {short(to)}
      <div className="muted">{fromNow(to)}</div>
    </span>
  );
}

/** Serial numbers of the few terminals that silences name (a silence stores the terminal's id). */
function useTerminalSerials(ids: string[]): Map<string, string> {
  const results = useQueries({
    queries: ids.map((id) => ({ queryKey: ['terminals', 'one', id], queryFn: () => api<Terminal>(`/terminals/${id}`), staleTime: 60_000, retry: false })),
  });
  const out = new Map<string, string>();
  results.forEach((r, i) => {
    if (r.data) out.set(ids[i]!, r.data.serialNumber);
  });
  return out;
}

function SilencesTab({ show }: { show: Show }) {
  const { t } = useTranslation();
  const tr = useTr();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshAlerts();
  const list = useQuery({ queryKey: ['alerts', 'silences'], queryFn: alertsApi.silences });
  const rules = useAlertRules();
  const sites = useSiteNames();
  const merchants = useMerchantNames();
  const ruleNames = useMemo(() => new Map((rules.data ?? []).map((r) => [r.code, ruleName(r.definition)])), [rules.data]);
  const terminalIds = useMemo(() => [...new Set((list.data ?? []).map((s) => s.matchers.terminalId).filter((x): x is string => !!x))].slice(0, 50), [list.data]);
  const serials = useTerminalSerials(terminalIds);
  const expire = useMutation({
    mutationFn: (s: SilenceRow) => alertsApi.expireSilence(s.id),
    onSuccess: () => {
      void message.success(t('alerts.silences.expiredDone'));
      refresh();
    },
    onError: (e) => showError(e),
  });
  const cols: TableColumnsType<SilenceRow> = [
    {
      title: t('alerts.silences.matchers'),
      key: 'matchers',
      width: 260,
      render: (_, s) => (
        <span className="alert-matchers" data-testid="silence-matchers">
          {matcherPairs(s.matchers, tr, {
            rule: (c) => ruleNames.get(c),
            siteId: (id) => sites.get(id)?.name,
            merchantId: (id) => merchants.get(id)?.name,
            terminalId: (id) => serials.get(id),
          }).map((p) => (
            <Tag key={p.key}>
              <span className="muted">{p.label}:</span> {p.value}
            </Tag>
          ))}
        </span>
      ),
    },
    { title: t('alerts.silences.comment'), dataIndex: 'comment', ellipsis: true },
    { title: t('alerts.silences.period'), key: 'period', width: 190, render: (_, s) => <Period from={s.startsAt} to={s.endsAt} /> },
    { title: t('alerts.silences.createdBy'), dataIndex: 'createdBy', width: 120, responsive: ['lg'], render: (v: string | null) => v ?? t('common.system') },
    { title: t('alerts.silences.state'), key: 'state', width: 100, render: (_, s) => <ActiveBadge active={s.active} endsAt={s.endsAt} /> },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 140,
      render: (_, s) =>
        can('alerts:manage') &&
        (s.active || dayjs(s.endsAt).isAfter(dayjs())) && (
          <Popconfirm title={t('alerts.silences.expireConfirm')} okText={t('alerts.silences.expire')} cancelText={t('common.cancel')} okButtonProps={{ danger: true }} onConfirm={() => expire.mutateAsync(s).catch(() => undefined)}>
            <Button type="link" size="small" danger icon={<StopOutlined />} data-testid="silence-expire">
              {t('alerts.silences.expire')}
            </Button>
          </Popconfirm>
        ),
    },
  ];
  if (list.isError) return <QueryError error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <Table<SilenceRow>
      rowKey="id"
      columns={cols}
      dataSource={shown(list.data, show)}
      loading={list.isPending}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: 900 }}
      rowClassName={(s) => (s.active ? '' : 'row-disabled')}
      onRow={() => ({ 'data-testid': 'silence-row' } as object)}
      locale={{ emptyText: <EmptyState title={t('alerts.silences.empty')} hint={t('alerts.silences.emptyHint')} /> }}
    />
  );
}

function MaintenanceTab({ show }: { show: Show }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshAlerts();
  const list = useQuery({ queryKey: ['alerts', 'maintenance'], queryFn: alertsApi.maintenance });
  const end = useMutation({
    mutationFn: (m: MaintenanceRow) => alertsApi.endMaintenance(m.id),
    onSuccess: () => {
      void message.success(t('alerts.maintenance.endedDone'));
      refresh();
    },
    onError: (e) => showError(e),
  });
  const cols: TableColumnsType<MaintenanceRow> = [
    {
      title: t('alerts.maintenance.target'),
      key: 'target',
      render: (_, m) => (
        <span>
          <Tag>{m.siteId ? t('alerts.matchers.siteId') : t('alerts.matchers.terminalId')}</Tag>
          <strong>{m.label}</strong>
        </span>
      ),
    },
    { title: t('alerts.maintenance.reason'), dataIndex: 'reason', ellipsis: true },
    { title: t('alerts.silences.period'), key: 'period', width: 190, render: (_, m) => <Period from={m.startsAt} to={m.endsAt} /> },
    { title: t('alerts.silences.createdBy'), dataIndex: 'createdBy', width: 120, responsive: ['lg'], render: (v: string | null) => v ?? t('common.system') },
    { title: t('alerts.silences.state'), key: 'state', width: 100, render: (_, m) => <ActiveBadge active={m.active} endsAt={m.endsAt} /> },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 140,
      render: (_, m) =>
        can('alerts:manage') &&
        (m.active || dayjs(m.endsAt).isAfter(dayjs())) && (
          <Popconfirm title={t('alerts.maintenance.endConfirm')} okText={t('alerts.maintenance.end')} cancelText={t('common.cancel')} okButtonProps={{ danger: true }} onConfirm={() => end.mutateAsync(m).catch(() => undefined)}>
            <Button type="link" size="small" danger icon={<StopOutlined />} data-testid="maintenance-end">
              {t('alerts.maintenance.end')}
            </Button>
          </Popconfirm>
        ),
    },
  ];
  if (list.isError) return <QueryError error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <Table<MaintenanceRow>
      rowKey="id"
      columns={cols}
      dataSource={shown(list.data, show)}
      loading={list.isPending}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: 900 }}
      rowClassName={(m) => (m.active ? '' : 'row-disabled')}
      onRow={() => ({ 'data-testid': 'maintenance-row' } as object)}
      locale={{ emptyText: <EmptyState title={t('alerts.maintenance.empty')} hint={t('alerts.maintenance.emptyHint')} /> }}
    />
  );
}

interface MaintenanceForm {
  target: 'site' | 'terminal';
  siteId?: string;
  terminalId?: string;
  range: [Dayjs, Dayjs];
  reason: string;
}

function MaintenanceModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshAlerts();
  const [form] = Form.useForm<MaintenanceForm>();
  const target = Form.useWatch('target', form);
  const create = useMutation({
    mutationFn: (v: MaintenanceForm) =>
      alertsApi.createMaintenance({
        ...(v.target === 'site' ? { siteId: v.siteId } : { terminalId: v.terminalId }),
        startsAt: v.range[0].toISOString(),
        endsAt: v.range[1].toISOString(),
        reason: v.reason.trim(),
      }),
    onSuccess: () => {
      void message.success(t('alerts.maintenance.createdDone'));
      refresh();
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal
      open={open}
      title={t('alerts.maintenance.create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'maintenance-submit' }}
      destroyOnHidden
      width={560}
    >
      <p className="muted alert-modal-hint">{t('alerts.maintenance.hint')}</p>
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => create.mutate(v)}
        initialValues={{ target: 'site', range: [dayjs().startOf('minute'), dayjs().startOf('minute').add(2, 'hour')] }}
        data-testid="maintenance-form"
      >
        <Form.Item name="target" label={t('alerts.maintenance.target')}>
          <Radio.Group optionType="button" buttonStyle="solid">
            <Radio.Button value="site">{t('alerts.matchers.siteId')}</Radio.Button>
            <Radio.Button value="terminal">{t('alerts.matchers.terminalId')}</Radio.Button>
          </Radio.Group>
        </Form.Item>
        {target === 'terminal' ? (
          <Form.Item name="terminalId" label={t('alerts.matchers.terminalId')} rules={[{ required: true, message: t('common.required') }]}>
            <TerminalSelect />
          </Form.Item>
        ) : (
          <Form.Item name="siteId" label={t('alerts.matchers.siteId')} rules={[{ required: true, message: t('common.required') }]}>
            <SiteSelect data-testid="maintenance-site" />
          </Form.Item>
        )}
        <Form.Item name="range" label={t('alerts.silences.period')} rules={[{ required: true, message: t('common.required') }]}>
          <DatePicker.RangePicker showTime format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="reason" label={t('alerts.maintenance.reason')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input.TextArea rows={2} maxLength={500} placeholder={t('alerts.maintenance.reasonPlaceholder')} data-testid="maintenance-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function SilencesPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get('tab') === 'maintenance' ? 'maintenance' : 'silences';
  const show: Show = params.get('show') === 'expired' ? 'expired' : params.get('show') === 'all' ? 'all' : 'active';
  const [creating, setCreating] = useState<Tab | null>(null);
  const set = (k: string, v: string | null) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (v) next.set(k, v);
        else next.delete(k);
        return next;
      },
      { replace: true },
    );
  const manage = can('alerts:manage');

  return (
    <div data-testid="page-silences">
      <PageHeader
        title={t('alerts.silences.title')}
        subtitle={t('alerts.silences.subtitle')}
        backTo="/alerts"
        extra={
          manage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(tab)} data-testid={tab === 'silences' ? 'silence-create' : 'maintenance-create'}>
              {tab === 'silences' ? t('alerts.silences.create') : t('alerts.maintenance.create')}
            </Button>
          )
        }
      />
      <Card className="table-card">
        <Tabs
          activeKey={tab}
          onChange={(k) => set('tab', k === 'silences' ? null : k)}
          tabBarExtraContent={
            <Segmented<Show>
              value={show}
              onChange={(v) => set('show', v === 'active' ? null : v)}
              options={(['active', 'expired', 'all'] as const).map((s) => ({ value: s, label: t(`alerts.silences.show.${s}`) }))}
              size="small"
              data-testid="silences-show"
            />
          }
          items={[
            { key: 'silences', label: <span data-testid="tab-silences">{t('alerts.silences.tab')}</span>, children: <SilencesTab show={show} /> },
            { key: 'maintenance', label: <span data-testid="tab-maintenance">{t('alerts.maintenance.tab')}</span>, children: <MaintenanceTab show={show} /> },
          ]}
        />
      </Card>
      <SilenceModal open={creating === 'silences'} onClose={() => setCreating(null)} />
      <MaintenanceModal open={creating === 'maintenance'} onClose={() => setCreating(null)} />
    </div>
  );
}
