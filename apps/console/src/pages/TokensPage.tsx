import { useState } from 'react';
import { Alert, App, Badge, Button, Card, Form, Input, Modal, Popconfirm, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type { ApiToken, ApiTokenCreated } from '../api/types';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryError } from '../components/Status';
import { formatTime } from '../lib/format';
import { useShowError } from '../lib/hooks';

export default function TokensPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const [form] = Form.useForm<{ name: string }>();
  const [createOpen, setCreateOpen] = useState(false);
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);

  const list = useQuery({
    queryKey: ['tokens'],
    queryFn: async () => {
      const r = await api<ApiToken[] | { items: ApiToken[] }>('/me/tokens');
      return Array.isArray(r) ? r : r.items;
    },
  });

  const create = useMutation({
    mutationFn: (v: { name: string }) => api<ApiTokenCreated>('/me/tokens', { method: 'POST', body: v }),
    onSuccess: (tok) => {
      setCreateOpen(false);
      setCreated(tok);
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
    onError: (e) => showError(e, form),
  });

  const revoke = useMutation({
    mutationFn: (tok: ApiToken) => api(`/me/tokens/${tok.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void message.success(t('tokens.revoked'));
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
    onError: (e) => showError(e),
  });

  const columns: TableColumnsType<ApiToken> = [
    { title: t('tokens.name'), dataIndex: 'name', render: (n: string) => <strong>{n}</strong> },
    { title: t('tokens.prefix'), dataIndex: 'prefix', render: (p: string) => <span className="mono">{p}…</span> },
    { title: t('common.createdAt'), dataIndex: 'createdAt', render: formatTime, responsive: ['md'] },
    {
      title: t('tokens.lastUsed'),
      dataIndex: 'lastUsedAt',
      render: (v: string | null) => (v ? formatTime(v) : <span className="muted">{t('tokens.neverUsed')}</span>),
    },
    {
      title: t('tokens.status'),
      key: 'status',
      render: (_, tok) =>
        tok.revokedAt ? (
          <Badge status="default" text={t('tokens.statusRevoked')} />
        ) : (
          <Badge status="success" text={t('tokens.statusActive')} />
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, tok) =>
        !tok.revokedAt && (
          <Popconfirm
            title={t('tokens.revokeConfirm', { name: tok.name })}
            okText={t('tokens.revoke')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => revoke.mutateAsync(tok).catch(() => undefined)}
          >
            <Button type="link" size="small" danger icon={<DeleteOutlined />} data-testid="token-revoke">
              {t('tokens.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <div data-testid="page-tokens">
      <PageHeader
        title={t('tokens.title')}
        subtitle={t('tokens.subtitle')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              setCreateOpen(true);
            }}
            data-testid="token-create"
          >
            {t('tokens.create')}
          </Button>
        }
      />
      <Card className="table-card">
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<ApiToken>
            rowKey="id"
            columns={columns}
            dataSource={list.data}
            loading={list.isPending}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: <EmptyState title={t('tokens.empty')} hint={t('tokens.emptyHint')} /> }}
          />
        )}
        <Typography.Paragraph type="secondary" className="tokens-usage">
          {t('tokens.usage')} <Typography.Text code>Authorization: Bearer &lt;token&gt;</Typography.Text> ·{' '}
          <a href="/api/docs" target="_blank" rel="noreferrer">
            {t('nav.apiDocs')}
          </a>
        </Typography.Paragraph>
      </Card>

      <Modal
        open={createOpen}
        title={t('tokens.create')}
        onCancel={() => setCreateOpen(false)}
        onOk={() => form.submit()}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        confirmLoading={create.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
          <Form.Item name="name" label={t('tokens.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input maxLength={100} placeholder={t('tokens.namePlaceholder')} data-testid="token-name" />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={created !== null}
        title={t('tokens.createdTitle')}
        onCancel={() => setCreated(null)}
        footer={
          <Button type="primary" onClick={() => setCreated(null)} data-testid="token-done">
            {t('tokens.done')}
          </Button>
        }
        mask={{ closable: false }}
      >
        <Alert type="warning" showIcon title={t('tokens.createdWarning')} style={{ marginBottom: 16 }} />
        <Typography.Paragraph copyable={{ text: created?.token }} className="token-secret" data-testid="token-secret">
          <code>{created?.token}</code>
        </Typography.Paragraph>
      </Modal>
    </div>
  );
}
