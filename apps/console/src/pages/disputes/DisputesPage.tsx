/**
 * Disputes (/disputes): open ones with the nearest deadline first, filters in the URL. Staff get a
 * table, "open a dispute" (a form, or a file with its row report) and the report; merchants get cards (phone first, 390 px) with what to do in one sentence.
 */
import { useMemo, useState } from 'react';
import { App, Button, Card, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { BarChartOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { useAuth } from '../../auth/AuthContext';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { formatMoney } from '../money/api';
import { useT } from '../risk/shared';
import { DISPUTE_GROUPS, DISPUTE_KINDS, DISPUTE_NETWORKS, STATUS_COLOR, disputesApi, type DisputeRow } from './api';
import { ImportDisputes } from './ImportDisputes';
import './disputes.css';

const KEYS = ['status', 'kind', 'network', 'group'] as const;

export function Deadline({ row }: { row: Pick<DisputeRow, 'dueAt' | 'businessDaysLeft' | 'status'> }) {
  const t = useT();
  const open = row.status === 'needs_response' || row.status === 'unmatched';
  const urgent = open && row.businessDaysLeft <= 2;
  return (
    <span className={urgent ? 'dispute-due dispute-due-urgent' : 'dispute-due'} data-testid="dispute-deadline">
      {formatTime(row.dueAt)}
      {open ? ` · ${row.businessDaysLeft < 0 ? t('disputes.overdue') : t('disputes.daysLeft', { count: row.businessDaysLeft })}` : ''}
    </span>
  );
}

export function StatusTag({ status }: { status: string }) {
  const t = useT();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="dispute-status">
      {t(`disputes.status.${status}`)}
    </Tag>
  );
}

function OpenDispute() {
  const t = useT();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const [by, setBy] = useState<'rrn' | 'stan' | 'card'>('rrn');
  const [form] = Form.useForm();
  const network = Form.useWatch('network', form) as string | undefined;
  const codes = useQuery({ queryKey: ['disputes', 'reason-codes'], queryFn: disputesApi.reasonCodes, enabled: open });
  const create = useMutation({
    mutationFn: (v: Record<string, unknown>) =>
      disputesApi.create({
        network: v.network as never,
        kind: v.kind as never,
        reasonCode: v.reasonCode as string,
        caseNumber: v.caseNumber as string,
        amountMinor: Math.round(Number(v.amount) * 100),
        // A deadline given as a day closes at the end of that business day (18:00), as counted deadlines do.
        ...(v.respondBy ? { respondBy: (v.respondBy as Dayjs).hour(18).minute(0).second(0).millisecond(0).toISOString() } : {}),
        payment:
          by === 'rrn'
            ? { rrn: v.rrn as string }
            : by === 'stan'
              ? { terminal: v.terminal as string, stan: v.stan as string, day: v.day as string }
              : { amountMinor: Math.round(Number(v.amount) * 100), at: new Date(v.at as string).toISOString(), cardToken: v.cardToken as string },
      }),
    onSuccess: (d) => {
      setOpen(false);
      form.resetFields();
      message.success(t('disputes.opened'));
      void qc.invalidateQueries({ queryKey: ['disputes'] });
      navigate(`/disputes/${d.id}`);
    },
    onError: (e) => showError(e),
  });
  return (
    <>
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="dispute-open">
        {t('disputes.open')}
      </Button>
      <Modal open={open} title={t('disputes.open')} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={create.isPending} okButtonProps={{ 'data-testid': 'dispute-open-save' } as never}>
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} initialValues={{ network: 'unionpay', kind: 'first_chargeback' }}>
          <Space wrap>
            <Form.Item name="network" label={t('disputes.col.network')} rules={[{ required: true }]}>
              <Select style={{ width: 140 }} options={DISPUTE_NETWORKS.map((n) => ({ value: n, label: t(`disputes.network.${n}`) }))} />
            </Form.Item>
            <Form.Item name="kind" label={t('disputes.col.kind')} rules={[{ required: true }]}>
              <Select style={{ width: 160 }} options={DISPUTE_KINDS.map((k) => ({ value: k, label: t(`disputes.kind.${k}`) }))} />
            </Form.Item>
          </Space>
          <Form.Item name="reasonCode" label={t('disputes.col.reason')} rules={[{ required: true }]}>
            <Select
              data-testid="dispute-reason"
              showSearch
              optionFilterProp="label"
              options={(codes.data?.codes ?? [])
                .filter((c) => c.network === network)
                .map((c) => ({ value: c.code, label: `${c.code} ${i18n.language === 'zh-CN' ? c.zh : c.en}` }))}
            />
          </Form.Item>
          <Space wrap>
            <Form.Item name="caseNumber" label={t('disputes.col.case')} rules={[{ required: true }]}>
              <Input data-testid="dispute-case" />
            </Form.Item>
            <Form.Item name="amount" label={t('disputes.amountYuan')} rules={[{ required: true }]}>
              <InputNumber min={0.01} step={0.01} data-testid="dispute-amount" />
            </Form.Item>
            <Form.Item name="respondBy" label={t('disputes.respondBy')} tooltip={t('disputes.respondByHint')}>
              <DatePicker disabledDate={(day) => day.isBefore(dayjs(), 'day')} data-testid="dispute-respond-by" />
            </Form.Item>
          </Space>
          <Form.Item label={t('disputes.findBy')}>
            <Radio.Group value={by} onChange={(e) => setBy(e.target.value)} optionType="button" options={(['rrn', 'stan', 'card'] as const).map((k) => ({ value: k, label: t(`disputes.by.${k}`) }))} />
          </Form.Item>
          {by === 'rrn' && (
            <Form.Item name="rrn" label="RRN" rules={[{ required: true }]}>
              <Input data-testid="dispute-rrn" />
            </Form.Item>
          )}
          {by === 'stan' && (
            <Space wrap>
              <Form.Item name="terminal" label={t('disputes.terminalRef')} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
              <Form.Item name="stan" label="STAN" rules={[{ required: true }]}>
                <Input style={{ width: 100 }} />
              </Form.Item>
              <Form.Item name="day" label={t('disputes.day')} rules={[{ required: true }]}>
                <Input placeholder="2026-03-02" style={{ width: 130 }} />
              </Form.Item>
            </Space>
          )}
          {by === 'card' && (
            <Space wrap>
              <Form.Item name="at" label={t('disputes.at')} rules={[{ required: true }]}>
                <Input placeholder="2026-03-02 14:05" />
              </Form.Item>
              <Form.Item name="cardToken" label={t('disputes.cardToken')} rules={[{ required: true }]}>
                <Input />
              </Form.Item>
            </Space>
          )}
        </Form>
      </Modal>
    </>
  );
}

/** A merchant's dispute as a card: amount, deadline, what to do. */
function DisputeCard({ row }: { row: DisputeRow }) {
  const t = useT();
  const { i18n } = useTranslation();
  return (
    <Card size="small" className="dispute-card" data-testid="dispute-card">
      <Link to={`/disputes/${row.id}`} className="dispute-card-link">
        <div className="dispute-card-head">
          <strong>{formatMoney(i18n.language, row.amountMinor, row.currency)}</strong>
          <StatusTag status={row.status} />
        </div>
        <div className="muted">
          {t(`disputes.kind.${row.kind}`)} · {row.reasonText}
        </div>
        <Deadline row={row} />
        <Typography.Paragraph className="dispute-todo" data-testid="dispute-todo">
          {row.todo}
        </Typography.Paragraph>
      </Link>
    </Card>
  );
}

export default function DisputesPage() {
  const t = useT();
  const { i18n } = useTranslation();
  const navigate = useNavigate();
  const { can, me } = useAuth();
  const merchant = me?.role === 'merchant';
  const { values, page, pageSize, offset, setFilters, setPage } = useUrlState(KEYS, 20);
  const query = { status: values.status ?? 'open', kind: values.kind, network: values.network, group: values.group, limit: pageSize, offset };
  const list = useQuery({ queryKey: ['disputes', 'list', query, i18n.language], queryFn: () => disputesApi.list(query as never), placeholderData: keepPreviousData });

  const columns: TableColumnsType<DisputeRow> = useMemo(
    () => [
      { title: t('disputes.col.due'), dataIndex: 'dueAt', width: 170, render: (_: string, r) => <Deadline row={r} /> },
      {
        title: t('disputes.col.case'),
        dataIndex: 'caseNumber',
        render: (x: string, r) => (
          <Link to={`/disputes/${r.id}`} data-testid="dispute-link">
            {x}
          </Link>
        ),
      },
      { title: t('disputes.col.kind'), dataIndex: 'kind', render: (k: string, r) => `${t(`disputes.network.${r.network}`)} · ${t(`disputes.kind.${k}`)}` },
      { title: t('disputes.col.reason'), dataIndex: 'reasonText', ellipsis: true },
      { title: t('disputes.col.merchant'), dataIndex: 'merchantName', render: (x: string | null) => x ?? '—' },
      { title: t('disputes.col.amount'), dataIndex: 'amountMinor', align: 'right', render: (x: number, r) => formatMoney(i18n.language, x, r.currency) },
      { title: t('disputes.col.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
      { title: t('disputes.col.todo'), dataIndex: 'todo', ellipsis: true, width: '26%' },
    ],
    [t, i18n.language],
  );

  const filters = (
    <Space wrap className="dispute-filters">
      <Select
        style={{ minWidth: 150 }}
        value={values.status ?? 'open'}
        onChange={(v) => setFilters({ status: v === 'open' ? undefined : v })}
        options={['open', 'all', 'unmatched', 'needs_response', 'evidence_submitted', 'won', 'lost', 'accepted', 'expired'].map((s) => ({ value: s, label: t(`disputes.status.${s}`) }))}
        data-testid="filter-status"
      />
      {!merchant && (
        <>
          <Select allowClear placeholder={t('disputes.col.kind')} style={{ minWidth: 140 }} value={values.kind} onChange={(v) => setFilters({ kind: v })} options={DISPUTE_KINDS.map((k) => ({ value: k, label: t(`disputes.kind.${k}`) }))} />
          <Select allowClear placeholder={t('disputes.col.network')} style={{ minWidth: 120 }} value={values.network} onChange={(v) => setFilters({ network: v })} options={DISPUTE_NETWORKS.map((k) => ({ value: k, label: t(`disputes.network.${k}`) }))} />
          <Select allowClear placeholder={t('disputes.col.group')} style={{ minWidth: 160 }} value={values.group} onChange={(v) => setFilters({ group: v })} options={DISPUTE_GROUPS.map((k) => ({ value: k, label: t(`disputes.group.${k}`) }))} data-testid="filter-group" />
        </>
      )}
    </Space>
  );

  return (
    <div data-testid="disputes-page">
      <PageHeader
        title={t('disputes.title')}
        subtitle={merchant ? t('disputes.subtitleMerchant') : t('disputes.subtitle')}
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={() => list.refetch()}>
              {t('common.refresh')}
            </Button>
            {can('reports:read') && (
              <Link to="/disputes/report">
                <Button icon={<BarChartOutlined />} data-testid="dispute-report-link">
                  {t('disputes.report.button')}
                </Button>
              </Link>
            )}
            {can('disputes:work') && <ImportDisputes />}
            {can('disputes:work') && <OpenDispute />}
          </Space>
        }
      />
      {filters}
      {list.error ? (
        <QueryError error={list.error} onRetry={() => list.refetch()} />
      ) : merchant ? (
        <div className="dispute-cards">
          {(list.data?.items ?? []).map((r) => (
            <DisputeCard key={r.id} row={r} />
          ))}
          {list.data && !list.data.items.length && <EmptyState title={t('disputes.empty')} />}
        </div>
      ) : (
        <Table
          rowKey="id"
          size="middle"
          loading={list.isLoading}
          columns={columns}
          dataSource={list.data?.items ?? []}
          scroll={{ x: 1000 }}
          onRow={(r) => ({ onDoubleClick: () => navigate(`/disputes/${r.id}`), 'data-testid': 'dispute-row' } as never)}
          locale={{ emptyText: <EmptyState title={t('disputes.empty')} /> }}
          pagination={{ current: page, pageSize, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: true, showTotal: (n) => t('common.totalItems', { count: n }) }}
        />
      )}
    </div>
  );
}
