/**
 * Spare parts and consumables: stock by depot with low stock highlighted (at or under the reorder level),
 * receive / transfer / adjust, the movement log (who, when, why), the catalogue and the depots.
 */
import { PART_UNITS, usePartUnit } from './units';
import { useState } from 'react';
import { App, AutoComplete, Button, Card, Form, Input, InputNumber, Modal, Pagination, Select, Switch, Table, Tabs, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { ImportOutlined, PlusOutlined, SwapOutlined, ToolOutlined, WarningFilled } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  fieldworkApi,
  MOVEMENT_REASONS,
  PART_KINDS,
  type Depot,
  type Part,
  type PartKind,
  type StockMovement,
  type StockRow,
} from '../../api/fieldwork';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox } from '../../components/SearchBox';
import { EmptyState, QueryError } from '../../components/Status';
import { currentLanguage } from '../../i18n';
import { formatTime, formatTimeFull } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { useDepots, useMovements, usePartsCatalogue, useRefreshFieldwork, useStock } from './queries';
import { usePhone } from './shared';

type StockAction = 'receive' | 'transfer' | 'adjust';
interface StockForm {
  depotId?: string;
  toDepotId?: string;
  partId?: string;
  quantity?: number;
  delta?: number;
  note?: string;
}

function StockModal({ action, initial, onClose }: { action: StockAction | null; initial: Partial<StockForm>; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshFieldwork();
  const [form] = Form.useForm<StockForm>();
  const depots = useDepots(action !== null);
  const parts = usePartsCatalogue(action !== null);
  const lng = currentLanguage();
  const run = useMutation({
    mutationFn: (v: StockForm) => {
      if (action === 'receive') return fieldworkApi.receive({ depotId: v.depotId!, partId: v.partId!, quantity: v.quantity!, ...(v.note ? { note: v.note } : {}) });
      if (action === 'transfer') return fieldworkApi.transfer({ fromDepotId: v.depotId!, toDepotId: v.toDepotId!, partId: v.partId!, quantity: v.quantity!, ...(v.note ? { note: v.note } : {}) });
      return fieldworkApi.adjust({ depotId: v.depotId!, partId: v.partId!, delta: v.delta!, note: v.note ?? '' });
    },
    onSuccess: () => {
      void message.success(t(`parts.done.${action!}`));
      refresh();
      onClose();
    },
    onError: (e) => showError(e, form),
  });
  const depotOptions = (depots.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.code} · ${d.name}` }));
  const required = [{ required: true, message: t('common.required') }];
  return (
    <Modal
      open={action !== null}
      title={action ? t(`parts.${action}`) : ''}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={action ? t(`parts.${action}`) : ''}
      cancelText={t('common.cancel')}
      confirmLoading={run.isPending}
      okButtonProps={{ 'data-testid': 'stock-submit' }}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ quantity: 1, ...initial }} onFinish={(v) => run.mutate(v)} data-testid="stock-form" data-action={action ?? ''}>
        <Form.Item name="depotId" label={action === 'transfer' ? t('parts.form.from') : t('parts.form.depot')} rules={required}>
          <Select options={depotOptions} data-testid="stock-depot" />
        </Form.Item>
        {action === 'transfer' && (
          <Form.Item
            name="toDepotId"
            label={t('parts.form.to')}
            dependencies={['depotId']}
            rules={[...required, ({ getFieldValue }) => ({ validator: (_, v) => (v && v === getFieldValue('depotId') ? Promise.reject(new Error(t('parts.form.sameDepot'))) : Promise.resolve()) })]}
          >
            <Select options={depotOptions} data-testid="stock-to-depot" />
          </Form.Item>
        )}
        <Form.Item name="partId" label={t('parts.form.part')} rules={required}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={(parts.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name[lng]} · ${p.sku}` }))} data-testid="stock-part" />
        </Form.Item>
        {action === 'adjust' ? (
          <Form.Item name="delta" label={t('parts.form.delta')} extra={t('parts.form.deltaHint')} rules={required}>
            <InputNumber precision={0} min={-100000} max={100000} style={{ width: '100%' }} data-testid="stock-delta" />
          </Form.Item>
        ) : (
          <Form.Item name="quantity" label={t('parts.form.quantity')} rules={required}>
            <InputNumber precision={0} min={1} max={100000} style={{ width: '100%' }} data-testid="stock-quantity" />
          </Form.Item>
        )}
        <Form.Item name="note" label={action === 'adjust' ? t('parts.form.reason') : t('parts.form.note')} rules={action === 'adjust' ? [{ required: true, whitespace: true, message: t('parts.form.reasonRequired') }] : []}>
          <Input maxLength={500} placeholder={action === 'adjust' ? t('parts.form.reasonPlaceholder') : undefined} data-testid="stock-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function StockTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const unitText = usePartUnit();
  const phone = usePhone();
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(['depot', 'kind', 'low', 'q'] as const, 100);
  const depots = useDepots();
  const stock = useStock({ depotId: values.depot, kind: values.kind as PartKind | undefined, low: values.low === 'true' ? 'true' : undefined, q: values.q, limit: pageSize, offset });
  const [action, setAction] = useState<{ kind: StockAction; initial: Partial<StockForm> } | null>(null);
  const rows = stock.data?.items ?? [];
  const columns: TableColumnsType<StockRow> = [
    { title: t('parts.cols.depot'), dataIndex: 'depotCode', width: 120, render: (c: string, r) => <span title={r.depotName}>{c}</span> },
    {
      title: t('parts.cols.name'),
      dataIndex: 'name',
      ellipsis: true,
      render: (n: string, r) => (
        <span>
          {n} <span className="muted mono">{r.sku}</span>
        </span>
      ),
    },
    { title: t('parts.cols.kind'), dataIndex: 'kind', width: 120, render: (k: PartKind) => t(`parts.kinds.${k}`) },
    {
      title: t('parts.cols.quantity'),
      dataIndex: 'quantity',
      width: 130,
      align: 'right',
      render: (q: number, r) => (
        <span className={r.low ? 'stock-low' : undefined} data-testid="stock-qty" data-low={String(r.low)}>
          {r.low && <WarningFilled />} {q} {unitText(r.unit)}
        </span>
      ),
    },
    { title: t('parts.cols.reorder'), dataIndex: 'reorderLevel', width: 110, align: 'right' },
    ...(manage
      ? [
          {
            title: t('common.actions'),
            key: 'a',
            width: 200,
            render: (_: unknown, r: StockRow) => (
              <span className="stock-row-actions">
                <Button size="small" onClick={() => setAction({ kind: 'receive', initial: { depotId: r.depotId, partId: r.partId } })}>
                  {t('parts.receive')}
                </Button>
                <Button size="small" onClick={() => setAction({ kind: 'adjust', initial: { depotId: r.depotId, partId: r.partId } })}>
                  {t('parts.adjust')}
                </Button>
              </span>
            ),
          },
        ]
      : []),
  ];
  return (
    <>
      <div className="toolbar">
        <Select<string>
          value={values.depot}
          allowClear
          placeholder={t('parts.allDepots')}
          onChange={(v) => setFilters({ depot: v })}
          options={(depots.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.code} · ${d.name}` }))}
          style={{ width: phone ? '100%' : 220 }}
          data-testid="stock-filter-depot"
        />
        <Select<PartKind>
          value={values.kind as PartKind | undefined}
          allowClear
          placeholder={t('parts.allKinds')}
          onChange={(v) => setFilters({ kind: v })}
          options={PART_KINDS.map((k) => ({ value: k, label: t(`parts.kinds.${k}`) }))}
          style={{ width: phone ? '100%' : 150 }}
        />
        <label className="stock-low-toggle">
          <Switch checked={values.low === 'true'} onChange={(v) => setFilters({ low: v ? 'true' : undefined })} data-testid="stock-filter-low" /> {t('parts.lowOnly')}
        </label>
        <SearchBox value={values.q} onChange={(q) => setFilters({ q })} placeholder={t('parts.search')} width={phone ? '100%' : 220} />
        {manage && (
          <span className="stock-actions">
            <Button type="primary" icon={<ImportOutlined />} onClick={() => setAction({ kind: 'receive', initial: { depotId: values.depot } })} data-testid="stock-receive">
              {t('parts.receive')}
            </Button>
            <Button icon={<SwapOutlined />} onClick={() => setAction({ kind: 'transfer', initial: { depotId: values.depot } })} data-testid="stock-transfer">
              {t('parts.transfer')}
            </Button>
            <Button icon={<ToolOutlined />} onClick={() => setAction({ kind: 'adjust', initial: { depotId: values.depot } })} data-testid="stock-adjust">
              {t('parts.adjust')}
            </Button>
          </span>
        )}
      </div>
      {stock.isError && !stock.data ? (
        <QueryError error={stock.error} onRetry={() => void stock.refetch()} />
      ) : !stock.isPending && rows.length === 0 ? (
        <EmptyState title={t('parts.emptyStock')} hint={t('parts.emptyStockHint')} />
      ) : (
        <Table<StockRow>
          data-testid="stock-table"
          rowKey={(r) => `${r.depotId}:${r.partId}`}
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={stock.isPending}
          pagination={false}
          tableLayout="fixed"
          scroll={{ x: 820 }}
          rowClassName={(r) => (r.low ? 'stock-row-low' : '')}
          onRow={(r) => ({ 'data-testid': 'stock-row', 'data-sku': r.sku, 'data-depot': r.depotCode, 'data-low': String(r.low) }) as object}
        />
      )}
      {(stock.data?.total ?? 0) > pageSize || page > 1 ? (
        <div className="pager">
          <Pagination current={page} pageSize={pageSize} total={stock.data?.total ?? 0} onChange={setPage} simple={phone} />
        </div>
      ) : null}
      <StockModal action={action?.kind ?? null} initial={action?.initial ?? {}} onClose={() => setAction(null)} />
    </>
  );
}

function MovementsTab() {
  const { t } = useTranslation();
  const phone = usePhone();
  const [depotId, setDepotId] = useState<string>();
  const [reason, setReason] = useState<StockMovement['reason']>();
  const [page, setPage] = useState(1);
  const depots = useDepots();
  const list = useMovements({ depotId, reason, limit: 50, offset: (page - 1) * 50 });
  const columns: TableColumnsType<StockMovement> = [
    { title: t('parts.cols.at'), dataIndex: 'at', width: 150, render: (v: string) => <span title={formatTimeFull(v)}>{formatTime(v)}</span> },
    { title: t('parts.cols.depot'), dataIndex: 'depotCode', width: 100 },
    {
      title: t('parts.cols.name'),
      dataIndex: 'name',
      ellipsis: true,
      render: (n: string, r) => (
        <span>
          {n} <span className="muted mono">{r.sku}</span>
        </span>
      ),
    },
    { title: t('parts.cols.delta'), dataIndex: 'delta', width: 90, align: 'right', render: (d: number) => <span className={d < 0 ? 'stock-out' : 'stock-in'}>{d > 0 ? `+${d}` : d}</span> },
    { title: t('parts.cols.reason'), dataIndex: 'reason', width: 110, render: (r: StockMovement['reason']) => <Tag>{t(`parts.reasons.${r}`)}</Tag> },
    {
      title: t('parts.cols.workOrder'),
      dataIndex: 'workOrderNumber',
      width: 110,
      render: (n: string | null, r) => (n && r.workOrderId ? <Link to={`/work-orders/${r.workOrderId}`}>{n}</Link> : <span className="muted">—</span>),
    },
    { title: t('parts.cols.actor'), dataIndex: 'actor', width: 130, ellipsis: true },
    { title: t('parts.cols.note'), dataIndex: 'note', ellipsis: true, render: (n: string | null) => n ?? <span className="muted">—</span> },
  ];
  return (
    <>
      <div className="toolbar">
        <Select<string>
          value={depotId}
          allowClear
          placeholder={t('parts.allDepots')}
          onChange={(v) => (setDepotId(v), setPage(1))}
          options={(depots.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.code} · ${d.name}` }))}
          style={{ width: phone ? '100%' : 220 }}
        />
        <Select<StockMovement['reason']>
          value={reason}
          allowClear
          placeholder={t('parts.allReasons')}
          onChange={(v) => (setReason(v), setPage(1))}
          options={MOVEMENT_REASONS.map((r) => ({ value: r, label: t(`parts.reasons.${r}`) }))}
          style={{ width: phone ? '100%' : 150 }}
        />
      </div>
      {list.isError && !list.data ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <Table<StockMovement>
          data-testid="movements-table"
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={list.data?.items ?? []}
          loading={list.isPending}
          pagination={false}
          tableLayout="fixed"
          scroll={{ x: 960 }}
          locale={{ emptyText: t('parts.emptyMovements') }}
        />
      )}
      {(list.data?.total ?? 0) > 50 && (
        <div className="pager">
          <Pagination current={page} pageSize={50} total={list.data?.total ?? 0} onChange={setPage} showSizeChanger={false} simple={phone} />
        </div>
      )}
    </>
  );
}

function CatalogueTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const unitText = usePartUnit();
  const lng = currentLanguage();
  const parts = usePartsCatalogue();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ sku: string; kind: PartKind; zh: string; en: string; unit: string; reorderLevel: number }>();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshFieldwork();
  const create = useMutation({
    mutationFn: (v: { sku: string; kind: PartKind; zh: string; en: string; unit: string; reorderLevel: number }) =>
      fieldworkApi.createPart({ sku: v.sku, kind: v.kind, name: { 'zh-CN': v.zh, 'en-US': v.en }, unit: v.unit, reorderLevel: v.reorderLevel }),
    onSuccess: () => {
      void message.success(t('parts.partCreated'));
      refresh();
      setOpen(false);
    },
    onError: (e) => showError(e, form),
  });
  const columns: TableColumnsType<Part> = [
    { title: t('parts.cols.sku'), dataIndex: 'sku', width: 140, render: (s: string) => <span className="mono">{s}</span> },
    { title: t('parts.cols.name'), key: 'name', ellipsis: true, render: (_, p) => p.name[lng] },
    { title: t('parts.cols.kind'), dataIndex: 'kind', width: 120, render: (k: PartKind) => t(`parts.kinds.${k}`) },
    { title: t('parts.cols.unit'), dataIndex: 'unit', width: 80, render: (u: string) => unitText(u) },
    { title: t('parts.cols.reorder'), dataIndex: 'reorderLevel', width: 110, align: 'right' },
    { title: t('parts.cols.onHand'), dataIndex: 'onHand', width: 110, align: 'right' },
  ];
  const required = [{ required: true, whitespace: true, message: t('common.required') }];
  return (
    <>
      {manage && (
        <div className="toolbar">
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="part-new">
            {t('parts.newPart')}
          </Button>
        </div>
      )}
      <Table<Part> rowKey="id" size="middle" columns={columns} dataSource={parts.data?.items ?? []} loading={parts.isPending} pagination={false} tableLayout="fixed" scroll={{ x: 700 }} />
      <Modal open={open} title={t('parts.newPart')} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={create.isPending} okText={t('common.create')} cancelText={t('common.cancel')} destroyOnHidden>
        <Form form={form} layout="vertical" requiredMark={false} initialValues={{ unit: 'pcs', reorderLevel: 0, kind: 'reader' }} onFinish={(v) => create.mutate(v)}>
          <Form.Item name="sku" label={t('parts.cols.sku')} rules={required}>
            <Input maxLength={40} className="mono" />
          </Form.Item>
          <Form.Item name="kind" label={t('parts.cols.kind')} rules={required}>
            <Select options={PART_KINDS.map((k) => ({ value: k, label: t(`parts.kinds.${k}`) }))} />
          </Form.Item>
          <Form.Item name="zh" label={t('parts.nameZh')} rules={required}>
            <Input maxLength={120} />
          </Form.Item>
          <Form.Item name="en" label={t('parts.nameEn')} rules={required}>
            <Input maxLength={120} />
          </Form.Item>
          <Form.Item name="unit" label={t('parts.cols.unit')} rules={required}>
            <AutoComplete options={PART_UNITS.map((u) => ({ value: u, label: unitText(u) }))} maxLength={16} />
          </Form.Item>
          <Form.Item name="reorderLevel" label={t('parts.cols.reorder')} extra={t('parts.reorderHint')}>
            <InputNumber min={0} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function DepotsTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const depots = useDepots();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ code: string; name: string; address?: string; region?: string }>();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshFieldwork();
  const create = useMutation({
    mutationFn: (v: { code: string; name: string; address?: string; region?: string }) => fieldworkApi.createDepot({ code: v.code, name: v.name, address: v.address || null, region: v.region || null }),
    onSuccess: () => {
      void message.success(t('parts.depotCreated'));
      refresh();
      setOpen(false);
    },
    onError: (e) => showError(e, form),
  });
  const columns: TableColumnsType<Depot> = [
    { title: t('parts.cols.code'), dataIndex: 'code', width: 110, render: (s: string) => <span className="mono">{s}</span> },
    { title: t('parts.cols.depot'), dataIndex: 'name', width: 180, ellipsis: true },
    { title: t('parts.cols.region'), dataIndex: 'region', width: 100 },
    { title: t('parts.cols.address'), dataIndex: 'address', ellipsis: true },
    {
      title: t('parts.cols.lowStock'),
      dataIndex: 'lowStock',
      width: 110,
      align: 'right',
      render: (n: number) => (n > 0 ? <span className="stock-low"><WarningFilled /> {n}</span> : n),
    },
    { title: t('parts.cols.spareTerminals'), dataIndex: 'spareTerminals', width: 120, align: 'right' },
  ];
  const required = [{ required: true, whitespace: true, message: t('common.required') }];
  return (
    <>
      {manage && (
        <div className="toolbar">
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="depot-new">
            {t('parts.newDepot')}
          </Button>
        </div>
      )}
      <Table<Depot> rowKey="id" size="middle" columns={columns} dataSource={depots.data?.items ?? []} loading={depots.isPending} pagination={false} tableLayout="fixed" scroll={{ x: 820 }} data-testid="depots-table" />
      <Modal open={open} title={t('parts.newDepot')} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={create.isPending} okText={t('common.create')} cancelText={t('common.cancel')} destroyOnHidden>
        <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => create.mutate(v)}>
          <Form.Item name="code" label={t('parts.cols.code')} rules={required}>
            <Input maxLength={32} className="mono" />
          </Form.Item>
          <Form.Item name="name" label={t('parts.cols.depot')} rules={required}>
            <Input maxLength={120} />
          </Form.Item>
          <Form.Item name="region" label={t('parts.cols.region')}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item name="address" label={t('parts.cols.address')}>
            <Input maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export default function PartsPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const manage = can('parts:manage');
  const depots = useDepots();
  const low = (depots.data?.items ?? []).reduce((n, d) => n + d.lowStock, 0);
  return (
    <div data-testid="page-parts">
      <PageHeader
        title={t('parts.title')}
        subtitle={t('parts.subtitle')}
        tags={low > 0 ? <Tag color="red" icon={<WarningFilled />} data-testid="parts-low-count">{t('parts.lowCount', { count: low })}</Tag> : undefined}
      />
      <Card className="table-card">
        <Tabs
          destroyOnHidden
          items={[
            { key: 'stock', label: t('parts.tabs.stock'), children: <StockTab manage={manage} /> },
            { key: 'movements', label: t('parts.tabs.movements'), children: <MovementsTab /> },
            { key: 'catalogue', label: t('parts.tabs.catalogue'), children: <CatalogueTab manage={manage} /> },
            { key: 'depots', label: t('parts.tabs.depots'), children: <DepotsTab manage={manage} /> },
          ]}
        />
      </Card>
    </div>
  );
}
