import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, Collapse, Form, Input, InputNumber, Row, Select, Space, Table, Tag, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useAuth } from '../../auth/AuthContext';
import { Chart } from '../../components/Chart';
import { PageHeader } from '../../components/PageHeader';
import { FullPageSpin, QueryError } from '../../components/Status';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { riskApi, type BacktestAnswer, type ThresholdOverrides, type ThresholdsView } from './api';
import { useT } from './shared';
import './risk.css';

type Unit = 'min' | 'hour' | 'day' | 'count' | 'pct' | 'yuan' | 'times';
/** Every number an organization may change, in the unit people think in (the API takes ms, fen, percent). */
const FIELDS: { section: string; key: string; unit: Unit }[] = [
  { section: 'doubleSubmit', key: 'gapMs', unit: 'min' },
  { section: 'timeoutRetry', key: 'windowMs', unit: 'min' },
  { section: 'cardTesting', key: 'spanMs', unit: 'min' },
  { section: 'cardTesting', key: 'minAttempts', unit: 'count' },
  { section: 'cardTesting', key: 'minCards', unit: 'count' },
  { section: 'cardTesting', key: 'maxAmountMinor', unit: 'yuan' },
  { section: 'cardTesting', key: 'minNotApprovedPercent', unit: 'pct' },
  { section: 'cardVelocity', key: 'spanMs', unit: 'min' },
  { section: 'cardVelocity', key: 'minAttempts', unit: 'count' },
  { section: 'cardVelocity', key: 'minMerchants', unit: 'count' },
  { section: 'cardVelocity', key: 'minTotalMinor', unit: 'yuan' },
  { section: 'fallbackAbuse', key: 'spanMs', unit: 'min' },
  { section: 'fallbackAbuse', key: 'minCards', unit: 'count' },
  { section: 'fallbackAbuse', key: 'explainedWithinMs', unit: 'min' },
  { section: 'splitSale', key: 'gapMs', unit: 'min' },
  { section: 'splitSale', key: 'minSales', unit: 'count' },
  { section: 'splitSale', key: 'minPercentOfLimit', unit: 'pct' },
  { section: 'splitSale', key: 'singleSaleLimitMinor', unit: 'yuan' },
  { section: 'offHours', key: 'lookbackMs', unit: 'hour' },
  { section: 'offHours', key: 'minHistoryMs', unit: 'day' },
  { section: 'offHours', key: 'medianMultiple', unit: 'times' },
  { section: 'refundAbuse', key: 'lookbackMs', unit: 'day' },
];
const SECTIONS = [...new Set(FIELDS.map((f) => f.section))];
const FACTOR: Record<Unit, number> = { min: 60_000, hour: 3_600_000, day: 86_400_000, count: 1, pct: 1, yuan: 100, times: 1 };
const CODES = ['dup.double_submit', 'dup.timeout_retry', 'dup.missing_reversal', 'risk.card_testing', 'risk.card_velocity', 'risk.fallback_abuse', 'risk.split_sale', 'risk.off_hours', 'risk.refund_abuse'];

type FormValues = Record<string, Record<string, number | null>> & { limits?: { merchantId?: string; yuan?: number | null }[]; note?: string };

const get = (o: Record<string, unknown>, section: string, key: string) => (o[section] as Record<string, number> | undefined)?.[key];

function toForm(view: ThresholdsView): FormValues {
  const v: FormValues = {};
  for (const f of FIELDS) {
    v[f.section] ??= {};
    const x = get(view.effective, f.section, f.key);
    v[f.section]![f.key] = typeof x === 'number' ? x / FACTOR[f.unit] : null;
  }
  const limits = (view.effective.splitSale as { singleSaleLimitByMerchant?: Record<string, number> })?.singleSaleLimitByMerchant ?? {};
  v.limits = Object.entries(limits).map(([merchantId, minor]) => ({ merchantId, yuan: minor / 100 }));
  return v;
}

/** What differs from the defaults, in the API's units: the overrides a version stores. */
function toOverrides(v: FormValues, defaults: Record<string, unknown>): ThresholdOverrides {
  const out: Record<string, Record<string, unknown>> = {};
  for (const f of FIELDS) {
    const x = v[f.section]?.[f.key];
    if (x === null || x === undefined) continue;
    const api = Math.round(x * FACTOR[f.unit] * (f.unit === 'times' ? 100 : 1)) / (f.unit === 'times' ? 100 : 1);
    if (api !== get(defaults, f.section, f.key)) (out[f.section] ??= {})[f.key] = api;
  }
  const limits = (v.limits ?? []).filter((l) => l.merchantId && typeof l.yuan === 'number');
  if (limits.length) (out.splitSale ??= {}).singleSaleLimitByMerchant = Object.fromEntries(limits.map((l) => [l.merchantId!, Math.round(l.yuan! * 100)]));
  return out as ThresholdOverrides;
}

function BacktestResult({ answer }: { answer: BacktestAnswer }) {
  const t = useT();
  const runName = (r: BacktestAnswer['runs'][number]) =>
    r.label === 'proposed' ? t('risk.thresholds.proposed') : r.label === 'current' ? t('risk.thresholds.currentV', { v: r.version }) : r.version === 0 ? t('risk.thresholds.defaultsV') : t('risk.thresholds.versionV', { v: r.version });
  const rows = CODES.map((code) => ({ code, ...Object.fromEntries(answer.runs.map((r, i) => [`r${i}`, r.counts[code] ?? 0])), diff: answer.difference[code] ?? 0 }));
  const columns: TableColumnsType<(typeof rows)[number]> = [
    { title: t('risk.thresholds.kind'), dataIndex: 'code', render: (c: string) => t(`risk.kindAll.${c.replace('.', '_')}`) },
    ...answer.runs.map((r, i) => ({ title: runName(r), dataIndex: `r${i}`, align: 'right' as const, render: (n: number) => (r.label === 'proposed' ? <strong>{n}</strong> : n) })),
    {
      title: t('risk.thresholds.difference'),
      dataIndex: 'diff',
      align: 'right' as const,
      render: (d: number) => (d === 0 ? <span className="muted">0</span> : <Tag color={d > 0 ? 'orange' : 'blue'}>{d > 0 ? `+${d}` : d}</Tag>),
    },
  ];
  const current = answer.runs.find((r) => r.label === 'current')!;
  const proposed = answer.runs.find((r) => r.label === 'proposed')!;
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 70 },
      xAxis: { type: 'category', data: CODES.map((c) => t(`risk.kindAll.${c.replace('.', '_')}`)), axisLabel: { rotate: 30, fontSize: 11 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: runName(current), type: 'bar', data: CODES.map((c) => current.counts[c] ?? 0), itemStyle: { color: '#8c8c8c' } },
        { name: runName(proposed), type: 'bar', data: CODES.map((c) => proposed.counts[c] ?? 0), itemStyle: { color: '#1677ff' } },
      ],
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [answer, t],
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="backtest-result">
      <span className="muted">
        {t('risk.thresholds.replayed', { records: answer.records.toLocaleString(), from: formatTime(answer.from), to: formatTime(answer.to) })}
      </span>
      {answer.message && <Alert type="warning" showIcon message={answer.message} />}
      <Chart option={option} height={260} testId="backtest-chart" />
      <Table rowKey="code" size="small" pagination={false} columns={columns} dataSource={rows} scroll={{ x: 640 }} />
    </Space>
  );
}

export default function RiskThresholdsPage() {
  const t = useT();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['risk', 'thresholds'], queryFn: riskApi.thresholds });
  const [form] = Form.useForm<FormValues>();
  const [tested, setTested] = useState<{ key: string; answer: BacktestAnswer } | null>(null);
  const [dirtyKey, setDirtyKey] = useState('');
  const configure = can('risk:configure');

  useEffect(() => {
    if (q.data) form.setFieldsValue(toForm(q.data));
  }, [q.data, form]);

  const overridesNow = () => toOverrides(form.getFieldsValue(true) as FormValues, q.data!.defaults);
  const backtest = useMutation({
    mutationFn: (o: ThresholdOverrides) => riskApi.backtest(o),
    onSuccess: (answer, o) => setTested({ key: JSON.stringify(o), answer }),
    onError: (e) => showError(e),
  });
  const save = useMutation({
    mutationFn: () => riskApi.saveThresholds(overridesNow(), q.data!.current.version, form.getFieldValue('note') || undefined),
    onSuccess: (view) => {
      qc.setQueryData(['risk', 'thresholds'], view);
      setTested(null);
      form.setFieldValue('note', '');
      void message.success(t('risk.thresholds.savedToast', { v: view.current.version }));
    },
    onError: (e) => showError(e),
  });

  if (q.isLoading) return <FullPageSpin />;
  if (q.error || !q.data) return <QueryError error={q.error} onRetry={() => q.refetch()} />;
  const view = q.data;
  const testedNow = tested && tested.key === dirtyKey;
  const unitLabel = (u: Unit) => t(`risk.thresholds.unit.${u}`);

  return (
    <div data-testid="risk-thresholds">
      <PageHeader
        title={t('risk.thresholds.title')}
        subtitle={t('risk.thresholds.subtitle')}
        tags={<Tag color="blue">{view.current.version === 0 ? t('risk.thresholds.defaultsV') : t('risk.thresholds.versionV', { v: view.current.version })}</Tag>}
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('risk.thresholds.editor')}>
            <Form
              form={form}
              layout="horizontal"
              labelCol={{ span: 12 }}
              wrapperCol={{ span: 12 }}
              disabled={!configure}
              onValuesChange={() => setDirtyKey(JSON.stringify(overridesNow()))}
            >
              <Collapse
                size="small"
                defaultActiveKey={['cardTesting', 'splitSale']}
                items={SECTIONS.map((s) => ({
                  key: s,
                  label: t(`risk.thresholds.section.${s}`),
                  children: (
                    <>
                      {FIELDS.filter((f) => f.section === s).map((f) => (
                        <Form.Item
                          key={f.key}
                          name={[f.section, f.key]}
                          label={t(`risk.thresholds.field.${f.section}_${f.key}`)}
                          extra={<span className="muted">{t('risk.thresholds.default', { value: (get(view.defaults, f.section, f.key)! / FACTOR[f.unit]).toLocaleString(), unit: unitLabel(f.unit) })}</span>}
                        >
                          <InputNumber min={0} step={f.unit === 'yuan' ? 10 : 1} addonAfter={unitLabel(f.unit)} style={{ width: '100%' }} data-testid={`th-${f.section}-${f.key}`} />
                        </Form.Item>
                      ))}
                      {s === 'splitSale' && (
                        <Form.List name="limits">
                          {(items, { add, remove }) => (
                            <div className="risk-limits">
                              <div className="muted">{t('risk.thresholds.perMerchant')}</div>
                              {items.map((it) => (
                                <Space key={it.key} align="baseline" wrap>
                                  <Form.Item name={[it.name, 'merchantId']} noStyle rules={[{ required: true, message: t('common.required') }]}>
                                    <Select showSearch optionFilterProp="label" style={{ width: 200 }} placeholder={t('risk.col.merchant')} options={view.merchants.map((m) => ({ value: m.id, label: m.name }))} />
                                  </Form.Item>
                                  <Form.Item name={[it.name, 'yuan']} noStyle rules={[{ required: true, message: t('common.required') }]}>
                                    <InputNumber min={0.01} addonAfter={unitLabel('yuan')} style={{ width: 160 }} />
                                  </Form.Item>
                                  <MinusCircleOutlined onClick={() => (remove(it.name), setDirtyKey(JSON.stringify(overridesNow())))} />
                                </Space>
                              ))}
                              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} size="small">
                                {t('risk.thresholds.addMerchantLimit')}
                              </Button>
                            </div>
                          )}
                        </Form.List>
                      )}
                    </>
                  ),
                }))}
              />
              <Form.Item name="note" label={t('risk.thresholds.note')} labelCol={{ span: 24 }} wrapperCol={{ span: 24 }} style={{ marginTop: 12 }}>
                <Input maxLength={1000} placeholder={t('risk.thresholds.notePlaceholder')} />
              </Form.Item>
            </Form>
            {configure && (
              <Space wrap>
                <Button onClick={() => backtest.mutate(overridesNow())} loading={backtest.isPending} data-testid="backtest-run">
                  {t('risk.thresholds.backtest')}
                </Button>
                <Tooltip title={testedNow ? '' : t('risk.thresholds.backtestFirst')}>
                  <Button type="primary" disabled={!testedNow} onClick={() => save.mutate()} loading={save.isPending} data-testid="thresholds-save">
                    {t('risk.thresholds.save', { v: view.current.version + 1 })}
                  </Button>
                </Tooltip>
              </Space>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Space direction="vertical" style={{ width: '100%' }} size={16}>
            <Card size="small" title={t('risk.thresholds.backtestTitle')}>
              {tested ? (
                <>
                  {!testedNow && <Alert type="info" showIcon message={t('risk.thresholds.changedSince')} style={{ marginBottom: 8 }} />}
                  <BacktestResult answer={tested.answer} />
                </>
              ) : (
                <span className="muted">{t('risk.thresholds.backtestHint')}</span>
              )}
            </Card>
            <Card size="small" title={t('risk.thresholds.history')}>
              <Table
                rowKey="version"
                size="small"
                pagination={false}
                dataSource={view.history}
                columns={[
                  { title: t('risk.thresholds.version'), dataIndex: 'version', render: (v: number) => (v === 0 ? t('risk.thresholds.defaultsV') : `v${v}`) },
                  { title: t('risk.thresholds.changes'), dataIndex: 'overrides', render: (o: object) => <span className="mono small">{Object.keys(o).length ? JSON.stringify(o) : '—'}</span> },
                  { title: t('risk.thresholds.note'), dataIndex: 'note', render: (n: string | null) => n ?? '—' },
                  { title: t('risk.thresholds.savedBy'), key: 'by', render: (_: unknown, r) => (r.createdAt ? `${r.createdByName ?? ''} ${formatTime(r.createdAt)}` : '—') },
                ]}
              />
            </Card>
          </Space>
        </Col>
      </Row>
    </div>
  );
}
