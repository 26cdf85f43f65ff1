import { useState } from 'react';
import { App, Button, Card, Drawer, Form, Input, Popconfirm, Select, Space, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { DeleteOutlined, EditOutlined, EnvironmentOutlined, PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, MERCHANT_TIERS } from '@poscare/contracts';
import { api, type PageOf } from '../api/client';
import type { Merchant, MerchantInput, MerchantTier } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { PageHeader } from '../components/PageHeader';
import { SearchBox } from '../components/SearchBox';
import { EmptyState, QueryError } from '../components/Status';
import { formatTime, orDash } from '../lib/format';
import { blankToNull, useShowError, useServerPagination } from '../lib/hooks';
import { useUrlState } from '../lib/useUrlState';

const TIER_COLORS: Record<MerchantTier, string> = { standard: 'default', gold: 'gold', platinum: 'purple' };
const KEYS = ['q'] as const;

export default function MerchantsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS);
  const [form] = Form.useForm<MerchantInput>();
  const [editing, setEditing] = useState<Merchant | 'new' | null>(null);
  const [initial, setInitial] = useState<Partial<MerchantInput>>({});
  const canWrite = can('inventory:write');

  const list = useQuery({
    queryKey: ['merchants', 'list', values.q ?? '', page, pageSize],
    queryFn: () => api<PageOf<Merchant>>('/merchants', { query: { q: values.q, limit: pageSize, offset } }),
    placeholderData: keepPreviousData,
  });

  const save = useMutation({
    mutationFn: (v: MerchantInput) =>
      editing && editing !== 'new'
        ? api<Merchant>(`/merchants/${editing.id}`, { method: 'PATCH', body: blankToNull(v, ['contactName', 'contactPhone']) })
        : api<Merchant>('/merchants', { method: 'POST', body: blankToNull(v, ['contactName', 'contactPhone']) }),
    onSuccess: () => {
      void message.success(editing === 'new' ? t('common.created') : t('common.saved'));
      setEditing(null);
      void qc.invalidateQueries({ queryKey: ['merchants'] });
    },
    onError: (e) => showError(e, form),
  });

  const remove = useMutation({
    mutationFn: (m: Merchant) => api(`/merchants/${m.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void message.success(t('common.deleted'));
      void qc.invalidateQueries({ queryKey: ['merchants'] });
    },
    onError: (e) => showError(e),
  });

  const open = (m: Merchant | 'new') => {
    setEditing(m);
    setInitial(
      m === 'new'
        ? { tier: 'standard', language: 'zh-CN' }
        : { mid: m.mid, name: m.name, tier: m.tier, contactName: m.contactName, contactPhone: m.contactPhone, language: m.language },
    );
  };

  const columns: TableColumnsType<Merchant> = [
    { title: t('merchant.mid'), dataIndex: 'mid', render: (v: string) => <span className="mono">{v}</span> },
    { title: t('merchant.name'), dataIndex: 'name', render: (v: string) => <strong>{v}</strong> },
    {
      title: t('merchant.tier'),
      dataIndex: 'tier',
      render: (v: MerchantTier) => <Tag color={TIER_COLORS[v]}>{t(`tiers.${v}`)}</Tag>,
    },
    {
      title: t('merchant.contact'),
      key: 'contact',
      responsive: ['md'],
      render: (_, m) => (
        <span>
          {orDash(m.contactName)}
          {m.contactPhone && <div className="muted">{m.contactPhone}</div>}
        </span>
      ),
    },
    { title: t('merchant.language'), dataIndex: 'language', responsive: ['lg'], render: (v: Merchant['language']) => t(`lang.${v}`) },
    { title: t('common.createdAt'), dataIndex: 'createdAt', responsive: ['xl'], render: formatTime },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_, m) => (
        <Space size={0} onClick={(e) => e.stopPropagation()}>
          <Button type="link" size="small" icon={<EnvironmentOutlined />} onClick={() => navigate(`/sites?merchantId=${m.id}`)}>
            {t('merchant.viewSites')}
          </Button>
          {canWrite && (
            <Button type="link" size="small" icon={<EditOutlined />} onClick={() => open(m)} data-testid="merchant-edit">
              {t('common.edit')}
            </Button>
          )}
          {canWrite && (
            <Popconfirm
              title={t('merchant.deleteConfirm', { name: m.name })}
              okText={t('common.delete')}
              cancelText={t('common.cancel')}
              okButtonProps={{ danger: true }}
              onConfirm={() => remove.mutateAsync(m).catch(() => undefined)}
            >
              <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  const pagination = useServerPagination(list.data?.total, page, pageSize, setPage);

  return (
    <div data-testid="page-merchants">
      <PageHeader
        title={t('merchant.title')}
        subtitle={t('merchant.subtitle')}
        extra={
          canWrite && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="merchant-create">
              {t('merchant.create')}
            </Button>
          )
        }
      />
      <Card className="table-card">
        <div className="toolbar">
          <SearchBox
            value={values.q}
            onChange={(q) => setFilters({ q })}
            placeholder={t('merchant.searchPlaceholder')}
            testId="merchant-search"
          />
        </div>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<Merchant>
            rowKey="id"
            columns={columns}
            dataSource={list.data?.items}
            loading={list.isFetching}
            scroll={{ x: 'max-content' }}
            onRow={(m) => ({ onClick: () => navigate(`/sites?merchantId=${m.id}`), className: 'clickable-row' })}
            pagination={pagination}
            locale={{
              emptyText: (
                <EmptyState
                  title={values.q ? t('common.noMatches') : t('merchant.emptyTitle')}
                  hint={values.q ? undefined : t('merchant.emptyHint')}
                />
              ),
            }}
          />
        )}
      </Card>
      <Drawer
        open={editing !== null}
        title={editing === 'new' ? t('merchant.create') : t('merchant.edit')}
        onClose={() => setEditing(null)}
        size={480}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={() => setEditing(null)}>{t('common.cancel')}</Button>
            <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="merchant-save">
              {t('common.save')}
            </Button>
          </Space>
        }
      >
        <Form<MerchantInput>
          key={editing === 'new' ? 'new' : (editing?.id ?? 'none')}
          form={form}
          initialValues={initial} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item
            name="mid"
            label={t('merchant.mid')}
            tooltip={t('merchant.midHint')}
            rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 32 }]}
          >
            <Input maxLength={32} className="mono" data-testid="merchant-mid" />
          </Form.Item>
          <Form.Item name="name" label={t('merchant.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input maxLength={200} data-testid="merchant-name" />
          </Form.Item>
          <Form.Item name="tier" label={t('merchant.tier')}>
            <Select options={MERCHANT_TIERS.map((v) => ({ value: v, label: t(`tiers.${v}`) }))} />
          </Form.Item>
          <Form.Item name="contactName" label={t('merchant.contactName')}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="contactPhone" label={t('merchant.contactPhone')}>
            <Input maxLength={40} inputMode="tel" />
          </Form.Item>
          <Form.Item name="language" label={t('merchant.language')} tooltip={t('merchant.languageHint')}>
            <Select options={LANGUAGES.map((v) => ({ value: v, label: t(`lang.${v}`) }))} />
          </Form.Item>
        </Form>
      </Drawer>
    </div>
  );
}
