/**
 * The transactions explorer: every payment (terminal + STAN + day) with what the terminal and the host
 * say of it; filters in the URL; a payment's two sides in a drawer; success rate by entry mode and
 * response code as charts.
 */
import { useMemo } from 'react';
import { Card, Col, Descriptions, Drawer, Empty, Input, Row, Select, Space, Statistic, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { Chart } from '../../components/Chart';
import { MerchantSelect } from '../../components/EntitySelects';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/Status';
import { useAuth } from '../../auth/AuthContext';
import { formatTimeFull } from '../../lib/format';
import { useUrlState } from '../../lib/useUrlState';
import { PAYMENT_OUTCOMES, paymentsApi, RECON_STATUSES, TXN_RECORD_ENTRY_MODES, TXN_RECORD_TYPES, type PaymentLine, type PaymentRow, type PaymentStats } from './api';
import { money, OutcomeText, StatusTag } from './shared';
import './payments.css';

const KEYS = ['period', 'terminalId', 'merchantId', 'type', 'outcome', 'entryMode', 'responseCode', 'status', 'cardToken', 'open'] as const;
const PERIODS = { '24h': 1, '7d': 7, '30d': 30 } as const;

function Charts({ stats }: { stats: PaymentStats }) {
  const { t, i18n } = useTranslation();
  const modes = useMemo(
    () => ({
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v}%` },
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      xAxis: { type: 'category', data: stats.byEntryMode.map((m) => t(`payments.entryMode.${m.entryMode}`, { defaultValue: m.entryMode })) },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: [{ type: 'bar', name: t('payments.charts.successRate'), data: stats.byEntryMode.map((m) => Math.round(m.rate * 1000) / 10), itemStyle: { color: '#1677ff' }, label: { show: true, position: 'top', formatter: '{c}%' } }],
    }),
    [stats, t],
  );
  const top = stats.byResponseCode.slice(0, 10);
  // A line with no response code is named by its outcome alone (the server words it), never by a raw value.
  const label = (c: (typeof top)[number]) => (c.responseCode.startsWith('(') ? c.text : `${c.responseCode} ${c.text}`);
  const codes = useMemo(
    () => ({
      tooltip: { trigger: 'axis', formatter: (p: { dataIndex: number }[]) => { const c = top[p[0]!.dataIndex]!; return `${label(c)}<br/>${c.total} (${Math.round(c.share * 1000) / 10}%)`; } },
      grid: { left: 120, right: 24, top: 16, bottom: 24 },
      // Compact numbers (1.5万 / 15k) and no overlapping labels on a phone.
      xAxis: { type: 'value', splitNumber: 3, axisLabel: { hideOverlap: true, formatter: (v: number) => new Intl.NumberFormat(i18n.language, { notation: 'compact' }).format(v) } },
      yAxis: { type: 'category', inverse: true, data: top.map((c) => label(c).slice(0, 18)) },
      series: [{ type: 'bar', data: top.map((c) => ({ value: c.total, itemStyle: { color: c.responseCode === '00' ? '#52c41a' : '#fa8c16' } })) }],
    }),
    [top, i18n.language],
  );
  return (
    <Row gutter={[16, 16]} className="payments-charts">
      <Col xs={24} md={6}>
        <Card size="small">
          <Statistic title={t('payments.charts.lines')} value={stats.total} />
          <Statistic title={t('payments.charts.successRate')} value={stats.total ? Math.round((stats.approved / stats.total) * 1000) / 10 : 0} suffix="%" />
          <Space wrap style={{ marginTop: 8 }}>
            {stats.byStatus.map((s) => (
              <span key={s.status}>
                <StatusTag status={s.status} /> {s.count}
              </span>
            ))}
          </Space>
        </Card>
      </Col>
      <Col xs={24} md={9}>
        <Card size="small" title={t('payments.charts.byEntryMode')}>
          <Chart option={modes} height={220} testId="chart-entry-mode" />
        </Card>
      </Col>
      <Col xs={24} md={9}>
        <Card size="small" title={t('payments.charts.byResponseCode')}>
          <Chart option={codes} height={220} testId="chart-response-code" />
        </Card>
      </Col>
    </Row>
  );
}

function SideTable({ lines, title }: { lines: PaymentLine[]; title: string }) {
  const { t, i18n } = useTranslation();
  return (
    <Card size="small" title={title}>
      {lines.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('payments.detail.none')} />
      ) : (
        lines.map((l) => (
          <Descriptions key={l.id} size="small" column={1} bordered style={{ marginBottom: 8 }}>
            <Descriptions.Item label={t('payments.col.time')}>{formatTimeFull(l.at)}</Descriptions.Item>
            <Descriptions.Item label={t('payments.col.type')}>{t(`payments.type.${l.type}`, { defaultValue: l.type })}</Descriptions.Item>
            <Descriptions.Item label={t('payments.col.amount')}>{money(l.amountMinor, l.currency, i18n.language)}</Descriptions.Item>
            <Descriptions.Item label={t('payments.col.outcome')}><OutcomeText outcome={l.outcome} /></Descriptions.Item>
            <Descriptions.Item label={t('payments.col.responseCode')}>{l.responseCode ? `${l.responseCode} ${l.responseText ?? ''}` : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('payments.col.entryMode')}>{t(`payments.entryMode.${l.entryMode}`, { defaultValue: l.entryMode })}</Descriptions.Item>
            <Descriptions.Item label="STAN / RRN">{`${l.stan ?? '—'} / ${l.rrn ?? '—'}`}</Descriptions.Item>
            {l.authCode ? <Descriptions.Item label={t('payments.detail.authCode')}>{l.authCode}</Descriptions.Item> : null}
            {l.originalStan || l.originalRrn ? <Descriptions.Item label={t('payments.detail.original')}>{l.originalStan ?? l.originalRrn}</Descriptions.Item> : null}
            {l.cardToken ? <Descriptions.Item label={t('payments.col.card')}>{l.cardToken}</Descriptions.Item> : null}
            {l.origin ? <Descriptions.Item label={t('payments.detail.origin')}>{`${l.origin}${l.mti ? ` ${l.mti}` : ''}`}</Descriptions.Item> : null}
          </Descriptions>
        ))
      )}
    </Card>
  );
}

function PaymentDrawer({ open, onClose }: { open: string | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const [terminalId, stan, day] = (open ?? '').split('/');
  const q = useQuery({ queryKey: ['payments', 'one', open], queryFn: () => paymentsApi.one(terminalId!, stan!, day!), enabled: !!(terminalId && stan && day) });
  const p = q.data?.payment;
  return (
    <Drawer open={!!open} onClose={onClose} width={Math.min(920, window.innerWidth)} title={p ? `${t('payments.detail.title')} · STAN ${p.stan} · ${p.day}` : t('payments.detail.title')} data-testid="payment-drawer">
      {q.error ? <QueryError error={q.error} onRetry={() => void q.refetch()} /> : null}
      {p ? (
        <>
          <Space wrap style={{ marginBottom: 12 }}>
            <StatusTag status={p.status} />
            <span>{t(`payments.statusHelp.${p.status}`)}</span>
          </Space>
          <Descriptions size="small" column={{ xs: 1, md: 2 }} style={{ marginBottom: 12 }}>
            <Descriptions.Item label={t('payments.col.terminal')}>
              <Link to={`/terminals/${p.terminalId}`}>{p.serialNumber}</Link>
              {p.tid ? ` (${p.tid})` : ''}
            </Descriptions.Item>
            <Descriptions.Item label={t('payments.col.merchant')}>{p.merchantName ?? '—'}</Descriptions.Item>
          </Descriptions>
          <div className="payments-sides">
            <SideTable lines={q.data!.terminal} title={t('payments.detail.terminalSide')} />
            <SideTable lines={q.data!.host} title={t('payments.detail.hostSide')} />
          </div>
        </>
      ) : null}
    </Drawer>
  );
}

export default function PaymentsPage() {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const { values, page, pageSize, setFilters, setPage } = useUrlState(KEYS, 50);
  const days = PERIODS[(values.period ?? '24h') as keyof typeof PERIODS] ?? 1;
  // The period ends at the minute the filters were set: the query key stays stable while the page is open.
  const to = useMemo(() => new Date(Math.ceil(Date.now() / 60_000) * 60_000), [values.period]);
  const query = {
    from: new Date(to.getTime() - days * 86_400_000).toISOString(),
    to: to.toISOString(),
    terminalId: values.terminalId,
    merchantId: values.merchantId,
    type: values.type,
    outcome: values.outcome,
    entryMode: values.entryMode,
    responseCode: values.responseCode,
    status: values.status,
    cardToken: values.cardToken,
  };
  const list = useQuery({ queryKey: ['payments', 'list', query, page, pageSize], queryFn: () => paymentsApi.list({ ...query, page, pageSize }), placeholderData: keepPreviousData });
  const stats = useQuery({ queryKey: ['payments', 'stats', query], queryFn: () => paymentsApi.stats(query), placeholderData: keepPreviousData });

  const opt = (list: readonly string[], prefix: string) => list.map((v) => ({ value: v, label: t(`${prefix}.${v}` as never) }));
  const columns: TableColumnsType<PaymentRow> = [
    { title: t('payments.col.time'), dataIndex: 'at', width: 170, render: (v: string) => formatTimeFull(v) },
    { title: t('payments.col.terminal'), dataIndex: 'serialNumber', render: (v: string, r) => <span title={r.tid ?? undefined}>{v}</span> },
    ...(me?.role === 'merchant' ? [] : [{ title: t('payments.col.merchant'), dataIndex: 'merchantName', ellipsis: true } as const]),
    { title: 'STAN', dataIndex: 'stan', width: 90, render: (v: string | null) => v ?? '—' },
    { title: t('payments.col.type'), dataIndex: 'type', width: 80, render: (v: string) => t(`payments.type.${v}`, { defaultValue: v }) },
    {
      title: t('payments.col.amount'),
      dataIndex: 'amountMinor',
      align: 'right',
      render: (_: unknown, r) => (
        <span className={`payments-amount${r.status === 'amount_differs' ? ' payments-diff' : ''}`}>
          {money(r.terminalAmountMinor ?? r.amountMinor, r.currency, i18n.language)}
          {r.status === 'amount_differs' ? ` / ${money(r.hostAmountMinor, r.currency, i18n.language)}` : ''}
        </span>
      ),
    },
    { title: t('payments.col.entryMode'), dataIndex: 'entryMode', render: (v: string) => t(`payments.entryMode.${v}`, { defaultValue: v }) },
    { title: t('payments.col.terminalOutcome'), dataIndex: 'terminalOutcome', render: (v: string | null) => <OutcomeText outcome={v} /> },
    { title: t('payments.col.hostOutcome'), dataIndex: 'hostOutcome', render: (v: string | null) => <OutcomeText outcome={v} /> },
    { title: t('payments.col.responseCode'), dataIndex: 'responseCode', width: 70, render: (v: string | null) => v ?? '—' },
    { title: t('payments.col.status'), dataIndex: 'status', render: (v: PaymentRow['status']) => <StatusTag status={v} /> },
  ];

  return (
    <div>
      <PageHeader title={t('payments.title')} subtitle={t('payments.subtitle')} extra={<Link to="/payments/reconciliation">{t('payments.recon.nav')}</Link>} />
      <div className="payments-filters" data-testid="payment-filters">
        <Select value={values.period ?? '24h'} onChange={(v) => setFilters({ period: v === '24h' ? null : v })} options={Object.keys(PERIODS).map((p) => ({ value: p, label: t(`payments.period.${p}` as never) }))} />
        {me?.role === 'merchant' ? null : <MerchantSelect value={values.merchantId} onChange={(v: string | undefined) => setFilters({ merchantId: v ?? null })} placeholder={t('payments.col.merchant')} allowClear />}
        <Select allowClear placeholder={t('payments.col.status')} value={values.status} onChange={(v) => setFilters({ status: v ?? null })} options={opt(RECON_STATUSES, 'payments.status')} data-testid="filter-status" />
        <Select allowClear placeholder={t('payments.col.type')} value={values.type} onChange={(v) => setFilters({ type: v ?? null })} options={opt(TXN_RECORD_TYPES, 'payments.type')} />
        <Select allowClear placeholder={t('payments.col.outcome')} value={values.outcome} onChange={(v) => setFilters({ outcome: v ?? null })} options={opt(PAYMENT_OUTCOMES, 'payments.outcome')} />
        <Select allowClear placeholder={t('payments.col.entryMode')} value={values.entryMode} onChange={(v) => setFilters({ entryMode: v ?? null })} options={opt(TXN_RECORD_ENTRY_MODES, 'payments.entryMode')} />
        <Input.Search allowClear placeholder={t('payments.col.responseCode')} defaultValue={values.responseCode} onSearch={(v) => setFilters({ responseCode: v.trim() || null })} style={{ width: 140 }} />
        <Input.Search allowClear placeholder={t('payments.filters.cardToken')} defaultValue={values.cardToken} onSearch={(v) => setFilters({ cardToken: v.trim() || null })} style={{ width: 200 }} />
        {values.terminalId ? <Tag closable onClose={() => setFilters({ terminalId: null })}>{t('payments.filters.oneTerminal')}</Tag> : null}
      </div>
      {stats.data ? <Charts stats={stats.data} /> : null}
      {list.error ? <QueryError error={list.error} onRetry={() => void list.refetch()} /> : null}
      <Table<PaymentRow>
        rowKey={(r) => `${r.terminalId}/${r.stan ?? r.at}/${r.day}`}
        size="small"
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        columns={columns}
        scroll={{ x: 900 }}
        data-testid="payments-table"
        onRow={(r) => ({ onClick: () => r.stan && setFilters({ open: `${r.terminalId}/${r.stan}/${r.day}` }), style: { cursor: r.stan ? 'pointer' : 'default' } })}
        pagination={{ current: page, pageSize, total: list.data?.total ?? 0, showSizeChanger: true, onChange: setPage, showTotal: (n) => t('common.totalItems', { count: n }) }}
      />
      <PaymentDrawer open={values.open} onClose={() => setFilters({ open: null })} />
    </div>
  );
}
