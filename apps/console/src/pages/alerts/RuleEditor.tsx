/** The rule editor: common fields, the condition, escalation, a JSON view, a 24-hour preview and the versions. */
import { useMemo, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import { DeleteOutlined, EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { EChartsCoreOption } from 'echarts/core';
import dayjs from 'dayjs';
import { ROLES } from '@poscare/contracts';
import {
  ALERT_GROUPINGS,
  ALERT_SEVERITIES,
  AlertConditionSchema,
  AlertRuleDefinitionSchema,
  CONDITION_KINDS,
  alertsApi,
  type AlertCondition,
  type AlertPreviewHit,
  type AlertRuleDefinition,
  type AlertRulePreviewResult,
  type AlertRuleRow,
} from '../../api/alerts';
import { Chart } from '../../components/Chart';
import { JsonDiff } from '../../components/JsonDiff';
import { cleanCondition, conditionSummary, defaultCondition, definitionFromEditor, formatAlertValue, hourlyFirings } from '../../lib/alerts';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { ConditionFields } from './ConditionFields';
import { SeverityTag, ruleName, useTr } from './shared';

type Tab = 'edit' | 'preview' | 'versions';

function previewOption(result: AlertRulePreviewResult, label: string): EChartsCoreOption {
  const { hours, counts } = hourlyFirings(result.hits, result.from, result.to);
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 12, top: 16, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      data: hours.map((h) => dayjs(h).format('HH:00')),
      axisTick: { alignWithLabel: true },
      axisLabel: { hideOverlap: true, color: '#8a93a3' },
    },
    yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef0f4' } } },
    series: [{ type: 'bar', name: label, data: counts, barMaxWidth: 18, itemStyle: { color: '#d4380d', borderRadius: [3, 3, 0, 0] } }],
  };
}

function Preview({ result, condition }: { result: AlertRulePreviewResult; condition: AlertCondition }) {
  const { t } = useTranslation();
  const tr = useTr();
  const option = useMemo(() => previewOption(result, t('alerts.preview.firings')), [result, t]);
  const cols: TableColumnsType<AlertPreviewHit> = [
    { title: t('alerts.preview.scope'), dataIndex: 'label', render: (l: string, h) => (h.terminals > 1 ? t('alerts.scope.terminals', { label: l, count: h.terminals }) : l) },
    { title: t('alerts.preview.firedAt'), dataIndex: 'firedAt', render: formatTime, width: 140 },
    {
      title: t('alerts.preview.resolvedAt'),
      dataIndex: 'resolvedAt',
      width: 140,
      render: (v: string | null) => (v ? formatTime(v) : <Tag color="red">{t('alerts.preview.stillFiring')}</Tag>),
    },
    { title: t('alerts.preview.value'), dataIndex: 'value', width: 100, align: 'right', render: (v: number | null) => formatAlertValue(condition, v, tr) },
  ];
  return (
    <div data-testid="rule-preview-result">
      <div className="alert-preview-stats">
        <Statistic title={t('alerts.preview.alerts')} value={result.alerts} data-testid="preview-alerts" data-count={result.alerts} />
        <Statistic title={t('alerts.preview.terminals')} value={result.terminals} />
        <Statistic title={t('alerts.preview.samples')} value={result.samples} />
      </div>
      <div className="muted small">{t('alerts.preview.range', { from: formatTime(result.from), to: formatTime(result.to) })}</div>
      <div className="alert-preview-chart-title">{t('alerts.preview.perHour')}</div>
      <div className="alert-preview-chart">
        <Chart option={option} height={160} testId="chart-rule-preview" />
      </div>
      <Table<AlertPreviewHit>
        rowKey={(h) => `${h.scopeKey}-${h.firedAt}`}
        size="small"
        columns={cols}
        dataSource={result.hits}
        pagination={result.hits.length > 10 ? { pageSize: 10, size: 'small' } : false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <span className="muted">{t('alerts.preview.noHits')}</span> }}
        data-testid="preview-hits"
      />
    </div>
  );
}

function Versions({ code }: { code: string }) {
  const { t } = useTranslation();
  const tr = useTr();
  const q = useQuery({ queryKey: ['alert-rules', 'versions', code], queryFn: () => alertsApi.ruleVersions(code) });
  const rows = useMemo(() => [...(q.data ?? [])].sort((a, b) => b.version - a.version), [q.data]);
  const cols: TableColumnsType<AlertRuleRow> = [
    { title: t('alerts.rules.version'), dataIndex: 'version', width: 70, render: (v: number) => <strong>v{v}</strong> },
    {
      title: t('alerts.rules.changedBy'),
      key: 'who',
      render: (_, r) => (
        <span>
          {r.source === 'default' ? <Tag>{t('alerts.rules.source.default')}</Tag> : r.updatedBy ?? t('common.system')}
          <div className="muted">{formatTime(r.updatedAt)}</div>
        </span>
      ),
    },
    { title: t('alerts.rules.comment'), dataIndex: 'comment', render: (c: string | null) => c ?? <span className="muted">—</span> },
    { title: t('alerts.rules.condition'), key: 'cond', responsive: ['md'], render: (_, r) => <span className="small">{conditionSummary(r.definition.condition, tr)}</span> },
  ];
  return (
    <Table<AlertRuleRow>
      rowKey="version"
      size="small"
      loading={q.isPending}
      columns={cols}
      dataSource={rows}
      pagination={false}
      data-testid="rule-versions"
      expandable={{
        rowExpandable: (r) => rows.some((x) => x.version < r.version),
        expandedRowRender: (r) => {
          const prev = rows.find((x) => x.version < r.version);
          return <JsonDiff before={prev?.definition} after={r.definition} />;
        },
      }}
      locale={{ emptyText: <span className="muted">{t('alerts.rules.noVersions')}</span> }}
    />
  );
}

export function RuleEditor({ row, canEdit, onClose }: { row: AlertRuleRow | null; canEdit: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const tr = useTr();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const [form] = Form.useForm<AlertRuleDefinition>();
  const [tab, setTab] = useState<Tab>('edit');
  const [json, setJson] = useState<string | null>(null);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const kind = Form.useWatch(['condition', 'kind'], form) as AlertCondition['kind'] | undefined;
  const open = row !== null;

  /** The definition as edited: from the JSON view when it is open, else from the form. */
  const current = (): AlertRuleDefinition | null => {
    if (!row) return null;
    if (json !== null) {
      try {
        const raw = JSON.parse(json) as AlertRuleDefinition;
        const parsed = AlertRuleDefinitionSchema.safeParse(raw);
        if (!parsed.success) {
          setJsonError(parsed.error.issues.map((i) => `${i.path.join('.') || '·'}: ${i.message}`).join('\n'));
          return null;
        }
        setJsonError(null);
        // Send what was written, not the parse (which drops fields a newer server may know).
        return raw;
      } catch (e) {
        setJsonError(e instanceof Error ? e.message : String(e));
        return null;
      }
    }
    return definitionFromEditor(row.definition, form.getFieldsValue(true) as Partial<AlertRuleDefinition>);
  };

  const checked = async (): Promise<AlertRuleDefinition | null> => {
    if (json === null) {
      try {
        await form.validateFields();
      } catch {
        setTab('edit');
        return null;
      }
    }
    const def = current();
    if (!def) return null;
    const parsed = AlertRuleDefinitionSchema.safeParse(def);
    if (!parsed.success) {
      void message.error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return null;
    }
    return def;
  };

  const preview = useMutation({
    mutationFn: (def: AlertRuleDefinition) => alertsApi.preview(def, 24),
    onError: (e) => showError(e),
  });

  const save = useMutation({
    mutationFn: (def: AlertRuleDefinition) => alertsApi.saveRule(row!.code, { definition: def, comment: comment.trim() || undefined }),
    onSuccess: (saved) => {
      void message.success(t('alerts.rules.savedVersion', { version: saved.version }));
      void qc.invalidateQueries({ queryKey: ['alert-rules'] });
      void qc.invalidateQueries({ queryKey: ['alerts'] });
      onClose();
    },
    onError: (e) => showError(e, form),
  });

  const runPreview = async () => {
    const def = await checked();
    if (!def) return;
    setTab('preview');
    preview.mutate(def);
  };

  const toggleJson = (on: boolean) => {
    if (on) {
      const def = current();
      setJson(JSON.stringify(def, null, 2));
      setJsonError(null);
      return;
    }
    const def = current();
    if (!def) return; // keep the JSON view open with its error
    form.setFieldsValue(def);
    form.setFieldValue('condition', def.condition);
    form.setFieldValue('escalation', def.escalation);
    setJson(null);
  };

  const roleOptions = ROLES.filter((r) => r !== 'merchant').map((r) => ({ value: r, label: t(`roles.${r}`) }));
  const previewDef = preview.variables;

  return (
    <Drawer
      open={open}
      title={row ? t(canEdit ? 'alerts.rules.editTitle' : 'alerts.rules.viewTitle', { name: ruleName(row.definition) }) : ''}
      onClose={onClose}
      size={760}
      destroyOnHidden
      className="rule-editor"
      footer={
        canEdit && (
          <div className="rule-editor-footer">
            <Input
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              maxLength={500}
              placeholder={t('alerts.rules.commentPlaceholder')}
              data-testid="rule-comment"
            />
            <Space>
              <Button icon={<EyeOutlined />} onClick={() => void runPreview()} loading={preview.isPending} data-testid="rule-preview">
                {t('alerts.preview.run')}
              </Button>
              <Button
                type="primary"
                loading={save.isPending}
                onClick={async () => {
                  const def = await checked();
                  if (def) save.mutate(def);
                }}
                data-testid="rule-save"
              >
                {t('common.save')}
              </Button>
            </Space>
          </div>
        )
      }
    >
      {row && (
        <Tabs
          activeKey={tab}
          onChange={(k) => setTab(k as Tab)}
          items={[
            {
              key: 'edit',
              label: t('alerts.rules.tabEdit'),
              children: (
                <div data-testid="rule-editor">
                  <div className="rule-editor-meta">
                    <span className="mono">{row.code}</span>
                    <Tag>{t(`alerts.rules.source.${row.source}`)}</Tag>
                    <span className="muted">v{row.version}</span>
                    <span className="toolbar-spacer" />
                    <span className="rule-json-toggle">
                      <span className="muted">{t('alerts.editor.json')}</span>
                      <Switch size="small" checked={json !== null} onChange={toggleJson} data-testid="rule-json-toggle" />
                    </span>
                  </div>
                  {json !== null ? (
                    <>
                      <Input.TextArea
                        value={json}
                        onChange={(e) => setJson(e.target.value)}
                        autoSize={{ minRows: 16, maxRows: 40 }}
                        className="mono rule-json"
                        readOnly={!canEdit}
                        spellCheck={false}
                        data-testid="rule-json"
                      />
                      {jsonError && <Alert type="error" showIcon title={t('alerts.editor.jsonInvalid')} description={<pre className="rule-json-error">{jsonError}</pre>} />}
                    </>
                  ) : (
                    <Form<AlertRuleDefinition>
                      form={form}
                      layout="vertical"
                      initialValues={row.definition}
                      disabled={!canEdit}
                      requiredMark={false}
                      data-testid="rule-form"
                    >
                      <div className="alert-form-grid">
                        <Form.Item name={['name', 'zh-CN']} label={t('alerts.editor.nameZh')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
                          <Input maxLength={200} />
                        </Form.Item>
                        <Form.Item name={['name', 'en-US']} label={t('alerts.editor.nameEn')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
                          <Input maxLength={200} />
                        </Form.Item>
                        <Form.Item name="severity" label={t('alerts.editor.severity')}>
                          <Select options={ALERT_SEVERITIES.map((s) => ({ value: s, label: <SeverityTag severity={s} /> }))} />
                        </Form.Item>
                        <Form.Item name="groupBy" label={t('alerts.editor.groupBy')} tooltip={t('alerts.editor.groupByHint')}>
                          <Select options={ALERT_GROUPINGS.map((g) => ({ value: g, label: t(`alerts.groupBy.${g}`) }))} />
                        </Form.Item>
                        <Form.Item name="resolveAfterMinutes" label={t('alerts.editor.resolveAfter')} tooltip={t('alerts.editor.resolveAfterHint')}>
                          <InputNumber<number> min={0} max={1440} suffix={t('alerts.editor.minutesUnit')} style={{ width: '100%' }} />
                        </Form.Item>
                        <div className="alert-form-switches">
                          <Form.Item name="enabled" label={t('alerts.editor.enabled')} valuePropName="checked">
                            <Switch />
                          </Form.Item>
                          <Form.Item name="autoTicket" label={t('alerts.editor.autoTicket')} valuePropName="checked" tooltip={t('alerts.editor.autoTicketHint')}>
                            <Switch />
                          </Form.Item>
                        </div>
                      </div>

                      <div className="rule-section-title">{t('alerts.editor.condition')}</div>
                      <Form.Item name={['condition', 'kind']} label={t('alerts.editor.kind')}>
                        <Select
                          options={CONDITION_KINDS.map((k) => ({ value: k, label: t(`alerts.kinds.${k}`) }))}
                          onChange={(k: AlertCondition['kind']) => form.setFieldValue('condition', defaultCondition(k))}
                          data-testid="cond-kind"
                        />
                      </Form.Item>
                      <ConditionFields kind={kind ?? row.definition.condition.kind} />
                      <Form.Item noStyle shouldUpdate>
                        {() => {
                          const parsed = AlertConditionSchema.safeParse(cleanCondition({ ...(form.getFieldValue('condition') as AlertCondition) }));
                          const text = parsed.success ? conditionSummary(parsed.data, tr) : null;
                          return text ? (
                            <div className="rule-summary" data-testid="rule-summary">
                              {text}
                            </div>
                          ) : null;
                        }}
                      </Form.Item>

                      <div className="rule-section-title">{t('alerts.editor.escalation')}</div>
                      <Form.List name="escalation">
                        {(fields, { add, remove }) => (
                          <div className="rule-escalation">
                            {fields.length === 0 && <div className="muted">{t('alerts.editor.noEscalation')}</div>}
                            {fields.map((f, i) => (
                              <div key={f.key} className="rule-escalation-step">
                                <span className="rule-escalation-n">{i + 1}</span>
                                <Form.Item name={[f.name, 'afterMinutes']} label={t('alerts.editor.afterMinutes')} rules={[{ required: true, message: t('common.required') }]}>
                                  <InputNumber<number> min={1} suffix={t('alerts.editor.minutesUnit')} style={{ width: '100%' }} />
                                </Form.Item>
                                <Form.Item name={[f.name, 'notifyRoles']} label={t('alerts.editor.notifyRoles')} rules={[{ required: true, message: t('common.required') }]}>
                                  <Select mode="multiple" options={roleOptions} />
                                </Form.Item>
                                <Form.Item name={[f.name, 'raiseSeverity']} label={t('alerts.editor.raiseSeverity')} valuePropName="checked">
                                  <Switch size="small" />
                                </Form.Item>
                                {canEdit && <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('common.delete')} />}
                              </div>
                            ))}
                            {canEdit && fields.length < 5 && (
                              <Button
                                type="dashed"
                                icon={<PlusOutlined />}
                                onClick={() => add({ afterMinutes: 30 * (fields.length + 1), notifyRoles: ['admin'], raiseSeverity: false })}
                              >
                                {t('alerts.editor.addStep')}
                              </Button>
                            )}
                          </div>
                        )}
                      </Form.List>
                      {row.definition.inhibits && (
                        <Typography.Paragraph type="secondary" className="small">
                          {t('alerts.editor.inhibits', { rules: row.definition.inhibits.rules.join(', '), within: row.definition.inhibits.within })}
                        </Typography.Paragraph>
                      )}
                    </Form>
                  )}
                </div>
              ),
            },
            {
              key: 'preview',
              label: t('alerts.rules.tabPreview'),
              children: (
                <div data-testid="rule-preview-tab">
                  <Typography.Paragraph type="secondary">{t('alerts.preview.hint')}</Typography.Paragraph>
                  {!canEdit ? null : preview.isPending ? (
                    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('alerts.preview.running')} />
                  ) : preview.data && previewDef ? (
                    <Preview result={preview.data} condition={previewDef.condition} />
                  ) : (
                    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('alerts.preview.idle')}>
                      <Button icon={<EyeOutlined />} onClick={() => void runPreview()}>
                        {t('alerts.preview.run')}
                      </Button>
                    </Empty>
                  )}
                </div>
              ),
            },
            { key: 'versions', label: t('alerts.rules.tabVersions'), children: <Versions code={row.code} /> },
          ]}
        />
      )}
      {row && !canEdit && <div className="muted small">{t('alerts.rules.readOnly')}</div>}
    </Drawer>
  );
}
