import { Button, Card, Skeleton, Tag, Typography } from 'antd';
import { RightOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { FLEET_STATUSES } from '../api/fleet';
import { formatClock, reasonSeverity, STATUS_COLORS } from '../lib/fleet';
import { useFleetOverview } from '../lib/fleetQueries';
import { useReasonText } from './FleetTags';

/** A compact fleet-health strip for the Overview page. */
export function FleetSummary() {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  const q = useFleetOverview();
  const data = q.data;
  const total = data?.inService ?? 0;
  const okPct = total > 0 ? Math.round(((data?.status.ok ?? 0) / total) * 100) : 0;

  return (
    <Card
      className="section-card fleet-summary"
      data-testid="overview-fleet"
      title={
        <span>
          {t('fleet.summaryTitle')}
          {data && total > 0 && (
            <Typography.Text type="secondary" className="fleet-summary-share">
              {t('fleet.healthyShare', { pct: `${okPct}%` })}
            </Typography.Text>
          )}
        </span>
      }
      extra={
        <Link to="/fleet">
          <Button type="link" size="small" icon={<RightOutlined />} iconPlacement="end">
            {t('fleet.viewFleet')}
          </Button>
        </Link>
      }
    >
      {q.isPending ? (
        <Skeleton active paragraph={{ rows: 2 }} />
      ) : !data ? null : total === 0 ? (
        <Typography.Text type="secondary">{t('fleet.emptyTitle')}</Typography.Text>
      ) : (
        <>
          <div className="fleet-bar" role="img" aria-label={t('fleet.summaryTitle')}>
            {FLEET_STATUSES.map((s) =>
              (data.status[s] ?? 0) > 0 ? (
                <div key={s} style={{ flexGrow: data.status[s], background: STATUS_COLORS[s].hex }} title={`${t(`fleet.status.${s}`)}: ${data.status[s]}`} />
              ) : null,
            )}
          </div>
          <div className="fleet-summary-counts">
            {FLEET_STATUSES.map((s) => (
              <Link key={s} to={`/fleet?status=${s}`} className="fleet-summary-count" data-testid={`overview-fleet-${s}`}>
                <span className="fleet-dot" style={{ background: STATUS_COLORS[s].hex }} />
                <span>{t(`fleet.status.${s}`)}</span>
                <strong>{data.status[s] ?? 0}</strong>
              </Link>
            ))}
          </div>
          {data.reasons.length > 0 && (
            <div className="fleet-summary-reasons">
              {data.reasons.slice(0, 5).map((r) => (
                <Tag key={r.reason} color={reasonSeverity(r.reason) === 'critical' ? 'red' : 'gold'}>
                  {reasonText(r.reason)} · {r.count}
                </Tag>
              ))}
            </div>
          )}
          <div className="muted fleet-summary-at">{t('fleet.updatedAt', { time: formatClock(data.at) })}</div>
        </>
      )}
    </Card>
  );
}
