import { useMemo } from 'react';
import { Alert, Button, Card, Col, Row, Skeleton, Space, Statistic, Table, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { EChartsCoreOption } from 'echarts/core';
import { FLEET_STATUSES, type FleetDimRow, type FleetOverview, type FleetStatus } from '../api/fleet';
import { Chart } from '../components/Chart';
import { useReasonText } from '../components/FleetTags';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryError } from '../components/Status';
import { formatClock, reasonSeverity, STATUS_COLORS } from '../lib/fleet';
import { useFleetOverview } from '../lib/fleetQueries';
import { useUrlState } from '../lib/useUrlState';

const FILTER_KEYS = ['status'] as const;
const isStatus = (s: string | undefined): s is FleetStatus => !!s && (FLEET_STATUSES as readonly string[]).includes(s);

/** Rows of a dimension table only count offline, degraded and critical; the rest is "OK or never seen". */
function countFor(row: FleetDimRow, s: FleetStatus): number {
  if (s === 'offline' || s === 'degraded' || s === 'critical') return row[s];
  return row.total - row.offline - row.degraded - row.critical;
}

type Dim = 'byMerchant' | 'bySite' | 'byModel' | 'byVersion';

const DIM_PARAM: Record<Dim, string> = { byMerchant: 'merchantId', bySite: 'siteId', byModel: 'model', byVersion: 'appVersion' };

/** The terminal list showing exactly the terminals a count counts: in service, of this row, with this status. */
function linkFor(dim: Dim, key: string | null, status?: FleetStatus): string | null {
  if (!key) return null;
  return `/terminals?inService=true&${DIM_PARAM[dim]}=${encodeURIComponent(key)}${status ? `&status=${status}` : ''}`;
}

function DimTable({ dim, rows, status, loading }: { dim: Dim; rows: FleetDimRow[]; status?: FleetStatus; loading: boolean }) {
  const { t } = useTranslation();
  const data = useMemo(() => {
    if (!status) return rows;
    return rows.filter((r) => countFor(r, status) > 0).sort((a, b) => countFor(b, status) - countFor(a, status));
  }, [rows, status]);
  const other = status === 'ok' || status === 'never_seen';
  const num = (key: 'critical' | 'degraded' | 'offline', color: string) => ({
    title: t(`fleet.col${key === 'critical' ? 'Critical' : key === 'degraded' ? 'Degraded' : 'Offline'}`),
    dataIndex: key,
    align: 'right' as const,
    width: 72,
    className: status === key ? 'fleet-col-active' : undefined,
    render: (n: number, r: FleetDimRow) => {
      const to = linkFor(dim, r.key, key);
      return n > 0 && to ? (
        <Link to={to} data-testid={`fleet-count-${key}`}>
          <strong style={{ color }}>{n}</strong>
        </Link>
      ) : n > 0 ? (
        <strong style={{ color }}>{n}</strong>
      ) : (
        <span className="muted">0</span>
      );
    },
  });
  const columns: TableColumnsType<FleetDimRow> = [
    {
      title: t('fleet.colName'),
      key: 'name',
      ellipsis: true,
      render: (_, r) => {
        const label = r.label ?? (dim === 'byVersion' ? r.key : null);
        const text = label ? <span className={dim === 'byVersion' ? 'mono' : undefined}>{label}</span> : <span className="muted">{t('fleet.none')}</span>;
        const to = linkFor(dim, r.key);
        return to ? <Link to={to}>{text}</Link> : text;
      },
    },
    {
      title: t('fleet.colTotal'),
      dataIndex: 'total',
      align: 'right',
      width: 80,
      responsive: ['sm'],
      render: (n: number, r) => {
        const to = linkFor(dim, r.key);
        return to ? <Link to={to}>{n}</Link> : n;
      },
    },
    num('critical', STATUS_COLORS.critical.hex),
    num('degraded', STATUS_COLORS.degraded.hex),
    num('offline', STATUS_COLORS.offline.hex),
    ...(other
      ? [{ title: t('fleet.colOther'), key: 'other', align: 'right' as const, width: 96, className: 'fleet-col-active', render: (_: unknown, r: FleetDimRow) => countFor(r, status) }]
      : []),
  ];
  const what = t(`fleet.${dim}`);
  return (
    <Card title={t('fleet.worst', { what })} className="section-card fleet-dim-card" data-testid={`fleet-table-${dim}`}>
      <Table<FleetDimRow>
        rowKey={(r) => r.key ?? '∅'}
        size="small"
        columns={columns}
        dataSource={data}
        loading={loading}
        pagination={false}
        tableLayout="fixed"
        locale={{ emptyText: <span className="muted">{t('fleet.noRows')}</span> }}
      />
    </Card>
  );
}

export function reasonsOption(data: FleetOverview, text: (r: string) => string): EChartsCoreOption {
  const reasons = [...data.reasons].sort((a, b) => a.count - b.count);
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef0f4' } } },
    yAxis: { type: 'category', data: reasons.map((r) => text(r.reason)), axisTick: { show: false } },
    series: [
      {
        type: 'bar',
        data: reasons.map((r) => ({
          value: r.count,
          itemStyle: { color: reasonSeverity(r.reason) === 'critical' ? STATUS_COLORS.critical.hex : STATUS_COLORS.degraded.hex, borderRadius: [0, 4, 4, 0] },
        })),
        barMaxWidth: 20,
        label: { show: true, position: 'right', color: '#595959' },
      },
    ],
  };
}

export default function FleetPage() {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  const { values, setFilters } = useUrlState(FILTER_KEYS);
  const status = isStatus(values.status) ? values.status : undefined;
  const q = useFleetOverview();
  const data = q.data;

  const option = useMemo(() => (data ? reasonsOption(data, reasonText) : null), [data, reasonText]);

  const extra = (
    <span className="fleet-updated" data-testid="fleet-updated">
      <Tooltip title={t('fleet.autoRefresh')}>
        <SyncOutlined spin={q.isFetching} className="muted" />
      </Tooltip>
      <Typography.Text type="secondary">{data ? t('fleet.updatedAt', { time: formatClock(data.at) }) : ''}</Typography.Text>
      <Button icon={<ReloadOutlined />} onClick={() => void q.refetch()} aria-label={t('common.refresh')} />
    </span>
  );

  return (
    <div data-testid="page-fleet">
      <PageHeader title={t('fleet.title')} subtitle={t('fleet.subtitle')} extra={extra} />
      {q.isError && !data ? (
        <QueryError error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <div className="stat-grid fleet-stat-grid">
            <Card
              className={`stat-card stat-card-total${status ? '' : ' stat-card-selected'}`}
              hoverable
              onClick={() => setFilters({ status: undefined })}
            >
              <Statistic title={t('fleet.inService')} value={data?.inService ?? 0} loading={q.isPending} data-testid="fleet-stat-total" />
            </Card>
            {FLEET_STATUSES.map((s) => (
              <Tooltip key={s} title={t(`fleet.statusHint.${s}`)}>
                <Card
                  className={`stat-card${status === s ? ' stat-card-selected' : ''}`}
                  hoverable
                  onClick={() => setFilters({ status: status === s ? undefined : s })}
                  style={{ borderTop: `3px solid ${STATUS_COLORS[s].hex}` }}
                  data-testid={`fleet-card-${s}`}
                  data-count={data?.status[s] ?? 0}
                >
                  <Statistic
                    title={t(`fleet.status.${s}`)}
                    value={data?.status[s] ?? 0}
                    loading={q.isPending}
                    styles={{ content: { color: (s === 'critical' || s === 'degraded') && (data?.status[s] ?? 0) > 0 ? STATUS_COLORS[s].hex : undefined } }}
                    data-testid={`fleet-stat-${s}`}
                  />
                </Card>
              </Tooltip>
            ))}
          </div>

          {status && (
            <Alert
              className="fleet-filter-alert"
              type="info"
              showIcon
              title={t('fleet.filteredBy', { status: t(`fleet.status.${status}`) })}
              action={
                <Space>
                  <Link to={`/terminals?inService=true&status=${status}`} data-testid="fleet-show-terminals">
                    <Button size="small" type="primary">
                      {t('fleet.showTerminals', { count: data?.status[status] ?? 0 })}
                    </Button>
                  </Link>
                  <Button size="small" onClick={() => setFilters({ status: undefined })} data-testid="fleet-clear-filter">
                    {t('fleet.clearFilter')}
                  </Button>
                </Space>
              }
            />
          )}

          {data && data.inService === 0 ? (
            <Card style={{ marginTop: 16 }}>
              <EmptyState title={t('fleet.emptyTitle')} hint={t('fleet.emptyHint')} />
            </Card>
          ) : (
            <>
              <Card title={t('fleet.reasonsTitle')} className="chart-card fleet-reasons-card" data-testid="fleet-reasons">
                <div className="muted fleet-reasons-hint">{t('fleet.reasonsHint')}</div>
                {q.isPending ? (
                  <Skeleton active paragraph={{ rows: 4 }} />
                ) : data && data.reasons.length > 0 && option ? (
                  <>
                    <Chart option={option} height={Math.max(160, data.reasons.length * 34 + 24)} testId="chart-fleet-reasons" />
                    <div className="fleet-reason-links" data-testid="fleet-reason-list">
                      {data.reasons.map((r) => (
                        <Link key={r.reason} to={`/terminals?inService=true&reason=${r.reason}`} data-reason={r.reason} data-count={r.count}>
                          {reasonText(r.reason)}: {r.count}
                        </Link>
                      ))}
                    </div>
                  </>
                ) : (
                  <EmptyState title={t('fleet.reasonsEmpty')} />
                )}
              </Card>
              <Row gutter={[16, 0]}>
                {(['byMerchant', 'bySite', 'byModel', 'byVersion'] as const).map((dim) => (
                  <Col key={dim} xs={24} xl={12}>
                    <DimTable dim={dim} rows={data?.[dim] ?? []} status={status} loading={q.isPending} />
                  </Col>
                ))}
              </Row>
            </>
          )}
        </>
      )}
    </div>
  );
}
