/** The device side of a terminal's page: live state, trend charts, events and transactions, credential. */
import { useMemo, type ReactNode } from 'react';
import { App, Badge, Button, Card, Col, Descriptions, Row, Segmented, Skeleton, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { ExclamationCircleFilled, LockFilled, StopOutlined, SyncOutlined, ThunderboltFilled } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { EChartsCoreOption } from 'echarts/core';
import { api } from '../api/client';
import type { DeviceCredential, DeviceEventRow, DeviceTxnRow, TelemetryPoint, TerminalLive } from '../api/fleet';
import { EMPTY, formatTime, formatTimeFull, orDash } from '../lib/format';
import { formatAmount, fromNow, pct, STATUS_COLORS, successRate } from '../lib/fleet';
import { LIVE_REFRESH_MS } from '../lib/fleetQueries';
import { useShowError } from '../lib/hooks';
import { Chart } from './Chart';
import { FleetStatusTag, ReasonTags } from './FleetTags';
import { EmptyState, QueryError } from './Status';

export type ChartRange = '24h' | '7d';

export function useTerminalLive(id: string) {
  return useQuery({
    queryKey: ['fleet', 'live', id],
    queryFn: () => api<TerminalLive>(`/terminals/${id}/live`),
    refetchInterval: LIVE_REFRESH_MS,
    staleTime: 5_000,
  });
}

function Reading({ label, children, testId }: { label: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <div className="live-reading" data-testid={testId}>
      <div className="live-reading-label">{label}</div>
      <div className="live-reading-value">{children}</div>
    </div>
  );
}

const num = (v: number | undefined, unit: string, digits = 0) => (v === undefined ? EMPTY : `${v.toFixed(digits)}${unit}`);

export function LiveCard({ id }: { id: string }) {
  const { t } = useTranslation();
  const live = useTerminalLive(id);
  const d = live.data;
  const tel = d?.telemetry ?? null;

  const title = (
    <span className="live-title">
      {t('live.title')}
      {d && <FleetStatusTag status={d.status} large />}
      {d?.lock && (
        <Tooltip
          title={t('live.lockedHint', { since: formatTimeFull(d.lock.since), by: d.lock.by ?? EMPTY })}
        >
          <Tag color="red" icon={<LockFilled />} className="live-inline-tag" data-testid="live-locked">
            {t('live.locked')}
            {d.lock.message ? `: ${d.lock.message}` : ''}
          </Tag>
        </Tooltip>
      )}
    </span>
  );
  const extra = d && (
    <span className="live-extra">
      <Tooltip title={t('live.refreshHint')}>
        <SyncOutlined spin={live.isFetching} className="muted" />
      </Tooltip>
      {d.lastSeenAt && (
        <Typography.Text type="secondary" title={formatTimeFull(d.lastSeenAt)} data-testid="live-last-seen">
          {t('live.lastSeen')} {fromNow(d.lastSeenAt)}
        </Typography.Text>
      )}
    </span>
  );

  let body: ReactNode;
  if (live.isPending) body = <Skeleton active paragraph={{ rows: 3 }} />;
  else if (live.isError && !d) body = <QueryError error={live.error} onRetry={() => void live.refetch()} />;
  else if (!d || d.status === 'never_seen' || !tel) {
    body = <EmptyState title={t('live.waitingTitle')} hint={t('live.waitingHint')} />;
  } else {
    const net = tel.network;
    const printer = tel.printer?.status;
    const reader = tel.reader;
    const rates = (['chip', 'contactless', 'magstripe'] as const).map((k) => ({ k, rate: successRate(reader?.[k]) }));
    body = (
      <>
        <div className="live-readings">
          <Reading label={t('live.battery')} testId="live-battery">
            <span>{num(tel.battery?.pct, '%')}</span>
            {tel.battery?.charging && (
              <Tag color="green" icon={<ThunderboltFilled />} className="live-inline-tag">
                {t('live.charging')}
              </Tag>
            )}
            {tel.battery?.healthPct !== undefined && <div className="muted">{t('live.batteryHealth', { pct: `${Math.round(tel.battery.healthPct)}%` })}</div>}
          </Reading>
          <Reading label={t('live.temperature')} testId="live-temp">
            {num(tel.tempC, ' °C', 1)}
          </Reading>
          <Reading label={t('live.signal')} testId="live-signal">
            {net?.connected === false ? (
              <Typography.Text type="danger">{t('live.disconnected')}</Typography.Text>
            ) : (
              <span>{num(net?.signalDbm, ' dBm')}</span>
            )}
            {net?.type && <div className="muted">{t(`live.networkTypes.${net.type}`)}</div>}
          </Reading>
          <Reading label={t('live.latency')} testId="live-latency">
            {num(net?.latencyMs, ' ms')}
            {net?.lossPct !== undefined && <div className="muted">{t('live.loss', { pct: `${net.lossPct}%` })}</div>}
          </Reading>
          <Reading label={t('live.printer')} testId="live-printer">
            {printer ? (
              <Tag color={printer === 'ok' ? 'green' : printer === 'paper_low' || printer === 'absent' ? 'gold' : 'red'} data-status={printer}>
                {t(`live.printerStatus.${printer}`)}
              </Tag>
            ) : (
              EMPTY
            )}
          </Reading>
          <Reading label={t('live.reader')} testId="live-reader">
            <div className="live-rates">
              {rates.map(({ k, rate }) => (
                <span key={k} className="live-rate">
                  <span className="muted">{t(`live.${k}`)}</span>{' '}
                  {rate === null ? (
                    <span className="muted">{t('live.notUsed')}</span>
                  ) : (
                    <strong style={{ color: rate < 0.8 ? STATUS_COLORS.critical.hex : undefined }}>{pct(rate)}</strong>
                  )}
                </span>
              ))}
            </div>
          </Reading>
          <Reading label={t('live.versions')} testId="live-versions">
            <div>
              <span className="muted">{t('live.app')}</span> <span className="mono">{orDash(d.appVersion ?? tel.app?.version)}</span>
            </div>
            <div>
              <span className="muted">{t('live.os')}</span> <span className="mono">{orDash(d.osVersion ?? tel.os?.version)}</span>
            </div>
          </Reading>
        </div>
        <div className="live-reasons">
          {d.health === 'unknown' ? (
            // Offline: the readings above are from before it went quiet; never summed up as "no problems".
            <Typography.Text type="warning" data-testid="health-unknown">
              <ExclamationCircleFilled style={{ color: STATUS_COLORS.offline.hex }} /> {t('live.healthUnknown', { since: d.offlineSince ? formatTime(d.offlineSince) : EMPTY })}
              {d.readingsAgeMinutes != null && <span className="muted"> · {t('live.staleReadings', { minutes: d.readingsAgeMinutes })}</span>}
              {d.lastReadings && d.lastReadings.reasons.length > 0 && <ReasonTags reasons={d.lastReadings.reasons} />}
            </Typography.Text>
          ) : d.healthReasons.length > 0 ? (
            <>
              <ExclamationCircleFilled style={{ color: STATUS_COLORS[d.health === 'critical' ? 'critical' : 'degraded'].hex }} />
              <ReasonTags reasons={d.healthReasons} />
            </>
          ) : (
            <Typography.Text type="secondary" data-testid="health-reasons-none">
              {t('live.noReasons')}
            </Typography.Text>
          )}
          {d.lastTelemetryAt && (
            <span className="muted live-telemetry-at" title={formatTimeFull(d.lastTelemetryAt)}>
              {t('live.lastTelemetry')}: {formatTime(d.lastTelemetryAt)}
            </span>
          )}
        </div>
      </>
    );
  }

  return (
    <Card title={title} extra={extra} className="section-card live-card" data-testid="live-card" data-status={d?.status}>
      {body}
    </Card>
  );
}

const AXIS_LINE = { lineStyle: { color: '#d9dde5' } };
const SPLIT = { lineStyle: { color: '#eef0f4' } };

function lineOption(
  points: TelemetryPoint[],
  series: { name: string; pick: (p: TelemetryPoint) => number | null; color: string; area?: boolean }[],
  y: { min?: number; max?: number; scale?: boolean; percent?: boolean },
): EChartsCoreOption {
  return {
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? (y.percent ? `${v.toFixed(1)}%` : String(v)) : EMPTY),
    },
    legend: series.length > 1 ? { top: 0, right: 0, icon: 'roundRect', itemWidth: 10, itemHeight: 4 } : undefined,
    grid: { left: 8, right: 12, top: series.length > 1 ? 28 : 12, bottom: 4, containLabel: true },
    xAxis: { type: 'time', axisLine: AXIS_LINE, splitLine: { show: false }, axisLabel: { hideOverlap: true, color: '#8a93a3' } },
    yAxis: { type: 'value', min: y.min, max: y.max, scale: y.scale, splitLine: SPLIT, axisLabel: { color: '#8a93a3' } },
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      showSymbol: points.length < 40,
      symbolSize: 4,
      connectNulls: false,
      lineStyle: { width: 1.6, color: s.color },
      itemStyle: { color: s.color },
      areaStyle: s.area ? { color: s.color, opacity: 0.08 } : undefined,
      data: points.map((p) => [p.at, s.pick(p)]),
    })),
  };
}

export function TelemetryCharts({ id, range, onRange }: { id: string; range: ChartRange; onRange: (r: ChartRange) => void }) {
  const { t } = useTranslation();
  const resolution = range === '24h' ? 'minute' : 'hour';
  const series = useQuery({
    queryKey: ['fleet', 'telemetry', id, resolution],
    queryFn: () => api<TelemetryPoint[]>(`/terminals/${id}/telemetry`, { query: { resolution } }),
    refetchInterval: range === '24h' ? 60_000 : 5 * 60_000,
  });
  const points = series.data;

  const options = useMemo(() => {
    if (!points?.length) return null;
    const x100 = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
    return {
      battery: lineOption(points, [{ name: t('live.battery'), pick: (p) => p.batteryPct, color: '#389e0d', area: true }], { min: 0, max: 100 }),
      temp: lineOption(
        points,
        [
          { name: t('live.chartTempAvg'), pick: (p) => p.tempC, color: '#fa8c16' },
          { name: t('live.chartTempMax'), pick: (p) => p.tempMaxC, color: '#cf1322' },
        ],
        { scale: true },
      ),
      signal: lineOption(points, [{ name: t('live.signal'), pick: (p) => p.signalDbm, color: '#1f4fd6' }], { scale: true }),
      latency: lineOption(points, [{ name: t('live.latency'), pick: (p) => p.latencyMs, color: '#722ed1', area: true }], { min: 0 }),
      reader: lineOption(
        points,
        [
          { name: t('live.chip'), pick: (p) => x100(p.chipSuccess), color: '#13a8a8' },
          { name: t('live.contactless'), pick: (p) => x100(p.contactlessSuccess), color: '#1f4fd6' },
          { name: t('live.magstripe'), pick: (p) => x100(p.magstripeSuccess), color: '#d48806' },
        ],
        { min: 0, max: 100, percent: true },
      ),
    };
  }, [points, t]);

  const charts: { key: keyof NonNullable<typeof options>; title: string }[] = [
    { key: 'battery', title: t('live.chartBattery') },
    { key: 'temp', title: t('live.chartTemp') },
    { key: 'signal', title: t('live.chartSignal') },
    { key: 'latency', title: t('live.chartLatency') },
    { key: 'reader', title: t('live.chartReader') },
  ];

  return (
    <Card
      title={t('live.charts')}
      className="section-card"
      data-testid="telemetry-charts"
      extra={
        <Segmented<ChartRange>
          size="small"
          value={range}
          onChange={onRange}
          options={[
            { value: '24h', label: <span data-testid="range-24h">{t('live.range24h')}</span> },
            { value: '7d', label: <span data-testid="range-7d">{t('live.range7d')}</span> },
          ]}
        />
      }
    >
      {series.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : series.isError ? (
        <QueryError error={series.error} onRetry={() => void series.refetch()} />
      ) : !options ? (
        <EmptyState title={t('live.noSeries')} />
      ) : (
        <Row gutter={[16, 8]}>
          {charts.map((c) => (
            <Col key={c.key} xs={24} lg={12} xxl={c.key === 'reader' ? 24 : 12}>
              <div className="live-chart-title">{c.title}</div>
              <Chart option={options[c.key]} height={180} testId={`chart-${c.key}`} />
            </Col>
          ))}
        </Row>
      )}
    </Card>
  );
}

export function ActivityTabs({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const events = useQuery({
    queryKey: ['fleet', 'events', id],
    queryFn: () => api<DeviceEventRow[]>(`/terminals/${id}/events`, { query: { limit: 50 } }),
    refetchInterval: LIVE_REFRESH_MS,
  });
  const txns = useQuery({
    queryKey: ['fleet', 'txns', id],
    queryFn: () => api<DeviceTxnRow[]>(`/terminals/${id}/transactions`, { query: { limit: 50 } }),
    refetchInterval: LIVE_REFRESH_MS,
  });
  const known = (prefix: 'live.entryModes' | 'live.outcomes', v: string) => (i18n.exists(`${prefix}.${v}`) ? t(`${prefix}.${v}` as 'live.outcomes.approved') : v);

  const eventCols: TableColumnsType<DeviceEventRow> = [
    { title: t('live.time'), dataIndex: 'at', width: 150, render: (v: string) => <span className="nowrap" title={formatTimeFull(v)}>{formatTime(v)}</span> },
    {
      title: t('live.type'),
      dataIndex: 'type',
      width: 100,
      render: (v: string) => <Tag color={v === 'error' ? 'red' : v === 'warning' ? 'gold' : 'default'}>{v}</Tag>,
    },
    { title: t('live.code'), dataIndex: 'code', width: 140, render: (v: string | null) => <span className="mono">{orDash(v)}</span> },
    { title: t('live.message'), dataIndex: 'message', render: (v: string | null) => orDash(v) },
  ];
  const txnCols: TableColumnsType<DeviceTxnRow> = [
    { title: t('live.time'), dataIndex: 'at', render: (v: string) => <span className="nowrap" title={formatTimeFull(v)}>{formatTime(v)}</span> },
    { title: t('live.amount'), key: 'amount', align: 'right', render: (_, r) => <span className="nowrap">{formatAmount(r.amountMinor, r.currency, i18n.language)}</span> },
    { title: t('live.entryMode'), dataIndex: 'entryMode', render: (v: string) => known('live.entryModes', v) },
    {
      title: t('live.outcome'),
      dataIndex: 'outcome',
      render: (v: string) => <Tag color={v === 'approved' ? 'green' : v === 'reversed' ? 'default' : 'red'}>{known('live.outcomes', v)}</Tag>,
    },
    { title: t('live.responseCode'), dataIndex: 'responseCode', render: (v: string | null) => <span className="mono">{orDash(v)}</span> },
    { title: t('live.card'), dataIndex: 'cardToken', render: (v: string | null) => <span className="mono">{orDash(v)}</span> },
    { title: 'TVR / TSI', key: 'tvr', responsive: ['lg'], render: (_, r) => <span className="mono small">{r.tvr || r.tsi ? `${r.tvr ?? EMPTY} / ${r.tsi ?? EMPTY}` : EMPTY}</span> },
    { title: t('live.duration'), dataIndex: 'durationMs', align: 'right', responsive: ['md'], render: (v: number | null) => (v === null ? EMPTY : `${v} ms`) },
  ];

  return (
    <Card className="section-card activity-card" data-testid="activity-card">
      <Tabs
        items={[
          {
            key: 'events',
            label: <span data-testid="tab-events">{t('live.events')}</span>,
            children: events.isError ? (
              <QueryError error={events.error} onRetry={() => void events.refetch()} />
            ) : (
              <Table<DeviceEventRow>
                rowKey={(r, i) => `${r.at}-${i}`}
                size="small"
                columns={eventCols}
                dataSource={events.data}
                loading={events.isPending}
                pagination={{ pageSize: 10, hideOnSinglePage: true, size: 'small' }}
                scroll={{ x: 'max-content' }}
                locale={{ emptyText: <span className="muted">{t('live.eventsEmpty')}</span> }}
                data-testid="events-table"
              />
            ),
          },
          {
            key: 'txns',
            label: <span data-testid="tab-transactions">{t('live.transactions')}</span>,
            children: txns.isError ? (
              <QueryError error={txns.error} onRetry={() => void txns.refetch()} />
            ) : (
              <Table<DeviceTxnRow>
                rowKey={(r, i) => `${r.at}-${r.id ?? i}`}
                size="small"
                columns={txnCols}
                dataSource={txns.data}
                loading={txns.isPending}
                pagination={{ pageSize: 10, hideOnSinglePage: true, size: 'small' }}
                scroll={{ x: 'max-content' }}
                locale={{ emptyText: <span className="muted">{t('live.txnsEmpty')}</span> }}
                data-testid="txns-table"
              />
            ),
          },
        ]}
      />
    </Card>
  );
}

export function CredentialCard({ id }: { id: string }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const showError = useShowError();
  const cred = useQuery({ queryKey: ['fleet', 'credential', id], queryFn: () => api<DeviceCredential>(`/terminals/${id}/credential`) });
  const revoke = useMutation({
    mutationFn: () => api(`/terminals/${id}/credential/revoke`, { method: 'POST' }),
    onSuccess: () => {
      void message.success(t('credential.revokedDone'));
      void qc.invalidateQueries({ queryKey: ['fleet', 'credential', id] });
    },
    onError: (e) => showError(e),
  });
  const c = cred.data;
  const state = !c ? undefined : c.revokedAt ? 'revoked' : c.enrolled ? 'enrolled' : 'not_enrolled';

  const confirm = () =>
    modal.confirm({
      title: t('credential.revokeTitle'),
      content: t('credential.revokeText'),
      okText: t('credential.revoke'),
      cancelText: t('common.cancel'),
      okButtonProps: { danger: true, 'data-testid': 'credential-revoke-confirm' },
      onOk: () => revoke.mutateAsync().catch(() => undefined),
    });

  return (
    <Card
      title={t('credential.title')}
      className="section-card"
      data-testid="credential-card"
      data-state={state}
      extra={
        state === 'enrolled' && (
          <Button danger size="small" icon={<StopOutlined />} onClick={confirm} loading={revoke.isPending} data-testid="credential-revoke">
            {t('credential.revoke')}
          </Button>
        )
      }
    >
      {cred.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : cred.isError ? (
        <QueryError error={cred.error} onRetry={() => void cred.refetch()} />
      ) : c && state ? (
        <>
          <Descriptions
            size="small"
            column={1}
            items={[
              {
                key: 'status',
                label: t('credential.status'),
                children: (
                  <Badge
                    status={state === 'enrolled' ? 'success' : state === 'revoked' ? 'error' : 'default'}
                    text={<span data-testid="credential-status">{t(state === 'enrolled' ? 'credential.enrolled' : state === 'revoked' ? 'credential.revoked' : 'credential.notEnrolled')}</span>}
                  />
                ),
              },
              { key: 'enrolledAt', label: t('credential.enrolledAt'), children: formatTime(c.enrolledAt) },
              ...(c.revokedAt ? [{ key: 'revokedAt', label: t('credential.revokedAt'), children: formatTime(c.revokedAt) }] : []),
              {
                key: 'last',
                label: t('credential.lastConnected'),
                children: c.lastConnectedAt ? <span title={formatTimeFull(c.lastConnectedAt)}>{fromNow(c.lastConnectedAt)}</span> : <span className="muted">{t('credential.never')}</span>,
              },
            ]}
          />
          {state === 'not_enrolled' && <div className="muted">{t('credential.notEnrolledHint')}</div>}
        </>
      ) : null}
    </Card>
  );
}
