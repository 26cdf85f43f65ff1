import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Skeleton,
  Space,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import type { DescriptionsProps } from 'antd';
import {
  CheckCircleFilled,
  CheckOutlined,
  CloseCircleFilled,
  EditOutlined,
  MinusCircleFilled,
  SwapOutlined,
  ToolOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ACCEPTANCE_CHECKS } from '@poscare/contracts';
import { api, isApiError } from '../api/client';
import type {
  Acceptance,
  AcceptanceInput,
  AcceptanceItemsValue,
  CheckResult,
  LifecycleState,
  Terminal,
  TerminalDetail,
} from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { PageHeader } from '../components/PageHeader';
import { StateTag } from '../components/StateTag';
import { DiagnosisPanel } from '../components/DiagnosisPanel';
import { ActivityTabs, CredentialCard, LiveCard, TelemetryCharts, type ChartRange } from '../components/TerminalLive';
import { NotFound, QueryError } from '../components/Status';
import { TerminalForm, terminalBody, type TerminalFormValues } from '../components/TerminalForm';
import { EMPTY, formatTime, formatTimeFull, orDash, STATE_COLORS } from '../lib/format';
import { useShowError } from '../lib/hooks';
import { CustodyCard } from './fieldwork/CustodyCard';
import { CommandPanel } from './commands/CommandPanel';

const CHECK_RESULTS: readonly CheckResult[] = ['pass', 'fail', 'not_applicable'];

type AcceptanceForm = { items: Partial<AcceptanceItemsValue>; notes?: string };

function ResultIcon({ r }: { r: CheckResult }) {
  if (r === 'pass') return <CheckCircleFilled style={{ color: '#389e0d' }} />;
  if (r === 'fail') return <CloseCircleFilled style={{ color: '#cf1322' }} />;
  return <MinusCircleFilled style={{ color: '#bfbfbf' }} />;
}

export default function TerminalDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can } = useAuth();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const showError = useShowError();
  const [editOpen, setEditOpen] = useState(false);
  const [editInitial, setEditInitial] = useState<Partial<TerminalFormValues>>({});
  const [stateOpen, setStateOpen] = useState(false);
  const [editForm] = Form.useForm<TerminalFormValues>();
  const [stateForm] = Form.useForm<{ to: LifecycleState; reason?: string }>();
  const [accForm] = Form.useForm<AcceptanceForm>();
  const [params, setParams] = useSearchParams();
  const range: ChartRange = params.get('range') === '7d' ? '7d' : '24h';
  const setRange = (r: ChartRange) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (r === '24h') next.delete('range');
        else next.set('range', r);
        return next;
      },
      { replace: true },
    );

  const key = ['terminals', 'detail', id];
  const detail = useQuery({ queryKey: key, queryFn: () => api<TerminalDetail>(`/terminals/${id}`) });
  const term = detail.data;

  const refresh = () => void qc.invalidateQueries({ queryKey: ['terminals'] });

  const edit = useMutation({
    mutationFn: (v: TerminalFormValues) => {
      const { lifecycleState: _s, ...body } = terminalBody(v);
      return api<Terminal>(`/terminals/${id}`, { method: 'PATCH', body });
    },
    onSuccess: () => {
      void message.success(t('common.saved'));
      setEditOpen(false);
      refresh();
    },
    onError: (e) => showError(e, editForm),
  });

  const changeState = useMutation({
    mutationFn: (v: { to: LifecycleState; reason?: string }) =>
      api(`/terminals/${id}/lifecycle`, { method: 'POST', body: { to: v.to, reason: v.reason?.trim() || undefined } }),
    onSuccess: (_d, v) => {
      void message.success(t('terminal.stateChanged', { state: t(`states.${v.to}`) }));
      setStateOpen(false);
      refresh();
    },
    onError: (e) => showError(e, stateForm),
  });

  const accept = useMutation({
    mutationFn: (v: AcceptanceForm) => {
      const body: AcceptanceInput = {
        items: v.items as AcceptanceItemsValue,
        notes: v.notes?.trim() || undefined,
      };
      return api<Acceptance>(`/terminals/${id}/acceptance`, { method: 'POST', body });
    },
    onSuccess: (a) => {
      void message.success(a.passed ? t('acceptance.recordedPassed') : t('acceptance.recordedFailed'));
      accForm.resetFields();
      refresh();
    },
    onError: (e) => showError(e, accForm),
  });

  if (detail.isPending) {
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 8 }} />
      </Card>
    );
  }
  if (detail.isError) {
    if (isApiError(detail.error) && (detail.error.status === 404 || detail.error.status === 400)) return <NotFound />;
    return <QueryError error={detail.error} onRetry={() => void detail.refetch()} />;
  }
  if (!term) return <NotFound />;

  const openEdit = () => {
    setEditInitial({
      serialNumber: term.serialNumber,
      tid: term.tid,
      vendor: term.vendor,
      model: term.model,
      osVersion: term.osVersion,
      appVersion: term.appVersion,
      firmwareVersion: term.firmwareVersion,
      connectivity: term.connectivity,
      merchantId: term.merchantId ?? undefined,
      siteId: term.siteId,
    });
    setEditOpen(true);
  };
  const openState = () => {
    setStateOpen(true);
  };

  const canLifecycle = can('terminal:lifecycle');
  const noTransitions = term.allowedTransitions.length === 0;

  const info: DescriptionsProps['items'] = [
    {
      key: 'serial',
      label: t('terminal.serialNumber'),
      children: (
        <Typography.Text copyable className="mono" data-testid="detail-serial">
          {term.serialNumber}
        </Typography.Text>
      ),
    },
    { key: 'tid', label: t('terminal.tid'), children: <span className="mono">{orDash(term.tid)}</span> },
    { key: 'state', label: t('terminal.lifecycleState'), children: <StateTag state={term.lifecycleState} /> },
    { key: 'vendor', label: t('terminal.vendor'), children: term.vendor },
    { key: 'model', label: t('terminal.model'), children: term.model },
    {
      key: 'conn',
      label: t('terminal.connectivity'),
      children: term.connectivity ? t(`connectivity.${term.connectivity}`) : EMPTY,
    },
    { key: 'os', label: t('terminal.osVersion'), children: orDash(term.osVersion) },
    { key: 'app', label: t('terminal.appVersion'), children: orDash(term.appVersion) },
    { key: 'fw', label: t('terminal.firmwareVersion'), children: orDash(term.firmwareVersion) },
    {
      key: 'merchant',
      label: t('terminal.merchant'),
      children: term.merchantId ? (
        <Link to={`/sites?merchantId=${term.merchantId}`}>{term.merchantName ?? EMPTY}</Link>
      ) : (
        <span className="muted">{t('terminal.unassigned')}</span>
      ),
    },
    {
      key: 'site',
      label: t('terminal.site'),
      children: term.siteId ? (
        <Link to={`/terminals?siteId=${term.siteId}${term.merchantId ? `&merchantId=${term.merchantId}` : ''}`}>
          {term.siteName ?? EMPTY}
        </Link>
      ) : (
        <span className="muted">{t('terminal.unassigned')}</span>
      ),
    },
    { key: 'created', label: t('common.createdAt'), children: formatTime(term.createdAt) },
    { key: 'updated', label: t('common.updatedAt'), children: formatTime(term.updatedAt) },
  ];

  // The server records a few machine reasons for events it creates itself; show those in words.
  const reasonText = (r: string) =>
    r === 'created' || r === 'imported' || r === 'demo' || r === 'acceptance_passed' ? t(`terminal.systemReasons.${r}`) : r;

  const history = [...term.history].sort((a, b) => b.at.localeCompare(a.at));
  const acceptances = [...term.acceptances].sort((a, b) => b.at.localeCompare(a.at));

  return (
    <div data-testid="page-terminal-detail">
      <PageHeader
        backTo="/terminals"
        title={<span className="mono">{term.serialNumber}</span>}
        tags={<StateTag state={term.lifecycleState} large />}
        subtitle={`${term.vendor} · ${term.model}${term.siteName ? ` · ${term.siteName}` : ''}`}
        extra={
          <>
            {can('diagnosis:run') && (
              <Link to={`/troubleshoot?terminal=${term.id}`} data-testid="terminal-troubleshoot">
                <Button icon={<ToolOutlined />}>{t('nav.troubleshoot')}</Button>
              </Link>
            )}
            {can('inventory:write') && (
              <Button icon={<EditOutlined />} onClick={openEdit} data-testid="terminal-edit">
                {t('common.edit')}
              </Button>
            )}
            {canLifecycle && (
              <Tooltip title={noTransitions ? t('terminal.noTransitions') : undefined}>
                <Button
                  type="primary"
                  icon={<SwapOutlined />}
                  onClick={openState}
                  disabled={noTransitions}
                  data-testid="lifecycle-change"
                >
                  {t('terminal.changeState')}
                </Button>
              </Tooltip>
            )}
          </>
        }
      />
      {can('fleet:read') && <LiveCard id={term.id} />}
      {can('diagnosis:run') && <DiagnosisPanel terminalId={term.id} />}
      {can('fleet:read') && <TelemetryCharts id={term.id} range={range} onRange={setRange} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          {can('fleet:read') && <ActivityTabs id={term.id} />}
          {can('devices:command') && <CommandPanel terminalId={term.id} />}
          <Card title={t('terminal.details')} className="section-card">
            <Descriptions
              items={info}
              column={{ xs: 1, sm: 2, md: 2, lg: 3, xl: 3, xxl: 3 }}
              size="small"
              data-testid="terminal-descriptions"
            />
          </Card>

          <Card title={t('acceptance.title')} className="section-card" data-testid="acceptance-card">
            {can('terminal:acceptance') ? (
              <Form<AcceptanceForm>
                form={accForm}
                layout="vertical"
                onFinish={(v) => accept.mutate(v)}
                className="acceptance-form"
                data-testid="acceptance-form"
              >
                <div className="acceptance-head">
                  <Typography.Text type="secondary">{t('acceptance.hint')}</Typography.Text>
                  <Button
                    size="small"
                    icon={<CheckOutlined />}
                    onClick={() =>
                      accForm.setFieldsValue({
                        items: Object.fromEntries(ACCEPTANCE_CHECKS.map((c) => [c, 'pass'])) as AcceptanceItemsValue,
                      })
                    }
                    data-testid="acceptance-all-pass"
                  >
                    {t('acceptance.allPass')}
                  </Button>
                </div>
                <div className="acceptance-checks">
                  {ACCEPTANCE_CHECKS.map((c) => (
                    <Form.Item
                      key={c}
                      name={['items', c]}
                      label={t(`checks.${c}`)}
                      rules={[{ required: true, message: t('acceptance.resultRequired') }]}
                      className="acceptance-check"
                    >
                      <Radio.Group optionType="button" buttonStyle="solid" data-testid={`acceptance-${c}`}>
                        {CHECK_RESULTS.map((r) => (
                          <Radio.Button key={r} value={r}>
                            <span data-testid={`acceptance-${c}-${r}`}>{t(`checkResults.${r}`)}</span>
                          </Radio.Button>
                        ))}
                      </Radio.Group>
                    </Form.Item>
                  ))}
                </div>
                <Form.Item name="notes" label={t('acceptance.notes')}>
                  <Input.TextArea
                    maxLength={1000}
                    showCount
                    autoSize={{ minRows: 2, maxRows: 5 }}
                    placeholder={t('acceptance.notesPlaceholder')}
                    data-testid="acceptance-notes"
                  />
                </Form.Item>
                <Button type="primary" htmlType="submit" loading={accept.isPending} data-testid="acceptance-submit">
                  {t('acceptance.submit')}
                </Button>
              </Form>
            ) : (
              <Alert type="info" showIcon title={t('acceptance.noPermission')} />
            )}

            <Typography.Title level={5} className="acceptance-list-title">
              {t('acceptance.listTitle')}
            </Typography.Title>
            {acceptances.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('acceptance.empty')} />
            ) : (
              <div className="acceptance-list" data-testid="acceptance-list">
                {acceptances.map((a) => {
                  const failed = ACCEPTANCE_CHECKS.filter((c) => a.items[c] === 'fail');
                  return (
                    <div key={a.id} className="acceptance-record" data-testid="acceptance-record">
                      <div className="acceptance-record-head">
                        <Tag
                          color={a.passed ? 'success' : 'error'}
                          icon={a.passed ? <CheckCircleFilled /> : <CloseCircleFilled />}
                          data-testid="acceptance-result"
                          data-passed={String(a.passed)}
                        >
                          {a.passed ? t('acceptance.passed') : t('acceptance.failed')}
                        </Tag>
                        <span className="acceptance-actor" data-testid="acceptance-actor">
                          {a.actorName ?? t('common.system')}
                        </span>
                        <span className="muted" title={formatTimeFull(a.at)}>
                          {formatTime(a.at)}
                        </span>
                      </div>
                      <div className="acceptance-items">
                        {ACCEPTANCE_CHECKS.map((c) => (
                          <span key={c} className={`acceptance-item acceptance-item-${a.items[c]}`}>
                            <ResultIcon r={a.items[c]} /> {t(`checks.${c}`)}
                          </span>
                        ))}
                      </div>
                      {failed.length > 0 && (
                        <div className="acceptance-failed">
                          {t('acceptance.failedChecks')}: {failed.map((c) => t(`checks.${c}`)).join(t('common.listSeparator'))}
                        </div>
                      )}
                      {a.notes && <div className="acceptance-notes">{a.notes}</div>}
                    </div>
                  );
                })}
              </div>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          {can('devices:manage') && <CredentialCard id={term.id} />}
          <CustodyCard terminalId={term.id} />
          <Card title={t('terminal.history')} className="section-card" data-testid="history-card">
            {history.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('terminal.historyEmpty')} />
            ) : (
              <Timeline
                data-testid="history-timeline"
                items={history.map((h) => ({
                  key: h.id,
                  color: STATE_COLORS[h.toState].hex,
                  content: (
                    <div className="history-item">
                      <div className="history-states">
                        {h.fromState ? (
                          <>
                            <StateTag state={h.fromState} />
                            <span className="muted">→</span>
                            <StateTag state={h.toState} />
                          </>
                        ) : (
                          <>
                            <span>{t('terminal.registeredAs')}</span>
                            <StateTag state={h.toState} />
                          </>
                        )}
                      </div>
                      {h.reason && <div className="history-reason">{reasonText(h.reason)}</div>}
                      <div className="muted history-meta">
                        <span title={formatTimeFull(h.at)}>{formatTime(h.at)}</span>
                        {' · '}
                        {h.actorName ?? t('common.system')}
                      </div>
                    </div>
                  ),
                }))}
              />
            )}
          </Card>
        </Col>
      </Row>

      <Modal
        open={stateOpen}
        title={t('terminal.changeStateTitle', { serial: term.serialNumber })}
        onCancel={() => setStateOpen(false)}
        onOk={() => stateForm.submit()}
        okText={t('terminal.changeState')}
        cancelText={t('common.cancel')}
        okButtonProps={{ 'data-testid': 'lifecycle-submit' }}
        confirmLoading={changeState.isPending}
        destroyOnHidden
      >
        <Form
          form={stateForm}
          layout="vertical"
          initialValues={term.allowedTransitions.length === 1 ? { to: term.allowedTransitions[0] } : {}}
          onFinish={(v) => changeState.mutate(v)}>
          <Form.Item label={t('terminal.currentState')}>
            <StateTag state={term.lifecycleState} />
          </Form.Item>
          <Form.Item name="to" label={t('terminal.targetState')} rules={[{ required: true, message: t('terminal.targetRequired') }]}>
            <Radio.Group className="state-options">
              {term.allowedTransitions.map((s) => (
                <Radio key={s} value={s}>
                  <span data-testid={`lifecycle-to-${s}`}>{t(`states.${s}`)}</span>
                </Radio>
              ))}
            </Radio.Group>
          </Form.Item>
          <Form.Item name="reason" label={t('terminal.reason')}>
            <Input.TextArea
              maxLength={500}
              showCount
              autoSize={{ minRows: 2, maxRows: 5 }}
              placeholder={t('terminal.reasonPlaceholder')}
              data-testid="lifecycle-reason"
            />
          </Form.Item>
        </Form>
      </Modal>

      <Drawer
        open={editOpen}
        title={t('terminal.edit')}
        onClose={() => setEditOpen(false)}
        size={640}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={() => setEditOpen(false)}>{t('common.cancel')}</Button>
            <Button type="primary" loading={edit.isPending} onClick={() => editForm.submit()} data-testid="terminal-save">
              {t('common.save')}
            </Button>
          </Space>
        }
      >
        <TerminalForm form={editForm} initialValues={editInitial} mode="edit" onFinish={(v) => edit.mutate(v)} />
      </Drawer>
    </div>
  );
}
