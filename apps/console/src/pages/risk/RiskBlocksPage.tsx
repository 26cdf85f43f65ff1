import { useState } from 'react';
import { App, Badge, Button, DatePicker, Form, Input, Modal, Popconfirm, Radio, Segmented, Select, Space, Table } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { Dayjs } from 'dayjs';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox } from '../../components/SearchBox';
import { EmptyState, QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { riskApi, type RiskBlock } from './api';
import { useT } from './shared';
import './risk.css';

const KEYS = ['kind', 'status', 'q'] as const;

function AddBlockModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ kind: 'card_token' | 'terminal'; value: string; reason?: string; expiresAt?: Dayjs | null }>();
  const kind = Form.useWatch('kind', form);
  const add = useMutation({
    mutationFn: (v: { kind: 'card_token' | 'terminal'; value: string; reason?: string; expiresAt?: Dayjs | null }) =>
      riskApi.block({ kind: v.kind, value: v.value.trim(), reason: v.reason, ...(v.expiresAt ? { expiresAt: v.expiresAt.toISOString() } : {}) }),
    onSuccess: () => {
      void message.success(t('risk.blocks.added'));
      void qc.invalidateQueries({ queryKey: ['risk', 'blocks'] });
      form.resetFields();
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Modal open={open} title={t('risk.blocks.add')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={add.isPending} okText={t('risk.blocks.addOk')} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ kind: 'card_token' }} onFinish={(v) => add.mutate(v)}>
        <Form.Item name="kind" label={t('risk.blocks.kind')}>
          <Radio.Group optionType="button" options={(['card_token', 'terminal'] as const).map((k) => ({ value: k, label: t(`risk.blocks.kind_${k}`) }))} />
        </Form.Item>
        <Form.Item name="value" label={t('risk.blocks.value')} extra={kind === 'terminal' ? t('risk.blocks.valueTerminalHint') : t('risk.blocks.valueCardHint')} rules={[{ required: true, message: t('common.required') }]}>
          <Input className="mono" maxLength={128} data-testid="block-value" />
        </Form.Item>
        <Form.Item name="reason" label={t('risk.blocks.reason')}>
          <Input maxLength={1000} />
        </Form.Item>
        <Form.Item name="expiresAt" label={t('risk.blocks.expiresAt')} extra={t('risk.case.blockUntilHint')}>
          <DatePicker showTime format="YYYY-MM-DD HH:mm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function RiskBlocksPage() {
  const t = useT();
  const showError = useShowError();
  const qc = useQueryClient();
  const [adding, setAdding] = useState(false);
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS, 20);
  const query = { kind: values.kind, status: values.status ?? 'active', q: values.q, limit: pageSize, offset };
  const list = useQuery({ queryKey: ['risk', 'blocks', query], queryFn: () => riskApi.blocks(query), placeholderData: keepPreviousData });
  const remove = useMutation({
    mutationFn: (id: string) => riskApi.unblock(id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['risk', 'blocks'] }),
    onError: (e) => showError(e),
  });
  const columns: TableColumnsType<RiskBlock> = [
    { title: t('risk.blocks.kind'), dataIndex: 'kind', render: (k: string) => t(`risk.blocks.kind_${k}`) },
    {
      title: t('risk.blocks.value'),
      dataIndex: 'value',
      render: (v: string, b) => (b.kind === 'terminal' ? <Link to={`/terminals/${v}`} className="mono">{b.label ?? v}</Link> : <span className="mono" data-testid="block-token">{v}</span>),
    },
    { title: t('risk.blocks.reason'), dataIndex: 'reason', render: (r: string | null, b) => (b.findingId ? <Link to={`/risk/cases/${b.findingId}`}>{r ?? t('risk.blocks.fromCase')}</Link> : (r ?? '—')) },
    { title: t('risk.blocks.created'), dataIndex: 'createdAt', render: (x: string, b) => <span>{formatTime(x)}<div className="muted">{b.createdByName ?? t('common.system')}</div></span> },
    { title: t('risk.blocks.expiresAt'), dataIndex: 'expiresAt', render: (x: string | null) => (x ? formatTime(x) : <span className="muted">{t('risk.blocks.forever')}</span>) },
    {
      title: t('risk.blocks.state'),
      key: 'state',
      render: (_: unknown, b) =>
        b.active ? (
          <Badge status="error" text={t('risk.blocks.active')} />
        ) : b.removedAt ? (
          <span><Badge status="default" text={t('risk.blocks.removed')} /><div className="muted">{b.removedByName ?? ''} {formatTime(b.removedAt)}</div></span>
        ) : (
          <Badge status="default" text={t('risk.blocks.expired')} />
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, b) =>
        b.active && (
          <Popconfirm title={t('risk.blocks.removeConfirm')} onConfirm={() => remove.mutate(b.id)}>
            <Button size="small" danger>{t('risk.blocks.remove')}</Button>
          </Popconfirm>
        ),
    },
  ];
  return (
    <div data-testid="risk-blocks">
      <PageHeader
        title={t('risk.blocks.title')}
        subtitle={t('risk.blocks.subtitle')}
        extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="block-add">{t('risk.blocks.add')}</Button>}
      />
      <Space wrap className="risk-filters">
        <Segmented
          value={values.status ?? 'active'}
          onChange={(v) => setFilters({ status: v === 'active' ? undefined : String(v) })}
          options={[{ value: 'active', label: t('risk.blocks.showActive') }, { value: 'all', label: t('risk.blocks.showAll') }]}
        />
        <Select
          allowClear
          placeholder={t('risk.blocks.kind')}
          style={{ minWidth: 140 }}
          value={values.kind}
          onChange={(v) => setFilters({ kind: v })}
          options={(['card_token', 'terminal'] as const).map((k) => ({ value: k, label: t(`risk.blocks.kind_${k}`) }))}
        />
        <SearchBox value={values.q ?? ''} onChange={(q: string) => setFilters({ q })} placeholder={t('risk.blocks.search')} />
      </Space>
      {list.error ? (
        <QueryError error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table
          rowKey="id"
          loading={list.isLoading}
          columns={columns}
          dataSource={list.data?.items ?? []}
          scroll={{ x: 900 }}
          locale={{ emptyText: <EmptyState title={t('risk.blocks.empty')} /> }}
          pagination={{ current: page, pageSize, total: list.data?.total ?? 0, onChange: setPage, showTotal: (n) => t('common.totalItems', { count: n }) }}
        />
      )}
      <AddBlockModal open={adding} onClose={() => setAdding(false)} />
    </div>
  );
}
