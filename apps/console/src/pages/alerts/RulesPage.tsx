import { useMemo } from 'react';
import { App, Button, Card, Switch, Table, Tag, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { CheckOutlined, EditOutlined, EyeOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { alertsApi, type AlertRuleRow } from '../../api/alerts';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox } from '../../components/SearchBox';
import { EmptyState, QueryError } from '../../components/Status';
import { SEVERITY_RANK, conditionSummary } from '../../lib/alerts';
import { formatTime } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useAlertRules } from './queries';
import { RuleEditor } from './RuleEditor';
import { SeverityTag, ruleName, useTr } from './shared';

export default function RulesPage() {
  const { t } = useTranslation();
  const tr = useTr();
  const { can } = useAuth();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const canEdit = can('alerts:configure');
  const [params, setParams] = useSearchParams();
  const editing = params.get('edit');
  const q = params.get('q') ?? '';
  const list = useAlertRules();

  const setParam = (k: string, v: string | null) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (v) next.set(k, v);
        else next.delete(k);
        return next;
      },
      { replace: true },
    );

  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return [...(list.data ?? [])]
      .filter(
        (r) =>
          !needle ||
          r.code.toLowerCase().includes(needle) ||
          r.definition.name['zh-CN'].toLowerCase().includes(needle) ||
          r.definition.name['en-US'].toLowerCase().includes(needle),
      )
      .sort(
        (a, b) =>
          Number(b.definition.enabled) - Number(a.definition.enabled) ||
          SEVERITY_RANK[b.definition.severity] - SEVERITY_RANK[a.definition.severity] ||
          a.code.localeCompare(b.code),
      );
  }, [list.data, q]);
  const editRow = rows.find((r) => r.code === editing) ?? list.data?.find((r) => r.code === editing) ?? null;

  const toggle = useMutation({
    mutationFn: (v: { row: AlertRuleRow; enabled: boolean }) =>
      alertsApi.saveRule(v.row.code, {
        definition: { ...v.row.definition, enabled: v.enabled },
        comment: v.enabled ? t('alerts.rules.enabledComment') : t('alerts.rules.disabledComment'),
      }),
    onSuccess: (r) => {
      void message.success(r.definition.enabled ? t('alerts.rules.enabledDone', { name: ruleName(r.definition) }) : t('alerts.rules.disabledDone', { name: ruleName(r.definition) }));
      void qc.invalidateQueries({ queryKey: ['alert-rules'] });
    },
    onError: (e) => showError(e),
  });

  const columns: TableColumnsType<AlertRuleRow> = [
    {
      title: t('alerts.rules.name'),
      key: 'name',
      width: 220,
      render: (_, r) => (
        <div>
          <a onClick={() => setParam('edit', r.code)} className="alert-rule-name" data-testid="rule-name">
            {ruleName(r.definition)}
          </a>
          <div className="mono muted">{r.code}</div>
        </div>
      ),
    },
    {
      title: t('alerts.rules.condition'),
      key: 'condition',
      render: (_, r) => (
        <div className="rule-cond-cell">
          <Tag className="rule-kind-tag">{t(`alerts.kinds.${r.definition.condition.kind}`)}</Tag>
          <span className="rule-cond-text">{conditionSummary(r.definition.condition, tr)}</span>
          {r.definition.autoTicket && (
            <Tag color="geekblue" icon={<CheckOutlined />} className="rule-kind-tag">
              {t('alerts.rules.autoTicket')}
            </Tag>
          )}
        </div>
      ),
    },
    { title: t('alerts.rules.severity'), key: 'severity', width: 96, render: (_, r) => <SeverityTag severity={r.definition.severity} /> },
    { title: t('alerts.rules.groupBy'), key: 'groupBy', width: 110, render: (_, r) => t(`alerts.groupBy.${r.definition.groupBy}`) },
    {
      title: t('alerts.rules.enabled'),
      key: 'enabled',
      width: 64,
      render: (_, r) => (
        <Switch
          size="small"
          checked={r.definition.enabled}
          disabled={!canEdit}
          loading={toggle.isPending && toggle.variables?.row.code === r.code}
          onChange={(enabled) => toggle.mutate({ row: r, enabled })}
          data-testid="rule-enabled"
        />
      ),
    },
    {
      title: t('alerts.rules.version'),
      key: 'version',
      width: 150,
      render: (_, r) => (
        <div>
          <span className="nowrap">
            v{r.version} <Tag color={r.source === 'default' ? 'default' : 'blue'}>{t(`alerts.rules.source.${r.source}`)}</Tag>
          </span>
          {r.updatedAt && (
            <Tooltip title={`${r.updatedBy ?? t('common.system')} · ${formatTime(r.updatedAt)}`}>
              <div className="muted nowrap">{formatTime(r.updatedAt)}</div>
            </Tooltip>
          )}
        </div>
      ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 84,
      fixed: 'right',
      render: (_, r) => (
        <Tooltip title={canEdit ? t('common.edit') : t('alerts.rules.view')}>
          <Button
            type="link"
            size="small"
            icon={canEdit ? <EditOutlined /> : <EyeOutlined />}
            onClick={() => setParam('edit', r.code)}
            data-testid="rule-edit"
            data-code={r.code}
          >
            {canEdit ? t('common.edit') : t('alerts.rules.view')}
          </Button>
        </Tooltip>
      ),
    },
  ];

  return (
    <div data-testid="page-alert-rules">
      <PageHeader title={t('alerts.rules.title')} subtitle={t('alerts.rules.subtitle')} backTo="/alerts" />
      <Card className="table-card">
        <div className="toolbar">
          <SearchBox value={q} onChange={(v) => setParam('q', v)} placeholder={t('alerts.rules.search')} testId="rules-search" />
          <span className="toolbar-spacer" />
          <span className="muted">{t('alerts.rules.count', { count: rows.length })}</span>
        </div>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table<AlertRuleRow>
            rowKey="code"
            columns={columns}
            dataSource={rows}
            loading={list.isPending}
            pagination={false}
            scroll={{ x: 940 }}
            rowClassName={(r) => (r.definition.enabled ? '' : 'row-disabled')}
            onRow={(r) => ({ 'data-testid': 'rule-row', 'data-code': r.code } as object)}
            locale={{ emptyText: <EmptyState title={q ? t('common.noMatches') : t('alerts.rules.empty')} /> }}
          />
        )}
      </Card>
      {/* A fresh editor (form, preview, JSON view) for each rule opened. */}
      <RuleEditor key={editRow?.code ?? 'none'} row={editRow} canEdit={canEdit} onClose={() => setParam('edit', null)} />
    </div>
  );
}
