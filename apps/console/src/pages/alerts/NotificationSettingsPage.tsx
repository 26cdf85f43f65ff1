import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Skeleton, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { ApiOutlined, DeleteOutlined, PlusOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '@poscare/contracts';
import {
  ALERT_SEVERITIES,
  DELIVERY_STATUSES,
  alertsApi,
  type DeliveryRow,
  type NotificationPreferences,
  type WebhookInput,
  type WebhookRow,
} from '../../api/alerts';
import { ME_KEY, useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { formatTime, formatTimeFull } from '../../lib/format';
import { useShowError, useServerPagination } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { SeverityTag } from './shared';

const DELIVERY_COLORS: Record<DeliveryRow['status'], string> = { pending: 'default', sent: 'success', retrying: 'warning', failed: 'error' };

function PreferencesCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const [form] = Form.useForm<NotificationPreferences>();
  const q = useQuery({ queryKey: ['notifications', 'preferences'], queryFn: alertsApi.preferences });
  const save = useMutation({
    mutationFn: alertsApi.savePreferences,
    onSuccess: (p) => {
      void message.success(t('common.saved'));
      qc.setQueryData(['notifications', 'preferences'], p);
      // The notification language is the account's language: /me changes with it.
      void qc.invalidateQueries({ queryKey: ME_KEY });
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Card title={t('alerts.prefs.title')} className="section-card" data-testid="prefs-card">
      {q.isError ? (
        <QueryError error={q.error} onRetry={() => void q.refetch()} />
      ) : q.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : (
        <Form<NotificationPreferences> form={form} layout="horizontal" onFinish={(v) => save.mutate(v)} initialValues={q.data} className="prefs-form" labelCol={{ flex: '180px' }} labelWrap>
          <Form.Item name="console" label={t('alerts.prefs.console')} valuePropName="checked" extra={t('alerts.prefs.consoleHint')}>
            <Switch data-testid="prefs-console" />
          </Form.Item>
          <Form.Item name="email" label={t('alerts.prefs.email')} valuePropName="checked" extra={t('alerts.prefs.emailHint')}>
            <Switch data-testid="prefs-email" />
          </Form.Item>
          <Form.Item name="minSeverity" label={t('alerts.prefs.minSeverity')} extra={t('alerts.prefs.minSeverityHint')}>
            <Select options={ALERT_SEVERITIES.map((s) => ({ value: s, label: <SeverityTag severity={s} /> }))} style={{ maxWidth: 200 }} data-testid="prefs-min-severity" />
          </Form.Item>
          <Form.Item name="language" label={t('alerts.prefs.language')} extra={t('alerts.prefs.languageHint')}>
            <Select options={LANGUAGES.map((l) => ({ value: l, label: t(`lang.${l}`) }))} style={{ maxWidth: 200 }} data-testid="prefs-language" />
          </Form.Item>
          <Form.Item label=" " colon={false}>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="prefs-save">
              {t('common.save')}
            </Button>
          </Form.Item>
        </Form>
      )}
    </Card>
  );
}

function WebhooksCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const [form] = Form.useForm<WebhookInput>();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<WebhookRow | null>(null);
  const list = useQuery({ queryKey: ['webhooks'], queryFn: alertsApi.webhooks });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['webhooks'] });
    void qc.invalidateQueries({ queryKey: ['deliveries'] });
  };
  const create = useMutation({
    mutationFn: alertsApi.createWebhook,
    onSuccess: (w) => {
      setCreating(false);
      setCreated(w);
      refresh();
    },
    onError: (e) => showError(e, form),
  });
  const patch = useMutation({
    mutationFn: (v: { w: WebhookRow; enabled: boolean }) => alertsApi.updateWebhook(v.w.id, { enabled: v.enabled }),
    onSuccess: (w) => {
      void message.success(w.enabled ? t('alerts.webhooks.enabledDone') : t('alerts.webhooks.disabledDone'));
      refresh();
    },
    onError: (e) => showError(e),
  });
  const test = useMutation({
    mutationFn: (w: WebhookRow) => alertsApi.testWebhook(w.id),
    onSuccess: () => {
      void message.success(t('alerts.webhooks.testQueued'));
      // The test goes out through the delivery queue; its outcome appears in the log below.
      setTimeout(refresh, 1500);
    },
    onError: (e) => showError(e),
  });
  const remove = useMutation({
    mutationFn: (w: WebhookRow) => alertsApi.deleteWebhook(w.id),
    onSuccess: () => {
      void message.success(t('common.deleted'));
      refresh();
    },
    onError: (e) => showError(e),
  });

  const cols: TableColumnsType<WebhookRow> = [
    {
      title: t('alerts.webhooks.name'),
      key: 'name',
      render: (_, w) => (
        <div>
          <strong>{w.name}</strong>
          <div className="mono muted alert-webhook-url alert-webhook-url-block" title={w.url}>
            {w.url}
          </div>
        </div>
      ),
    },
    { title: t('alerts.webhooks.minSeverity'), dataIndex: 'minSeverity', width: 140, render: (s: WebhookRow['minSeverity']) => <SeverityTag severity={s} /> },
    { title: t('alerts.webhooks.secret'), dataIndex: 'secret', width: 120, responsive: ['md'], render: (s: string) => <span className="mono">••••{s.slice(-4)}</span> },
    {
      title: t('alerts.webhooks.enabled'),
      dataIndex: 'enabled',
      width: 80,
      render: (v: boolean, w) => <Switch size="small" checked={v} loading={patch.isPending && patch.variables?.w.id === w.id} onChange={(enabled) => patch.mutate({ w, enabled })} data-testid="webhook-enabled" />,
    },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 140, responsive: ['lg'], render: formatTime },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 170,
      render: (_, w) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<SendOutlined />} onClick={() => test.mutate(w)} loading={test.isPending && test.variables?.id === w.id} data-testid="webhook-test">
            {t('alerts.webhooks.test')}
          </Button>
          <Popconfirm
            title={t('alerts.webhooks.deleteConfirm', { name: w.name })}
            okText={t('common.delete')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => remove.mutateAsync(w).catch(() => undefined)}
          >
            <Button type="link" size="small" danger icon={<DeleteOutlined />} data-testid="webhook-delete">
              {t('common.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Card
      title={
        <span>
          <ApiOutlined /> {t('alerts.webhooks.title')}
        </span>
      }
      className="section-card table-card"
      data-testid="webhooks-card"
      extra={
        <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="webhook-create">
          {t('alerts.webhooks.create')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary" className="small">
        {t('alerts.webhooks.hint')}
      </Typography.Paragraph>
      {list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<WebhookRow>
          rowKey="id"
          size="small"
          columns={cols}
          dataSource={list.data}
          loading={list.isPending}
          pagination={false}
          scroll={{ x: 'max-content' }}
          rowClassName={(w) => (w.enabled ? '' : 'row-disabled')}
          locale={{ emptyText: <EmptyState title={t('alerts.webhooks.empty')} /> }}
        />
      )}
      <Modal
        open={creating}
        title={t('alerts.webhooks.create')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        confirmLoading={create.isPending}
        okButtonProps={{ 'data-testid': 'webhook-submit' }}
        destroyOnHidden
      >
        <Form<WebhookInput> form={form} layout="vertical" onFinish={(v) => create.mutate(v)} initialValues={{ minSeverity: 'warning', enabled: true }}>
          <Form.Item name="name" label={t('alerts.webhooks.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input maxLength={100} placeholder={t('alerts.webhooks.namePlaceholder')} data-testid="webhook-name" />
          </Form.Item>
          <Form.Item
            name="url"
            label={t('alerts.webhooks.url')}
            rules={[
              { required: true, message: t('common.required') },
              { pattern: /^https?:\/\/\S+$/, message: t('alerts.webhooks.urlInvalid') },
            ]}
          >
            <Input maxLength={500} placeholder="https://ops.example.com/poscare" className="mono" data-testid="webhook-url" />
          </Form.Item>
          <Form.Item name="minSeverity" label={t('alerts.webhooks.minSeverity')}>
            <Select options={ALERT_SEVERITIES.map((s) => ({ value: s, label: <SeverityTag severity={s} /> }))} />
          </Form.Item>
          <Form.Item name="enabled" label={t('alerts.webhooks.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={created !== null}
        title={t('alerts.webhooks.createdTitle')}
        onCancel={() => setCreated(null)}
        mask={{ closable: false }}
        footer={
          <Button type="primary" onClick={() => setCreated(null)} data-testid="webhook-secret-done">
            {t('tokens.done')}
          </Button>
        }
      >
        <Alert type="warning" showIcon title={t('alerts.webhooks.secretWarning')} style={{ marginBottom: 16 }} />
        <div className="muted small">{t('alerts.webhooks.secretUsage')}</div>
        <Typography.Paragraph copyable={{ text: created?.secret }} className="token-secret" data-testid="webhook-secret">
          <code>{created?.secret}</code>
        </Typography.Paragraph>
      </Modal>
    </Card>
  );
}

const DKEYS = ['channel', 'status', 'webhookId'] as const;

function DeliveriesCard() {
  const { t } = useTranslation();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(DKEYS, 20);
  const webhooks = useQuery({ queryKey: ['webhooks'], queryFn: alertsApi.webhooks });
  const query = {
    channel: values.channel as DeliveryRow['channel'] | undefined,
    status: values.status as DeliveryRow['status'] | undefined,
    webhookId: values.webhookId,
    limit: pageSize,
    offset,
  };
  const list = useQuery({
    queryKey: ['deliveries', query],
    queryFn: () => alertsApi.deliveries(query),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const pagination = useServerPagination(list.data?.total, page, pageSize, setPage);
  const cols: TableColumnsType<DeliveryRow> = [
    { title: t('alerts.deliveries.createdAt'), dataIndex: 'createdAt', width: 136, render: (v: string) => <span title={formatTimeFull(v)}>{formatTime(v)}</span> },
    {
      title: t('alerts.deliveries.target'),
      key: 'target',
      render: (_, d) => (
        <div className="alert-delivery-target">
          <Tag>{t(`alerts.deliveries.channels.${d.channel}`)}</Tag>
          <span className="mono small alert-webhook-url alert-webhook-url-block" title={d.target}>
            {d.target}
          </span>
        </div>
      ),
    },
    {
      title: t('alerts.deliveries.event'),
      key: 'event',
      width: 110,
      render: (_, d) => (
        <span>
          <span className="mono small">{d.event}</span>
          {d.alertId && (
            <div>
              <Link to={`/alerts/${d.alertId}`}>{t('alerts.deliveries.alert')}</Link>
            </div>
          )}
        </span>
      ),
    },
    {
      title: t('alerts.deliveries.status'),
      dataIndex: 'status',
      width: 96,
      render: (s: DeliveryRow['status']) => (
        <Tag color={DELIVERY_COLORS[s]} data-testid="delivery-status" data-status={s}>
          {t(`alerts.deliveries.statuses.${s}`)}
        </Tag>
      ),
    },
    { title: t('alerts.deliveries.attempts'), dataIndex: 'attempts', width: 84, align: 'right' },
    { title: t('alerts.deliveries.response'), dataIndex: 'responseStatus', width: 100, align: 'right', render: (v: number | null) => (v === null ? <span className="muted">—</span> : <span className="mono">{v}</span>) },
    {
      title: t('alerts.deliveries.lastError'),
      dataIndex: 'lastError',
      ellipsis: { showTitle: false },
      render: (v: string | null) =>
        v ? (
          <Tooltip title={v} placement="topLeft">
            <span className="alert-delivery-error">{v}</span>
          </Tooltip>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      title: t('alerts.deliveries.next'),
      key: 'next',
      width: 140,
      render: (_, d) =>
        d.deliveredAt ? (
          <span className="muted">{t('alerts.deliveries.deliveredAt', { time: formatTime(d.deliveredAt) })}</span>
        ) : d.nextAttemptAt ? (
          formatTime(d.nextAttemptAt)
        ) : (
          <span className="muted">—</span>
        ),
    },
  ];
  return (
    <Card
      title={t('alerts.deliveries.title')}
      className="section-card table-card"
      data-testid="deliveries-card"
      extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void list.refetch()} aria-label={t('common.refresh')} />}
    >
      <div className="toolbar">
        <Select
          allowClear
          value={values.channel}
          placeholder={t('alerts.deliveries.allChannels')}
          onChange={(v) => setFilters({ channel: v })}
          options={(['webhook', 'email'] as const).map((c) => ({ value: c, label: t(`alerts.deliveries.channels.${c}`) }))}
          style={{ width: 140 }}
          data-testid="delivery-filter-channel"
        />
        <Select
          allowClear
          value={values.status}
          placeholder={t('alerts.deliveries.allStatuses')}
          onChange={(v) => setFilters({ status: v })}
          options={DELIVERY_STATUSES.map((s) => ({ value: s, label: t(`alerts.deliveries.statuses.${s}`) }))}
          style={{ width: 140 }}
          data-testid="delivery-filter-status"
        />
        <Select
          allowClear
          value={values.webhookId}
          placeholder={t('alerts.deliveries.allWebhooks')}
          onChange={(v) => setFilters({ webhookId: v })}
          options={(webhooks.data ?? []).map((w) => ({ value: w.id, label: w.name }))}
          style={{ width: 180 }}
        />
      </div>
      {list.isError && !list.data ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<DeliveryRow>
          rowKey="id"
          size="small"
          columns={cols}
          dataSource={list.data?.items}
          loading={list.isPending}
          pagination={pagination}
          tableLayout="fixed"
          scroll={{ x: 940 }}
          locale={{ emptyText: <EmptyState title={t('alerts.deliveries.empty')} /> }}
          data-testid="deliveries-table"
          className="alert-deliveries"
        />
      )}
    </Card>
  );
}

export default function NotificationSettingsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const admin = can('alerts:configure');
  return (
    <div data-testid="page-notification-settings">
      <PageHeader title={t('alerts.prefs.pageTitle')} subtitle={admin ? t('alerts.prefs.pageSubtitleAdmin') : t('alerts.prefs.pageSubtitle')} />
      <PreferencesCard />
      {admin && (
        <>
          <WebhooksCard />
          <DeliveriesCard />
        </>
      )}
    </div>
  );
}
