import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Select, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ORG_KINDS } from '@poscare/contracts';
import { api, type PageOf } from '../api/client';
import type { Organization, OrganizationInput } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { SupportContactCard } from '../components/SupportContactCard';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryError } from '../components/Status';
import { formatTime } from '../lib/format';
import { useShowError } from '../lib/hooks';

export default function OrganizationsPage() {
  const { t } = useTranslation();
  const { me, can } = useAuth();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const [form] = Form.useForm<OrganizationInput>();
  const [editing, setEditing] = useState<Organization | 'new' | null>(null);
  const [initial, setInitial] = useState<Partial<OrganizationInput>>({});

  const list = useQuery({
    queryKey: ['organizations'],
    queryFn: () => api<PageOf<Organization>>('/organizations', { query: { limit: 500 } }),
  });

  const canCreate = !!me?.platformAdmin;
  const canEdit = can('org:manage');

  const save = useMutation({
    mutationFn: (v: OrganizationInput) =>
      editing && editing !== 'new'
        ? api<Organization>(`/organizations/${editing.id}`, { method: 'PATCH', body: v })
        : api<Organization>('/organizations', { method: 'POST', body: v }),
    onSuccess: () => {
      void message.success(editing === 'new' ? t('common.created') : t('common.saved'));
      setEditing(null);
      void qc.invalidateQueries({ queryKey: ['organizations'] });
      void qc.invalidateQueries({ queryKey: ['me'] });
    },
    onError: (e) => showError(e, form),
  });

  const open = (o: Organization | 'new') => {
    setEditing(o);
    setInitial(o === 'new' ? { kind: 'service_provider' } : { name: o.name, kind: o.kind });
  };

  const columns: TableColumnsType<Organization> = [
    {
      title: t('org.name'),
      dataIndex: 'name',
      render: (name: string, o) => (
        <span>
          <strong>{name}</strong>
          {o.id === me?.orgId && (
            <Tag color="blue" style={{ marginInlineStart: 8 }}>
              {t('org.current')}
            </Tag>
          )}
        </span>
      ),
    },
    { title: t('org.kind'), dataIndex: 'kind', render: (k: Organization['kind']) => <Tag>{t(`orgKinds.${k}`)}</Tag> },
    { title: t('common.createdAt'), dataIndex: 'createdAt', render: formatTime, responsive: ['md'] },
  ];
  if (canEdit) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 100,
      render: (_, o) => (
        <Button type="link" size="small" icon={<EditOutlined />} onClick={() => open(o)} data-testid="org-edit">
          {t('common.edit')}
        </Button>
      ),
    });
  }

  return (
    <div data-testid="page-organizations">
      <PageHeader
        title={t('org.title')}
        subtitle={t('org.subtitle')}
        extra={
          canCreate && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="org-create">
              {t('org.create')}
            </Button>
          )
        }
      />
      <Card className="table-card">
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<Organization>
            rowKey="id"
            columns={columns}
            dataSource={list.data?.items}
            loading={list.isPending}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: <EmptyState title={t('org.empty')} /> }}
          />
        )}
      </Card>
      {can('users:manage') && <div style={{ marginTop: 16 }}><SupportContactCard /></div>}
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('org.create') : t('org.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        confirmLoading={save.isPending}
        destroyOnHidden
      >
        <Form<OrganizationInput>
          key={editing === 'new' ? 'new' : (editing?.id ?? 'none')}
          form={form}
          initialValues={initial} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item name="name" label={t('org.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input maxLength={200} data-testid="org-name" />
          </Form.Item>
          <Form.Item name="kind" label={t('org.kind')} rules={[{ required: true, message: t('common.required') }]}>
            <Select options={ORG_KINDS.map((k) => ({ value: k, label: t(`orgKinds.${k}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
