import { useState } from 'react';
import { App, Badge, Button, Card, Drawer, Form, Input, Popconfirm, Select, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined, StopOutlined, CheckCircleOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, ROLES } from '@poscare/contracts';
import { api, type PageOf } from '../api/client';
import type { Role, User, UserInput, UserPatch } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { MerchantSelect, useMerchantNames } from '../components/EntitySelects';
import { PageHeader } from '../components/PageHeader';
import { PasswordStrength } from '../components/PasswordStrength';
import { SearchBox } from '../components/SearchBox';
import { EmptyState, QueryError } from '../components/Status';
import { EMPTY, formatTime } from '../lib/format';
import { useShowError, useServerPagination } from '../lib/hooks';
import { useUrlState } from '../lib/useUrlState';

const ROLE_COLORS: Record<Role, string> = {
  admin: 'red',
  agent: 'blue',
  engineer: 'cyan',
  risk_analyst: 'purple',
  merchant: 'gold',
};
const KEYS = ['q'] as const;

type UserForm = UserInput & { password?: string };

export default function UsersPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS);
  const [form] = Form.useForm<UserForm>();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [initial, setInitial] = useState<Partial<UserForm>>({});
  const role = Form.useWatch('role', form);
  const newPassword = Form.useWatch('password', form);
  const formEmail = Form.useWatch('email', form);
  const formName = Form.useWatch('name', form);
  const merchants = useMerchantNames();

  const list = useQuery({
    queryKey: ['users', 'list', values.q ?? '', page, pageSize],
    queryFn: () => api<PageOf<User>>('/users', { query: { q: values.q, limit: pageSize, offset } }),
    placeholderData: keepPreviousData,
  });

  const save = useMutation({
    mutationFn: (v: UserForm) => {
      const merchantId = v.role === 'merchant' ? v.merchantId : null;
      if (editing && editing !== 'new') {
        const patch: UserPatch = { name: v.name, role: v.role, merchantId, language: v.language };
        if (v.password) patch.password = v.password;
        return api<User>(`/users/${editing.id}`, { method: 'PATCH', body: patch });
      }
      return api<User>('/users', { method: 'POST', body: { ...v, merchantId } });
    },
    onSuccess: () => {
      void message.success(editing === 'new' ? t('common.created') : t('common.saved'));
      setEditing(null);
      void qc.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (e) => showError(e, form),
  });

  const patch = useMutation({
    mutationFn: ({ u, body }: { u: User; body: UserPatch }) => api<User>(`/users/${u.id}`, { method: 'PATCH', body }),
    onSuccess: (u, { body }) => {
      if (body.disabled !== undefined) void message.success(body.disabled ? t('user.disabledDone', { name: u.name }) : t('user.enabledDone', { name: u.name }));
      else void message.success(t('common.saved'));
      void qc.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (e) => showError(e),
  });

  const resetMfa = useMutation({
    mutationFn: (u: User) => api(`/users/${u.id}/mfa`, { method: 'DELETE' }),
    onSuccess: (_, u) => {
      void message.success(t('security.reset.done', { name: u.name }));
      void qc.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (e) => showError(e),
  });

  const open = (u: User | 'new', override: Partial<UserForm> = {}) => {
    setEditing(u);
    setInitial({
      ...(u === 'new'
        ? { role: 'agent', language: 'zh-CN' }
        : { name: u.name, email: u.email, role: u.role, merchantId: u.merchantId, language: u.language }),
      ...override,
    });
  };

  const columns: TableColumnsType<User> = [
    {
      title: t('user.name'),
      dataIndex: 'name',
      render: (n: string, u) => (
        <span>
          <strong>{n}</strong>
          {u.id === me?.id && (
            <Tag color="blue" style={{ marginInlineStart: 8 }}>
              {t('user.you')}
            </Tag>
          )}
          {u.platformAdmin && (
            <Tag color="gold" style={{ marginInlineStart: 4 }}>
              {t('user.platformAdmin')}
            </Tag>
          )}
          <div className="muted">{u.email}</div>
        </span>
      ),
    },
    {
      title: t('user.role'),
      dataIndex: 'role',
      render: (r: Role, u) =>
        u.id === me?.id ? (
          <Tag color={ROLE_COLORS[r]}>{t(`roles.${r}`)}</Tag>
        ) : (
          <Select<Role>
            size="small"
            value={r}
            variant="borderless"
            popupMatchSelectWidth={false}
            onChange={(role) => {
              if (role === 'merchant' && !u.merchantId) {
                open(u, { role });
                return;
              }
              patch.mutate({ u, body: { role } });
            }}
            options={ROLES.map((x) => ({ value: x, label: <Tag color={ROLE_COLORS[x]}>{t(`roles.${x}`)}</Tag> }))}
            data-testid="user-role-select"
          />
        ),
    },
    {
      title: t('user.merchant'),
      dataIndex: 'merchantId',
      responsive: ['md'],
      render: (id: string | null) => (id ? (merchants.get(id)?.name ?? '…') : EMPTY),
    },
    { title: t('user.language'), dataIndex: 'language', responsive: ['lg'], render: (l: User['language']) => t(`lang.${l}`) },
    {
      title: t('user.status'),
      dataIndex: 'disabled',
      render: (d: boolean) => <Badge status={d ? 'default' : 'success'} text={d ? t('user.statusDisabled') : t('user.statusActive')} />,
    },
    {
      title: t('security.column'),
      dataIndex: 'mfaEnabled',
      responsive: ['md'],
      render: (on: boolean) => (on ? <Tag color="green">{t('security.on')}</Tag> : <Tag>{t('security.off')}</Tag>),
    },
    { title: t('user.lastLogin'), dataIndex: 'lastLoginAt', responsive: ['lg'], render: (v: string | null) => (v ? formatTime(v) : t('user.never')) },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, u) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => open(u)}>
            {t('common.edit')}
          </Button>
          {u.id !== me?.id &&
            (u.disabled ? (
              <Button
                type="link"
                size="small"
                icon={<CheckCircleOutlined />}
                onClick={() => patch.mutate({ u, body: { disabled: false } })}
                data-testid="user-enable"
              >
                {t('user.enable')}
              </Button>
            ) : (
              <Popconfirm
                title={t('user.disableConfirm', { name: u.name })}
                okText={t('user.disable')}
                cancelText={t('common.cancel')}
                okButtonProps={{ danger: true }}
                onConfirm={() => patch.mutateAsync({ u, body: { disabled: true } }).catch(() => undefined)}
              >
                <Button type="link" size="small" danger icon={<StopOutlined />} data-testid="user-disable">
                  {t('user.disable')}
                </Button>
              </Popconfirm>
            ))}
          {u.mfaEnabled && (
            <Popconfirm
              title={t('security.reset.confirm', { name: u.name })}
              okText={t('security.reset.action')}
              cancelText={t('common.cancel')}
              okButtonProps={{ danger: true }}
              onConfirm={() => resetMfa.mutateAsync(u).catch(() => undefined)}
            >
              <Button type="link" size="small" icon={<SafetyCertificateOutlined />} data-testid="user-reset-mfa">
                {t('security.reset.action')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  const isNew = editing === 'new';

  const pagination = useServerPagination(list.data?.total, page, pageSize, setPage);

  return (
    <div data-testid="page-users">
      <PageHeader
        title={t('user.title')}
        subtitle={t('user.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="user-create">
            {t('user.create')}
          </Button>
        }
      />
      <Card className="table-card">
        <div className="toolbar">
          <SearchBox value={values.q} onChange={(q) => setFilters({ q })} placeholder={t('user.searchPlaceholder')} testId="user-search" />
        </div>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<User>
            rowKey="id"
            columns={columns}
            dataSource={list.data?.items}
            loading={list.isFetching}
            scroll={{ x: 'max-content' }}
            rowClassName={(u) => (u.disabled ? 'row-disabled' : '')}
            pagination={pagination}
            locale={{ emptyText: <EmptyState title={values.q ? t('common.noMatches') : t('user.empty')} /> }}
          />
        )}
      </Card>
      <Drawer
        open={editing !== null}
        title={isNew ? t('user.create') : t('user.edit')}
        onClose={() => setEditing(null)}
        size={480}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={() => setEditing(null)}>{t('common.cancel')}</Button>
            <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="user-save">
              {t('common.save')}
            </Button>
          </Space>
        }
      >
        <Form<UserForm>
          key={editing === 'new' ? 'new' : (editing?.id ?? 'none')}
          form={form}
          initialValues={initial} layout="vertical" onFinish={(v) => save.mutate(v)} autoComplete="off">
          <Form.Item name="name" label={t('user.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input maxLength={100} data-testid="user-name" />
          </Form.Item>
          <Form.Item
            name="email"
            label={t('user.email')}
            rules={[
              { required: true, message: t('common.required') },
              { type: 'email', message: t('user.emailInvalid') },
            ]}
          >
            <Input type="email" disabled={!isNew} autoComplete="off" data-testid="user-email" />
          </Form.Item>
          <Form.Item name="role" label={t('user.role')} rules={[{ required: true, message: t('common.required') }]}>
            <Select<Role>
              options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
              disabled={!isNew && editing?.id === me?.id}
              data-testid="user-role"
            />
          </Form.Item>
          {role === 'merchant' && (
            <Form.Item
              name="merchantId"
              label={t('user.merchant')}
              extra={t('user.merchantHint')}
              rules={[{ required: true, message: t('user.merchantRequired') }]}
            >
              <MerchantSelect allowClear={false} />
            </Form.Item>
          )}
          <Form.Item name="language" label={t('user.language')}>
            <Select options={LANGUAGES.map((l) => ({ value: l, label: t(`lang.${l}`) }))} />
          </Form.Item>
          <Form.Item
            name="password"
            label={isNew ? t('user.password') : t('user.newPassword')}
            extra={
              <>
                <div>{isNew ? t('user.passwordHint') : t('user.newPasswordHint')}</div>
                <PasswordStrength password={newPassword} email={editing && editing !== 'new' ? editing.email : formEmail} name={formName} />
              </>
            }
            rules={[
              ...(isNew ? [{ required: true, message: t('common.required') }] : []),
              { min: 10, message: t('user.passwordHint') },
              { max: 200 },
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="user-password" />
          </Form.Item>
        </Form>
      </Drawer>
    </div>
  );
}
