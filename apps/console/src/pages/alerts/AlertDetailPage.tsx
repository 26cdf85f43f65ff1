import { useState } from 'react';
import { App, Badge, Button, Card, Col, Descriptions, Empty, Row, Skeleton, Table, Tag, Timeline, Tooltip, Typography } from 'antd';
import type { DescriptionsProps, TableColumnsType } from 'antd';
import { CheckOutlined, FileAddOutlined, FileDoneOutlined, PauseCircleOutlined, ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { currentLanguage } from '../../i18n';
import { alertsApi, type AlertDetail, type AlertEvent } from '../../api/alerts';
import { useAuth } from '../../auth/AuthContext';
import { ConfidenceBar, SCOPE_COLORS } from '../../components/DiagnosisPanel';
import { PageHeader } from '../../components/PageHeader';
import { NotFound, QueryError } from '../../components/Status';
import { BOOLEAN_METRICS, alertName, conditionSummary, formatAlertValue, scopeText, silenceMatchersFor } from '../../lib/alerts';
import { fromNow } from '../../lib/fleet';
import { EMPTY, formatTime, formatTimeFull } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useAlert, useRefreshAlerts } from './queries';
import { ticketsApi } from '../../api/tickets';
import { alertTicket } from '../../lib/tickets';
import { AckModal, AlertStatusTags, SeverityTag, SilenceModal, useTr } from './shared';

type Member = AlertDetail['members'][number];

const EVENT_COLORS: Partial<Record<AlertEvent['type'], string>> = {
  fired: 'red',
  reopened: 'red',
  escalated: 'red',
  acknowledged: 'blue',
  resolved: 'green',
  stable: 'green',
  member_cleared: 'green',
  flapping: 'purple',
  suppressed: 'gray',
  unsuppressed: 'gray',
  diagnosed: 'blue',
};

/** What an event's detail says, in words where the console knows the field. */
function EventDetail({ e }: { e: AlertEvent }) {
  const { t } = useTranslation();
  const d = e.detail ?? {};
  const parts: string[] = [];
  const str = (k: string) => (typeof d[k] === 'string' || typeof d[k] === 'number' ? String(d[k]) : undefined);
  if (str('serialNumber')) parts.push(str('serialNumber')!);
  if (e.type === 'escalated' && str('level')) parts.push(t('alerts.detail.level', { level: str('level') }));
  if (e.type === 'suppressed' && str('kind')) parts.push(t(`alerts.suppression.${str('kind') as 'silence'}`, { defaultValue: str('kind') }));
  if (e.type === 'notified' && str('channel')) parts.push(t('alerts.detail.notifiedVia', { channel: str('channel') }));
  if (e.type === 'diagnosed' && str('top')) parts.push(str('top')!);
  const comment = str('comment') ?? str('text');
  return (
    <>
      {parts.length > 0 && <div className="alert-event-detail">{parts.join(' · ')}</div>}
      {comment && <div className="alert-event-comment">“{comment}”</div>}
    </>
  );
}

function DiagnosisCard({ alert }: { alert: AlertDetail }) {
  const { t, i18n } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshAlerts();
  const rerun = useMutation({
    mutationFn: () => alertsApi.diagnose(alert.id),
    onSuccess: () => {
      void message.success(t('alerts.detail.diagnosed'));
      refresh();
    },
    onError: (e) => showError(e),
  });
  const d = alert.diagnosis;
  const scopeKnown = d && d.scope in SCOPE_COLORS;
  return (
    <Card
      title={t('alerts.detail.diagnosis')}
      className="section-card"
      data-testid="alert-diagnosis"
      extra={
        can('diagnosis:run') && (
          <Button size="small" icon={<SyncOutlined spin={rerun.isPending} />} onClick={() => rerun.mutate()} disabled={rerun.isPending} data-testid="alert-rediagnose">
            {t('alerts.detail.rediagnose')}
          </Button>
        )
      }
    >
      {!d || d.causes.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={d ? t('alerts.detail.noCauses') : t('alerts.detail.noDiagnosis')} />
      ) : (
        <>
          <div className="diag-scope">
            <span className="muted">{t('diagnosis.scope')}</span>
            <Tag color={scopeKnown ? SCOPE_COLORS[d.scope as keyof typeof SCOPE_COLORS] : undefined}>
              {scopeKnown && i18n.exists(`diagnosis.scopes.${d.scope}`) ? t(`diagnosis.scopes.${d.scope as 'site'}`) : d.scope}
            </Tag>
            <span className="muted" title={formatTimeFull(d.at)}>
              {t('alerts.detail.diagnosedAt', { time: fromNow(d.at) })}
            </span>
          </div>
          <ol className="alert-causes">
            {d.causes.map((c, i) => (
              <li key={c.code} className="alert-cause-item" data-testid="alert-cause" data-code={c.code}>
                <span className={`diag-rank${i === 0 ? ' diag-rank-top' : ''}`}>{i + 1}</span>
                <div className="alert-cause-body">
                  <div className="alert-cause-name">{c.title}</div>
                  <div className="mono muted">{c.code}</div>
                </div>
                <div className="alert-cause-bar">
                  <ConfidenceBar confidence={c.confidence} top={i === 0} />
                </div>
              </li>
            ))}
          </ol>
          {alert.terminalId && can('diagnosis:run') && (
            <Link to={`/terminals/${alert.terminalId}`} className="alert-diag-more">
              {t('alerts.detail.fullDiagnosis')}
            </Link>
          )}
        </>
      )}
    </Card>
  );
}

/** Open a ticket for the alert (its terminal, name and scope, cause), or go to the one it has. */
function AlertTicketButton({ alert: a }: { alert: AlertDetail }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshAlerts();
  const navigate = useNavigate();
  const [created, setCreated] = useState<{ id: string; number: string } | null>(null);
  const open = useMutation({
    mutationFn: () => {
      const body = alertTicket(a);
      if (!body) throw new Error(t('errors.unknown'));
      return ticketsApi.create(body);
    },
    onSuccess: (r) => {
      setCreated({ id: r.ticket.id, number: r.ticket.number });
      if (r.duplicate) void message.warning(t('tickets.alert.duplicate', { number: r.ticket.number }));
      else void message.success(t('tickets.alert.opened', { number: r.ticket.number }));
      refresh();
      navigate(`/tickets/${r.ticket.id}`);
    },
    onError: (e) => showError(e),
  });
  const ticketId = a.ticketId ?? created?.id;
  if (ticketId) {
    return (
      <Link to={`/tickets/${ticketId}`} data-testid="alert-view-ticket">
        <Button icon={<FileDoneOutlined />}>
          {t('alerts.detail.viewTicket')}
          {created?.number ? ` ${created.number}` : a.ticketNumber ? ` ${a.ticketNumber}` : ''}
        </Button>
      </Link>
    );
  }
  if (!can('tickets:create')) return null;
  return (
    <Button icon={<FileAddOutlined />} loading={open.isPending} onClick={() => open.mutate()} data-testid="alert-open-ticket">
      {t('alerts.detail.openTicket')}
    </Button>
  );
}

export default function AlertDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const tr = useTr();
  const { can } = useAuth();
  const q = useAlert(id);
  const [acking, setAcking] = useState(false);
  const [silencing, setSilencing] = useState(false);

  if (q.isPending) {
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 8 }} />
      </Card>
    );
  }
  if (q.isError && !q.data) {
    if (isApiError(q.error) && (q.error.status === 404 || q.error.status === 400)) return <NotFound />;
    return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  }
  const a = q.data;
  const manage = can('alerts:manage');
  const cond = a.rule?.condition ?? null;

  const facts: DescriptionsProps['items'] = [
    ...(cond ? [{ key: 'cond', label: t('alerts.detail.condition'), span: 2, children: <span data-testid="alert-condition">{conditionSummary(cond, tr)}</span> }] : []),
    {
      key: 'value',
      label: t('alerts.detail.value'),
      children: (
        <span data-testid="alert-value">
          <strong className={a.status === 'resolved' ? undefined : 'alert-value-hot'}>{formatAlertValue(cond, a.value, tr)}</strong>
          {a.threshold !== null && !(cond?.kind === 'threshold' && BOOLEAN_METRICS.has(cond.metric)) && (
            <span className="muted"> {t('alerts.detail.vsThreshold', { threshold: formatAlertValue(cond, a.threshold, tr) })}</span>
          )}
        </span>
      ),
    },
    ...(a.predictedAt
      ? [
          {
            key: 'predicted',
            label: t('alerts.detail.predicted'),
            children: (
              <span data-testid="alert-predicted">
                <strong>{formatTime(a.predictedAt)}</strong> <span className="muted">({fromNow(a.predictedAt)})</span>
              </span>
            ),
          },
        ]
      : []),
    {
      key: 'started',
      label: t('alerts.detail.started'),
      children: (
        <span title={formatTimeFull(a.startedAt)}>
          {formatTime(a.startedAt)} <span className="muted">({fromNow(a.startedAt)})</span>
        </span>
      ),
    },
    { key: 'changed', label: t('alerts.detail.lastChange'), children: formatTime(a.lastChangeAt) },
    {
      key: 'ack',
      label: t('alerts.detail.acknowledged'),
      children: a.acknowledgedAt ? (
        <span data-testid="alert-acked">
          {a.acknowledgedBy ?? t('common.system')} · {formatTime(a.acknowledgedAt)}
        </span>
      ) : (
        <span className="muted">{t('alerts.detail.notAcknowledged')}</span>
      ),
    },
    ...(a.resolvedAt ? [{ key: 'resolved', label: t('alerts.detail.resolved'), children: formatTime(a.resolvedAt) }] : []),
    {
      key: 'escalation',
      label: t('alerts.detail.escalation'),
      children: a.escalationLevel > 0 ? <Tag color="volcano">{t('alerts.detail.level', { level: a.escalationLevel })}</Tag> : <span className="muted">{t('alerts.detail.notEscalated')}</span>,
    },
    {
      key: 'suppressed',
      label: t('alerts.detail.suppression'),
      children: a.suppressed ? (
        <span>
          {t(`alerts.suppression.${a.suppressed.kind}`)}
          {a.suppressed.until && <span className="muted"> · {t('alerts.suppressedUntil', { time: formatTime(a.suppressed.until) })}</span>}
        </span>
      ) : (
        <span className="muted">{t('alerts.detail.notSuppressed')}</span>
      ),
    },
    {
      key: 'rule',
      label: t('alerts.detail.rule'),
      children: (
        <span>
          <span className="mono">{a.ruleCode}</span> <span className="muted">v{a.ruleVersion}</span>
        </span>
      ),
    },
    {
      key: 'ticket',
      label: t('alerts.detail.ticket'),
      children: a.ticketId ? (
        <Link to={`/tickets/${a.ticketId}`} className="mono" data-testid="alert-ticket">
          {a.ticketNumber ?? a.ticketId.slice(0, 8)}
        </Link>
      ) : (
        <span className="muted">{EMPTY}</span>
      ),
    },
  ];

  const members = [...a.members].sort((x, y) => Number(y.active) - Number(x.active) || x.since.localeCompare(y.since));
  const memberCols: TableColumnsType<Member> = [
    {
      title: t('alerts.detail.serial'),
      dataIndex: 'serialNumber',
      render: (s: string | null, m) => (
        <Link to={`/terminals/${m.terminalId}`} className="mono" data-testid="alert-member-link">
          {s ?? m.terminalId.slice(0, 8)}
        </Link>
      ),
    },
    {
      title: t('alerts.detail.since'),
      dataIndex: 'since',
      render: (v: string) => <span title={formatTimeFull(v)}>{formatTime(v)}</span>,
    },
    {
      title: t('alerts.detail.active'),
      dataIndex: 'active',
      width: 110,
      render: (v: boolean) => <Badge status={v ? 'error' : 'success'} text={v ? t('alerts.detail.memberActive') : t('alerts.detail.memberCleared')} />,
    },
  ];

  const events = [...a.events].sort((x, y) => y.at.localeCompare(x.at));

  const ticketButton = <AlertTicketButton alert={a} />;

  return (
    <div data-testid="page-alert-detail" data-id={a.id} data-status={a.status}>
      <PageHeader
        backTo="/alerts"
        title={alertName(t, a)}
        tags={
          <>
            <SeverityTag severity={a.severity} large />
            <AlertStatusTags row={a} large />
          </>
        }
        subtitle={
          <span data-testid="alert-scope">
            {t(`alerts.groupBy.${a.groupBy}`)} · {scopeText(a, tr)}
          </span>
        }
        extra={
          <>
            <Tooltip title={t('alerts.inbox.live')}>
              <Button icon={q.isFetching ? <SyncOutlined spin /> : <ReloadOutlined />} onClick={() => void q.refetch()} aria-label={t('common.refresh')} />
            </Tooltip>
            {manage && a.status === 'firing' && (
              <Button type="primary" icon={<CheckOutlined />} onClick={() => setAcking(true)} data-testid="alert-ack">
                {t('alerts.ack.action')}
              </Button>
            )}
            {manage && a.status !== 'resolved' && (
              <Button icon={<PauseCircleOutlined />} onClick={() => setSilencing(true)} data-testid="alert-silence">
                {t('alerts.silenceForm.action')}
              </Button>
            )}
            {ticketButton}
          </>
        }
      />
      <Row gutter={[16, 0]}>
        <Col xs={24} xl={16}>
          <Card title={t('alerts.detail.facts')} className="section-card" data-testid="alert-facts">
            <Descriptions items={facts} column={{ xs: 1, sm: 1, md: 2 }} size="small" />
          </Card>
          <DiagnosisCard alert={a} />
          <Card
            title={t('alerts.detail.members', { count: a.members.length })}
            className="section-card table-card"
            data-testid="alert-members"
          >
            <Table<Member>
              rowKey="terminalId"
              size="small"
              columns={memberCols}
              dataSource={members}
              pagination={members.length > 20 ? { pageSize: 20, size: 'small' } : false}
              rowClassName={(m) => (m.active ? '' : 'row-disabled')}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: <span className="muted">{t('alerts.detail.noMembers')}</span> }}
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t('alerts.detail.timeline')} className="section-card" data-testid="alert-timeline">
            {events.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('alerts.detail.noEvents')} />
            ) : (
              <Timeline
                items={events.map((e, i) => ({
                  key: `${e.at}-${i}`,
                  color: EVENT_COLORS[e.type] ?? 'gray',
                  content: (
                    <div className="alert-event" data-testid="alert-event" data-type={e.type}>
                      <div className="alert-event-title">{t(`alerts.events.${e.type}`)}</div>
                      <EventDetail e={e} />
                      <div className="muted">
                        <span title={formatTimeFull(e.at)}>{formatTime(e.at)}</span> · {e.actor ?? t('common.system')}
                      </div>
                    </div>
                  ),
                }))}
              />
            )}
          </Card>
          {a.rule && (
            <Card title={t('alerts.detail.ruleCard')} className="section-card" size="small">
              <Typography.Paragraph className="alert-rule-summary">{conditionSummary(a.rule.condition, tr)}</Typography.Paragraph>
              {a.rule.description && <Typography.Paragraph type="secondary">{a.rule.description[currentLanguage()]}</Typography.Paragraph>}
              {can('alerts:configure') && <Link to={`/alerts/rules?edit=${encodeURIComponent(a.ruleCode)}`}>{t('alerts.detail.editRule')}</Link>}
            </Card>
          )}
        </Col>
      </Row>
      <AckModal alert={acking ? a : null} onClose={() => setAcking(false)} />
      <SilenceModal open={silencing} initial={silencing ? silenceMatchersFor(a) : undefined} onClose={() => setSilencing(false)} />
    </div>
  );
}
