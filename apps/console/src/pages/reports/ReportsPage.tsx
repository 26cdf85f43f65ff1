/**
 * Service-desk reports: KPI tiles (MTTR, first-time fix, SLA compliance, satisfaction, open backlog),
 * MTTR per week, backlog age by priority, satisfaction distribution, top causes (by model, app version,
 * region or merchant) and satisfaction per agent, team or cause; CSV and XLSX export. Period and
 * filters live in the URL, so a report can be bookmarked and shared.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { App, Button, Card, Col, DatePicker, Dropdown, Grid, Progress, Row, Segmented, Select, Skeleton, Statistic, Table, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { DownloadOutlined, FileExcelOutlined, QuestionCircleOutlined, ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { api, type PageOf } from '../../api/client';
import {
  CAUSE_DIMENSIONS,
  REPORT_SECTIONS,
  reportsApi,
  type CauseDimension,
  type CauseGroup,
  type ReportSection,
  type SatisfactionBy,
  type SatisfactionGroup,
} from '../../api/reports';
import { useAuth } from '../../auth/AuthContext';
import { Chart } from '../../components/Chart';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { useLang } from '../alerts/queries';
import { backlogOption, causesOption, mttrOption, satisfactionOption, SCORE_HEX } from './charts';
import './reports.css';

const KEYS = ['from', 'to', 'merchant', 'dim', 'by'] as const;
const DAY_FORMAT = 'YYYY-MM-DD';
const PRESETS = { last4w: 28, last8w: 56, last90d: 90 } as const;
type Preset = keyof typeof PRESETS;
const BY: SatisfactionBy[] = ['agent', 'team', 'cause'];

const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);

function defaultRange(days: number = PRESETS.last8w): [string, string] {
  return [dayjs().subtract(days - 1, 'day').format(DAY_FORMAT), dayjs().format(DAY_FORMAT)];
}

function Help({ text }: { text: string }) {
  return (
    <Tooltip title={text}>
      <QuestionCircleOutlined className="report-help" />
    </Tooltip>
  );
}

function Kpi({ id, title, help, value, suffix, hint, tone, loading }: { id: string; title: string; help: string; value: number | null | undefined; suffix?: string; hint: string; tone?: 'good' | 'warn' | 'bad'; loading: boolean }) {
  const { t } = useTranslation();
  return (
    <Card className={`stat-card report-kpi${tone ? ` report-kpi-${tone}` : ''}`} data-testid={`report-kpi-${id}`} data-value={value ?? ''}>
      <Statistic
        title={
          <span>
            {title} <Help text={help} />
          </span>
        }
        value={value ?? t('reports.noValue')}
        suffix={value === null || value === undefined ? undefined : suffix}
        loading={loading}
      />
      <div className="report-kpi-hint">{hint}</div>
    </Card>
  );
}

/** A row's 1–5 distribution as one thin stacked bar. */
function DistributionBar({ d }: { d: number[] }) {
  const total = d.reduce((a, b) => a + b, 0) || 1;
  return (
    <div className="report-dist" title={d.map((n, i) => `${i + 1}★ ${n}`).join(' · ')}>
      {d.map((n, i) => (n > 0 ? <span key={i} style={{ width: `${(n / total) * 100}%`, background: SCORE_HEX[i] }} /> : null))}
    </div>
  );
}

export default function ReportsPage() {
  const { t } = useTranslation();
  const lng = useLang();
  const { me } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const { values, setFilters } = useUrlState(KEYS);
  const [defFrom, defTo] = defaultRange();
  const from = values.from ?? defFrom;
  const to = values.to ?? defTo;
  const dim = (CAUSE_DIMENSIONS as readonly string[]).includes(values.dim ?? '') ? (values.dim as CauseDimension) : 'model';
  const merchantCaller = me?.role === 'merchant';
  const byOptions = merchantCaller ? (['cause'] as SatisfactionBy[]) : BY;
  const by = byOptions.includes(values.by as SatisfactionBy) ? (values.by as SatisfactionBy) : byOptions[0]!;
  const query = { from, to, merchantId: values.merchant };
  const [exporting, setExporting] = useState<string | null>(null);
  const phone = Grid.useBreakpoint().md === false;

  const report = useQuery({
    queryKey: ['reports', 'service-desk', lng, query],
    queryFn: () => reportsApi.serviceDesk(query),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  const satisfaction = useQuery({
    queryKey: ['reports', 'satisfaction', lng, query, by],
    queryFn: () => reportsApi.satisfaction({ ...query, by }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  const merchants = useQuery({
    queryKey: ['merchants', 'report-select'],
    queryFn: () => api<PageOf<{ id: string; name: string }>>('/merchants', { query: { limit: 500 } }),
    enabled: !merchantCaller,
    staleTime: 60_000,
  });

  const r = report.data;
  const tt = t as unknown as (k: string, o?: Record<string, unknown>) => string;
  const merchantName = useMemo(() => new Map((merchants.data?.items ?? []).map((m) => [m.id, m.name])), [merchants.data]);
  const groupLabel = (g: CauseGroup) => (g.key === null ? t('reports.charts.unknown') : dim === 'merchant' ? (g.label ?? merchantName.get(g.key) ?? g.key) : (g.label ?? g.key));
  const options = useMemo(
    () =>
      r
        ? {
            mttr: mttrOption(r, tt),
            backlog: backlogOption(r, tt),
            satisfaction: satisfactionOption(r, tt),
            causes: causesOption(r.causes[dim], r.causeTitles, tt, groupLabel),
          }
        : null,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [r, dim, lng, merchantName],
  );

  const exportFile = async (format: 'csv' | 'xlsx', section?: ReportSection) => {
    setExporting(format);
    try {
      const name = await reportsApi.exportFile({ ...query, format, ...(section ? { section } : {}) });
      void message.success(t('reports.export.done', { name }));
    } catch (e) {
      showError(e);
    } finally {
      setExporting(null);
    }
  };

  const preset = (Object.keys(PRESETS) as Preset[]).find((p) => {
    const [f, l] = defaultRange(PRESETS[p]);
    return f === from && l === to;
  });

  const columns: TableColumnsType<SatisfactionGroup> = [
    { title: t(`reports.table.by.${by}`), dataIndex: 'label', key: 'label', ellipsis: true, width: phone ? 150 : undefined, fixed: 'left', render: (v: string) => <span data-testid="report-satisfaction-label">{v}</span> },
    { title: t('reports.table.count'), dataIndex: 'count', key: 'count', width: 90, align: 'right' },
    { title: t('reports.table.average'), dataIndex: 'average', key: 'average', width: 90, align: 'right', render: (v: number | null) => (v === null ? t('reports.noValue') : v.toFixed(2)) },
    {
      title: t('reports.table.satisfied'),
      dataIndex: 'satisfiedShare',
      key: 'satisfied',
      width: 150,
      render: (v: number | null) => (v === null ? t('reports.noValue') : <Progress percent={pct(v) ?? 0} size="small" strokeColor="#389e0d" format={(p) => `${p}%`} />),
    },
    { title: t('reports.table.distribution'), dataIndex: 'distribution', key: 'dist', width: 180, render: (d: number[]) => <DistributionBar d={d} /> },
  ];

  const exportMenu = {
    items: REPORT_SECTIONS.filter((s) => !(merchantCaller && (s === 'satisfaction_agent' || s === 'satisfaction_team'))).map((s) => ({
      key: s,
      label: <span data-testid={`report-export-csv-${s}`}>{t(`reports.sections.${s}`)}</span>,
    })),
    onClick: ({ key }: { key: string }) => void exportFile('csv', key as ReportSection),
  };

  const actions = (
    <>
      <Tooltip title={t('reports.export.csvHint')}>
        <span>
          <Dropdown menu={exportMenu} trigger={['click']}>
            <Button icon={<DownloadOutlined />} loading={exporting === 'csv'} data-testid="report-export-csv">
              {t('reports.export.csv')}
            </Button>
          </Dropdown>
        </span>
      </Tooltip>
      <Button type="primary" icon={<FileExcelOutlined />} loading={exporting === 'xlsx'} onClick={() => void exportFile('xlsx')} data-testid="report-export-xlsx">
        {t('reports.export.xlsx')}
      </Button>
    </>
  );

  const loading = report.isPending;
  const empty = (node: ReactNode, has: boolean) => (loading ? <Skeleton active paragraph={{ rows: 6 }} /> : has ? node : <EmptyState title={t('reports.charts.empty')} />);

  return (
    <div data-testid="page-reports" data-ready={r && !report.isFetching ? 'true' : 'false'}>
      <PageHeader title={t('reports.title')} subtitle={t('reports.subtitle')} extra={actions} />
      <div className="toolbar report-toolbar">
        <DatePicker.RangePicker
          value={[dayjs(from), dayjs(to)]}
          allowClear={false}
          format={DAY_FORMAT}
          disabledDate={(d: Dayjs) => d.isAfter(dayjs(), 'day')}
          onChange={(v) => v?.[0] && v[1] && setFilters({ from: v[0].format(DAY_FORMAT), to: v[1].format(DAY_FORMAT) })}
          data-testid="report-range"
          className="report-range"
          style={phone ? { flex: '1 1 100%', width: '100%' } : undefined}
        />
        <Segmented<Preset | ''>
          value={preset ?? ''}
          options={(Object.keys(PRESETS) as Preset[]).map((p) => ({ value: p, label: t(`reports.presets.${p}`) }))}
          block={phone}
          style={phone ? { flex: '1 1 100%', width: '100%' } : undefined}
          onChange={(p) => {
            if (!p) return;
            const [f, l] = defaultRange(PRESETS[p]);
            setFilters({ from: f, to: l });
          }}
          data-testid="report-presets"
        />
        {!merchantCaller && (
          <Select<string>
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('reports.allMerchants')}
            value={values.merchant}
            onChange={(v) => setFilters({ merchant: v ?? null })}
            options={(merchants.data?.items ?? []).map((m) => ({ value: m.id, label: m.name }))}
            loading={merchants.isPending}
            className="report-merchant"
            data-testid="report-merchant"
          />
        )}
        <span className="toolbar-spacer" />
        <Tooltip title={r ? t('reports.generated', { time: formatTime(r.generatedAt) }) : undefined}>
          <Button
            icon={report.isFetching ? <SyncOutlined spin /> : <ReloadOutlined />}
            onClick={() => {
              void report.refetch();
              void satisfaction.refetch();
            }}
            aria-label={t('common.refresh')}
          />
        </Tooltip>
      </div>
      {report.isError && !r ? (
        <QueryError error={report.error} onRetry={() => void report.refetch()} />
      ) : (
        <>
          <div className="stat-grid report-kpis">
            <Kpi
              id="mttr"
              title={t('reports.kpi.mttr')}
              help={t('reports.help.mttr')}
              value={r?.mttr.meanHours}
              suffix="h"
              hint={r ? t('reports.kpi.mttrHint', { median: r.mttr.medianHours === null ? t('reports.noValue') : t('reports.hours', { value: r.mttr.medianHours }), count: r.mttr.resolved }) : ''}
              loading={loading}
            />
            <Kpi
              id="ftf"
              title={t('reports.kpi.ftf')}
              help={t('reports.help.ftf')}
              value={pct(r?.firstTimeFix.rate)}
              suffix="%"
              hint={r ? t('reports.kpi.ftfHint', { first: r.firstTimeFix.firstTime, resolved: r.firstTimeFix.resolved }) : ''}
              tone={r?.firstTimeFix.rate == null ? undefined : r.firstTimeFix.rate >= 0.85 ? 'good' : r.firstTimeFix.rate >= 0.7 ? 'warn' : 'bad'}
              loading={loading}
            />
            <Kpi
              id="sla"
              title={t('reports.kpi.sla')}
              help={t('reports.help.sla')}
              value={pct(r?.sla.compliance)}
              suffix="%"
              hint={r ? t('reports.kpi.slaHint', { met: r.sla.met, resolved: r.sla.resolved }) : ''}
              tone={r?.sla.compliance == null ? undefined : r.sla.compliance >= 0.9 ? 'good' : r.sla.compliance >= 0.75 ? 'warn' : 'bad'}
              loading={loading}
            />
            <Kpi
              id="satisfaction"
              title={t('reports.kpi.satisfaction')}
              help={t('reports.help.satisfaction')}
              value={r?.satisfaction.average}
              suffix="/ 5"
              hint={r ? t('reports.kpi.satisfactionHint', { count: r.satisfaction.count, share: r.satisfaction.satisfiedShare === null ? t('reports.noValue') : `${pct(r.satisfaction.satisfiedShare)}%` }) : ''}
              tone={r?.satisfaction.average == null ? undefined : r.satisfaction.average >= 4 ? 'good' : r.satisfaction.average >= 3 ? 'warn' : 'bad'}
              loading={loading}
            />
            <Kpi
              id="backlog"
              title={t('reports.kpi.backlog')}
              help={t('reports.help.backlog')}
              value={r?.backlog.total}
              hint={r ? t('reports.kpi.backlogHint', { overdue: r.sla.openOverdue }) : ''}
              tone={r ? (r.sla.openOverdue > 0 ? 'bad' : undefined) : undefined}
              loading={loading}
            />
          </div>
          {r && <div className="report-opened muted" data-testid="report-opened">{t('reports.kpi.opened', { count: r.opened })} · {t('reports.generated', { time: formatTime(r.generatedAt) })}</div>}
          <Row gutter={[16, 16]} className="report-row">
            <Col xs={24} lg={14}>
              <Card title={t('reports.charts.mttrWeekly')} className="chart-card" size="small">
                {empty(options ? <Chart option={options.mttr} height={300} testId="chart-report-mttr" /> : null, !!r && r.mttr.resolved > 0)}
              </Card>
            </Col>
            <Col xs={24} lg={10}>
              <Card title={t('reports.charts.satisfaction')} className="chart-card" size="small">
                {empty(options ? <Chart option={options.satisfaction} height={300} testId="chart-report-satisfaction" /> : null, !!r && r.satisfaction.count > 0)}
              </Card>
            </Col>
            <Col xs={24} lg={10}>
              <Card title={t('reports.charts.backlog')} className="chart-card" size="small">
                {empty(options ? <Chart option={options.backlog} height={320} testId="chart-report-backlog" /> : null, !!r && r.backlog.total > 0)}
              </Card>
            </Col>
            <Col xs={24} lg={14}>
              <Card
                title={t('reports.charts.causes')}
                className="chart-card"
                size="small"
                extra={
                  <Segmented<CauseDimension>
                    size="small"
                    value={dim}
                    options={CAUSE_DIMENSIONS.map((d) => ({ value: d, label: <span data-testid={`report-dim-${d}`}>{t(`reports.dims.${d}`)}</span> }))}
                    onChange={(d) => setFilters({ dim: d })}
                    data-testid="report-dims"
                  />
                }
              >
                {empty(
                  options ? <Chart option={options.causes} height={Math.max(260, (r?.causes[dim].length ?? 0) * 34 + 80)} testId="chart-report-causes" /> : null,
                  !!r && r.causes[dim].length > 0,
                )}
              </Card>
            </Col>
          </Row>
          <Card
            title={t('reports.table.title')}
            className="section-card report-satisfaction"
            size="small"
            extra={
              <Segmented<SatisfactionBy>
                size="small"
                value={by}
                options={byOptions.map((b) => ({ value: b, label: <span data-testid={`report-by-${b}`}>{t(`reports.table.by.${b}`)}</span> }))}
                onChange={(b) => setFilters({ by: b })}
              />
            }
          >
            {satisfaction.isError ? (
              <QueryError error={satisfaction.error} onRetry={() => void satisfaction.refetch()} />
            ) : (
              <Table<SatisfactionGroup>
                rowKey={(g) => g.key ?? '∅'}
                size="small"
                columns={columns}
                dataSource={satisfaction.data?.groups ?? []}
                loading={satisfaction.isFetching}
                pagination={false}
                scroll={{ x: 600 }}
                locale={{ emptyText: t('reports.table.empty') }}
                data-testid="report-satisfaction-table"
              />
            )}
          </Card>
        </>
      )}
    </div>
  );
}
