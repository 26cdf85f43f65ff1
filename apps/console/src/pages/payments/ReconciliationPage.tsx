/**
 * Reconciliation by terminal and day: the terminal's batch against the host's (approved counts, net
 * totals), the payments by status, exported as CSV or XLSX. A row opens the explorer on that terminal's
 * payments that differ.
 */
import { App, Button, Card, Col, DatePicker, Row, Space, Statistic, Table, Tag } from 'antd';
import type { TableColumnsType } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { MerchantSelect } from '../../components/EntitySelects';
import { PageHeader } from '../../components/PageHeader';
import { QueryError } from '../../components/Status';
import { useAuth } from '../../auth/AuthContext';
import { useUrlState } from '../../lib/useUrlState';
import { paymentsApi, type ReconciliationRow } from './api';
import { money, todayShanghai } from './shared';
import './payments.css';

const KEYS = ['day', 'merchantId'] as const;

export default function ReconciliationPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { me } = useAuth();
  const navigate = useNavigate();
  const { values, setFilters } = useUrlState(KEYS);
  const day = values.day ?? todayShanghai();
  const query = { day, merchantId: values.merchantId };
  const r = useQuery({ queryKey: ['payments', 'reconciliation', query], queryFn: () => paymentsApi.reconciliation(query), placeholderData: keepPreviousData });
  const lng = i18n.language;

  const exportAs = async (format: 'csv' | 'xlsx') => {
    try {
      const name = await paymentsApi.exportReconciliation(query, format);
      void message.success(t('payments.recon.exported', { name }));
    } catch (e) {
      void message.error((e as Error).message);
    }
  };
  const count = (n: number, status: string) =>
    n > 0 ? (
      <Tag color={status === 'matched' ? 'green' : 'red'} style={{ cursor: 'pointer' }}>
        {n}
      </Tag>
    ) : (
      <span style={{ color: '#bfbfbf' }}>0</span>
    );
  const open = (row: ReconciliationRow, status?: string) => {
    const from = dayjs(`${row.day}T00:00:00+08:00`);
    navigate(`/payments?terminalId=${row.terminalId}${status ? `&status=${status}` : ''}&period=${from.isBefore(dayjs().subtract(1, 'day')) ? '30d' : '24h'}`);
  };
  const columns: TableColumnsType<ReconciliationRow> = [
    { title: t('payments.col.terminal'), dataIndex: 'serialNumber', fixed: 'left', render: (v: string, row) => <Link to={`/terminals/${row.terminalId}`}>{v}</Link> },
    { title: 'TID', dataIndex: 'tid', render: (v: string | null) => v ?? '—' },
    ...(me?.role === 'merchant' ? [] : [{ title: t('payments.col.merchant'), dataIndex: 'merchantName', ellipsis: true } as const]),
    { title: t('payments.recon.terminalSide'), align: 'right', render: (_: unknown, row) => <span className="payments-amount">{row.terminalCount} · {money(row.terminalTotalMinor, 'CNY', lng)}</span> },
    { title: t('payments.recon.hostSide'), align: 'right', render: (_: unknown, row) => <span className="payments-amount">{row.hostCount} · {money(row.hostTotalMinor, 'CNY', lng)}</span> },
    {
      title: t('payments.recon.difference'),
      align: 'right',
      render: (_: unknown, row) => {
        const d = row.terminalTotalMinor - row.hostTotalMinor;
        return <span className={d ? 'payments-diff payments-amount' : 'payments-amount'}>{money(d, 'CNY', lng)}</span>;
      },
    },
    { title: t('payments.status.matched'), dataIndex: 'matched', align: 'right', render: (n: number, row) => <span onClick={() => open(row, 'matched')}>{count(n, 'matched')}</span> },
    { title: t('payments.status.terminal_only'), dataIndex: 'terminalOnly', align: 'right', render: (n: number, row) => <span onClick={() => open(row, 'terminal_only')}>{count(n, 'x')}</span> },
    { title: t('payments.status.host_only'), dataIndex: 'hostOnly', align: 'right', render: (n: number, row) => <span onClick={() => open(row, 'host_only')}>{count(n, 'x')}</span> },
    { title: t('payments.status.amount_differs'), dataIndex: 'amountDiffers', align: 'right', render: (n: number, row) => <span onClick={() => open(row, 'amount_differs')}>{count(n, 'x')}</span> },
    { title: t('payments.status.outcome_differs'), dataIndex: 'outcomeDiffers', align: 'right', render: (n: number, row) => <span onClick={() => open(row, 'outcome_differs')}>{count(n, 'x')}</span> },
    { title: t('payments.recon.balanced'), dataIndex: 'balanced', render: (b: boolean) => (b ? <Tag color="green">{t('payments.recon.yes')}</Tag> : <Tag color="red">{t('payments.recon.no')}</Tag>) },
  ];
  const totals = r.data?.totals;
  return (
    <div>
      <PageHeader
        title={t('payments.recon.title')}
        subtitle={t('payments.recon.subtitle')}
        extra={
          <Space wrap>
            <Button icon={<DownloadOutlined />} onClick={() => void exportAs('csv')} data-testid="recon-export-csv">CSV</Button>
            <Button icon={<DownloadOutlined />} onClick={() => void exportAs('xlsx')} data-testid="recon-export-xlsx">XLSX</Button>
          </Space>
        }
      />
      <div className="payments-filters">
        <DatePicker value={dayjs(day)} allowClear={false} onChange={(d) => setFilters({ day: d ? d.format('YYYY-MM-DD') : null })} disabledDate={(d) => d.isAfter(dayjs().add(1, 'day'))} data-testid="recon-day" />
        {me?.role === 'merchant' ? null : <MerchantSelect value={values.merchantId} onChange={(v: string | undefined) => setFilters({ merchantId: v ?? null })} placeholder={t('payments.col.merchant')} allowClear />}
        <Link to="/payments">{t('payments.nav')}</Link>
      </div>
      {totals ? (
        <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
          <Col xs={12} md={6}><Card size="small"><Statistic title={t('payments.recon.terminals')} value={totals.terminals} /></Card></Col>
          <Col xs={12} md={6}><Card size="small"><Statistic title={t('payments.recon.balancedTerminals')} value={totals.balanced} suffix={`/ ${totals.terminals}`} /></Card></Col>
          <Col xs={12} md={6}><Card size="small"><Statistic title={t('payments.recon.terminalTotal')} value={money(totals.terminalTotalMinor, 'CNY', lng)} /></Card></Col>
          <Col xs={12} md={6}><Card size="small"><Statistic title={t('payments.recon.hostTotal')} value={money(totals.hostTotalMinor, 'CNY', lng)} /></Card></Col>
        </Row>
      ) : null}
      {r.error ? <QueryError error={r.error} onRetry={() => void r.refetch()} /> : null}
      <Table<ReconciliationRow>
        rowKey={(row) => `${row.terminalId}/${row.day}`}
        size="small"
        loading={r.isFetching}
        dataSource={r.data?.rows ?? []}
        columns={columns}
        scroll={{ x: 1000 }}
        pagination={{ pageSize: 50, showSizeChanger: false }}
        data-testid="recon-table"
      />
    </div>
  );
}
