import { Card, Empty, Skeleton, Tag, Tooltip } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { SimilarTicket } from '@poscare/contracts';
import { api } from '../../api/client';
import { fromNow } from '../../lib/fleet';
import { formatTimeFull } from '../../lib/format';
import { useLang } from '../alerts/queries';

/** While locating: resolved tickets like this one, what fixed them, and why they count as similar. */
export function SimilarTicketsCard({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation();
  const lng = useLang();
  const q = useQuery({
    queryKey: ['tickets', 'similar', ticketId, lng],
    queryFn: () => api<{ items: SimilarTicket[] }>(`/tickets/${ticketId}/similar`),
    staleTime: 60_000,
  });
  const items = q.data?.items ?? [];
  return (
    <Card title={t('tickets.similar.title')} className="section-card" size="small" data-testid="ticket-similar">
      {q.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tickets.similar.none')} />
      ) : (
        <ul className="ticket-similar">
          {items.map((s) => (
            <li key={s.id} data-testid="ticket-similar-item" data-number={s.number}>
              <div>
                <Link to={`/tickets/${s.id}`} className="ticket-number">
                  {s.number}
                </Link>{' '}
                <span>{s.title}</span>
              </div>
              {s.planSummary && (
                <div className="ticket-similar-fix">
                  {s.planKind ? `${t(`tickets.plan.kinds.${s.planKind}`)}: ` : ''}
                  {s.planSummary}
                </div>
              )}
              <div className="muted">
                {s.because.map((b) => (
                  <Tag key={b} bordered={false} color={b === 'cause' ? 'blue' : b === 'words' ? 'purple' : 'default'}>
                    {t(`tickets.similar.because.${b}`)}
                  </Tag>
                ))}
                {s.reopened && <Tag color="orange">{t('tickets.similar.reopened')}</Tag>}
                {s.resolvedAt && (
                  <Tooltip title={formatTimeFull(s.resolvedAt)}>
                    <span>{t('tickets.similar.resolved', { when: fromNow(s.resolvedAt) })}</span>
                  </Tooltip>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
