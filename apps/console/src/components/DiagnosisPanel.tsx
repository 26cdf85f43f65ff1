import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, App, Button, Card, Collapse, Input, Progress, Result, Skeleton, Tag, Tooltip, Typography } from 'antd';
import { CheckCircleFilled, CloseOutlined, PlayCircleOutlined, SearchOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import type {
  CommandName,
  CommandRequest,
  CommandRow,
  DiagnosedCause,
  DiagnosisAction,
  DiagnosisQuestion,
  DiagnosisScope,
  TerminalDiagnosis,
} from '../api/diagnosis';
import { useAuth } from '../auth/AuthContext';
import { currentLanguage } from '../i18n';
import { commandReason, confidencePct, diagnosisBody, isCommandName, type Answers } from '../lib/diagnosis';
import { useShowError } from '../lib/hooks';
import { AnswerLabel } from './AnswerLabel';
import { KnowledgeLinks } from './KnowledgeLinks';

export const SCOPE_COLORS: Record<DiagnosisScope, string> = {
  card: 'purple',
  terminal: 'blue',
  site: 'orange',
  fleet: 'magenta',
  host: 'red',
};

const ACTION_COLORS: Record<DiagnosisAction['kind'], string> = {
  self_service: 'green',
  remote: 'blue',
  onsite: 'orange',
  replace: 'volcano',
  escalate: 'red',
  monitor: 'default',
};

const FINAL_STATUSES: readonly CommandRow['status'][] = ['succeeded', 'failed', 'expired'];
const COMMAND_COLORS: Record<CommandRow['status'], string> = {
  sent: 'processing',
  received: 'processing',
  succeeded: 'success',
  failed: 'error',
  expired: 'default',
};

/** The category of a cause in words; a category the console does not know yet is shown as it comes. */
export function useCategoryLabel() {
  const { t, i18n } = useTranslation();
  return (category: string) =>
    i18n.exists(`diagnosis.categories.${category}`) ? t(`diagnosis.categories.${category}` as 'diagnosis.categories.hardware') : category;
}

export function ConfidenceBar({ confidence, top }: { confidence: number; top?: boolean }) {
  const pct = confidencePct(confidence);
  return (
    <Progress
      percent={pct}
      size="small"
      strokeColor={top ? '#1f4fd6' : '#8ea6e6'}
      format={(p) => `${p ?? 0}%`}
      className="diag-confidence"
      data-testid="diagnosis-confidence"
      data-pct={pct}
    />
  );
}

type Sent = Record<string, CommandRow>;

/** One diagnosed cause: title, confidence, the evidence behind it and what to do. */
function CauseItem({
  cause,
  rank,
  terminalId,
  sent,
  onSent,
}: {
  cause: DiagnosedCause;
  rank: number;
  terminalId: string;
  sent: Sent;
  onSent: (key: string, row: CommandRow) => void;
}) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const categoryLabel = useCategoryLabel();
  const canCommand = can('devices:command');

  const send = useMutation({
    mutationFn: (v: { key: string; name: CommandName }) => {
      const body: CommandRequest = { name: v.name, reason: commandReason(cause.code) };
      return api<CommandRow>(`/terminals/${terminalId}/commands`, { method: 'POST', body });
    },
    onSuccess: (row, v) => {
      onSent(v.key, row);
      void message.success(t('diagnosis.commandSent', { name: t(`commands.names.${row.name}`) }));
    },
    onError: (e) => showError(e),
  });

  return (
    <div className="diag-cause" data-testid="diagnosis-cause" data-code={cause.code}>
      <div className="diag-cause-head">
        <span className={`diag-rank${rank === 1 ? ' diag-rank-top' : ''}`} aria-label={t('diagnosis.rank', { n: rank })}>
          {rank}
        </span>
        <div className="diag-cause-title-block">
          <div className="diag-cause-title" data-testid="diagnosis-cause-title">
            {cause.title}
          </div>
          <div className="diag-cause-meta">
            <Tag className="diag-category">{categoryLabel(cause.category)}</Tag>
            <span className="mono muted small">{cause.code}</span>
          </div>
        </div>
        <div className="diag-cause-confidence">
          <span className="muted small">{t('diagnosis.confidence')}</span>
          <ConfidenceBar confidence={cause.confidence} top={rank === 1} />
        </div>
      </div>

      {cause.evidence.length > 0 && (
        <div className="diag-section">
          <div className="diag-section-title">{t('diagnosis.evidence')}</div>
          <ul className="diag-list" data-testid="diagnosis-evidence">
            {cause.evidence.map((e, i) => (
              <li key={i} data-source={e.source}>
                <Tag className="diag-list-tag">{t(`diagnosis.sources.${e.source}`)}</Tag>
                <span className="diag-list-text">{e.detail}</span>
              </li>
            ))}
          </ul>
        </div>
      )}

      {cause.actions.length > 0 && (
        <div className="diag-section">
          <div className="diag-section-title">{t('diagnosis.actions')}</div>
          <ul className="diag-list" data-testid="diagnosis-actions">
            {cause.actions.map((a, i) => {
              const key = `${cause.code}#${i}`;
              const row = sent[key];
              const command = isCommandName(a.remoteCommand) ? a.remoteCommand : undefined;
              return (
                <li key={i} data-kind={a.kind}>
                  <Tag color={ACTION_COLORS[a.kind]} className="diag-list-tag">
                    {t(`diagnosis.actionKinds.${a.kind}`)}
                  </Tag>
                  <span className="diag-list-text">
                    {a.text}
                    {command && canCommand && (
                      <span className="diag-command">
                        <Button
                          size="small"
                          icon={<PlayCircleOutlined />}
                          loading={send.isPending && send.variables?.key === key}
                          onClick={() => send.mutate({ key, name: command })}
                          data-testid="diagnosis-run-command"
                          data-command={command}
                        >
                          {t('diagnosis.runCommand')} · {t(`commands.names.${command}`)}
                        </Button>
                        {row && (
                          <Tag color={COMMAND_COLORS[row.status]} data-testid="diagnosis-command-status" data-status={row.status}>
                            {t(`commands.statuses.${row.status}`)}
                          </Tag>
                        )}
                      </span>
                    )}
                    {command && !canCommand && (
                      <Tooltip title={t('diagnosis.commandNoPermission')}>
                        <Tag className="diag-command-name">{t(`commands.names.${command}`)}</Tag>
                      </Tooltip>
                    )}
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </div>
  );
}

/**
 * The diagnosis card of a terminal: what the merchant said (optional) → ranked causes with evidence
 * and actions, the questions that would tell them apart, and the assembled case for experts.
 */
export function DiagnosisPanel({ terminalId }: { terminalId: string }) {
  const { t, i18n } = useTranslation();
  const showError = useShowError();
  const [report, setReport] = useState('');
  const [answers, setAnswers] = useState<Answers>({});
  /** The questions answered so far, to show them with their answers. */
  const [asked, setAsked] = useState<Record<string, DiagnosisQuestion>>({});
  const [sent, setSent] = useState<Sent>({});

  const run = useMutation({
    mutationFn: (v: { report: string; answers: Answers }) =>
      api<TerminalDiagnosis>(`/terminals/${terminalId}/diagnosis`, { method: 'POST', body: diagnosisBody(v.report, v.answers, currentLanguage()) }),
    onError: (e) => showError(e),
  });

  // The result's words come in the language it was asked in: ask again when the language changes.
  const lastLang = useRef(i18n.language);
  useEffect(() => {
    if (lastLang.current === i18n.language) return;
    lastLang.current = i18n.language;
    if (run.variables && !run.isPending) run.mutate(run.variables);
  }, [i18n.language]);

  // Commands sent from here: follow their status as the terminal acknowledges them.
  const pending = Object.values(sent).some((r) => !FINAL_STATUSES.includes(r.status));
  const commands = useQuery({
    queryKey: ['fleet', 'commands', terminalId],
    queryFn: () => api<CommandRow[]>(`/terminals/${terminalId}/commands`),
    enabled: Object.keys(sent).length > 0,
    refetchInterval: pending ? 5_000 : false,
  });
  useEffect(() => {
    const rows = commands.data;
    if (!rows) return;
    setSent((prev) => {
      let changed = false;
      const next: Sent = { ...prev };
      for (const [k, r] of Object.entries(prev)) {
        const fresh = rows.find((x) => x.id === r.id);
        if (fresh && fresh.status !== r.status) {
          next[k] = fresh;
          changed = true;
        }
      }
      return changed ? next : prev;
    });
  }, [commands.data]);

  const diagnose = (nextAnswers: Answers = answers) => run.mutate({ report, answers: nextAnswers });
  const answer = (q: DiagnosisQuestion, option: string) => {
    const next = { ...answers, [q.id]: option };
    setAnswers(next);
    setAsked((a) => ({ ...a, [q.id]: q }));
    diagnose(next);
  };
  const clearAnswers = () => {
    setAnswers({});
    setAsked({});
    diagnose({});
  };

  const data = run.data;
  const result = data?.result;
  const answered = Object.entries(answers);

  let body: ReactNode = null;
  if (run.isPending && !data) {
    body = <Skeleton active paragraph={{ rows: 5 }} />;
  } else if (!result) {
    body = (
      <Typography.Text type="secondary" className="diag-idle">
        {t('diagnosis.idle')}
      </Typography.Text>
    );
  } else {
    body = (
      <div className={`diag-result${run.isPending ? ' diag-result-stale' : ''}`} data-testid="diagnosis-result" data-scope={result.scope}>
        <div className="diag-scope">
          <span className="muted">{t('diagnosis.scope')}</span>
          <Tag color={SCOPE_COLORS[result.scope]} data-testid="diagnosis-scope" data-scope={result.scope}>
            {t(`diagnosis.scopes.${result.scope}`)}
          </Tag>
          <span className="diag-scope-hint muted">{t(`diagnosis.scopeHints.${result.scope}`)}</span>
        </div>

        {result.causes.length === 0 ? (
          <Result
            status="success"
            icon={<CheckCircleFilled />}
            title={t('diagnosis.noProblemTitle')}
            subTitle={t('diagnosis.noProblemHint')}
            className="diag-none"
            data-testid="diagnosis-none"
          />
        ) : (
          <>
            <div className="diag-section-title diag-causes-title">{t('diagnosis.causes')}</div>
            <div className="diag-causes" data-testid="diagnosis-causes">
              {result.causes.map((c, i) => (
                <CauseItem
                  key={c.code}
                  cause={c}
                  rank={i + 1}
                  terminalId={terminalId}
                  sent={sent}
                  onSent={(k, row) => setSent((s) => ({ ...s, [k]: row }))}
                />
              ))}
            </div>
            <KnowledgeLinks codes={result.causes.map((c) => c.code)} />
          </>
        )}

        {(result.questions?.length ?? 0) > 0 && (
          <div className="diag-questions" data-testid="diagnosis-questions">
            <div className="diag-section-title">{t('diagnosis.questions')}</div>
            {result.questions!.map((q) => (
              <div key={q.id} className="diag-question" data-testid="diagnosis-question" data-question={q.id}>
                <div className="diag-question-text">{q.text}</div>
                <div className="diag-question-options">
                  {(q.options ?? ['yes', 'no']).map((o) => (
                    <Button key={o} size="small" onClick={() => answer(q, o)} disabled={run.isPending} data-testid={`diagnosis-answer-${o}`}>
                      <AnswerLabel option={o} />
                    </Button>
                  ))}
                </div>
              </div>
            ))}
          </div>
        )}

        {answered.length > 0 && (
          <div className="diag-answered" data-testid="diagnosis-answered">
            <span className="muted">{t('diagnosis.answered')}</span>
            {answered.map(([id, v]) => (
              <Tag key={id} className="diag-answered-tag">
                {asked[id]?.text ?? id} <strong>{typeof v === 'string' ? <AnswerLabel option={v} /> : String(v)}</strong>
              </Tag>
            ))}
            <Button type="link" size="small" icon={<CloseOutlined />} onClick={clearAnswers} disabled={run.isPending} data-testid="diagnosis-clear-answers">
              {t('diagnosis.clearAnswers')}
            </Button>
          </div>
        )}

        {(result.missing?.length ?? 0) > 0 && (
          <Alert
            type="info"
            showIcon
            className="diag-missing"
            data-testid="diagnosis-missing"
            title={t('diagnosis.missing')}
            description={
              <ul className="diag-missing-list">
                {result.missing!.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            }
          />
        )}

        <Collapse
          size="small"
          className="diag-json"
          data-testid="diagnosis-case-json"
          items={[
            {
              key: 'case',
              label: t('diagnosis.caseJson'),
              extra: <span className="muted small">{t('diagnosis.knowledgeVersion', { version: data!.knowledgeVersion })}</span>,
              children: <pre className="diag-json-pre">{JSON.stringify(data!.case, null, 2)}</pre>,
            },
          ]}
        />
      </div>
    );
  }

  return (
    <Card title={t('diagnosis.title')} className="section-card diag-card" data-testid="diagnosis-card">
      <div className="diag-form">
        <Typography.Text type="secondary" className="diag-hint">
          {t('diagnosis.hint')}
        </Typography.Text>
        <Input.TextArea
          value={report}
          onChange={(e) => setReport(e.target.value)}
          maxLength={2000}
          autoSize={{ minRows: 2, maxRows: 6 }}
          placeholder={t('diagnosis.reportPlaceholder')}
          aria-label={t('diagnosis.reportLabel')}
          data-testid="diagnosis-report"
        />
        <div className="diag-form-actions">
          <Button type="primary" icon={<SearchOutlined />} loading={run.isPending} onClick={() => diagnose()} data-testid="diagnosis-run">
            {t('diagnosis.run')}
          </Button>
        </div>
      </div>
      {body}
    </Card>
  );
}
