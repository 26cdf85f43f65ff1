/**
 * The satisfaction card on a ticket page. The merchant rates 1–5 stars with a comment while the window
 * is open (the deadline is shown); afterwards everybody sees the rating. Staff who did not work on the
 * ticket may record a rating the merchant gave by phone; those who did are told why they cannot.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Rate, Skeleton, Tag } from 'antd';
import { ClockCircleOutlined, PhoneOutlined, StarFilled } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ratingsApi, type TicketRatingView } from '../../api/reports';
import { formatTime, formatTimeFull } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useLang } from '../alerts/queries';
import { useRefreshTickets } from '../tickets/queries';
import './reports.css';

interface RateForm {
  score?: number;
  comment?: string;
}

function useScoreLabel() {
  const { t } = useTranslation();
  return (n: number | undefined) => (n ? t(`rating.scores.${String(n) as '1'}`) : '');
}

/** Stars, comment, submit: the merchant's form inline, or the staff's form in a dialog. */
function RatingForm({ ticketId, onDone, inline }: { ticketId: string; onDone: () => void; inline: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshTickets();
  const label = useScoreLabel();
  const [form] = Form.useForm<RateForm>();
  const score = Form.useWatch('score', form);
  const submit = useMutation({
    mutationFn: (v: RateForm) => ratingsApi.rate(ticketId, { score: v.score!, ...(v.comment?.trim() ? { comment: v.comment.trim() } : {}) }),
    onSuccess: () => {
      void message.success(t('rating.thanks'));
      refresh();
      onDone();
    },
    onError: (e) => showError(e, form),
  });
  return (
    <Form form={form} layout="vertical" onFinish={(v) => submit.mutate(v)} requiredMark={false} data-testid="rating-form">
      <Form.Item name="score" rules={[{ required: true, message: t('rating.pickScore') }]} style={{ marginBottom: 8 }}>
        <RateWithLabel label={label(score)} />
      </Form.Item>
      <Form.Item name="comment" style={{ marginBottom: 0 }}>
        <Input.TextArea rows={3} maxLength={1000} showCount placeholder={t('rating.commentPlaceholder')} data-testid="rating-comment" />
      </Form.Item>
      {inline && (
        <div className="rating-foot rating-foot-counted" style={{ justifyContent: 'flex-end' }}>
          <Button type="primary" htmlType="submit" loading={submit.isPending} icon={<StarFilled />} data-testid="rating-submit">
            {t('rating.submit')}
          </Button>
        </div>
      )}
      {!inline && (
        <div className="rating-foot rating-foot-counted" style={{ justifyContent: 'flex-end' }}>
          <Button onClick={onDone}>{t('common.cancel')}</Button>
          <Button type="primary" htmlType="submit" loading={submit.isPending} data-testid="rating-record-submit">
            {t('rating.submit')}
          </Button>
        </div>
      )}
    </Form>
  );
}

/** antd Rate as a form control, with the meaning of the chosen score beside it. */
function RateWithLabel({ value, onChange, label }: { value?: number; onChange?: (v: number) => void; label: string }) {
  return (
    <div className="rating-stars" data-testid="rating-stars" data-score={value ?? 0}>
      <Rate value={value} onChange={onChange} />
      {label && <span className="rating-score-label">{label}</span>}
    </div>
  );
}

function Given({ v, staff }: { v: TicketRatingView; staff: boolean }) {
  const { t } = useTranslation();
  const label = useScoreLabel();
  const r = v.rating!;
  return (
    <div data-testid="rating-given" data-score={r.score}>
      <div className="rating-stars">
        <Rate value={r.score} disabled />
        <span className="rating-score-label">{label(r.score)}</span>
      </div>
      {r.comment && (
        <div className="rating-comment" data-testid="rating-given-comment">
          {r.comment}
        </div>
      )}
      <div className="rating-meta">
        <span title={formatTimeFull(r.ratedAt)}>{t('rating.ratedAt', { time: formatTime(r.ratedAt) })}</span>
        {r.onBehalf && (
          <Tag icon={<PhoneOutlined />} color="blue" data-testid="rating-on-behalf">
            {t('rating.onBehalf')}
            {r.ratedByName ? ` · ${t('rating.by', { name: r.ratedByName })}` : ''}
          </Tag>
        )}
        {staff && r.agentName && <span>{t('rating.worked', { name: r.agentName })}</span>}
        {staff && r.team && <span>{t('rating.team', { team: r.team })}</span>}
      </div>
    </div>
  );
}

export function RatingCard({ ticketId, staff }: { ticketId: string; staff: boolean }) {
  const { t } = useTranslation();
  const lng = useLang();
  const [recording, setRecording] = useState(false);
  const q = useQuery({ queryKey: ['tickets', 'rating', ticketId, lng], queryFn: () => ratingsApi.get(ticketId), staleTime: 5_000 });
  const v = q.data;
  if (q.isError) return null;

  let body;
  if (!v) body = <Skeleton active paragraph={{ rows: 2 }} />;
  else if (v.state === 'rated') body = <Given v={v} staff={staff} />;
  else if (v.state === 'not_yet') body = <span className="muted">{staff ? t('rating.notYetStaff') : t('rating.notYet')}</span>;
  else if (v.state === 'expired') body = <span className="muted">{staff ? t('rating.expiredStaff', { time: formatTime(v.expiresAt) }) : t('rating.expired', { time: formatTime(v.expiresAt) })}</span>;
  else if (v.mode === 'merchant' && v.canRate)
    body = (
      <>
        <div className="rating-prompt">{t('rating.prompt')}</div>
        <div className="muted" style={{ marginBottom: 6 }} data-testid="rating-until">
          <ClockCircleOutlined /> {t('rating.until', { time: formatTime(v.expiresAt) })}
        </div>
        <RatingForm ticketId={ticketId} onDone={() => undefined} inline />
      </>
    );
  else
    body = (
      <>
        <div className="muted" data-testid="rating-waiting">
          <ClockCircleOutlined /> {t('rating.waiting', { time: formatTime(v.expiresAt) })}
        </div>
        {v.mode === 'on_behalf' && v.canRate && (
          <Button size="small" type="link" icon={<PhoneOutlined />} style={{ paddingInline: 0, marginTop: 6 }} onClick={() => setRecording(true)} data-testid="rating-record">
            {t('rating.record')}
          </Button>
        )}
        {v.blocked === 'own_ticket' && (
          <div className="muted" style={{ marginTop: 6, fontSize: 12 }} data-testid="rating-own-ticket">
            {t('rating.ownTicket')}
          </div>
        )}
        {v.blocked === 'no_merchant' && (
          <div className="muted" style={{ marginTop: 6, fontSize: 12 }}>
            {t('rating.noMerchant')}
          </div>
        )}
      </>
    );

  return (
    <Card title={t('rating.title')} className="section-card rating-card" size="small" data-testid="rating-card" data-state={v?.state ?? 'loading'}>
      {body}
      <Modal open={recording} title={t('rating.recordTitle')} onCancel={() => setRecording(false)} footer={null} destroyOnHidden>
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('rating.recordHint')} />
        <RatingForm ticketId={ticketId} onDone={() => setRecording(false)} inline={false} />
      </Modal>
    </Card>
  );
}
