import { useState, type ReactNode } from 'react';
import { Alert, Button, Card, Input, Pagination, Result, Skeleton, Spin, Steps, Tag, Typography } from 'antd';
import {
  ArrowLeftOutlined,
  CheckCircleFilled,
  CustomerServiceOutlined,
  FileAddOutlined,
  FileDoneOutlined,
  DesktopOutlined,
  ExclamationCircleFilled,
  ReloadOutlined,
  RightOutlined,
  SafetyCertificateFilled,
} from '@ant-design/icons';
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api, type PageOf } from '../api/client';
import type { Symptom, TroubleshootAnswer, TroubleshootRequest } from '../api/diagnosis';
import type { TerminalDetail } from '../api/types';
import type { SupportContact, TerminalListItem } from '@poscare/contracts';
import { FleetStatusTag } from '../components/FleetTags';
import { AnswerLabel } from '../components/AnswerLabel';
import { ConfidenceBar } from '../components/DiagnosisPanel';
import { useSiteNames } from '../components/EntitySelects';
import { PageHeader } from '../components/PageHeader';
import { EmptyState, QueryError } from '../components/Status';
import { currentLanguage } from '../i18n';
import {
  answersOf,
  isAsking,
  optionalText,
  topCauses,
  troubleshootBody,
  withAnswer,
  withoutLast,
  yesNo,
  type AskingStep,
  type HistoryEntry,
} from '../lib/diagnosis';
import { EMPTY } from '../lib/format';
import { useDebounced, useShowError } from '../lib/hooks';
import { troubleshooterTicket } from '../lib/tickets';
import { ticketsApi } from '../api/tickets';
import { useAuth } from '../auth/AuthContext';
import { useRefreshTickets } from './tickets/queries';
import './tickets/tickets.css';

/**
 * One step of the troubleshooter. The server is stateless and changes nothing, so a step is cached by
 * exactly what it was asked: "back" shows the earlier step at once, and the path can be re-read in another language.
 */
const stepQuery = (terminalId: string, body: TroubleshootRequest) => ({
  queryKey: ['troubleshooter', 'step', terminalId, body],
  queryFn: () => api<TroubleshootAnswer>(`/terminals/${terminalId}/troubleshoot`, { method: 'POST', body }),
  staleTime: Infinity,
});

/** Show a search box once a merchant has more terminals than fit on a phone screen. */
const SEARCH_FROM = 6;
/** Terminals per page of the picker. */
const PICK_PAGE = 20;

/** Step 1: which terminal. Only the terminals the user may see are listed (the server scopes the list). */
function TerminalPicker({ onPick }: { onPick: (id: string) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const dq = useDebounced(q.trim());
  const sites = useSiteNames();
  // The terminals with problems first; a page at a time (a large fleet has thousands).
  const query = { q: dq, limit: PICK_PAGE, offset: (page - 1) * PICK_PAGE, sort: 'status' };
  const list = useQuery({
    queryKey: ['terminals', 'list', query],
    queryFn: () => api<PageOf<TerminalListItem>>('/terminals', { query }),
    placeholderData: keepPreviousData,
  });
  const items = list.data?.items ?? [];
  const showSearch = (list.data?.total ?? 0) > SEARCH_FROM || dq !== '';

  return (
    <Card title={t('troubleshoot.pickTerminal')} className="section-card ts-card" data-testid="ts-pick-terminal">
      {showSearch && (
        <Input.Search
          allowClear
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setPage(1);
          }}
          placeholder={t('troubleshoot.searchTerminal')}
          className="ts-search"
          data-testid="ts-terminal-search"
        />
      )}
      {list.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={dq ? t('common.noMatches') : t('troubleshoot.noTerminals')} hint={dq ? undefined : t('troubleshoot.noTerminalsHint')} />
      ) : (
        <div className="ts-terminals">
          {items.map((term) => {
            const site = term.siteId ? sites.get(term.siteId) : undefined;
            return (
              <button type="button" key={term.id} className="ts-terminal" onClick={() => onPick(term.id)} data-testid="ts-terminal" data-serial={term.serialNumber}>
                <DesktopOutlined className="ts-terminal-icon" />
                <span className="ts-terminal-text">
                  <span className="ts-terminal-serial mono">{term.serialNumber}</span>
                  <span className="ts-terminal-meta">
                    {term.vendor} {term.model}
                    {site ? ` · ${site.name}` : ''}
                  </span>
                </span>
                {term.status !== 'ok' && <FleetStatusTag status={term.status} />}
                <RightOutlined className="ts-terminal-go" />
              </button>
            );
          })}
          {(list.data?.total ?? 0) > PICK_PAGE && (
            <Pagination simple current={page} pageSize={PICK_PAGE} total={list.data?.total ?? 0} onChange={setPage} className="ts-pagination" data-testid="ts-terminal-pages" />
          )}
        </div>
      )}
    </Card>
  );
}

/** What was chosen so far, each with a way to change it. */
function Chosen({
  terminal,
  symptom,
  text,
  onChangeTerminal,
  onChangeSymptom,
}: {
  terminal: TerminalDetail | undefined;
  symptom?: string;
  text?: string;
  onChangeTerminal: () => void;
  onChangeSymptom?: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="ts-chosen" data-testid="ts-chosen">
      <div className="ts-chosen-row">
        <span className="ts-chosen-label">{t('troubleshoot.terminal')}</span>
        <span className="ts-chosen-value">
          <span className="mono ts-chosen-serial" data-testid="ts-chosen-terminal">
            {terminal?.serialNumber ?? EMPTY}
          </span>
          {terminal && (
            <span className="ts-chosen-meta">
              {terminal.model}
              {terminal.siteName ? ` · ${terminal.siteName}` : ''}
            </span>
          )}
        </span>
        <Button type="link" size="small" onClick={onChangeTerminal} data-testid="ts-change-terminal">
          {t('troubleshoot.change')}
        </Button>
      </div>
      {symptom !== undefined && (
        <div className="ts-chosen-row">
          <span className="ts-chosen-label">{t('troubleshoot.symptom')}</span>
          <span className="ts-chosen-value" data-testid="ts-chosen-symptom">
            <span>{symptom}</span>
            {text && <span className="ts-chosen-meta">{text}</span>}
          </span>
          {onChangeSymptom && (
            <Button type="link" size="small" onClick={onChangeSymptom} data-testid="ts-change-symptom">
              {t('troubleshoot.change')}
            </Button>
          )}
        </div>
      )}
    </div>
  );
}

/** How an answer reads in the path: "solved / not solved" for a self-fix, the option for a question. */
function AnswerTag({ entry }: { entry: HistoryEntry }) {
  const { t } = useTranslation();
  const yn = yesNo(entry.answer);
  if (entry.step.kind === 'self_fix' && yn) {
    return (
      <Tag color={yn === 'yes' ? 'success' : 'default'} className="ts-answer-tag">
        {yn === 'yes' ? t('troubleshoot.solved') : t('troubleshoot.notSolved')}
      </Tag>
    );
  }
  return (
    <Tag color="blue" className="ts-answer-tag">
      <AnswerLabel option={entry.answer} />
    </Tag>
  );
}

function pathText(entry: HistoryEntry, t: TFunction): string {
  return entry.step.kind === 'self_fix' ? t('troubleshoot.selfFixTried', { title: entry.step.title }) : entry.step.question.text;
}

/** The conversation so far, oldest first, so the merchant sees the path taken. */
function PathSoFar({ history }: { history: HistoryEntry[] }) {
  const { t } = useTranslation();
  if (!history.length) return null;
  return (
    <div className="ts-path" data-testid="ts-path">
      <div className="ts-path-title">{t('troubleshoot.path')}</div>
      <ol className="ts-path-list">
        {history.map((h, i) => (
          <li key={`${h.step.question.id}-${i}`} className="ts-path-item" data-testid="ts-path-item" data-question={h.step.question.id} data-answer={h.answer}>
            <span className="ts-path-q">{pathText(h, t)}</span>
            <AnswerTag entry={h} />
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Big answer buttons: yes/no side by side, other options one per line. */
function Options({ step, onAnswer, disabled }: { step: AskingStep; onAnswer: (o: string) => void; disabled: boolean }) {
  const options = step.question.options?.length ? step.question.options : ['yes', 'no'];
  const twoUp = options.length === 2;
  return (
    <div className={`ts-options${twoUp ? ' ts-options-two' : ''}`}>
      {options.map((o) => (
        <Button
          key={o}
          size="large"
          type={yesNo(o) === 'yes' ? 'primary' : 'default'}
          block
          disabled={disabled}
          onClick={() => onAnswer(o)}
          className="ts-option"
          data-testid={`ts-option-${o}`}
        >
          <AnswerLabel option={o} />
        </Button>
      ))}
    </div>
  );
}

interface TicketFor {
  terminalId: string;
  symptom: string;
  symptomLabel: string;
  text?: string;
  answers: Record<string, string | boolean | number>;
}

/** Hand the conversation to the service desk as a ticket: its number and a link, or the open one it duplicates. */
function OpenTicket({ ticketFor }: { ticketFor: TicketFor }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const showError = useShowError();
  const refresh = useRefreshTickets();
  const create = useMutation({
    mutationFn: () => ticketsApi.create(troubleshooterTicket(ticketFor)),
    onSuccess: () => refresh(),
    onError: (e) => showError(e),
  });
  if (!can('tickets:create')) return null;
  const r = create.data;
  if (r) {
    return (
      <div className="ts-ticket" data-testid="ts-ticket" data-duplicate={String(r.duplicate)} data-number={r.ticket.number} data-id={r.ticket.id}>
        <span className="ts-ticket-number" data-testid="ts-ticket-number">
          <FileDoneOutlined /> {r.duplicate ? t('tickets.troubleshooter.duplicate', { number: r.ticket.number }) : t('tickets.troubleshooter.created', { number: r.ticket.number })}
        </span>
        <span className="ts-ticket-hint">{r.duplicate ? t('tickets.troubleshooter.duplicateHint') : t('tickets.troubleshooter.createdHint')}</span>
        <Link to={`/tickets/${r.ticket.id}`} data-testid="ts-ticket-link">
          <Button block size="large">
            {t('tickets.troubleshooter.view')} {r.ticket.number}
          </Button>
        </Link>
      </div>
    );
  }
  return (
    <div className="ts-ticket">
      <span className="ts-ticket-hint">{t('tickets.troubleshooter.hint')}</span>
      <Button type="primary" size="large" block icon={<FileAddOutlined />} loading={create.isPending} onClick={() => create.mutate()} data-testid="ts-open-ticket">
        {t('tickets.troubleshooter.open')}
      </Button>
    </div>
  );
}

function ContactSupport({ caseId }: { caseId: string }) {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  // The organization's own support line and hours (set by its admin), in the reader's language.
  const support = useQuery({
    queryKey: ['organizations', me?.orgId, 'support'],
    queryFn: () => api<SupportContact>(`/organizations/${me!.orgId}/support`),
    enabled: !!me?.orgId,
  });
  const hours = support.data?.hours ? support.data.hours[i18n.language === 'en-US' ? 'en-US' : 'zh-CN'] : null;
  return (
    <div className="ts-contact" data-testid="ts-contact">
      <div className="ts-contact-head">
        <CustomerServiceOutlined className="ts-contact-icon" />
        <span className="ts-contact-title">{t('troubleshoot.contactTitle')}</span>
      </div>
      {support.data?.phone && (
        <div className="ts-contact-phone">
          <a href={`tel:${support.data.phone.replace(/[^\d+]/g, '')}`} data-testid="ts-support-phone">
            {support.data.phone}
          </a>
          {hours && <span className="muted" data-testid="ts-support-hours"> · {hours}</span>}
        </div>
      )}
      <div className="ts-contact-text">{t('troubleshoot.contactText')}</div>
      <div className="ts-contact-case">
        <span className="muted">{t('troubleshoot.caseId')}</span>
        <Typography.Text copyable className="mono ts-case-id" data-testid="ts-case-id">
          {caseId}
        </Typography.Text>
      </div>
    </div>
  );
}

/** The step on screen: a question, a self-fix to try, solved, or handed to support. */
function CurrentStep({
  answer,
  history,
  onAnswer,
  onRestart,
  busy,
  ticketFor,
}: {
  ticketFor: TicketFor;
  answer: TroubleshootAnswer;
  history: HistoryEntry[];
  onAnswer: (step: AskingStep, option: string) => void;
  onRestart: () => void;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const { step, result, caseId } = answer;

  if (step.kind === 'question') {
    return (
      <Card className="section-card ts-card ts-step" data-testid="ts-step" data-kind="question" data-question={step.question.id}>
        <div className="ts-question-text" data-testid="ts-question">
          {step.question.text}
        </div>
        <Options step={step} onAnswer={(o) => onAnswer(step, o)} disabled={busy} />
      </Card>
    );
  }

  if (step.kind === 'self_fix') {
    return (
      <Card className="section-card ts-card ts-step" data-testid="ts-step" data-kind="self_fix" data-cause={step.cause}>
        <div className="ts-fix-label">{t('troubleshoot.likelyCause')}</div>
        <div className="ts-fix-title" data-testid="ts-fix-title">
          {step.title}
        </div>
        <div className="ts-fix-intro">{t('troubleshoot.trySteps')}</div>
        <ol className="ts-fix-steps" data-testid="ts-fix-steps">
          {step.steps.map((s, i) => (
            <li key={i}>
              <span className="ts-fix-num">{i + 1}</span>
              <span className="ts-fix-text">{s}</span>
            </li>
          ))}
        </ol>
        <div className="ts-question-text ts-fix-question" data-testid="ts-question">
          {step.question.text}
        </div>
        <Options step={step} onAnswer={(o) => onAnswer(step, o)} disabled={busy} />
      </Card>
    );
  }

  if (step.kind === 'resolved') {
    return (
      <Card className="section-card ts-card ts-step" data-testid="ts-step" data-kind="resolved">
        <Result
          status="success"
          icon={<CheckCircleFilled />}
          title={t('troubleshoot.resolvedTitle')}
          subTitle={t('troubleshoot.resolvedText')}
          className="ts-result"
          extra={
            <Button type="primary" size="large" icon={<ReloadOutlined />} onClick={onRestart} data-testid="ts-restart-final">
              {t('troubleshoot.startOver')}
            </Button>
          }
        />
      </Card>
    );
  }

  // escalate
  const security = step.reason === 'not_for_merchant';
  const causes = topCauses(result);
  return (
    <Card className="section-card ts-card ts-step" data-testid="ts-step" data-kind="escalate" data-reason={step.reason}>
      <div className={`ts-escalate-head${security ? ' ts-escalate-security' : ''}`}>
        {security ? <SafetyCertificateFilled className="ts-escalate-icon" /> : <ExclamationCircleFilled className="ts-escalate-icon" />}
        <div>
          <div className="ts-escalate-title" data-testid="ts-escalate-title">
            {t('troubleshoot.escalateTitle')}
          </div>
          {!security && (
            <div className="ts-escalate-reason" data-testid="ts-escalate-reason">
              {t(`troubleshoot.escalateReasons.${step.reason}`)}
            </div>
          )}
        </div>
      </div>
      {security && <Alert type="error" showIcon className="ts-security" data-testid="ts-escalate-reason" title={t('troubleshoot.escalateReasons.not_for_merchant')} />}

      <ContactSupport caseId={caseId} />
      <OpenTicket ticketFor={ticketFor} />

      {history.length > 0 && (
        <div className="ts-summary-block">
          <div className="ts-summary-title">{t('troubleshoot.yourAnswers')}</div>
          <ol className="ts-summary-list" data-testid="ts-summary-answers">
            {history.map((h, i) => (
              <li key={i} data-testid="ts-path-item" data-question={h.step.question.id} data-answer={h.answer}>
                <span className="ts-path-q">{pathText(h, t)}</span>
                <AnswerTag entry={h} />
              </li>
            ))}
          </ol>
        </div>
      )}
      {causes.length > 0 && (
        <div className="ts-summary-block">
          <div className="ts-summary-title">{t('troubleshoot.diagnosed')}</div>
          <ul className="ts-summary-list ts-summary-causes" data-testid="ts-summary-causes">
            {causes.map((c, i) => (
              <li key={c.code} data-code={c.code}>
                <span className="ts-summary-cause-title">{c.title}</span>
                <ConfidenceBar confidence={c.confidence} top={i === 0} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}

export default function TroubleshootPage() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const terminalId = params.get('terminal') ?? '';
  const [symptom, setSymptom] = useState<string | undefined>(undefined);
  const [text, setText] = useState('');
  const [started, setStarted] = useState(false);
  const [history, setHistory] = useState<HistoryEntry[]>([]);

  const qc = useQueryClient();
  const lang = currentLanguage();
  void i18n.language; // re-render (and re-ask in the new language) when the language changes

  const terminal = useQuery({
    queryKey: ['terminals', 'detail', terminalId],
    queryFn: () => api<TerminalDetail>(`/terminals/${terminalId}`),
    enabled: terminalId !== '',
  });
  const symptoms = useQuery({
    queryKey: ['troubleshooter', 'symptoms', lang],
    queryFn: () => api<Symptom[]>('/troubleshooter/symptoms'),
    enabled: terminalId !== '',
    staleTime: Infinity,
  });

  const active = started && !!symptom && terminalId !== '';
  const step = useQuery({
    ...stepQuery(terminalId, troubleshootBody(symptom ?? '', text, history, lang)),
    enabled: active,
  });
  // The steps answered so far, as the server words them in the current language (cached unless the language changed).
  const earlier = useQueries({
    queries: history.map((_, i) => ({ ...stepQuery(terminalId, troubleshootBody(symptom ?? '', text, history.slice(0, i), lang)), enabled: active })),
  });
  const path: HistoryEntry[] = history.map((h, i) => {
    const s = earlier[i]?.data?.step;
    return s && isAsking(s) && s.question.id === h.step.question.id ? { ...h, step: s } : h;
  });

  // A new conversation asks afresh: what the terminal reported may have changed since the last one.
  const start = () => {
    qc.removeQueries({ queryKey: ['troubleshooter', 'step'] });
    setHistory([]);
    setStarted(true);
  };
  const restart = () => {
    setHistory([]);
    setStarted(false);
    setSymptom(undefined);
    setText('');
  };
  const pickTerminal = (id: string) => {
    restart();
    setParams(id ? { terminal: id } : {}, { replace: false });
  };
  const answer = (s: AskingStep, option: string) => setHistory((h) => withAnswer(h, s, option));
  const back = () => {
    if (history.length) setHistory((h) => withoutLast(h));
    else setStarted(false);
  };

  const phase: 0 | 1 | 2 = !terminalId ? 0 : !started ? 1 : 2;
  const symptomLabel = symptoms.data?.find((s) => s.id === symptom)?.label ?? symptom;

  let content: ReactNode;
  if (phase === 0) {
    content = <TerminalPicker onPick={pickTerminal} />;
  } else if (terminal.isError) {
    content = <QueryError error={terminal.error} onRetry={() => void terminal.refetch()} />;
  } else if (phase === 1) {
    content = (
      <>
        <Chosen terminal={terminal.data} onChangeTerminal={() => pickTerminal('')} />
        <Card title={t('troubleshoot.pickSymptom')} className="section-card ts-card" data-testid="ts-pick-symptom">
          {symptoms.isPending ? (
            <Skeleton active paragraph={{ rows: 4 }} />
          ) : symptoms.isError ? (
            <QueryError error={symptoms.error} onRetry={() => void symptoms.refetch()} />
          ) : (
            <div className="ts-symptoms" role="radiogroup" aria-label={t('troubleshoot.pickSymptom')}>
              {symptoms.data.map((s) => (
                <button
                  type="button"
                  role="radio"
                  aria-checked={symptom === s.id}
                  key={s.id}
                  className={`ts-symptom${symptom === s.id ? ' ts-symptom-on' : ''}`}
                  onClick={() => setSymptom(s.id)}
                  data-testid="ts-symptom"
                  data-symptom={s.id}
                >
                  {s.label}
                </button>
              ))}
            </div>
          )}
          <label className="ts-text-label" htmlFor="ts-text">
            {t('troubleshoot.textLabel')}
          </label>
          <Input.TextArea
            id="ts-text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={2000}
            autoSize={{ minRows: 2, maxRows: 5 }}
            placeholder={t('troubleshoot.textPlaceholder')}
            data-testid="ts-text"
          />
          <Button type="primary" size="large" block disabled={!symptom} onClick={start} className="ts-start" data-testid="ts-start">
            {t('troubleshoot.start')}
          </Button>
        </Card>
      </>
    );
  } else {
    const current = step.data;
    const busy = step.isFetching;
    content = (
      <>
        <Chosen
          terminal={terminal.data}
          symptom={symptomLabel}
          text={optionalText(text)}
          onChangeTerminal={() => pickTerminal('')}
          onChangeSymptom={() => {
            setHistory([]);
            setStarted(false);
          }}
        />
        {/* Once support takes over, the path is part of the summary below. */}
        {current?.step.kind !== 'escalate' && <PathSoFar history={path} />}
        {step.isPending ? (
          <Card className="section-card ts-card ts-thinking" data-testid="ts-thinking">
            <Spin /> <span className="muted">{t('common.loading')}</span>
          </Card>
        ) : step.isError ? (
          <QueryError error={step.error} onRetry={() => void step.refetch()} />
        ) : current ? (
          <CurrentStep
            answer={current}
            history={path}
            onAnswer={answer}
            onRestart={restart}
            busy={busy}
            ticketFor={{ terminalId, symptom: symptom ?? '', symptomLabel: symptomLabel ?? '', text: optionalText(text), answers: answersOf(history) }}
          />
        ) : null}
        <div className="ts-nav">
          <Button icon={<ArrowLeftOutlined />} onClick={back} disabled={busy} data-testid="ts-back">
            {t('troubleshoot.back')}
          </Button>
          {current?.step.kind === 'resolved' ? null : (
            <Button icon={<ReloadOutlined />} onClick={restart} data-testid="ts-restart">
              {t('troubleshoot.startOver')}
            </Button>
          )}
        </div>
      </>
    );
  }

  return (
    <div className="ts-page" data-testid="page-troubleshoot" data-phase={phase}>
      <PageHeader title={t('troubleshoot.title')} subtitle={t('troubleshoot.subtitle')} />
      <Steps
        size="small"
        responsive={false}
        current={phase}
        className="ts-steps"
        items={[{ title: t('troubleshoot.stepTerminal') }, { title: t('troubleshoot.stepSymptom') }, { title: t('troubleshoot.stepSolve') }]}
      />
      {content}
    </div>
  );
}
