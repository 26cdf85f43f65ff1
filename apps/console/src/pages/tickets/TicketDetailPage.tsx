import { useMemo, useState } from 'react';
import {
  Alert,
  App,
  AutoComplete,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  Grid,
  Input,
  InputNumber,
  Modal,
  Progress,
  Row,
  Select,
  Skeleton,
  Steps,
  Switch,
  Tag,
  Timeline,
  Tooltip,
} from 'antd';
import type { DescriptionsProps } from 'antd';
import {
  CheckCircleFilled,
  ClockCircleOutlined,
  CloseCircleFilled,
  LockOutlined,
  PauseCircleOutlined,
  ReloadOutlined,
  SendOutlined,
  SyncOutlined,
  UserAddOutlined,
} from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import type { TFunction } from 'i18next';
import { isApiError } from '../../api/client';
import { ticketsApi, type PlanKind, type TicketDetail, type TicketEvent, type TicketPriority, type TicketStatus } from '../../api/tickets';
import { useAuth } from '../../auth/AuthContext';
import { AnswerLabel } from '../../components/AnswerLabel';
import { ConfidenceBar, SCOPE_COLORS, useCategoryLabel } from '../../components/DiagnosisPanel';
import { PageHeader } from '../../components/PageHeader';
import { NotFound, QueryError } from '../../components/Status';
import { currentLanguage } from '../../i18n';
import { fromNow, formatAmount } from '../../lib/fleet';
import { EMPTY, formatTime, formatTimeFull } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import {
  FLOW,
  TICKET_CATEGORIES,
  TICKET_PRIORITY_LIST,
  flowPosition,
  formatRemaining,
  isForward,
  reasonRequired,
  slaLook,
  timelineOrder,
  transitionBody,
  transitionForm,
  type TransitionValues,
} from '../../lib/tickets';
import { PLAN_KINDS } from '../../api/tickets';
import { useTr } from '../alerts/shared';
import { useAssigneeOptions } from './BulkAssign';
import { useRefreshTickets, useTicket } from './queries';
import { KnowledgeCard } from '../kb/KnowledgeCard';
import { SimilarTicketsCard } from './SimilarTicketsCard';
import { PriorityTag, TicketStatusTag } from './shared';
import { TicketWorkOrdersCard } from '../fieldwork/TicketWorkOrdersCard';
import { RatingCard } from '../reports/RatingCard';

interface DiagnosisView {
  caseId?: string;
  scope?: string;
  causes: { code: string; confidence: number; title: string }[];
}

/** The stored diagnosis ({caseId, scope, causes:[{code, confidence, title:{zh-CN, en-US}}]}) in the language on screen. */
function diagnosisOf(d: TicketDetail['diagnosis']): DiagnosisView | null {
  if (!d) return null;
  const lng = currentLanguage();
  const causes = Array.isArray(d.causes) ? (d.causes as { code?: unknown; confidence?: unknown; title?: unknown }[]) : [];
  return {
    caseId: typeof d.caseId === 'string' ? d.caseId : undefined,
    scope: typeof d.scope === 'string' ? d.scope : undefined,
    causes: causes
      .filter((c) => typeof c.code === 'string')
      .map((c) => {
        const title = c.title as Record<string, string> | string | undefined;
        return {
          code: c.code as string,
          confidence: typeof c.confidence === 'number' ? c.confidence : 0,
          title: typeof title === 'string' ? title : (title?.[lng] ?? title?.['zh-CN'] ?? (c.code as string)),
        };
      }),
  };
}

/** The button for a move: the flow's next step, a step back, or resuming after a wait. */
function actionLabel(from: TicketStatus, to: TicketStatus, t: TFunction): string {
  if (from === 'waiting_merchant') return t('tickets.actions.resume', { status: t(`tickets.status.${to}`) });
  if (from === 'resolved' && to === 'in_progress') return t('tickets.actions.back.reopen');
  if (from === 'planned' && to === 'locating') return t('tickets.actions.back.locating');
  if (from === 'in_progress' && to === 'planned') return t('tickets.actions.back.planned');
  if (from === 'verifying' && to === 'in_progress') return t('tickets.actions.back.in_progress');
  return t(`tickets.actions.${to}`);
}

interface MoveForm {
  reason?: string;
  category?: string;
  causeCode?: string;
  priority?: TicketPriority;
  planKind?: PlanKind;
  planSummary?: string;
  cost?: number | null;
  minutes?: number | null;
  eta?: Dayjs | null;
  override?: boolean;
}

function TransitionModal({ ticket, to, onClose }: { ticket: TicketDetail; to: TicketStatus | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshTickets();
  const categoryLabel = useCategoryLabel();
  const [form] = Form.useForm<MoveForm>();
  const [verifyFailed, setVerifyFailed] = useState(false);
  const override = Form.useWatch('override', form);
  const from = ticket.status;
  const kind = to ? transitionForm(from, to) : 'none';
  const diag = diagnosisOf(ticket.diagnosis);
  const action = to ? actionLabel(from, to, t) : '';

  const move = useMutation({
    mutationFn: (v: MoveForm) => {
      const values: TransitionValues = {
        reason: v.reason,
        category: v.category,
        causeCode: v.causeCode,
        priority: v.priority,
        override: v.override,
        plan:
          kind === 'plan' && v.planKind
            ? { kind: v.planKind, summary: v.planSummary ?? '', estimatedCost: v.cost, estimatedMinutes: v.minutes, eta: v.eta ? v.eta.toISOString() : null }
            : undefined,
      };
      return ticketsApi.transition(ticket.id, transitionBody(to!, values));
    },
    onSuccess: (r) => {
      void message.success(t(`tickets.status.${r.status}`));
      refresh();
      onClose();
    },
    onError: (e) => {
      if (isApiError(e) && e.id === 'ticket.verification_failed') {
        setVerifyFailed(true);
        return;
      }
      showError(e, form);
    },
  });

  const reasonNeeded = to ? reasonRequired(from, to) || (kind === 'resolve' && !!override) : false;
  const initial: MoveForm = {
    priority: ticket.priority,
    category: ticket.category ?? undefined,
    causeCode: ticket.causeCode ?? diag?.causes[0]?.code,
    planKind: ticket.plan?.kind,
    planSummary: ticket.plan?.summary,
  };

  return (
    <Modal
      open={to !== null}
      title={t('tickets.modal.title', { action, number: ticket.number })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={kind === 'resolve' && override ? t('tickets.modal.overrideOk') : action}
      cancelText={t('common.cancel')}
      confirmLoading={move.isPending}
      okButtonProps={{ 'data-testid': 'transition-submit' }}
      destroyOnHidden
      afterClose={() => setVerifyFailed(false)}
    >
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => move.mutate(v)} data-testid="transition-form" data-to={to ?? ''} requiredMark={false}>
        {kind === 'triage' && (
          <>
            <Form.Item name="category" label={t('tickets.modal.category')}>
              <Select
                allowClear
                options={TICKET_CATEGORIES.map((c) => ({ value: c, label: categoryLabel(c) }))}
                data-testid="transition-category"
              />
            </Form.Item>
            <Form.Item name="causeCode" label={t('tickets.modal.causeCode')} extra={t('tickets.modal.causeHint')}>
              <AutoComplete
                options={(diag?.causes ?? []).map((c) => ({ value: c.code, label: `${c.title} · ${c.code}` }))}
                data-testid="transition-cause"
                className="mono"
              >
                <Input maxLength={64} />
              </AutoComplete>
            </Form.Item>
            <Form.Item name="priority" label={t('tickets.modal.priority')}>
              <Select<TicketPriority> options={TICKET_PRIORITY_LIST.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} data-testid="transition-priority" />
            </Form.Item>
          </>
        )}
        {kind === 'plan' && (
          <>
            <Form.Item name="planKind" label={t('tickets.modal.planKind')} rules={[{ required: true, message: t('common.required') }]}>
              <Select<PlanKind> options={PLAN_KINDS.map((k) => ({ value: k, label: t(`tickets.plan.kinds.${k}`) }))} data-testid="transition-plan-kind" />
            </Form.Item>
            <Form.Item name="planSummary" label={t('tickets.modal.planSummary')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
              <Input.TextArea rows={3} maxLength={2000} placeholder={t('tickets.modal.planSummaryPlaceholder')} data-testid="transition-plan-summary" />
            </Form.Item>
            <Row gutter={12}>
              <Col xs={24} sm={12}>
                <Form.Item name="cost" label={t('tickets.modal.cost')}>
                  <InputNumber min={0} step={10} style={{ width: '100%' }} data-testid="transition-plan-cost" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item name="minutes" label={t('tickets.modal.minutes')}>
                  <InputNumber min={0} step={15} style={{ width: '100%' }} data-testid="transition-plan-minutes" />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="eta" label={t('tickets.modal.eta')}>
              <DatePicker showTime format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} data-testid="transition-plan-eta" />
            </Form.Item>
          </>
        )}
        {kind === 'resolve' && (
          <div className="section-block">
            <div className="muted" style={{ marginBottom: 8 }}>
              {t('tickets.modal.verifyHint')}
            </div>
            {ticket.verification && <Checks v={ticket.verification} />}
            {verifyFailed && (
              <Alert type="warning" showIcon style={{ marginTop: 12 }} title={t('tickets.modal.verifyFailed')} data-testid="transition-verify-failed" />
            )}
            {verifyFailed && (
              <Form.Item name="override" valuePropName="checked" style={{ marginTop: 12, marginBottom: 8 }}>
                <Checkbox data-testid="transition-override">{t('tickets.modal.override')}</Checkbox>
              </Form.Item>
            )}
          </div>
        )}
        {
          <Form.Item
            name="reason"
            label={
              kind === 'resolve' && override
                ? t('tickets.modal.overrideReason')
                : to === 'waiting_merchant'
                  ? t('tickets.modal.waitingReason')
                  : t('tickets.modal.reason')
            }
            rules={reasonNeeded ? [{ required: true, whitespace: true, message: t('tickets.modal.reasonRequired') }] : []}
          >
            <Input.TextArea
              rows={2}
              maxLength={2000}
              placeholder={kind === 'resolve' && override ? t('tickets.modal.overridePlaceholder') : t('tickets.modal.reasonPlaceholder')}
              data-testid="transition-reason"
            />
          </Form.Item>
        }
      </Form>
    </Modal>
  );
}

function Checks({ v }: { v: NonNullable<TicketDetail['verification']> }) {
  return (
    <ul className="ticket-checks" data-testid="ticket-checks" data-status={v.status}>
      {v.checks.map((c) => (
        <li key={c.id} className="ticket-check" data-testid="ticket-check" data-passed={String(c.passed)}>
          {c.passed === true ? (
            <CheckCircleFilled className="ticket-check-pass" />
          ) : c.passed === false ? (
            <CloseCircleFilled className="ticket-check-fail" />
          ) : (
            <ClockCircleOutlined className="ticket-check-pending" />
          )}
          <span>{c.text}</span>
        </li>
      ))}
    </ul>
  );
}

function SlaCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const tr = useTr();
  const order = ['firstResponse', 'nextUpdate', 'resolution'] as const;
  const clocks = [...ticket.sla.clocks].sort((a, b) => order.indexOf(a.clock) - order.indexOf(b.clock));
  const tagColor = { paused: 'default', met: 'green', breached: 'red', overdue: 'red', running: 'blue', pending: 'default', none: 'default' } as const;
  return (
    <Card title={t('tickets.sla.title')} className="section-card" size="small" data-testid="ticket-sla-card">
      {clocks.length === 0 ? (
        <span className="muted">{t('tickets.sla.noClocks')}</span>
      ) : (
        <div className="ticket-clocks">
          {clocks.map((c) => {
            const look = slaLook(c);
            return (
              <div key={c.clock} className="ticket-clock" data-testid="ticket-clock" data-clock={c.clock} data-look={look}>
                <div>
                  <div className="ticket-clock-name">{t(`tickets.sla.clocks.${c.clock}`)}</div>
                  <div className="ticket-clock-meta">
                    {c.due && (
                      <span title={formatTimeFull(c.due)}>
                        {t('tickets.sla.due', { time: formatTime(c.due) })}
                        {(look === 'running' || look === 'overdue') && (
                          <>
                            {' · '}
                            <span className={look === 'overdue' ? 'ticket-sla-hot' : undefined}>
                              {c.remainingMinutes >= 0
                                ? t('tickets.sla.remaining', { time: formatRemaining(c.remainingMinutes, tr) })
                                : t('tickets.sla.over', { time: formatRemaining(c.remainingMinutes, tr) })}
                            </span>
                          </>
                        )}
                      </span>
                    )}
                    {c.breachedAt && <div className="ticket-sla-hot">{t('tickets.sla.breachedAt', { time: formatTime(c.breachedAt) })}</div>}
                  </div>
                </div>
                <Tag color={tagColor[look]} icon={look === 'paused' ? <PauseCircleOutlined /> : undefined}>
                  {t(`tickets.sla.looks.${look}`)}
                </Tag>
              </div>
            );
          })}
        </div>
      )}
    </Card>
  );
}

function AssignControl({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const { me, can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshTickets();
  // Whoever works tickets may give one to a colleague, not only take it.
  const canList = can('tickets:work');
  const { options, loading } = useAssigneeOptions(canList);
  const assign = useMutation({
    mutationFn: (assigneeId: string | null) => ticketsApi.assign(ticket.id, { assigneeId }),
    onSuccess: () => {
      void message.success(t('tickets.assign.done'));
      refresh();
    },
    onError: (e) => showError(e),
  });
  if (ticket.assigneeId && !options.some((o) => o.value === ticket.assigneeId)) options.unshift({ value: ticket.assigneeId, label: ticket.assigneeName ?? ticket.assigneeId });
  return (
    <div className="ticket-assign" data-testid="ticket-assign">
      {canList ? (
        <Select<string>
          value={ticket.assigneeId ?? undefined}
          placeholder={t('tickets.assign.placeholder')}
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          options={options}
          loading={loading || assign.isPending}
          onChange={(v) => assign.mutate(v ?? null)}
          style={{ minWidth: 180 }}
          data-testid="ticket-assignee-select"
        />
      ) : (
        <span data-testid="ticket-assignee">{ticket.assigneeName ?? <span className="muted">{t('tickets.unassigned')}</span>}</span>
      )}
      {me && ticket.assigneeId !== me.id && (
        <Button size="small" icon={<UserAddOutlined />} onClick={() => assign.mutate(me.id)} loading={assign.isPending} data-testid="ticket-assign-me">
          {t('tickets.assign.me')}
        </Button>
      )}
      {!canList && ticket.assigneeId && (
        <Button size="small" onClick={() => assign.mutate(null)} disabled={assign.isPending}>
          {t('tickets.assign.none')}
        </Button>
      )}
    </div>
  );
}

/** What an event says beyond its type: the status move, the priority change, the assignee, or its text. */
function EventLine({ e }: { e: TicketEvent }) {
  const { t } = useTranslation();
  const st = (s: string | null) => (s && (FLOW as readonly string[]).concat('waiting_merchant').includes(s) ? t(`tickets.status.${s as TicketStatus}`) : (s ?? EMPTY));
  let detail: string | null = null;
  if (e.type === 'status') detail = `${st(e.from)} → ${st(e.to)}`;
  else if (e.type === 'priority') detail = `${e.from ? t(`tickets.priority.${e.from as TicketPriority}`) : EMPTY} → ${e.to ? t(`tickets.priority.${e.to as TicketPriority}`) : EMPTY}`;
  else if (e.type === 'plan' && e.to && (PLAN_KINDS as readonly string[]).includes(e.to)) detail = t(`tickets.plan.kinds.${e.to as PlanKind}`);
  else if (e.type === 'assigned') detail = e.to ? (e.body ?? e.to) : t('tickets.timeline.unassigned');
  const body = e.type === 'assigned' ? null : e.body;
  return (
    <>
      {detail && <div className="ticket-event-detail">{detail}</div>}
      {body && <div className="ticket-event-body">{body}</div>}
    </>
  );
}

const EVENT_COLORS: Partial<Record<TicketEvent['type'], string>> = { created: 'blue', status: 'blue', comment: 'green', note: 'orange', sla: 'red', duplicate: 'gray', diagnosis: 'purple' };

function TimelineCard({ ticket, staff }: { ticket: TicketDetail; staff: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshTickets();
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const send = useMutation({
    mutationFn: () => ticketsApi.comment(ticket.id, { body: body.trim(), internal: staff && internal }),
    onSuccess: () => {
      void message.success(staff && internal ? t('tickets.comment.noteSent') : t('tickets.comment.sent'));
      setBody('');
      refresh();
    },
    onError: (e) => showError(e),
  });
  const events = timelineOrder(ticket.events);
  return (
    <Card title={t('tickets.timeline.title')} className="section-card" data-testid="ticket-timeline">
      <div className="ticket-comment-box">
        <Input.TextArea
          value={body}
          onChange={(e) => setBody(e.target.value)}
          rows={3}
          maxLength={5000}
          placeholder={staff ? t('tickets.comment.placeholder') : t('tickets.comment.merchantPlaceholder')}
          data-testid="ticket-comment"
        />
        <div className="ticket-comment-foot">
          {staff ? (
            <label className="muted">
              <Switch size="small" checked={internal} onChange={setInternal} data-testid="ticket-comment-internal" /> <LockOutlined /> {t('tickets.comment.internal')}
            </label>
          ) : (
            <span />
          )}
          <Button type="primary" icon={<SendOutlined />} disabled={!body.trim()} loading={send.isPending} onClick={() => send.mutate()} data-testid="ticket-comment-send">
            {t('tickets.comment.send')}
          </Button>
        </div>
      </div>
      {events.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tickets.timeline.empty')} />
      ) : (
        <Timeline
          items={events.map((e, i) => ({
            key: `${e.at}-${i}`,
            color: EVENT_COLORS[e.type] ?? 'gray',
            content: (
              <div className={`ticket-event${e.internal ? ' ticket-event-internal' : ''}`} data-testid="ticket-event" data-type={e.type} data-internal={String(e.internal)}>
                <div className="ticket-event-title">
                  {t(`tickets.timeline.events.${e.type}`)}
                  {e.internal && (
                    <Tag color="gold" icon={<LockOutlined />} data-testid="ticket-event-internal">
                      {t('tickets.timeline.internal')}
                    </Tag>
                  )}
                </div>
                <EventLine e={e} />
                <div className="muted">
                  <span title={formatTimeFull(e.at)}>{formatTime(e.at)}</span> · {e.actor ?? t('common.system')}
                </div>
              </div>
            ),
          }))}
        />
      )}
    </Card>
  );
}

function DiagnosisCard({ ticket }: { ticket: TicketDetail }) {
  const { t, i18n } = useTranslation();
  const d = diagnosisOf(ticket.diagnosis);
  if (!d) return null;
  const scopeKnown = d.scope && d.scope in SCOPE_COLORS;
  return (
    <Card title={t('tickets.diagnosis.title')} className="section-card" size="small" data-testid="ticket-diagnosis">
      {d.scope && (
        <div className="diag-scope">
          <span className="muted">{t('tickets.diagnosis.scope')}</span>
          <Tag color={scopeKnown ? SCOPE_COLORS[d.scope as keyof typeof SCOPE_COLORS] : undefined}>
            {scopeKnown && i18n.exists(`diagnosis.scopes.${d.scope}`) ? t(`diagnosis.scopes.${d.scope as 'site'}`) : d.scope}
          </Tag>
          {d.caseId && <span className="mono muted">{d.caseId}</span>}
        </div>
      )}
      {d.causes.length === 0 ? (
        <span className="muted">{t('tickets.diagnosis.none')}</span>
      ) : (
        <ol className="ticket-causes">
          {d.causes.slice(0, 5).map((c, i) => (
            <li key={c.code} data-testid="ticket-cause" data-code={c.code}>
              <div className="ticket-cause-name">{c.title}</div>
              <div className="mono muted">{c.code}</div>
              <ConfidenceBar confidence={c.confidence} top={i === 0} />
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

function PlanCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const p = ticket.plan;
  return (
    <Card title={t('tickets.plan.title')} className="section-card" size="small" data-testid="ticket-plan">
      {!p ? (
        <span className="muted">{t('tickets.plan.none')}</span>
      ) : (
        <>
          <Tag color="cyan" data-testid="ticket-plan-kind" data-kind={p.kind}>
            {t(`tickets.plan.kinds.${p.kind}`)}
          </Tag>
          <div className="ticket-description" style={{ marginTop: 6 }}>
            {p.summary}
          </div>
          <Descriptions
            size="small"
            column={1}
            style={{ marginTop: 8 }}
            items={[
              ...(p.estimatedCostMinor !== undefined ? [{ key: 'c', label: t('tickets.plan.cost'), children: formatAmount(p.estimatedCostMinor, p.currency, currentLanguage()) }] : []),
              ...(p.estimatedMinutes !== undefined ? [{ key: 'm', label: t('tickets.plan.minutes'), children: t('tickets.duration.m', { count: p.estimatedMinutes }) }] : []),
              ...(p.eta ? [{ key: 'e', label: t('tickets.plan.eta'), children: formatTime(p.eta) }] : []),
            ]}
          />
        </>
      )}
    </Card>
  );
}

/** What the reporter picked and answered, in words (the server words them in the page's language). */
function AnswersCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  if (!ticket.answerLines.length) return null;
  return (
    <Card title={t('tickets.answers.title')} className="section-card" size="small" data-testid="ticket-answers">
      <ul className="ticket-answers">
        {ticket.answerLines.map((a) => (
          <li key={a.id} data-testid="ticket-answer" data-question={a.id}>
            <span className="muted">{a.question}</span>: <strong>{a.answer}</strong>
          </li>
        ))}
      </ul>
    </Card>
  );
}

/** Where the ticket is, in the words the merchant gets, with the expected time while open. */
function ProgressBanner({ ticket, staff }: { ticket: TicketDetail; staff: boolean }) {
  const { t } = useTranslation();
  return (
    <Alert
      className="section-card"
      type={ticket.status === 'resolved' || ticket.status === 'closed' ? 'success' : ticket.status === 'waiting_merchant' ? 'warning' : 'info'}
      showIcon
      data-testid="ticket-progress"
      message={staff ? t('tickets.progress.staffTitle') : t('tickets.progress.title')}
      description={
        <>
          <div data-testid="ticket-progress-text">{ticket.progress.text}</div>
          {ticket.progress.eta && (
            <div className="muted" data-testid="ticket-progress-eta">
              <ClockCircleOutlined /> {t('tickets.progress.eta', { time: formatTimeFull(ticket.progress.eta) })}
            </div>
          )}
        </>
      }
    />
  );
}

export default function TicketDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { can, me } = useAuth();
  const q = useTicket(id);
  const [moving, setMoving] = useState<TicketStatus | null>(null);
  const staff = me?.role !== 'merchant';
  const phone = Grid.useBreakpoint().md === false;
  const ticket = q.data;
  const position = useMemo(() => (ticket ? flowPosition(ticket.status, ticket.events) : { index: 0, paused: false }), [ticket]);

  if (q.isPending) {
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 8 }} />
      </Card>
    );
  }
  if (q.isError && !ticket) {
    if (isApiError(q.error) && (q.error.status === 404 || q.error.status === 400)) return <NotFound />;
    return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  }
  const tk = ticket!;
  const work = can('tickets:work');
  const done = tk.status === 'closed';

  const facts: DescriptionsProps['items'] = [
    {
      key: 'terminal',
      label: t('tickets.facts.terminal'),
      children: tk.terminalId ? (
        <Link to={`/terminals/${tk.terminalId}`} className="mono" data-testid="ticket-terminal">
          {tk.serialNumber ?? tk.terminalId.slice(0, 8)}
        </Link>
      ) : (
        EMPTY
      ),
    },
    ...(tk.alertId && can('alerts:read')
      ? [
          {
            key: 'alert',
            label: t('tickets.facts.alert'),
            children: (
              <Link to={`/alerts/${tk.alertId}`} data-testid="ticket-alert">
                {t('tickets.facts.alert')} · {tk.alertId.slice(0, 8)}
              </Link>
            ),
          },
        ]
      : []),
    { key: 'source', label: t('tickets.facts.source'), children: t(`tickets.sources.${tk.source}`) },
    ...(staff
      ? [
          { key: 'category', label: t('tickets.facts.category'), children: tk.category ? <CategoryText c={tk.category} /> : EMPTY },
          { key: 'cause', label: t('tickets.facts.cause'), children: tk.causeCode ? <span className="mono">{tk.causeCode}</span> : EMPTY },
        ]
      : []),
    { key: 'created', label: t('tickets.facts.created'), children: <span title={formatTimeFull(tk.createdAt)}>{formatTime(tk.createdAt)}</span> },
    { key: 'updated', label: t('tickets.facts.updated'), children: <span title={formatTimeFull(tk.updatedAt)}>{fromNow(tk.updatedAt)}</span> },
    ...(tk.eta ? [{ key: 'eta', label: t('tickets.facts.eta'), children: formatTime(tk.eta) }] : []),
    ...(tk.resolvedAt ? [{ key: 'resolved', label: t('tickets.facts.resolved'), children: formatTime(tk.resolvedAt) }] : []),
    ...(staff ? [{ key: 'assignee', label: t('tickets.assign.label'), span: 2, children: work ? <AssignControl ticket={tk} /> : (tk.assigneeName ?? t('tickets.unassigned')) }] : []),
    {
      key: 'description',
      label: t('tickets.facts.description'),
      span: 2,
      children: tk.description ? <div className="ticket-description">{tk.description}</div> : <span className="muted">{t('tickets.facts.noDescription')}</span>,
    },
  ];

  const next = tk.next;
  const finished = position.index;
  const stepItems = FLOW.map((s, i) => ({
    title: <span data-testid="ticket-step" data-status={s}>{t(`tickets.status.${s}`)}</span>,
    ...(i === finished && position.paused ? { icon: <PauseCircleOutlined />, status: 'wait' as const } : {}),
  }));

  return (
    <div data-testid="page-ticket" data-id={tk.id} data-status={tk.status} data-number={tk.number}>
      <PageHeader
        backTo="/tickets"
        title={
          <span>
            <span className="ticket-number" data-testid="ticket-number">
              {tk.number}
            </span>{' '}
            {tk.title}
          </span>
        }
        tags={
          <>
            <PriorityTag priority={tk.priority} large />
            <TicketStatusTag status={tk.status} large />
          </>
        }
        subtitle={
          <span>
            {tk.terminalId && (
              <Link to={`/terminals/${tk.terminalId}`} className="mono">
                {tk.serialNumber ?? tk.terminalId.slice(0, 8)}
              </Link>
            )}
            {tk.alertId && can('alerts:read') && (
              <>
                {' · '}
                <Link to={`/alerts/${tk.alertId}`}>{t('tickets.facts.alert')}</Link>
              </>
            )}
            {' · '}
            {t(`tickets.sources.${tk.source}`)}
          </span>
        }
        extra={
          <Tooltip title={t('tickets.live')}>
            <Button icon={q.isFetching ? <SyncOutlined spin /> : <ReloadOutlined />} onClick={() => void q.refetch()} aria-label={t('common.refresh')} />
          </Tooltip>
        }
      />
      <Card className="section-card ticket-flow" data-testid="ticket-flow" data-current={FLOW[finished]} data-paused={String(position.paused)}>
        {phone ? (
          // Eight steps do not fit a phone: where it stands, and a bar of the flow.
          <div className="ticket-flow-phone">
            <span className="ticket-flow-phone-count">
              {finished + 1}/{FLOW.length}
            </span>
            <span className="ticket-flow-phone-step">{t(`tickets.status.${FLOW[finished]!}`)}</span>
            <Progress steps={FLOW.length} percent={((finished + 1) / FLOW.length) * 100} showInfo={false} size={[22, 8]} strokeColor={position.paused ? '#fa8c16' : undefined} />
          </div>
        ) : (
          <Steps
            size="small"
            current={finished}
            status={done || tk.status === 'resolved' ? 'finish' : 'process'}
            items={stepItems}
            responsive={false}
          />
        )}
        {position.paused && (
          <Tag color="orange" icon={<PauseCircleOutlined />} className="ticket-flow-paused" data-testid="ticket-paused">
            {t('tickets.flow.paused')}
          </Tag>
        )}
        {work && next.length > 0 && (
          <div className="ticket-actions" style={{ marginTop: 12 }} data-testid="ticket-actions">
            {[...next]
              .sort((a, b) => Number(isForward(tk.status, b)) - Number(isForward(tk.status, a)))
              .map((to) => (
                <Button
                  key={to}
                  type={isForward(tk.status, to) ? 'primary' : 'default'}
                  danger={to === 'closed' && tk.status !== 'resolved'}
                  onClick={() => setMoving(to)}
                  data-testid={`ticket-move-${to}`}
                >
                  {actionLabel(tk.status, to, t)}
                </Button>
              ))}
          </div>
        )}
      </Card>
      <ProgressBanner ticket={tk} staff={staff} />
      <Row gutter={[16, 0]}>
        <Col xs={24} xl={16}>
          <Card title={t('tickets.facts.title')} className="section-card" data-testid="ticket-facts">
            <Descriptions items={facts} column={{ xs: 1, sm: 1, md: 2 }} size="small" />
          </Card>
          {/* -- work orders card (field service) -- */}
          <TicketWorkOrdersCard ticket={tk} />
          <TimelineCard ticket={tk} staff={staff && work} />
        </Col>
        <Col xs={24} xl={8}>
          {/* SLA clocks and the terminal's verification checks are the desk's working tools, not the merchant's. */}
          {staff && <SlaCard ticket={tk} />}
          {staff && <Card title={t('tickets.verification.title')} className="section-card" size="small" data-testid="ticket-verification">
            {tk.verification ? (
              <>
                <div style={{ marginBottom: 8 }}>
                  <Tag
                    color={tk.verification.status === 'passed' ? 'green' : tk.verification.status === 'failed' ? 'red' : 'default'}
                    data-testid="ticket-verification-status"
                    data-status={tk.verification.status}
                  >
                    {t(`tickets.verification.status.${tk.verification.status}`)}
                  </Tag>
                  {tk.verification.since && <span className="muted">{t('tickets.verification.since', { time: formatTime(tk.verification.since) })}</span>}
                </div>
                <Checks v={tk.verification} />
              </>
            ) : (
              <span className="muted">{t('tickets.verification.none')}</span>
            )}
          </Card>}
          <PlanCard ticket={tk} />
          {staff && <DiagnosisCard ticket={tk} />}
          <AnswersCard ticket={tk} />
          {/* -- rating card (satisfaction) -- */}
          <RatingCard ticketId={tk.id} staff={staff} />
          {/* -- knowledge card (kb) -- */}
          <KnowledgeCard ticket={tk} />
          {/* -- similar tickets card -- */}
          {staff && work && ['triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant'].includes(tk.status) && <SimilarTicketsCard ticketId={tk.id} />}
        </Col>
      </Row>
      <TransitionModal ticket={tk} to={moving} onClose={() => setMoving(null)} />
    </div>
  );
}

function CategoryText({ c }: { c: string }) {
  const label = useCategoryLabel();
  return <>{label(c)}</>;
}
