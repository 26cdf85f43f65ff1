/**
 * "Related articles": published knowledge-base articles for a diagnosis' causes, the most likely cause's
 * first. Shown under diagnosed causes and on the ticket page; nothing for users without kb:read.
 */
import { BookOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Skeleton } from 'antd';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { kbApi } from '../api/kb';
import { useAuth } from '../auth/AuthContext';
import { currentLanguage } from '../i18n';
import '../pages/kb/kb.css';

export function KnowledgeLinks({ codes, limit = 5, title = true }: { codes: string[]; limit?: number; title?: boolean }) {
  const { t, i18n } = useTranslation();
  const { can } = useAuth();
  const wanted = [...new Set(codes.filter(Boolean))];
  const lang = currentLanguage();
  const q = useQuery({
    queryKey: ['kb', 'for-causes', wanted.join(','), lang, limit, i18n.language],
    queryFn: () => kbApi.forCauses(wanted, lang, limit),
    enabled: can('kb:read') && wanted.length > 0,
    staleTime: 60_000,
  });
  if (!can('kb:read') || wanted.length === 0) return null;
  return (
    <div className="kb-related" data-testid="kb-related" data-codes={wanted.join(',')}>
      {title && (
        <div className="diag-section-title">
          <BookOutlined /> {t('kb.links.title')}
        </div>
      )}
      {q.isPending ? (
        <Skeleton active title={false} paragraph={{ rows: 2 }} />
      ) : !q.data?.items.length ? (
        <div className="muted small" data-testid="kb-related-none">
          {t('kb.links.none')}
        </div>
      ) : (
        <ul className="kb-links">
          {q.data.items.map((a) => (
            <li key={a.id} data-testid="kb-related-item" data-id={a.id} data-causes={a.causeCodes.join(',')}>
              <Link to={`/kb/${a.id}`} className="kb-links-title" data-testid="kb-related-link">
                {a.title}
              </Link>
              <div className="kb-links-summary">{a.summary}</div>
            </li>
          ))}
        </ul>
      )}
      <Link to={`/kb?cause=${encodeURIComponent(wanted[0]!)}`} className="small">
        {t('kb.links.search')}
      </Link>
    </div>
  );
}
