/**
 * Writing and editing an article: Chinese and English in tabs, steps with pictures, cause codes, tags and
 * a change note. Every save is a new version; a save over someone else's newer version is refused and
 * the editor offers to load it (nothing typed is lost until then).
 */
import { useEffect, useRef, useState } from 'react';
import { Alert, App, Badge, Button, Card, Input, Select, Skeleton, Space, Tabs } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PictureOutlined, PlusOutlined, SaveOutlined, SendOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { isApiError, type ApiError } from '../../api/client';
import { imageUrl, kbApi, KB_IMAGE_MAX_BYTES, KB_IMAGE_TYPES, type KbArticle, type KbArticleInput, type KbText } from '../../api/kb';
import { PageHeader } from '../../components/PageHeader';
import { NotFound, QueryError } from '../../components/Status';
import { useShowError } from '../../lib/hooks';
import { useKbCauses } from './shared';

type Lang = 'zh-CN' | 'en-US';
const LANGS: Lang[] = ['zh-CN', 'en-US'];
const empty = (): KbText => ({ 'zh-CN': '', 'en-US': '' });
interface Draft {
  title: KbText;
  summary: KbText;
  body: KbText;
  steps: { text: KbText; imageId?: string | null }[];
  causeCodes: string[];
  tags: string[];
}
const blank = (): Draft => ({ title: empty(), summary: empty(), body: empty(), steps: [], causeCodes: [], tags: [] });
const fromArticle = (a: KbArticle): Draft => ({ title: a.title, summary: a.summary, body: a.body, steps: a.steps.map((s) => ({ ...s })), causeCodes: a.causeCodes, tags: a.tags });
const MB = KB_IMAGE_MAX_BYTES / 1024 / 1024;

function StepPicture({ imageId, articleId, onChange }: { imageId?: string | null; articleId?: string; onChange: (id: string | null) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const input = useRef<HTMLInputElement>(null);
  const upload = useMutation({
    mutationFn: (f: File) => kbApi.uploadImage(f, articleId),
    onSuccess: (img) => {
      onChange(img.id);
      void message.success(t('kb.editor.uploaded'));
    },
    onError: (e) => showError(e),
  });
  return (
    <div className="kb-editor-step-img">
      {imageId && <img src={imageUrl(imageId)} alt="" data-testid="kb-editor-step-img" />}
      <input
        ref={input}
        type="file"
        accept={KB_IMAGE_TYPES.join(',')}
        style={{ display: 'none' }}
        data-testid="kb-editor-step-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (!f) return;
          if (f.size > KB_IMAGE_MAX_BYTES) {
            void message.error(t('kb.editor.tooLarge', { mb: MB }));
            return;
          }
          upload.mutate(f);
        }}
      />
      <Button size="small" icon={<PictureOutlined />} loading={upload.isPending} onClick={() => input.current?.click()} data-testid="kb-editor-step-upload">
        {t('kb.editor.upload')}
      </Button>
      {imageId && (
        <Button size="small" type="text" danger onClick={() => onChange(null)}>
          {t('kb.editor.removePicture')}
        </Button>
      )}
      <span className="muted small">{t('kb.editor.uploadHint', { mb: MB })}</span>
    </div>
  );
}

export default function KbEditorPage() {
  const { id } = useParams();
  const isNew = !id;
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const causes = useKbCauses();
  const existing = useQuery({ queryKey: ['kb', 'edit', id], queryFn: () => kbApi.get(id!), enabled: !isNew, staleTime: 0, gcTime: 0 });
  const [draft, setDraft] = useState<Draft>(blank);
  const [base, setBase] = useState<number>(0);
  const [note, setNote] = useState('');
  const [problems, setProblems] = useState<ApiError['details']>([]);
  const [conflict, setConflict] = useState<string | null>(null);
  const loaded = useRef(false);
  useEffect(() => {
    if (existing.data && !loaded.current) {
      loaded.current = true;
      setDraft(fromArticle(existing.data));
      setBase(existing.data.version);
    }
  }, [existing.data]);

  const setText = (field: 'title' | 'summary' | 'body', lang: Lang, v: string) => setDraft((d) => ({ ...d, [field]: { ...d[field], [lang]: v } }));
  const setStep = (i: number, patch: Partial<Draft['steps'][number]>) => setDraft((d) => ({ ...d, steps: d.steps.map((s, k) => (k === i ? { ...s, ...patch } : s)) }));
  const moveStep = (i: number, by: number) =>
    setDraft((d) => {
      const steps = [...d.steps];
      const [s] = steps.splice(i, 1);
      steps.splice(i + by, 0, s!);
      return { ...d, steps };
    });

  const save = useMutation({
    mutationFn: async (publish: boolean) => {
      const body: KbArticleInput = {
        ...draft,
        steps: draft.steps.map((s) => ({ text: s.text, ...(s.imageId ? { imageId: s.imageId } : {}) })),
        ...(note.trim() ? { note: note.trim() } : {}),
      };
      let a = isNew ? await kbApi.create(body) : await kbApi.update(id!, { ...body, baseVersion: base });
      if (publish && a.status !== 'published') {
        try {
          a = await kbApi.setStatus(a.id, 'published');
        } catch (e) {
          // Saved, but not publishable yet: keep editing the saved version.
          throw Object.assign(e as object, { saved: a });
        }
      }
      return a;
    },
    onSuccess: (a) => {
      void message.success(isNew ? t('kb.editor.created') : t('kb.editor.saved', { n: a.version }));
      void qc.invalidateQueries({ queryKey: ['kb'] });
      navigate(`/kb/${a.id}`);
    },
    onError: (e) => {
      const saved = (e as { saved?: KbArticle }).saved;
      if (saved) {
        setBase(saved.version);
        setNote('');
        if (isNew) navigate(`/kb/${saved.id}/edit`, { replace: true });
      }
      if (isApiError(e) && e.id === 'kb.version_conflict') setConflict(e.message);
      setProblems(isApiError(e) ? e.details : []);
      showError(e);
    },
  });

  if (!isNew && existing.isPending) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (!isNew && existing.isError) {
    if (isApiError(existing.error) && (existing.error.status === 404 || existing.error.status === 400)) return <NotFound />;
    return <QueryError error={existing.error} onRetry={() => void existing.refetch()} />;
  }
  const published = existing.data?.status === 'published';
  const incomplete = (l: Lang) => !draft.title[l].trim() || !draft.summary[l].trim();

  return (
    <div className="kb-article" data-testid="page-kb-editor" data-new={String(isNew)} data-base={base}>
      <PageHeader backTo={isNew ? '/kb' : `/kb/${id}`} title={isNew ? t('kb.editor.newTitle') : t('kb.editor.editTitle')} />
      {conflict && (
        <Alert
          type="error"
          showIcon
          className="section-card"
          title={t('kb.editor.conflictTitle')}
          description={conflict}
          data-testid="kb-editor-conflict"
          action={
            <Button
              size="small"
              onClick={async () => {
                const r = await existing.refetch();
                if (r.data) {
                  setDraft(fromArticle(r.data));
                  setBase(r.data.version);
                  setConflict(null);
                }
              }}
            >
              {t('kb.editor.reload')}
            </Button>
          }
        />
      )}
      <Card className="section-card">
        <Tabs
          items={LANGS.map((l) => ({
            key: l,
            label: (
              <span data-testid={`kb-editor-tab-${l}`}>
                {t(`lang.${l}`)} {incomplete(l) && <Badge status="warning" text={<span className="muted small">{t('kb.editor.tabIncomplete')}</span>} />}
              </span>
            ),
            forceRender: true,
            children: (
              <Space direction="vertical" style={{ width: '100%' }} size={10} data-testid={`kb-editor-lang-${l}`}>
                <label className="muted small">{t('kb.editor.title')}</label>
                <Input value={draft.title[l]} onChange={(e) => setText('title', l, e.target.value)} maxLength={200} data-testid={`kb-editor-title-${l}`} lang={l} />
                <label className="muted small">{t('kb.editor.summary')}</label>
                <Input.TextArea value={draft.summary[l]} onChange={(e) => setText('summary', l, e.target.value)} maxLength={1000} autoSize={{ minRows: 2, maxRows: 4 }} placeholder={t('kb.editor.summaryHint')} data-testid={`kb-editor-summary-${l}`} lang={l} />
                <label className="muted small">{t('kb.editor.body')}</label>
                <Input.TextArea value={draft.body[l]} onChange={(e) => setText('body', l, e.target.value)} maxLength={20000} autoSize={{ minRows: 6, maxRows: 20 }} placeholder={t('kb.editor.bodyHint')} data-testid={`kb-editor-body-${l}`} lang={l} />
              </Space>
            ),
          }))}
        />
      </Card>
      <Card className="section-card" title={t('kb.editor.steps')} data-testid="kb-editor-steps">
        {draft.steps.map((s, i) => (
          <div key={i} className="kb-editor-step" data-testid="kb-editor-step">
            <div className="kb-editor-step-head">
              <span>{t('kb.editor.step', { n: i + 1 })}</span>
              <Space size={2}>
                <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => moveStep(i, -1)} aria-label={t('kb.editor.moveUp')} />
                <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={i === draft.steps.length - 1} onClick={() => moveStep(i, 1)} aria-label={t('kb.editor.moveDown')} />
                <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => setDraft((d) => ({ ...d, steps: d.steps.filter((_, k) => k !== i) }))} aria-label={t('kb.editor.removeStep')} />
              </Space>
            </div>
            <div className="kb-editor-step-langs">
              {LANGS.map((l) => (
                <Input.TextArea
                  key={l}
                  value={s.text[l]}
                  onChange={(e) => setStep(i, { text: { ...s.text, [l]: e.target.value } })}
                  autoSize={{ minRows: 2, maxRows: 6 }}
                  maxLength={2000}
                  placeholder={t(`lang.${l}`)}
                  data-testid={`kb-editor-step-${l}`}
                  lang={l}
                />
              ))}
            </div>
            <StepPicture imageId={s.imageId} articleId={id} onChange={(img) => setStep(i, { imageId: img })} />
          </div>
        ))}
        <Button icon={<PlusOutlined />} onClick={() => setDraft((d) => ({ ...d, steps: [...d.steps, { text: empty() }] }))} data-testid="kb-editor-add-step">
          {t('kb.editor.addStep')}
        </Button>
      </Card>
      <Card className="section-card">
        <Space direction="vertical" style={{ width: '100%' }} size={10}>
          <label className="muted small">{t('kb.editor.causes')}</label>
          <Select
            mode="multiple"
            style={{ width: '100%' }}
            value={draft.causeCodes}
            onChange={(v: string[]) => setDraft((d) => ({ ...d, causeCodes: v }))}
            placeholder={t('kb.editor.causesPlaceholder')}
            showSearch={{ optionFilterProp: 'label' }}
            options={(causes.data?.items ?? []).map((c) => ({ value: c.code, label: `${c.title} · ${c.code}` }))}
            loading={causes.isPending}
            data-testid="kb-editor-causes"
          />
          <label className="muted small">{t('kb.editor.tags')}</label>
          <Select mode="tags" style={{ width: '100%' }} value={draft.tags} onChange={(v: string[]) => setDraft((d) => ({ ...d, tags: v }))} placeholder={t('kb.editor.tagsPlaceholder')} open={false} suffixIcon={null} data-testid="kb-editor-tags" />
          <label className="muted small">{t('kb.editor.note')}</label>
          <Input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} placeholder={t('kb.editor.notePlaceholder')} data-testid="kb-editor-note" />
          {problems.length > 0 && (
            <Alert
              type="error"
              showIcon
              data-testid="kb-editor-problems"
              title={
                <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                  {problems.map((p, i) => (
                    <li key={i}>
                      <span className="mono small">{p.path.replace(/^body\./, '')}</span> {p.message}
                    </li>
                  ))}
                </ul>
              }
            />
          )}
          <div className="muted small">{t('kb.editor.publishHint')}</div>
          <div className="kb-editor-actions">
            <Button type="primary" icon={<SaveOutlined />} loading={save.isPending && save.variables === false} onClick={() => save.mutate(false)} data-testid="kb-editor-save">
              {isNew ? t('kb.editor.create') : t('kb.editor.save')}
            </Button>
            {!published && (
              <Button icon={<SendOutlined />} loading={save.isPending && save.variables === true} onClick={() => save.mutate(true)} data-testid="kb-editor-save-publish">
                {t('kb.editor.saveAndPublish')}
              </Button>
            )}
            <Button onClick={() => navigate(isNew ? '/kb' : `/kb/${id}`)}>{t('kb.editor.cancel')}</Button>
          </div>
        </Space>
      </Card>
    </div>
  );
}
