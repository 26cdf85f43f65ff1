/**
 * The top of the overview: what waits for the signed-in person, by role. Every number is the size of
 * the list it links to (GET /me/overview counts exactly as those lists do).
 */
import { Card, Col, Row, Skeleton } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { MyOverview } from '@poscare/contracts';
import { api } from '../api/client';
import { useAuth } from '../auth/AuthContext';

interface Tile {
  key: string;
  label: string;
  value: number;
  to: string;
  tone?: 'critical' | 'warning' | 'ok';
}

function Tiles({ title, tiles, testId }: { title: string; tiles: Tile[]; testId: string }) {
  return (
    <Card title={title} className="section-card my-work-card" size="small" data-testid={testId}>
      <div className="my-work-tiles">
        {tiles.map((x) => (
          <Link key={x.key} to={x.to} className={`my-work-tile${x.value > 0 && x.tone ? ` my-work-${x.tone}` : ''}`} data-testid={`my-${x.key}`} data-count={x.value}>
            <strong>{x.value}</strong>
            <span>{x.label}</span>
          </Link>
        ))}
      </div>
    </Card>
  );
}

export function MyWork() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const q = useQuery({ queryKey: ['me', 'overview'], queryFn: () => api<MyOverview>('/me/overview'), refetchInterval: 30_000 });
  if (q.isPending) return <Skeleton active paragraph={{ rows: 2 }} />;
  const d = q.data;
  if (!d) return null;
  const merchant = me?.role === 'merchant';
  const engineer = me?.role === 'engineer';
  const cards = [];
  if (d.alerts) {
    cards.push(
      <Tiles
        key="alerts"
        testId="my-alerts"
        title={t('myWork.alerts')}
        tiles={[
          { key: 'alerts-critical', label: t('myWork.critical'), value: d.alerts.critical, to: '/alerts?severity=critical', tone: 'critical' },
          { key: 'alerts-warning', label: t('myWork.warning'), value: d.alerts.warning, to: '/alerts?severity=warning', tone: 'warning' },
          { key: 'alerts-info', label: t('myWork.info'), value: d.alerts.info, to: '/alerts?severity=info' },
        ]}
      />,
    );
  }
  if (d.tickets) {
    cards.push(
      <Tiles
        key="tickets"
        testId="my-tickets"
        title={merchant ? t('myWork.myTickets') : t('myWork.tickets')}
        tiles={
          merchant
            ? [
                { key: 'tickets-open', label: t('myWork.openTickets'), value: d.tickets.open, to: '/tickets' },
                { key: 'tickets-waiting', label: t('myWork.waitingForYou'), value: d.tickets.waitingMerchant, to: '/tickets?status=waiting_merchant', tone: 'warning' },
              ]
            : [
                { key: 'tickets-mine', label: t('myWork.myQueue'), value: d.tickets.mine, to: '/tickets?assignee=me' },
                { key: 'tickets-at-risk', label: t('myWork.atRisk'), value: d.tickets.atRisk, to: '/tickets?sla=at_risk', tone: 'warning' },
                { key: 'tickets-breached', label: t('myWork.breached'), value: d.tickets.breached, to: '/tickets?sla=breached', tone: 'critical' },
                { key: 'tickets-unassigned', label: t('myWork.unassigned'), value: d.tickets.unassigned, to: '/tickets?assignee=none' },
              ]
        }
      />,
    );
  }
  if (d.workOrders && (engineer || d.workOrders.mine > 0 || d.workOrders.unassigned > 0)) {
    cards.push(
      <Tiles
        key="work"
        testId="my-work-orders"
        title={t('myWork.workOrders')}
        tiles={[
          { key: 'wo-today', label: t('myWork.today'), value: d.workOrders.today, to: '/work-orders?who=mine', tone: 'warning' },
          { key: 'wo-mine', label: t('myWork.myOpen'), value: d.workOrders.mine, to: '/work-orders?who=mine' },
          ...(engineer ? [] : [{ key: 'wo-unassigned', label: t('myWork.unassigned'), value: d.workOrders.unassigned, to: '/work-orders?who=none' }]),
        ]}
      />,
    );
  }
  if (!cards.length) return null;
  return (
    <Row gutter={[16, 16]} style={{ marginBottom: 16 }} data-testid="my-work">
      {cards.map((c) => (
        <Col key={c.key} xs={24} md={12} xl={cards.length >= 3 ? 8 : 12}>
          {c}
        </Col>
      ))}
    </Row>
  );
}
