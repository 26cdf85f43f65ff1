/** The header's bell: unread notifications, polled; a click marks one read and opens its alert. */
import { useState } from 'react';
import { Badge, Button, Dropdown, Empty, Spin } from 'antd';
import { BellOutlined, CheckOutlined, SettingOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { alertsApi, type NotificationRow } from '../../api/alerts';
import { useAuth } from '../../auth/AuthContext';
import { SEVERITY_COLORS } from '../../lib/alerts';
import { fromNow } from '../../lib/fleet';
import { NOTIFICATIONS_REFRESH_MS, pollUnlessRefused, useLang } from './queries';
import './alerts.css';

export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { me } = useAuth();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const lng = useLang();
  const q = useQuery({
    queryKey: ['notifications', 'unread', lng],
    queryFn: () => alertsApi.notifications({ unread: true, limit: 10 }),
    refetchInterval: pollUnlessRefused(NOTIFICATIONS_REFRESH_MS),
    refetchIntervalInBackground: false,
    staleTime: 5_000,
    retry: false,
  });
  const read = useMutation({
    mutationFn: (ids?: string[]) => alertsApi.markRead(ids),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const unread = q.data?.unread ?? 0;
  const items = q.data?.items ?? [];

  const openOne = (n: NotificationRow) => {
    setOpen(false);
    read.mutate([n.id]);
    if (n.alertId) navigate(`/alerts/${n.alertId}`);
    else if (n.ticketId) navigate(`/tickets/${n.ticketId}`);
    // Live findings: a duplicate charge opens the merchant's money page (staff: the findings inbox), fraud the risk inbox.
    else if (n.kind === 'finding.dup') navigate(me?.role === 'merchant' ? '/money' : '/findings?kind=dup');
    else if (n.kind === 'finding.risk') navigate('/risk');
  };

  const panel = (
    <div className="bell-panel" data-testid="bell-panel">
      <div className="bell-head">
        <strong>{t('alerts.bell.title')}</strong>
        <span className="muted">{unread > 0 ? t('alerts.bell.unread', { count: unread }) : t('alerts.bell.allRead')}</span>
      </div>
      <div className="bell-list">
        {q.isPending ? (
          <div className="bell-empty">
            <Spin />
          </div>
        ) : items.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('alerts.bell.empty')} className="bell-empty" />
        ) : (
          items.map((n) => (
            <button type="button" key={n.id} className="bell-item" onClick={() => openOne(n)} data-testid="bell-item" data-alert={n.alertId ?? ''}>
              <span className="bell-dot" style={{ background: SEVERITY_COLORS[n.severity].hex }} aria-label={t(`alerts.severity.${n.severity}`)} />
              <span className="bell-item-text">
                <span className="bell-item-title">{n.title}</span>
                {n.body && <span className="bell-item-body">{n.body}</span>}
                <span className="muted">{fromNow(n.createdAt)}</span>
              </span>
            </button>
          ))
        )}
      </div>
      <div className="bell-foot">
        <Button size="small" type="text" icon={<CheckOutlined />} disabled={unread === 0} loading={read.isPending} onClick={() => read.mutate(undefined)} data-testid="bell-read-all">
          {t('alerts.bell.readAll')}
        </Button>
        <Button
          size="small"
          type="text"
          icon={<SettingOutlined />}
          onClick={() => {
            setOpen(false);
            navigate('/settings/notifications');
          }}
        >
          {t('alerts.bell.settings')}
        </Button>
        <Button
          size="small"
          type="link"
          onClick={() => {
            setOpen(false);
            navigate('/alerts');
          }}
        >
          {t('alerts.bell.all')}
        </Button>
      </div>
    </div>
  );

  return (
    <Dropdown open={open} onOpenChange={setOpen} trigger={['click']} placement="bottomRight" popupRender={() => panel}>
      <Button type="text" className="bell-button" aria-label={t('alerts.bell.title')} title={t('alerts.bell.title')} data-testid="bell" data-unread={unread}>
        <Badge count={unread} size="small" overflowCount={99} offset={[2, -2]}>
          <BellOutlined className="bell-icon" />
        </Badge>
      </Button>
    </Dropdown>
  );
}
