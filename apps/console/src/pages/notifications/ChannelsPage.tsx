/**
 * Channels and on-call (issue 19): group robots and SMS providers with "send a test message" and the
 * provider's answer, SMS templates, the caller's quiet hours, on-call rotations, and the delivery
 * log filterable by channel. Admin cards need alerts:configure; quiet hours and who is on call are for everyone.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Skeleton, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { DeleteOutlined, EditOutlined, MinusCircleOutlined, PlusOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ALERT_SEVERITIES, DELIVERY_CHANNELS, DELIVERY_STATUSES, LANGUAGES, NOTIFY_CHANNEL_KINDS, ROBOT_CHANNEL_KINDS, SMS_PURPOSES } from '@poscare/contracts';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useServerPagination, useShowError } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { SeverityTag } from '../alerts/shared';
import { channelsApi, type ChannelInput, type ChannelTestResult, type DeliveryRow, type NotifyChannelRow, type OncallRotationRow, type RotationInput, type SmsTemplate } from './api';

const isRobot = (k: string) => (ROBOT_CHANNEL_KINDS as readonly string[]).includes(k);
const TIMES = Array.from({ length: 48 }, (_, i) => `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`);
const ZONES = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'UTC'];
const LOG_KEYS = ['channel', 'status', 'notifyChannelId'] as const;
const STATUS_COLORS: Record<DeliveryRow['status'], string> = { pending: 'default', sent: 'success', retrying: 'warning', failed: 'error' };

function TestResultModal({ result, onClose }: { result: ChannelTestResult | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal open={!!result} title={t('channels.test.title')} onCancel={onClose} onOk={onClose} cancelButtonProps={{ style: { display: 'none' } }} data-testid="test-result">
      {result && (
        <>
          <Alert type={result.ok ? 'success' : 'error'} showIcon message={result.ok ? t('channels.test.ok') : t('channels.test.failed')} style={{ marginBottom: 12 }} />
          <Typography.Text type="secondary">{t('channels.test.answer', { status: result.status ?? '—' })}</Typography.Text>
          <pre className="mono small channel-answer" data-testid="test-answer">
            {result.answer || '—'}
          </pre>
        </>
      )}
    </Modal>
  );
}

function ChannelForm({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const [form] = Form.useForm<ChannelInput & { keywordsText?: string }>();
  const kind = Form.useWatch('kind', form) ?? 'wecom';
  const create = useMutation({
    mutationFn: ({ keywordsText, ...v }: ChannelInput & { keywordsText?: string }) =>
      channelsApi.create({ ...v, keywords: keywordsText ? keywordsText.split(/[,，\s]+/).filter(Boolean) : undefined }),
    onSuccess: () => {
      void message.success(t('channels.created'));
      form.resetFields();
      void qc.invalidateQueries({ queryKey: ['notify-channels'] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal open={open} title={t('channels.add')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={create.isPending} destroyOnHidden>
      <Alert type="info" showIcon message={t('channels.secretOnce')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" initialValues={{ kind: 'wecom', language: 'zh-CN', minSeverity: 'warning', enabled: true }} onFinish={(v) => create.mutate(v)}>
        <Form.Item name="kind" label={t('channels.kind')}>
          <Select options={NOTIFY_CHANNEL_KINDS.map((k) => ({ value: k, label: t(`channels.kinds.${k}`) }))} data-testid="channel-kind" />
        </Form.Item>
        <Form.Item name="name" label={t('channels.name')} rules={[{ required: true, message: t('channels.required') }]}>
          <Input data-testid="channel-name" />
        </Form.Item>
        <Space wrap>
          <Form.Item name="language" label={t('channels.language')}>
            <Select options={LANGUAGES.map((l) => ({ value: l, label: t(`lang.${l}`) }))} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="minSeverity" label={t('channels.minSeverity')}>
            <Select options={ALERT_SEVERITIES.map((s) => ({ value: s, label: <SeverityTag severity={s} /> }))} style={{ width: 140 }} />
          </Form.Item>
        </Space>
        {isRobot(kind) ? (
          <>
            <Form.Item name="url" label={t('channels.url')} extra={t(`channels.urlHint.${kind as 'wecom' | 'dingtalk' | 'feishu'}`)} rules={[{ required: true, message: t('channels.required') }]}>
              <Input.Password visibilityToggle={false} autoComplete="off" data-testid="channel-url" />
            </Form.Item>
            {kind !== 'wecom' && (
              <Form.Item name="secret" label={t('channels.secret')} extra={t('channels.secretHint')}>
                <Input.Password visibilityToggle={false} autoComplete="off" data-testid="channel-secret" />
              </Form.Item>
            )}
            {kind === 'dingtalk' && (
              <Form.Item name="keywordsText" label={t('channels.keywords')} extra={t('channels.keywordsHint')}>
                <Input />
              </Form.Item>
            )}
          </>
        ) : (
          <>
            <Form.Item name="accessKeyId" label={t(`channels.keyId.${kind as 'aliyun_sms' | 'tencent_sms'}`)} rules={[{ required: true, message: t('channels.required') }]}>
              <Input autoComplete="off" />
            </Form.Item>
            <Form.Item name="accessKeySecret" label={t(`channels.keySecret.${kind as 'aliyun_sms' | 'tencent_sms'}`)} rules={[{ required: true, message: t('channels.required') }]}>
              <Input.Password visibilityToggle={false} autoComplete="off" />
            </Form.Item>
            <Form.Item name="signName" label={t('channels.signName')} rules={[{ required: true, message: t('channels.required') }]}>
              <Input />
            </Form.Item>
            {kind === 'tencent_sms' && (
              <Form.Item name="smsSdkAppId" label="SmsSdkAppId" rules={[{ required: true, message: t('channels.required') }]}>
                <Input />
              </Form.Item>
            )}
            <Form.Item name="endpoint" label={t('channels.endpoint')} extra={t('channels.endpointHint')}>
              <Input placeholder={kind === 'aliyun_sms' ? 'https://dysmsapi.aliyuncs.com/' : 'https://sms.tencentcloudapi.com/'} />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}

function TemplatesModal({ channel, onClose }: { channel: NotifyChannelRow | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const q = useQuery({ queryKey: ['notify-channels', channel?.id, 'templates'], queryFn: () => channelsApi.templates(channel!.id), enabled: !!channel });
  const [form] = Form.useForm<{ rows: (Omit<SmsTemplate, 'params'> & { params: string })[] }>();
  const save = useMutation({
    mutationFn: (v: { rows?: (Omit<SmsTemplate, 'params'> & { params: string })[] }) =>
      channelsApi.saveTemplates(channel!.id, (v.rows ?? []).map((r) => ({ ...r, params: (r.params ?? '').split(/[,，\s]+/).filter(Boolean) }))),
    onSuccess: () => {
      void message.success(t('common.saved'));
      onClose();
    },
    onError: (e) => showError(e),
  });
  return (
    <Modal open={!!channel} width={760} title={t('channels.templates.title', { name: channel?.name })} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={save.isPending} destroyOnHidden>
      <Typography.Paragraph type="secondary" className="small">
        {t('channels.templates.hint')}
      </Typography.Paragraph>
      {q.isPending ? (
        <Skeleton active />
      ) : (
        <Form form={form} onFinish={(v) => save.mutate(v)} initialValues={{ rows: (q.data ?? []).map((r) => ({ ...r, params: r.params.join(', ') })) }}>
          <Form.List name="rows">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Space key={f.key} align="baseline" wrap>
                    <Form.Item name={[f.name, 'purpose']} rules={[{ required: true, message: t('channels.required') }]}>
                      <Select style={{ width: 150 }} options={SMS_PURPOSES.map((p) => ({ value: p, label: t(`channels.purposes.${p}`) }))} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'language']} rules={[{ required: true, message: t('channels.required') }]}>
                      <Select style={{ width: 110 }} options={LANGUAGES.map((l) => ({ value: l, label: t(`lang.${l}`) }))} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'templateCode']} rules={[{ required: true, message: t('channels.required') }]}>
                      <Input placeholder={t('channels.templates.code')} style={{ width: 140 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'params']}>
                      <Input placeholder={t('channels.templates.params')} style={{ width: 200 }} />
                    </Form.Item>
                    <MinusCircleOutlined onClick={() => remove(f.name)} aria-label={t('common.delete')} />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ purpose: 'alert', language: 'zh-CN', templateCode: '', params: 'title, link, phone' })}>
                  {t('channels.templates.add')}
                </Button>
              </>
            )}
          </Form.List>
        </Form>
      )}
    </Modal>
  );
}

function ChannelsCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [result, setResult] = useState<ChannelTestResult | null>(null);
  const [smsTest, setSmsTest] = useState<NotifyChannelRow | null>(null);
  const [mobile, setMobile] = useState('');
  const [templatesOf, setTemplatesOf] = useState<NotifyChannelRow | null>(null);
  const list = useQuery({ queryKey: ['notify-channels'], queryFn: channelsApi.list });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['notify-channels'] });
    void qc.invalidateQueries({ queryKey: ['channel-deliveries'] });
  };
  const test = useMutation({
    mutationFn: (v: { c: NotifyChannelRow; mobile?: string }) => channelsApi.test(v.c.id, v.mobile),
    onSuccess: (r) => {
      setSmsTest(null);
      setResult(r);
      refresh();
    },
    onError: (e) => showError(e),
  });
  const patch = useMutation({
    mutationFn: (v: { c: NotifyChannelRow; enabled: boolean }) => channelsApi.update(v.c.id, { enabled: v.enabled }),
    onSuccess: refresh,
    onError: (e) => showError(e),
  });
  const remove = useMutation({
    mutationFn: (c: NotifyChannelRow) => channelsApi.remove(c.id),
    onSuccess: () => {
      void message.success(t('common.deleted'));
      refresh();
    },
    onError: (e) => showError(e),
  });
  const cols: TableColumnsType<NotifyChannelRow> = [
    {
      title: t('channels.name'),
      key: 'name',
      render: (_, c) => (
        <div>
          <strong>{c.name}</strong>
          <div>
            <Tag>{t(`channels.kinds.${c.kind}`)}</Tag>
            <span className="muted small">{t(`lang.${c.language}`)}</span>
          </div>
        </div>
      ),
    },
    { title: t('channels.minSeverity'), dataIndex: 'minSeverity', width: 120, responsive: ['md'], render: (s: NotifyChannelRow['minSeverity']) => <SeverityTag severity={s} /> },
    { title: t('channels.credentials'), dataIndex: 'credentialHint', width: 110, responsive: ['md'], render: (h: string) => <span className="mono">{h}</span> },
    { title: t('channels.enabled'), dataIndex: 'enabled', width: 80, render: (v: boolean, c) => <Switch size="small" checked={v} onChange={(enabled) => patch.mutate({ c, enabled })} /> },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 200,
      render: (_, c) => (
        <Space size={0} wrap>
          <Button
            type="link"
            size="small"
            icon={<SendOutlined />}
            loading={test.isPending && test.variables?.c.id === c.id}
            onClick={() => (isRobot(c.kind) ? test.mutate({ c }) : setSmsTest(c))}
            data-testid="channel-test"
          >
            {t('channels.test.button')}
          </Button>
          {!isRobot(c.kind) && (
            <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setTemplatesOf(c)} data-testid="channel-templates">
              {t('channels.templates.button')}
            </Button>
          )}
          <Popconfirm title={t('channels.deleteConfirm', { name: c.name })} okText={t('common.delete')} cancelText={t('common.cancel')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutateAsync(c).catch(() => undefined)}>
            <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
          </Popconfirm>
        </Space>
      ),
    },
  ];
  return (
    <Card
      title={t('channels.title')}
      className="section-card table-card"
      data-testid="channels-card"
      extra={
        <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="channel-add">
          {t('channels.add')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary" className="small">
        {t('channels.hint')}
      </Typography.Paragraph>
      {list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<NotifyChannelRow> rowKey="id" size="small" columns={cols} dataSource={list.data} loading={list.isPending} pagination={false} scroll={{ x: 'max-content' }} locale={{ emptyText: <EmptyState title={t('channels.empty')} /> }} data-testid="channels-table" />
      )}
      <ChannelForm open={adding} onClose={() => setAdding(false)} />
      <TemplatesModal channel={templatesOf} onClose={() => setTemplatesOf(null)} />
      <TestResultModal result={result} onClose={() => setResult(null)} />
      <Modal open={!!smsTest} title={t('channels.test.smsTitle')} onCancel={() => setSmsTest(null)} onOk={() => smsTest && test.mutate({ c: smsTest, mobile })} okText={t('channels.test.button')} cancelText={t('common.cancel')} confirmLoading={test.isPending}>
        <Input value={mobile} onChange={(e) => setMobile(e.target.value)} placeholder="13800001111" data-testid="sms-test-mobile" />
      </Modal>
    </Card>
  );
}

function QuietHoursCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const [form] = Form.useForm<{ on: boolean; start: string; end: string; timeZone: string }>();
  const q = useQuery({ queryKey: ['quiet-hours'], queryFn: channelsApi.quietHours });
  const on = Form.useWatch('on', form);
  const save = useMutation({
    mutationFn: (v: { on: boolean; start: string; end: string; timeZone: string }) => channelsApi.saveQuietHours({ start: v.on ? v.start : null, end: v.on ? v.end : null, timeZone: v.timeZone }),
    onSuccess: () => void message.success(t('common.saved')),
    onError: (e) => showError(e),
  });
  return (
    <Card title={t('channels.quiet.title')} className="section-card" data-testid="quiet-card">
      <Typography.Paragraph type="secondary" className="small">
        {t('channels.quiet.hint')}
      </Typography.Paragraph>
      {q.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : (
        <Form form={form} layout="inline" onFinish={(v) => save.mutate(v)} initialValues={{ on: !!q.data?.start, start: q.data?.start ?? '22:00', end: q.data?.end ?? '07:00', timeZone: q.data?.timeZone ?? 'Asia/Shanghai' }}>
          <Form.Item name="on" valuePropName="checked" label={t('channels.quiet.on')}>
            <Switch data-testid="quiet-on" />
          </Form.Item>
          <Form.Item name="start" label={t('channels.quiet.from')}>
            <Select disabled={!on} options={TIMES.map((x) => ({ value: x, label: x }))} style={{ width: 96 }} data-testid="quiet-start" />
          </Form.Item>
          <Form.Item name="end" label={t('channels.quiet.to')}>
            <Select disabled={!on} options={TIMES.map((x) => ({ value: x, label: x }))} style={{ width: 96 }} data-testid="quiet-end" />
          </Form.Item>
          <Form.Item name="timeZone" label={t('channels.quiet.zone')}>
            <Select showSearch options={ZONES.map((z) => ({ value: z, label: z }))} style={{ width: 180 }} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="quiet-save">
              {t('common.save')}
            </Button>
          </Form.Item>
        </Form>
      )}
    </Card>
  );
}

function RotationModal({ rotation, open, onClose }: { rotation: OncallRotationRow | null; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const showError = useShowError();
  const qc = useQueryClient();
  const [form] = Form.useForm<RotationInput>();
  const users = useQuery({ queryKey: ['users', 'all'], queryFn: channelsApi.users, enabled: open });
  const save = useMutation({
    mutationFn: (v: RotationInput) => channelsApi.saveRotation(rotation?.id ?? null, v),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['oncall-rotations'] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  const today = new Date().toISOString().slice(0, 10);
  return (
    <Modal open={open} width={640} title={rotation ? t('channels.oncall.edit') : t('channels.oncall.add')} onCancel={onClose} onOk={() => form.submit()} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={save.isPending} destroyOnHidden>
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => save.mutate({ ...v, members: (v.members ?? []).map((m) => ({ userId: m.userId, mobile: m.mobile || null })) })}
        initialValues={rotation ?? { team: '', timeZone: 'Asia/Shanghai', handoverTime: '09:00', shiftDays: 7, startsOn: today, members: [{ userId: undefined, mobile: null }] }}
      >
        <Form.Item name="team" label={t('channels.oncall.team')} rules={[{ required: true, message: t('channels.required') }]}>
          <Input data-testid="rotation-team" />
        </Form.Item>
        <Space wrap>
          <Form.Item name="startsOn" label={t('channels.oncall.startsOn')} rules={[{ required: true, message: t('channels.required') }]}>
            <Input type="date" style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="handoverTime" label={t('channels.oncall.handover')}>
            <Select options={TIMES.map((x) => ({ value: x, label: x }))} style={{ width: 96 }} />
          </Form.Item>
          <Form.Item name="shiftDays" label={t('channels.oncall.shiftDays')}>
            <InputNumber min={1} max={28} style={{ width: 90 }} />
          </Form.Item>
          <Form.Item name="timeZone" label={t('channels.quiet.zone')}>
            <Select showSearch options={ZONES.map((z) => ({ value: z, label: z }))} style={{ width: 170 }} />
          </Form.Item>
        </Space>
        <Typography.Text strong>{t('channels.oncall.members')}</Typography.Text>
        <Form.List name="members">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} align="baseline" wrap>
                  <span className="muted">{i + 1}.</span>
                  <Form.Item name={[f.name, 'userId']} rules={[{ required: true, message: t('channels.required') }]}>
                    <Select
                      showSearch
                      optionFilterProp="label"
                      loading={users.isPending}
                      style={{ width: 220 }}
                      placeholder={t('channels.oncall.person')}
                      options={(users.data?.items ?? []).filter((u) => u.role !== 'merchant').map((u) => ({ value: u.id, label: u.name }))}
                      data-testid="rotation-member"
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'mobile']}>
                    <Input placeholder={t('channels.oncall.mobile')} style={{ width: 160 }} />
                  </Form.Item>
                  {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(f.name)} aria-label={t('common.delete')} />}
                </Space>
              ))}
              <div>
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ mobile: null })}>
                  {t('channels.oncall.addMember')}
                </Button>
              </div>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

function RotationsCard({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const showError = useShowError();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<{ rotation: OncallRotationRow | null } | null>(null);
  const list = useQuery({ queryKey: ['oncall-rotations'], queryFn: channelsApi.rotations });
  const remove = useMutation({ mutationFn: (r: OncallRotationRow) => channelsApi.removeRotation(r.id), onSuccess: () => void qc.invalidateQueries({ queryKey: ['oncall-rotations'] }), onError: (e) => showError(e) });
  const cols: TableColumnsType<OncallRotationRow> = [
    { title: t('channels.oncall.team'), dataIndex: 'team', render: (v: string, r) => <span><strong>{v}</strong><div className="muted small">{t('channels.oncall.every', { days: r.shiftDays, time: r.handoverTime, zone: r.timeZone })}</div></span> },
    {
      title: t('channels.oncall.now'),
      key: 'now',
      render: (_, r) => (r.now ? <span data-testid="oncall-now"><strong>{r.now.name}</strong>{r.now.mobile && <span className="muted mono small"> {r.now.mobile}</span>}<div className="muted small">{t('channels.oncall.until', { time: formatTime(r.now.until) })}</div></span> : <span className="muted">{t('channels.oncall.nobody')}</span>),
    },
    { title: t('channels.oncall.next'), key: 'next', responsive: ['md'], render: (_, r) => (r.next ? <span>{r.next.name}<div className="muted small">{formatTime(r.next.from)}</div></span> : '—') },
    ...(admin
      ? [
          {
            title: t('common.actions'),
            key: 'a',
            width: 110,
            render: (_: unknown, r: OncallRotationRow) => (
              <Space size={0}>
                <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing({ rotation: r })} aria-label={t('channels.oncall.edit')} />
                <Popconfirm title={t('channels.oncall.deleteConfirm', { team: r.team })} okText={t('common.delete')} cancelText={t('common.cancel')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutateAsync(r).catch(() => undefined)}>
                  <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
                </Popconfirm>
              </Space>
            ),
          },
        ]
      : []),
  ];
  return (
    <Card
      title={t('channels.oncall.title')}
      className="section-card table-card"
      data-testid="oncall-card"
      extra={admin && <Button type="primary" size="small" icon={<PlusOutlined />} onClick={() => setEditing({ rotation: null })} data-testid="rotation-add">{t('channels.oncall.add')}</Button>}
    >
      <Typography.Paragraph type="secondary" className="small">
        {t('channels.oncall.hint')}
      </Typography.Paragraph>
      {list.isError ? <QueryError error={list.error} onRetry={() => void list.refetch()} /> : <Table<OncallRotationRow> rowKey="id" size="small" columns={cols} dataSource={list.data} loading={list.isPending} pagination={false} scroll={{ x: 'max-content' }} locale={{ emptyText: <EmptyState title={t('channels.oncall.empty')} /> }} />}
      <RotationModal open={!!editing} rotation={editing?.rotation ?? null} onClose={() => setEditing(null)} />
    </Card>
  );
}

function DeliveryLogCard() {
  const { t } = useTranslation();
  const { values, page, pageSize, offset, setFilters: set, setPage } = useUrlState(LOG_KEYS, 20);
  const channels = useQuery({ queryKey: ['notify-channels'], queryFn: channelsApi.list });
  const query = { channel: values.channel as DeliveryRow['channel'] | undefined, status: values.status as DeliveryRow['status'] | undefined, notifyChannelId: values.notifyChannelId, limit: pageSize, offset };
  const list = useQuery({ queryKey: ['channel-deliveries', query], queryFn: () => channelsApi.deliveries(query), placeholderData: keepPreviousData });
  const pagination = useServerPagination(list.data?.total, page, pageSize, setPage);
  const names = new Map((channels.data ?? []).map((c) => [c.id, c.name]));
  const cols: TableColumnsType<DeliveryRow> = [
    { title: t('channels.log.time'), dataIndex: 'createdAt', width: 130, render: formatTime },
    {
      title: t('channels.log.channel'),
      key: 'channel',
      render: (_, d) => (
        <span>
          <Tag>{t(`channels.log.channels.${d.channel}`)}</Tag>
          <span className="mono small">{(d.notifyChannelId && names.get(d.notifyChannelId)) || d.target}</span>
          {d.alertId && <div><Link to={`/alerts/${d.alertId}`}>{t('channels.log.alert')}</Link></div>}
        </span>
      ),
    },
    { title: t('channels.log.event'), dataIndex: 'event', width: 100, responsive: ['md'], render: (v: string) => <span className="mono small">{v}</span> },
    {
      title: t('channels.log.status'),
      key: 'status',
      width: 110,
      render: (_, d) => (
        <span>
          <Tag color={STATUS_COLORS[d.status]} data-testid="channel-delivery-status">{t(`channels.log.statuses.${d.status}`)}</Tag>
          {d.batchedInto && <div className="muted small">{t('channels.log.inSummary')}</div>}
        </span>
      ),
    },
    { title: t('channels.log.attempts'), dataIndex: 'attempts', width: 70, align: 'right', responsive: ['md'] },
    { title: t('channels.log.error'), dataIndex: 'lastError', ellipsis: { showTitle: false }, responsive: ['md'], render: (v: string | null) => (v ? <Tooltip title={v} placement="topLeft"><span>{v}</span></Tooltip> : <span className="muted">—</span>) },
  ];
  return (
    <Card title={t('channels.log.title')} className="section-card table-card" data-testid="channel-log-card" extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void list.refetch()} aria-label={t('common.refresh')} />}>
      <div className="toolbar">
        <Select allowClear value={values.channel} placeholder={t('channels.log.allChannels')} onChange={(v) => set({ channel: v })} options={DELIVERY_CHANNELS.map((c) => ({ value: c, label: t(`channels.log.channels.${c}`) }))} style={{ width: 150 }} data-testid="log-filter-channel" />
        <Select allowClear value={values.notifyChannelId} placeholder={t('channels.log.allGroups')} onChange={(v) => set({ notifyChannelId: v })} options={(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))} style={{ width: 170 }} />
        <Select allowClear value={values.status} placeholder={t('channels.log.allStatuses')} onChange={(v) => set({ status: v })} options={DELIVERY_STATUSES.map((s) => ({ value: s, label: t(`channels.log.statuses.${s}`) }))} style={{ width: 130 }} />
      </div>
      {list.isError && !list.data ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<DeliveryRow> rowKey="id" size="small" columns={cols} dataSource={list.data?.items} loading={list.isPending} pagination={pagination} tableLayout="fixed" scroll={{ x: 720 }} locale={{ emptyText: <EmptyState title={t('channels.log.empty')} /> }} data-testid="channel-log-table" />
      )}
    </Card>
  );
}

export default function ChannelsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const admin = can('alerts:configure');
  return (
    <div data-testid="page-channels">
      <PageHeader title={t('channels.pageTitle')} subtitle={t('channels.pageSubtitle')} />
      {admin && <ChannelsCard />}
      <QuietHoursCard />
      <RotationsCard admin={admin} />
      {admin && <DeliveryLogCard />}
    </div>
  );
}
