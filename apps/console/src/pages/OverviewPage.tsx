import { useMemo } from 'react';
import { Button, Card, Col, Row, Skeleton, Statistic } from 'antd';
import { CloudUploadOutlined, DesktopOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { LIFECYCLE_STATES } from '@poscare/contracts';
import type { EChartsCoreOption } from 'echarts/core';
import { api } from '../api/client';
import type { TerminalStats } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Chart } from '../components/Chart';
import { FleetSummary } from '../components/FleetSummary';
import { MyWork } from '../components/MyWork';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryError } from '../components/Status';
import { STATE_COLORS } from '../lib/format';

export default function OverviewPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const stats = useQuery({ queryKey: ['terminals', 'stats'], queryFn: () => api<TerminalStats>('/terminals/stats') });
  const data = stats.data;

  const modelOption = useMemo<EChartsCoreOption | null>(() => {
    if (!data) return null;
    const models = [...data.byModel].sort((a, b) => b.count - a.count).slice(0, 12).reverse();
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef0f4' } } },
      yAxis: { type: 'category', data: models.map((m) => m.model), axisTick: { show: false } },
      series: [
        {
          type: 'bar',
          name: t('overview.terminals'),
          data: models.map((m) => m.count),
          itemStyle: { color: '#1f4fd6', borderRadius: [0, 4, 4, 0] },
          barMaxWidth: 22,
          label: { show: true, position: 'right', color: '#595959' },
        },
      ],
    };
  }, [data, t]);

  const stateOption = useMemo<EChartsCoreOption | null>(() => {
    if (!data) return null;
    return {
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: { bottom: 0, icon: 'circle', itemWidth: 8, itemHeight: 8 },
      series: [
        {
          type: 'pie',
          name: t('overview.byState'),
          radius: ['45%', '70%'],
          center: ['50%', '44%'],
          avoidLabelOverlap: true,
          itemStyle: { borderColor: '#fff', borderWidth: 2 },
          label: { show: true, position: 'inside', formatter: '{c}', color: '#fff', fontWeight: 600 },
          labelLine: { show: false },
          data: LIFECYCLE_STATES.filter((s) => (data.byState[s] ?? 0) > 0).map((s) => ({
            name: t(`states.${s}`),
            value: data.byState[s] ?? 0,
            itemStyle: { color: STATE_COLORS[s].hex },
          })),
        },
      ],
    };
  }, [data, t]);

  const actions = (
    <>
      {can('import:run') && (
        <Link to="/terminals/import">
          <Button icon={<CloudUploadOutlined />}>{t('terminal.import')}</Button>
        </Link>
      )}
      <Link to="/terminals">
        <Button type="primary" icon={<DesktopOutlined />}>
          {t('overview.viewTerminals')}
        </Button>
      </Link>
    </>
  );

  return (
    <div data-testid="page-overview">
      <PageHeader title={t('overview.title')} subtitle={t('overview.subtitle')} extra={actions} />
      <MyWork />
      {stats.isError && <QueryError error={stats.error} onRetry={() => void stats.refetch()} />}
      {!stats.isError && (
        <>
          <div className="stat-grid">
            <Card className="stat-card stat-card-total" hoverable onClick={() => navigate('/terminals')}>
              <Statistic title={t('overview.total')} value={data?.total ?? 0} loading={stats.isPending} data-testid="stat-total" />
            </Card>
            {LIFECYCLE_STATES.map((s) => (
              <Card
                key={s}
                className="stat-card"
                hoverable
                onClick={() => navigate(`/terminals?lifecycleState=${s}`)}
                style={{ borderTop: `3px solid ${STATE_COLORS[s].hex}` }}
              >
                <Statistic title={t(`states.${s}`)} value={data?.byState[s] ?? 0} loading={stats.isPending} data-testid={`stat-${s}`} />
              </Card>
            ))}
          </div>
          {can('fleet:read') && <div style={{ marginTop: 16 }}><FleetSummary /></div>}
          <Row gutter={[16, 16]} style={{ marginTop: can('fleet:read') ? 0 : 16 }}>
            <Col xs={24} lg={14}>
              <Card title={t('overview.byModel')} className="chart-card">
                {stats.isPending ? (
                  <Skeleton active paragraph={{ rows: 6 }} />
                ) : data && data.byModel.length > 0 && modelOption ? (
                  <Chart option={modelOption} height={Math.max(320, Math.min(12, data.byModel.length) * 36)} testId="chart-by-model" />
                ) : (
                  <EmptyState
                    title={t('overview.emptyTitle')}
                    hint={t('overview.emptyHint')}
                    action={
                      can('import:run') && (
                        <Link to="/terminals/import">
                          <Button type="primary">{t('overview.goImport')}</Button>
                        </Link>
                      )
                    }
                  />
                )}
              </Card>
            </Col>
            <Col xs={24} lg={10}>
              <Card title={t('overview.byState')} className="chart-card">
                {stats.isPending ? (
                  <Skeleton active paragraph={{ rows: 6 }} />
                ) : data && data.total > 0 && stateOption ? (
                  <Chart option={stateOption} height={320} testId="chart-by-state" />
                ) : (
                  <EmptyState title={t('overview.emptyTitle')} />
                )}
              </Card>
            </Col>
          </Row>
        </>
      )}
    </div>
  );
}
