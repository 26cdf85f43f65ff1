/**
 * The knowledge base: one search box for Chinese and English, filters by cause (and status for editors),
 * results with the words found marked. Merchants see published articles only.
 */
import { useEffect, useState } from 'react';
import { App, Button, Input, Pagination, Select, Skeleton } from 'antd';
import { BookOutlined, EditOutlined, LikeOutlined, PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { kbApi, KB_STATUSES } from '../../api/kb';
import { useAuth } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryError } from '../../components/Status';
import { currentLanguage } from '../../i18n';
import { fromNow } from '../../lib/fleet';
import { useShowError } from '../../lib/hooks';
import { useUrlState } from '../../lib/useUrlState';
import { useLang } from '../alerts/queries';
import { CauseTags, Highlight, KbStatusTag, useKbCauses } from './shared';

const KEYS = ['q', 'cause', 'status'] as const;

export default function KbPage() {
  const { t } = useTranslation();
  const { can, me } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const lng = useLang();
  const editor = can('kb:write');
  const { values, page, pageSize, setFilters, setPage } = useUrlState(KEYS, 20);
  const [typed, setTyped] = useState(values.q ?? '');
  useEffect(() => setTyped(values.q ?? ''), [values.q]);
  const causes = useKbCauses();

  const query = {
    q: values.q ?? '',
    cause: values.cause,
    status: editor ? (values.status as (typeof KB_STATUSES)[number] | 'all' | undefined) : undefined,
    lang: currentLanguage(),
    limit: pageSize,
    offset: (page - 1) * pageSize,
  };
  const results = useQuery({ queryKey: ['kb', 'search', lng, query], queryFn: () => kbApi.search(query), placeholderData: keepPreviousData });

  const starter = useMutation({
    mutationFn: () => kbApi.starter(),
    onSuccess: (r) => {
      void message.success(t('kb.starterLoaded', { created: r.created, existing: r.existing }));
      void qc.invalidateQueries({ queryKey: ['kb'] });
    },
    onError: (e) => showError(e),
  });

  const data = results.data;
  const filtered = !!(values.q || values.cause || values.status);
  const causeOptions = (causes.data?.items ?? [])
    .filter((c) => editor || c.articles > 0 || c.code === values.cause)
    .map((c) => ({ value: c.code, label: t('kb.causeOption', { title: c.title, count: c.articles }) }));

  return (
    <div data-testid="page-kb" data-q={values.q ?? ''} data-ready={String(!!results.data && !results.isPlaceholderData && !results.isFetching)}>
      <PageHeader
        title={t('kb.title')}
        subtitle={t('kb.subtitle')}
        extra={
          editor && (
            <>
              {me?.role === 'admin' && (
                <Button icon={<BookOutlined />} loading={starter.isPending} onClick={() => starter.mutate()} data-testid="kb-load-starter">
                  {t('kb.loadStarter')}
                </Button>
              )}
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/kb/new')} data-testid="kb-new">
                {t('kb.newArticle')}
              </Button>
            </>
          )
        }
      />
      <div className="kb-search">
        <Input.Search
          className="kb-search-input"
          size="large"
          allowClear
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onSearch={(v) => setFilters({ q: v.trim() || undefined })}
          placeholder={t('kb.searchPlaceholder')}
          enterButton={t('kb.search')}
          maxLength={200}
          data-testid="kb-search"
        />
        <Select
          className="kb-filter"
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          value={values.cause}
          onChange={(v?: string) => setFilters({ cause: v })}
          placeholder={t('kb.allCauses')}
          options={causeOptions}
          data-testid="kb-filter-cause"
        />
        {editor && (
          <Select
            className="kb-filter"
            value={values.status ?? ''}
            onChange={(v: string) => setFilters({ status: v || undefined })}
            options={[{ value: '', label: t('kb.status.default') }, ...KB_STATUSES.map((s) => ({ value: s, label: t(`kb.status.${s}`) })), { value: 'all', label: t('kb.status.all') }]}
            data-testid="kb-filter-status"
          />
        )}
      </div>

      {results.isError && !data ? (
        <QueryError error={results.error} onRetry={() => void results.refetch()} />
      ) : !data ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : data.items.length === 0 ? (
        filtered ? (
          <EmptyState title={t('kb.noResults')} hint={t('kb.noResultsHint')} />
        ) : (
          <EmptyState title={t('kb.empty')} hint={t('kb.emptyHint')} />
        )
      ) : (
        <>
          <div className="muted" style={{ marginBottom: 8 }} data-testid="kb-total" data-total={data.total}>
            {t('kb.results', { count: data.total })}
          </div>
          <div className="kb-results" data-testid="kb-results">
            {data.items.map((a) => (
              <div key={a.id} className="kb-result" data-testid="kb-result" data-id={a.id} data-status={a.status} data-causes={a.causeCodes.join(',')}>
                <div className="kb-result-title">
                  <Link to={`/kb/${a.id}`} data-testid="kb-result-link">
                    <Highlight text={a.title} terms={data.terms} />
                  </Link>
                  {a.status !== 'published' && <KbStatusTag status={a.status} />}
                </div>
                <div className="kb-result-text" data-testid="kb-result-snippet">
                  <Highlight text={a.snippet ?? a.summary} terms={data.terms} />
                </div>
                <div className="kb-result-foot">
                  <CauseTags codes={a.causeCodes} />
                  {a.helpful > 0 && (
                    <span className="muted">
                      <LikeOutlined /> {t('kb.helpfulCount', { count: a.helpful })}
                    </span>
                  )}
                  <span className="muted">{t('kb.updated', { time: fromNow(a.updatedAt) })}</span>
                  {editor && (
                    <Link to={`/kb/${a.id}/edit`} className="muted" aria-label={t('kb.reader.edit')}>
                      <EditOutlined />
                    </Link>
                  )}
                </div>
              </div>
            ))}
          </div>
          {data.total > pageSize && (
            <Pagination style={{ marginTop: 12 }} current={page} pageSize={pageSize} total={data.total} onChange={setPage} showSizeChanger={false} size="small" />
          )}
        </>
      )}
    </div>
  );
}
