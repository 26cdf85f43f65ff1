import { useState } from 'react';
import { App, Button, Card, Drawer, Form, Input, Popconfirm, Space, Table } from 'antd';
import type { TableColumnsType } from 'antd';
import { DeleteOutlined, DesktopOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api, type PageOf } from '../api/client';
import type { Merchant, Site, SiteInput } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { MerchantSelect, useMerchantNames } from '../components/EntitySelects';
import { PageHeader } from '../components/PageHeader';
import { SearchBox } from '../components/SearchBox';
import { EmptyState, QueryError } from '../components/Status';
import { formatTime, orDash } from '../lib/format';
import { blankToNull, useShowError, useServerPagination } from '../lib/hooks';
import { useUrlState } from '../lib/useUrlState';

const KEYS = ['q', 'merchantId'] as const;

export default function SitesPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS);
  const [form] = Form.useForm<SiteInput>();
  const [editing, setEditing] = useState<Site | 'new' | null>(null);
  const [initial, setInitial] = useState<Partial<SiteInput>>({});
  const canWrite = can('inventory:write');
  const merchants = useMerchantNames();

  const merchant = useQuery({
    queryKey: ['merchants', 'one', values.merchantId],
    queryFn: () => api<Merchant>(`/merchants/${values.merchantId}`),
    enabled: !!values.merchantId,
  });

  const list = useQuery({
    queryKey: ['sites', 'list', values.merchantId ?? '', values.q ?? '', page, pageSize],
    queryFn: () =>
      api<PageOf<Site>>('/sites', { query: { merchantId: values.merchantId, q: values.q, limit: pageSize, offset } }),
    placeholderData: keepPreviousData,
  });

  const save = useMutation({
    mutationFn: (v: SiteInput) => {
      const body = blankToNull(v, ['address', 'region']);
      if (editing && editing !== 'new') {
        const { merchantId: _ignored, ...patch } = body;
        return api<Site>(`/sites/${editing.id}`, { method: 'PATCH', body: patch });
      }
      return api<Site>('/sites', { method: 'POST', body });
    },
    onSuccess: () => {
      void message.success(editing === 'new' ? t('common.created') : t('common.saved'));
      setEditing(null);
      void qc.invalidateQueries({ queryKey: ['sites'] });
    },
    onError: (e) => showError(e, form),
  });

  const remove = useMutation({
    mutationFn: (s: Site) => api(`/sites/${s.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void message.success(t('common.deleted'));
      void qc.invalidateQueries({ queryKey: ['sites'] });
    },
    onError: (e) => showError(e),
  });

  const open = (s: Site | 'new') => {
    setEditing(s);
    setInitial(
      s === 'new'
        ? { merchantId: values.merchantId }
        : { merchantId: s.merchantId, code: s.code, name: s.name, address: s.address, region: s.region },
    );
  };

  const terminalsOf = (s: Site) => navigate(`/terminals?merchantId=${s.merchantId}&siteId=${s.id}`);

  const columns: TableColumnsType<Site> = [
    { title: t('site.code'), dataIndex: 'code', render: (v: string) => <span className="mono">{v}</span> },
    { title: t('site.name'), dataIndex: 'name', render: (v: string) => <strong>{v}</strong> },
    {
      title: t('site.merchant'),
      dataIndex: 'merchantId',
      render: (id: string) => merchants.get(id)?.name ?? (id === merchant.data?.id ? merchant.data.name : '…'),
    },
    { title: t('site.region'), dataIndex: 'region', responsive: ['md'], render: orDash },
    { title: t('site.address'), dataIndex: 'address', responsive: ['lg'], render: orDash, ellipsis: true },
    { title: t('common.createdAt'), dataIndex: 'createdAt', responsive: ['xl'], render: formatTime },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, s) => (
        <Space size={0} onClick={(e) => e.stopPropagation()}>
          <Button type="link" size="small" icon={<DesktopOutlined />} onClick={() => terminalsOf(s)}>
            {t('site.viewTerminals')}
          </Button>
          {canWrite && (
            <Button type="link" size="small" icon={<EditOutlined />} onClick={() => open(s)}>
              {t('common.edit')}
            </Button>
          )}
          {canWrite && (
            <Popconfirm
              title={t('site.deleteConfirm', { name: s.name })}
              okText={t('common.delete')}
              cancelText={t('common.cancel')}
              okButtonProps={{ danger: true }}
              onConfirm={() => remove.mutateAsync(s).catch(() => undefined)}
            >
              <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  const filtered = !!(values.q || values.merchantId);

  const pagination = useServerPagination(list.data?.total, page, pageSize, setPage);

  return (
    <div data-testid="page-sites">
      <PageHeader
        title={merchant.data ? t('site.titleOf', { name: merchant.data.name }) : t('site.title')}
        subtitle={t('site.subtitle')}
        backTo={values.merchantId ? '/merchants' : undefined}
        extra={
          canWrite && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="site-create">
              {t('site.create')}
            </Button>
          )
        }
      />
      <Card className="table-card">
        <div className="toolbar">
          <MerchantSelect
            value={values.merchantId}
            onChange={(merchantId) => setFilters({ merchantId })}
            placeholder={t('site.filterMerchant')}
            style={{ width: 260, maxWidth: '100%' }}
            data-testid="site-filter-merchant"
          />
          <SearchBox value={values.q} onChange={(q) => setFilters({ q })} placeholder={t('site.searchPlaceholder')} testId="site-search" />
        </div>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<Site>
            rowKey="id"
            columns={columns}
            dataSource={list.data?.items}
            loading={list.isFetching}
            scroll={{ x: 'max-content' }}
            onRow={(s) => ({ onClick: () => terminalsOf(s), className: 'clickable-row' })}
            pagination={pagination}
            locale={{
              emptyText: (
                <EmptyState
                  title={filtered ? t('common.noMatches') : t('site.emptyTitle')}
                  hint={filtered ? undefined : t('site.emptyHint')}
                  action={!filtered && <Link to="/merchants">{t('nav.merchants')}</Link>}
                />
              ),
            }}
          />
        )}
      </Card>
      <Drawer
        open={editing !== null}
        title={editing === 'new' ? t('site.create') : t('site.edit')}
        onClose={() => setEditing(null)}
        size={480}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={() => setEditing(null)}>{t('common.cancel')}</Button>
            <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="site-save">
              {t('common.save')}
            </Button>
          </Space>
        }
      >
        <Form<SiteInput>
          key={editing === 'new' ? 'new' : (editing?.id ?? 'none')}
          form={form}
          initialValues={initial} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item name="merchantId" label={t('site.merchant')} rules={[{ required: true, message: t('common.required') }]}>
            <MerchantSelect disabled={editing !== 'new'} allowClear={false} />
          </Form.Item>
          <Form.Item
            name="code"
            label={t('site.code')}
            tooltip={t('site.codeHint')}
            rules={[{ required: true, whitespace: true, message: t('common.required') }]}
          >
            <Input maxLength={40} className="mono" data-testid="site-code" />
          </Form.Item>
          <Form.Item name="name" label={t('site.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input maxLength={200} data-testid="site-name" />
          </Form.Item>
          <Form.Item name="region" label={t('site.region')}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="address" label={t('site.address')}>
            <Input.TextArea maxLength={400} autoSize={{ minRows: 2, maxRows: 4 }} />
          </Form.Item>
        </Form>
      </Drawer>
    </div>
  );
}
