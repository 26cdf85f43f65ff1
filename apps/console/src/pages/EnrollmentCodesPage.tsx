import { useState } from 'react';
import { Alert, App, Badge, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { EnrollmentCode, EnrollmentCodeCreated, EnrollmentCodeInput } from '../api/fleet';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryError } from '../components/Status';
import { formatTime, formatTimeFull } from '../lib/format';
import { useShowError } from '../lib/hooks';

type Status = 'active' | 'usedUp' | 'expired' | 'revoked';
function statusOf(c: EnrollmentCode, now = Date.now()): Status {
  if (c.revokedAt) return 'revoked';
  if (new Date(c.expiresAt).getTime() <= now) return 'expired';
  if (c.uses >= c.maxUses) return 'usedUp';
  return 'active';
}
const STATUS_BADGE: Record<Status, 'success' | 'default' | 'warning' | 'error'> = { active: 'success', usedUp: 'default', expired: 'warning', revoked: 'error' };
const STATUS_KEY = { active: 'enrollment.statusActive', usedUp: 'enrollment.statusUsedUp', expired: 'enrollment.statusExpired', revoked: 'enrollment.statusRevoked' } as const;

interface FormValues {
  label?: string;
  maxUses: number;
  expiresInHours: number;
}

export default function EnrollmentCodesPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const [form] = Form.useForm<FormValues>();
  const [createOpen, setCreateOpen] = useState(false);
  const [created, setCreated] = useState<EnrollmentCodeCreated | null>(null);

  const list = useQuery({ queryKey: ['enrollment-codes'], queryFn: () => api<EnrollmentCode[]>('/enrollment-codes') });

  const create = useMutation({
    mutationFn: (v: FormValues) => {
      const body: EnrollmentCodeInput = { maxUses: v.maxUses, expiresInHours: v.expiresInHours, label: v.label?.trim() || undefined };
      return api<EnrollmentCodeCreated>('/enrollment-codes', { method: 'POST', body });
    },
    onSuccess: (c) => {
      setCreateOpen(false);
      setCreated(c);
      void qc.invalidateQueries({ queryKey: ['enrollment-codes'] });
    },
    onError: (e) => showError(e, form),
  });

  const revoke = useMutation({
    mutationFn: (c: EnrollmentCode) => api(`/enrollment-codes/${c.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void message.success(t('enrollment.revoked'));
      void qc.invalidateQueries({ queryKey: ['enrollment-codes'] });
    },
    onError: (e) => showError(e),
  });

  const sorted = [...(list.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  const columns: TableColumnsType<EnrollmentCode> = [
    {
      title: t('enrollment.label'),
      dataIndex: 'label',
      render: (l: string | null) => (l ? <strong>{l}</strong> : <span className="muted">{t('enrollment.noLabel')}</span>),
    },
    {
      title: t('enrollment.uses'),
      key: 'uses',
      align: 'right',
      render: (_, c) => (
        <span className="nowrap" data-testid="enrollment-uses">
          {c.uses} / {c.maxUses}
        </span>
      ),
    },
    {
      title: t('enrollment.status'),
      key: 'status',
      render: (_, c) => {
        const s = statusOf(c);
        return <Badge status={STATUS_BADGE[s]} text={<span data-testid="enrollment-status" data-status={s}>{t(STATUS_KEY[s])}</span>} />;
      },
    },
    { title: t('enrollment.expiresAt'), dataIndex: 'expiresAt', render: (v: string) => <span className="nowrap" title={formatTimeFull(v)}>{formatTime(v)}</span> },
    { title: t('common.createdAt'), dataIndex: 'createdAt', responsive: ['md'], render: (v: string) => <span className="nowrap">{formatTime(v)}</span> },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, c) =>
        statusOf(c) === 'active' && (
          <Popconfirm
            title={t('enrollment.revokeConfirm', { label: c.label ?? t('enrollment.noLabel') })}
            okText={t('enrollment.revoke')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true, 'data-testid': 'enrollment-revoke-confirm' }}
            onConfirm={() => revoke.mutateAsync(c).catch(() => undefined)}
          >
            <Button type="link" size="small" danger icon={<DeleteOutlined />} data-testid="enrollment-revoke">
              {t('enrollment.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <div data-testid="page-enrollment">
      <PageHeader
        title={t('enrollment.title')}
        subtitle={t('enrollment.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreateOpen(true)} data-testid="enrollment-create">
            {t('enrollment.create')}
          </Button>
        }
      />
      <Card className="table-card">
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<EnrollmentCode>
            rowKey="id"
            columns={columns}
            dataSource={sorted}
            loading={list.isPending}
            pagination={sorted.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
            scroll={{ x: 'max-content' }}
            rowClassName={(c) => (statusOf(c) === 'active' ? '' : 'row-disabled')}
            data-testid="enrollment-table"
            locale={{ emptyText: <EmptyState title={t('enrollment.empty')} hint={t('enrollment.emptyHint')} /> }}
          />
        )}
      </Card>

      <Modal
        open={createOpen}
        title={t('enrollment.create')}
        onCancel={() => setCreateOpen(false)}
        onOk={() => form.submit()}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        okButtonProps={{ 'data-testid': 'enrollment-submit' }}
        confirmLoading={create.isPending}
        destroyOnHidden
      >
        <Form<FormValues> form={form} layout="vertical" initialValues={{ maxUses: 1, expiresInHours: 72 }} onFinish={(v) => create.mutate(v)}>
          <Form.Item name="label" label={t('enrollment.label')}>
            <Input maxLength={100} placeholder={t('enrollment.labelPlaceholder')} data-testid="enrollment-label" />
          </Form.Item>
          <div className="form-pair">
            <Form.Item name="maxUses" label={t('enrollment.maxUses')} rules={[{ required: true, message: t('common.required') }]}>
              <InputNumber min={1} max={100000} precision={0} style={{ width: '100%' }} data-testid="enrollment-max-uses" />
            </Form.Item>
            <Form.Item name="expiresInHours" label={t('enrollment.expiresInHours')} rules={[{ required: true, message: t('common.required') }]}>
              <InputNumber min={1} max={24 * 90} precision={0} style={{ width: '100%' }} data-testid="enrollment-hours" />
            </Form.Item>
          </div>
        </Form>
      </Modal>

      <Modal
        open={created !== null}
        title={t('enrollment.createdTitle')}
        onCancel={() => setCreated(null)}
        footer={
          <Button type="primary" onClick={() => setCreated(null)} data-testid="enrollment-done">
            {t('enrollment.done')}
          </Button>
        }
        mask={{ closable: false }}
      >
        <Alert type="warning" showIcon title={t('enrollment.createdWarning')} style={{ marginBottom: 16 }} />
        <Typography.Paragraph copyable={{ text: created?.code }} className="token-secret enrollment-code-once" data-testid="enrollment-code">
          <code>{created?.code}</code>
        </Typography.Paragraph>
        {created && (
          <div className="muted">
            {created.label ? `${created.label} · ` : ''}
            {t('enrollment.uses')}: 0 / {created.maxUses} · {t('enrollment.expiresAt')}: {formatTime(created.expiresAt)}
          </div>
        )}
      </Modal>
    </div>
  );
}
