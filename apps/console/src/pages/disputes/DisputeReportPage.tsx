/**
 * Dispute report (/disputes/report, staff): of the disputes opened in a period, the win rate, the money
 * charged back and kept and the time to answer, by reason group and by merchant; beside it, duplicate
 * charges, fraud findings and disputes per 1,000 payments by merchant, terminal, model or app version.
 * Period, merchant and dimension live in the URL; CSV (one table) and XLSX (all) exports.
 */
import { useMemo, useState } from 'react';
import { App, Button, Card, Col, DatePicker, Dropdown, Row, Segmented, Select, Skeleton, Space, Statistic, Table, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { DownloadOutlined, FileExcelOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { api, type PageOf } from '../../api/client';
import { Chart } from '../../components/Chart';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { useShowError } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { formatMoney } from '../money/api';
import { useT } from '../risk/shared';
import { DISPUTE_RATE_DIMENSIONS, disputesApi, type DisputeOutcomes, type DisputeRateDimension, type DisputeRateRow, type DisputeReport } from './api';
import { groupsOption, ratesOption } from './reportCharts';
import './disputes.css';

const KEYS = ['from', 'to', 'merchant', 'dim'] as const;
type GroupRow = DisputeReport['byGroup'][number];
type MerchantRow = DisputeReport['byMerchant'][number];
const DAY = 'YYYY-MM-DD';
const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);

function Kpi({ id, title, help, value, hint }: { id: string; title: string; help: string; value: string | number | null; hint?: string }) {
  const t = useT();
  return (
    <Card className="stat-card" data-testid={`dispute-kpi-${id}`} data-value={value ?? ''}>
      <Statistic
        title={
          <span>
            {title}{' '}
            <Tooltip title={help}>
              <QuestionCircleOutlined className="muted" />
            </Tooltip>
          </span>
        }
        value={value ?? t('disputes.report.none')}
      />
      {hint && <div className="muted">{hint}</div>}
    </Card>
  );
}

export default function DisputeReportPage() {
  const t = useT();
  const { i18n } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const { values, setFilters } = useUrlState(KEYS);
  const from = values.from ?? dayjs().subtract(89, 'day').format(DAY);
  // Without a chosen end the report runs to now: the browser's "today" may not be the report time zone's.
  const to = values.to ?? dayjs().format(DAY);
  const dim = (DISPUTE_RATE_DIMENSIONS as readonly string[]).includes(values.dim ?? '') ? (values.dim as DisputeRateDimension) : 'model';
  const query = { from, ...(values.to ? { to: values.to } : {}), merchantId: values.merchant };
  const [exporting, setExporting] = useState<string | null>(null);
  const report = useQuery({ queryKey: ['disputes', 'report', query, i18n.language], queryFn: () => disputesApi.report(query), placeholderData: keepPreviousData });
  const merchants = useQuery({ queryKey: ['merchants', 'report-select'], queryFn: () => api<PageOf<{ id: string; name: string }>>('/merchants', { query: { limit: 500 } }), staleTime: 60_000 });
  const r = report.data;
  const money = (minor: number) => formatMoney(i18n.language, minor, 'CNY');
  const options = useMemo(() => (r ? { groups: groupsOption(r, t), rates: ratesOption(r.rates[dim], t) } : null), [r, dim, t]);

  const exportFile = async (format: 'csv' | 'xlsx', section?: string) => {
    setExporting(format);
    try {
      const name = await disputesApi.reportExport({ ...query, format, ...(section ? { section } : {}) });
      void message.success(t('disputes.report.exported', { name }));
    } catch (e) {
      showError(e);
    } finally {
      setExporting(null);
    }
  };

  const outcomeColumns = <R extends DisputeOutcomes>(): TableColumnsType<R> => [
    { title: t('disputes.report.col.opened'), dataIndex: 'opened', align: 'right', width: 80 },
    { title: t('disputes.report.outcome.won'), dataIndex: 'won', align: 'right', width: 70 },
    { title: t('disputes.report.outcome.lost'), dataIndex: 'lost', align: 'right', width: 70 },
    { title: t('disputes.report.outcome.accepted'), dataIndex: 'accepted', align: 'right', width: 80 },
    { title: t('disputes.report.outcome.expired'), dataIndex: 'expired', align: 'right', width: 80 },
    { title: t('disputes.report.winRate'), dataIndex: 'winRate', align: 'right', width: 90, render: (x: number | null) => (x === null ? '—' : `${pct(x)}%`) },
    { title: t('disputes.report.lost'), dataIndex: 'lostMinor', align: 'right', width: 120, render: money },
    { title: t('disputes.report.recovered'), dataIndex: 'recoveredMinor', align: 'right', width: 120, render: money },
    { title: t('disputes.report.col.median'), dataIndex: 'medianRespondHours', align: 'right', width: 110, render: (x: number | null) => (x === null ? '—' : t('disputes.report.hours', { count: x })) },
  ];
  const rateColumns: TableColumnsType<DisputeRateRow> = [
    { title: t(`disputes.report.dim.${dim}`), dataIndex: 'label', fixed: 'left', ellipsis: true, width: 180 },
    { title: t('disputes.report.col.payments'), dataIndex: 'payments', align: 'right', width: 100 },
    { title: t('disputes.report.col.duplicates'), dataIndex: 'duplicates', align: 'right', width: 100 },
    { title: t('disputes.report.col.fraud'), dataIndex: 'fraud', align: 'right', width: 100 },
    { title: t('disputes.report.col.disputes'), dataIndex: 'disputes', align: 'right', width: 90 },
    { title: t('disputes.report.col.duplicatesRate'), dataIndex: 'duplicatesPer1000', align: 'right', width: 120, render: (x: number | null) => x ?? '—' },
    { title: t('disputes.report.col.fraudRate'), dataIndex: 'fraudPer1000', align: 'right', width: 120, render: (x: number | null) => x ?? '—' },
    { title: t('disputes.report.col.disputesRate'), dataIndex: 'disputesPer1000', align: 'right', width: 120, render: (x: number | null) => x ?? '—' },
  ];
  const csvMenu = {
    items: ['groups', 'merchants', ...DISPUTE_RATE_DIMENSIONS].map((s) => ({ key: s, label: t(`disputes.report.section.${s}`) })),
    onClick: ({ key }: { key: string }) => void exportFile('csv', key),
  };

  return (
    <div data-testid="dispute-report" data-ready={r && !report.isFetching ? 'true' : 'false'}>
      <PageHeader
        title={t('disputes.report.title')}
        subtitle={t('disputes.report.subtitle')}
        backTo="/disputes"
        extra={
          <Space wrap>
            <Dropdown menu={csvMenu} trigger={['click']}>
              <Button icon={<DownloadOutlined />} loading={exporting === 'csv'} data-testid="dispute-report-csv">
                {t('disputes.report.csv')}
              </Button>
            </Dropdown>
            <Button type="primary" icon={<FileExcelOutlined />} loading={exporting === 'xlsx'} onClick={() => void exportFile('xlsx')} data-testid="dispute-report-xlsx">
              {t('disputes.report.xlsx')}
            </Button>
          </Space>
        }
      />
      <Space wrap className="dispute-filters">
        <DatePicker.RangePicker
          allowClear={false}
          value={[dayjs(from), dayjs(to)]}
          onChange={(v) => v?.[0] && v[1] && setFilters({ from: v[0].format(DAY), to: v[1].format(DAY) })}
          data-testid="dispute-report-range"
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('disputes.report.allMerchants')}
          style={{ minWidth: 200 }}
          value={values.merchant}
          onChange={(v) => setFilters({ merchant: v })}
          options={(merchants.data?.items ?? []).map((m) => ({ value: m.id, label: m.name }))}
        />
      </Space>
      {report.error ? (
        <QueryError error={report.error} onRetry={() => report.refetch()} />
      ) : !r ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : (
        <>
          <Row gutter={[12, 12]} className="dispute-report-kpis">
            <Col xs={12} md={6}>
              <Kpi id="win-rate" title={t('disputes.report.winRate')} help={t('disputes.report.winRateHelp')} value={r.totals.winRate === null ? null : `${pct(r.totals.winRate)}%`} hint={t('disputes.report.decided', { won: r.totals.won, lost: r.totals.lost })} />
            </Col>
            <Col xs={12} md={6}>
              <Kpi id="lost" title={t('disputes.report.lost')} help={t('disputes.report.lostHelp')} value={money(r.totals.lostMinor)} hint={t('disputes.report.ofDisputed', { amount: money(r.totals.amountMinor) })} />
            </Col>
            <Col xs={12} md={6}>
              <Kpi id="recovered" title={t('disputes.report.recovered')} help={t('disputes.report.recoveredHelp')} value={money(r.totals.recoveredMinor)} hint={t('disputes.report.openNow', { count: r.totals.open, opened: r.totals.opened })} />
            </Col>
            <Col xs={12} md={6}>
              <Kpi
                id="respond"
                title={t('disputes.report.respond')}
                help={t('disputes.report.respondHelp')}
                value={r.totals.medianRespondHours === null ? null : t('disputes.report.hours', { count: r.totals.medianRespondHours })}
                hint={r.totals.meanRespondHours === null ? undefined : t('disputes.report.mean', { hours: r.totals.meanRespondHours, count: r.totals.responded })}
              />
            </Col>
          </Row>
          <Row gutter={[12, 12]}>
            <Col xs={24} xl={10}>
              <Card size="small" title={t('disputes.report.outcomesByGroup')} data-testid="dispute-report-groups">
                {r.totals.opened ? <Chart option={options!.groups} height={260} testId="dispute-report-groups-chart" /> : <EmptyState title={t('disputes.report.empty')} />}
              </Card>
            </Col>
            <Col xs={24} xl={14}>
              <Card size="small" title={t('disputes.report.byGroup')} className="dispute-report-table">
                <Table rowKey={(g) => g.group ?? 'none'} size="small" pagination={false} scroll={{ x: 900 }} dataSource={r.byGroup} columns={[{ title: t('disputes.col.group'), dataIndex: 'label', fixed: 'left', width: 170, ellipsis: true }, ...outcomeColumns<GroupRow>()]} />
              </Card>
            </Col>
            <Col xs={24}>
              <Card size="small" title={t('disputes.report.byMerchant')}>
                <Table
                  rowKey={(m) => m.merchantId ?? 'none'}
                  size="small"
                  pagination={r.byMerchant.length > 10 ? { pageSize: 10 } : false}
                  scroll={{ x: 900 }}
                  dataSource={r.byMerchant}
                  locale={{ emptyText: <EmptyState title={t('disputes.report.empty')} /> }}
                  columns={[{ title: t('disputes.col.merchant'), dataIndex: 'label', fixed: 'left', width: 170, ellipsis: true }, ...outcomeColumns<MerchantRow>()]}
                  data-testid="dispute-report-merchants"
                />
              </Card>
            </Col>
            <Col xs={24}>
              <Card
                size="small"
                title={t('disputes.report.rates')}
                extra={<Segmented size="small" value={dim} onChange={(v) => setFilters({ dim: String(v) })} options={DISPUTE_RATE_DIMENSIONS.map((d) => ({ value: d, label: t(`disputes.report.dim.${d}`) }))} data-testid="dispute-report-dim" />}
                data-testid="dispute-report-rates"
              >
                <p className="muted">{t('disputes.report.ratesHint')}</p>
                {r.rates[dim].some((x) => x.payments > 0) ? <Chart option={options!.rates} height={300} testId="dispute-report-rates-chart" /> : <EmptyState title={t('disputes.report.empty')} />}
                <Table rowKey="key" size="small" pagination={r.rates[dim].length > 10 ? { pageSize: 10 } : false} scroll={{ x: 930 }} dataSource={r.rates[dim]} columns={rateColumns} onRow={() => ({ 'data-testid': 'rate-row' }) as never} />
              </Card>
            </Col>
          </Row>
        </>
      )}
    </div>
  );
}
