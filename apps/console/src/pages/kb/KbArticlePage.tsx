/**
 * Reading an article: summary, steps with pictures, the body, causes, "was this helpful". Editors also
 * get publish / archive, the version history (view any version, restore one as a new version) and edit.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Col, Drawer, Input, Popconfirm, Row, Skeleton, Space, Tag, Timeline, Tooltip } from 'antd';
import { DislikeOutlined, EditOutlined, EyeOutlined, HistoryOutlined, InboxOutlined, LikeOutlined, RollbackOutlined, SendOutlined, UndoOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { imageUrl, kbApi, type KbArticle, type KbStatus, type KbText } from '../../api/kb';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { NotFound, QueryError } from '../../components/Status';
import { fromNow } from '../../lib/fleet';
import { formatTime, formatTimeFull } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useLang } from '../alerts/queries';
import { CauseTags, KbStatusTag, Paragraphs, textIn } from './shared';

function Fallback({ v }: { v: KbText }) {
  const { t } = useTranslation();
  return textIn(v).fallback ? <div className="kb-fallback muted">{t('kb.reader.otherLanguage')}</div> : null;
}

function Feedback({ article }: { article: KbArticle }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const send = useMutation({
    mutationFn: (helpful: boolean) => kbApi.feedback(article.id, helpful),
    onSuccess: (a) => {
      qc.setQueriesData({ queryKey: ['kb', 'article', article.id] }, (old: KbArticle | undefined) => (old && old.version === a.version ? a : old));
      void message.success(t('kb.reader.thanks'));
    },
    onError: (e) => showError(e),
  });
  return (
    <Card size="small" className="section-card" data-testid="kb-feedback" data-mine={String(article.myFeedback)}>
      <div className="kb-feedback">
        <strong>{t('kb.reader.helpful')}</strong>
        <Button
          icon={<LikeOutlined />}
          type={article.myFeedback === true ? 'primary' : 'default'}
          loading={send.isPending && send.variables === true}
          onClick={() => send.mutate(true)}
          data-testid="kb-helpful-yes"
        >
          {t('kb.reader.yes')}
        </Button>
        <Button
          icon={<DislikeOutlined />}
          type={article.myFeedback === false ? 'primary' : 'default'}
          loading={send.isPending && send.variables === false}
          onClick={() => send.mutate(false)}
          data-testid="kb-helpful-no"
        >
          {t('kb.reader.no')}
        </Button>
        <span className="muted small" data-testid="kb-helpful-counts">
          {t('kb.reader.counts', { yes: article.helpful, no: article.notHelpful })}
        </span>
      </div>
    </Card>
  );
}

function History({ article, open, onClose }: { article: KbArticle; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [note, setNote] = useState('');
  const versions = useQuery({ queryKey: ['kb', 'versions', article.id, article.version], queryFn: () => kbApi.versions(article.id), enabled: open });
  const restore = useMutation({
    mutationFn: (n: number) => kbApi.restore(article.id, n, note.trim() || undefined),
    onSuccess: (a, n) => {
      void message.success(t('kb.history.restored', { n }));
      setNote('');
      void qc.invalidateQueries({ queryKey: ['kb'] });
      navigate(`/kb/${a.id}`);
      onClose();
    },
    onError: (e) => showError(e),
  });
  return (
    <Drawer title={t('kb.history.title')} open={open} onClose={onClose} size={420} data-testid="kb-history">
      {!versions.data ? (
        <Skeleton active />
      ) : (
        <Timeline
          items={versions.data.items.map((v) => ({
            key: v.version,
            color: v.version === article.version ? 'blue' : 'gray',
            content: (
              <div className="kb-version-item" data-testid="kb-version" data-version={v.version} data-action={v.action}>
                <div className="kb-version-head">
                  <strong>{t('kb.version', { n: v.version })}</strong>
                  <Tag>{t(`kb.history.actions.${v.action}`)}</Tag>
                  {v.version === article.version && <Tag color="blue">{t('kb.history.current')}</Tag>}
                </div>
                <div className="muted small">
                  <span title={formatTimeFull(v.at)}>{formatTime(v.at)}</span> · {v.author ?? t('common.system')}
                </div>
                <div className={v.note ? undefined : 'muted small'} data-testid="kb-version-note">
                  {v.restoredFrom ? `${t('kb.history.restoredFrom', { n: v.restoredFrom })} · ` : ''}
                  {v.note ?? t('kb.history.noNote')}
                </div>
                {v.version !== article.version && (
                  <Space size={4} style={{ marginTop: 4 }}>
                    <Button
                      size="small"
                      icon={<EyeOutlined />}
                      onClick={() => {
                        navigate(`/kb/${article.id}?version=${v.version}`);
                        onClose();
                      }}
                      data-testid="kb-version-view"
                    >
                      {t('kb.history.view')}
                    </Button>
                    <Popconfirm
                      title={t('kb.history.restore')}
                      description={
                        <div style={{ maxWidth: 280 }}>
                          <p>{t('kb.history.restoreConfirm', { n: v.version })}</p>
                          <Input value={note} onChange={(e) => setNote(e.target.value)} placeholder={t('kb.history.restoreNote')} maxLength={500} data-testid="kb-restore-note" />
                        </div>
                      }
                      onConfirm={() => restore.mutate(v.version)}
                      okButtonProps={{ id: 'kb-restore-confirm' }}
                    >
                      <Button size="small" icon={<UndoOutlined />} loading={restore.isPending && restore.variables === v.version} data-testid="kb-version-restore">
                        {t('kb.history.restore')}
                      </Button>
                    </Popconfirm>
                  </Space>
                )}
              </div>
            ),
          }))}
        />
      )}
    </Drawer>
  );
}

export default function KbArticlePage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const version = Number(params.get('version')) || undefined;
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const lng = useLang();
  const editor = can('kb:write');
  const [history, setHistory] = useState(false);
  const q = useQuery({ queryKey: ['kb', 'article', id, lng, version ?? 0], queryFn: () => kbApi.get(id, { version, view: !version }), staleTime: 60_000 });
  const status = useMutation({
    mutationFn: (s: KbStatus) => kbApi.setStatus(id, s),
    onSuccess: (a) => {
      void message.success(t('kb.reader.statusChanged', { status: t(`kb.status.${a.status}`) }));
      void qc.invalidateQueries({ queryKey: ['kb'] });
    },
    onError: (e) => showError(e),
  });

  if (q.isPending) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (q.isError || !q.data) {
    if (isApiError(q.error) && (q.error.status === 404 || q.error.status === 400)) return <NotFound />;
    return <QueryError error={q.error} onRetry={() => void q.refetch()} />;
  }
  const a = q.data;
  const old = version !== undefined;
  const title = textIn(a.title).text;
  const steps = a.steps;

  return (
    <div className="kb-article" data-testid="page-kb-article" data-id={a.id} data-status={a.status} data-version={a.version}>
      <PageHeader
        backTo="/kb"
        title={<span data-testid="kb-article-title">{title}</span>}
        tags={
          <>
            <KbStatusTag status={a.status} />
            {editor && <Tag data-testid="kb-article-version">{t('kb.version', { n: a.version })}</Tag>}
          </>
        }
        subtitle={
          <span className="kb-meta">
            <span title={formatTimeFull(a.updatedAt)}>{t('kb.updated', { time: fromNow(a.updatedAt) })}</span>
            {a.updatedBy && <span>{a.updatedBy}</span>}
            {!old && <span>{t('kb.reader.views', { count: a.views })}</span>}
          </span>
        }
        extra={
          editor &&
          !old && (
            <Space wrap>
              <Button icon={<HistoryOutlined />} onClick={() => setHistory(true)} data-testid="kb-history-open">
                {t('kb.reader.history')}
              </Button>
              {a.status !== 'archived' && (
                <Button icon={<InboxOutlined />} loading={status.isPending && status.variables === 'archived'} onClick={() => status.mutate('archived')} data-testid="kb-archive">
                  {t('kb.reader.archive')}
                </Button>
              )}
              {a.status === 'published' ? (
                <Button icon={<RollbackOutlined />} loading={status.isPending && status.variables === 'draft'} onClick={() => status.mutate('draft')} data-testid="kb-unpublish">
                  {t('kb.reader.unpublish')}
                </Button>
              ) : (
                <Button icon={<SendOutlined />} loading={status.isPending && status.variables === 'published'} onClick={() => status.mutate('published')} data-testid="kb-publish">
                  {t('kb.reader.publish')}
                </Button>
              )}
              <Button type="primary" icon={<EditOutlined />} onClick={() => navigate(`/kb/${a.id}/edit`)} data-testid="kb-edit">
                {t('kb.reader.edit')}
              </Button>
            </Space>
          )
        }
      />
      {old && (
        <Alert
          type="info"
          showIcon
          className="section-card"
          data-testid="kb-viewing-version"
          title={t('kb.reader.viewingVersion', { n: a.version })}
          action={
            <Button size="small" onClick={() => navigate(`/kb/${a.id}`)} data-testid="kb-back-to-current">
              {t('kb.reader.backToCurrent')}
            </Button>
          }
        />
      )}
      {!old && a.status === 'draft' && <Alert type="warning" showIcon className="section-card" title={t('kb.reader.draftBanner')} data-testid="kb-draft-banner" />}
      {!old && a.status === 'archived' && <Alert type="info" showIcon className="section-card" title={t('kb.reader.archivedBanner')} />}
      <Row gutter={[16, 0]}>
        <Col xs={24} lg={16}>
          <Card className="section-card" data-testid="kb-article-body">
            <Fallback v={a.summary} />
            <Paragraphs text={textIn(a.summary).text} className="kb-lead" />
            {steps.length > 0 && (
              <>
                <h3>{t('kb.reader.steps')}</h3>
                <ol className="kb-steps" data-testid="kb-steps">
                  {steps.map((s, i) => (
                    <li key={i} className="kb-step" data-testid="kb-step">
                      <span className="kb-step-n" aria-label={t('kb.reader.stepN', { n: i + 1 })}>
                        {i + 1}
                      </span>
                      <div className="kb-step-body">
                        {textIn(s.text).text}
                        {s.imageId && <img className="kb-step-img" src={imageUrl(s.imageId)} alt={t('kb.reader.picture')} loading="lazy" data-testid="kb-step-img" />}
                      </div>
                    </li>
                  ))}
                </ol>
              </>
            )}
            <div style={{ marginTop: 16 }}>
              <Fallback v={a.body} />
              <Paragraphs text={textIn(a.body).text} />
            </div>
          </Card>
          {!old && a.status === 'published' && <Feedback article={a} />}
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" className="section-card" title={t('kb.reader.causes')} data-testid="kb-article-causes">
            {a.causeCodes.length ? <CauseTags codes={a.causeCodes} /> : <span className="muted">—</span>}
            {a.tags.length > 0 && (
              <div style={{ marginTop: 10 }} className="kb-cause-tags">
                <div className="muted small">{t('kb.reader.tags')}</div>
                {a.tags.map((tag) => (
                  <Tag key={tag}>{tag}</Tag>
                ))}
              </div>
            )}
            {a.sourceTicketId && a.sourceTicketNumber && (
              <div style={{ marginTop: 10 }}>
                <div className="muted small">{t('kb.reader.source')}</div>
                <Tooltip title={a.sourceTicketNumber}>
                  <Link to={`/tickets/${a.sourceTicketId}`} className="mono" data-testid="kb-source-ticket">
                    {a.sourceTicketNumber}
                  </Link>
                </Tooltip>
              </div>
            )}
          </Card>
        </Col>
      </Row>
      {editor && <History article={a} open={history} onClose={() => setHistory(false)} />}
    </div>
  );
}
