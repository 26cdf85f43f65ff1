/**
 * The knowledge card of a ticket: articles for the ticket's cause and its diagnosis' causes, and — for
 * resolved or closed tickets, to staff who write articles — "Make a case study".
 */
import { App, Button, Card, Tooltip } from 'antd';
import { FileAddOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { kbApi } from '../../api/kb';
import type { TicketDetail } from '../../api/tickets';
import { useAuth } from '../../auth/AuthContext';
import { KnowledgeLinks } from '../../components/KnowledgeLinks';
import { useShowError } from '../../lib/hooks';

function causeCodes(ticket: TicketDetail): string[] {
  const diagnosed = ((ticket.diagnosis as { causes?: { code?: unknown }[] } | null)?.causes ?? []).map((c) => c.code).filter((c): c is string => typeof c === 'string');
  return [...new Set([ticket.causeCode, ...diagnosed].filter((c): c is string => !!c))];
}

export function KnowledgeCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const { message } = App.useApp();
  const showError = useShowError();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const codes = causeCodes(ticket);
  const make = useMutation({
    mutationFn: () => kbApi.caseStudy(ticket.id),
    onSuccess: (r) => {
      void message.success(r.existing ? t('kb.card.caseStudyExisting') : t('kb.card.caseStudyCreated'));
      void qc.invalidateQueries({ queryKey: ['kb'] });
      void qc.invalidateQueries({ queryKey: ['tickets'] });
      navigate(`/kb/${r.article.id}`);
    },
    onError: (e) => showError(e),
  });
  const canCase = can('kb:write') && can('tickets:work') && (ticket.status === 'resolved' || ticket.status === 'closed');
  if (!can('kb:read') || (!codes.length && !canCase)) return null;
  return (
    <Card title={t('kb.card.title')} className="section-card" size="small" data-testid="ticket-knowledge">
      {codes.length > 0 && <KnowledgeLinks codes={codes} limit={4} />}
      {canCase && (
        <div style={{ marginTop: codes.length ? 12 : 0 }}>
          <Tooltip title={t('kb.card.caseStudyHint')}>
            <Button icon={<FileAddOutlined />} loading={make.isPending} onClick={() => make.mutate()} data-testid="ticket-case-study">
              {t('kb.card.caseStudy')}
            </Button>
          </Tooltip>
        </div>
      )}
    </Card>
  );
}
