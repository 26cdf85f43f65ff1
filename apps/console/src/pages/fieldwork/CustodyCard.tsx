/** The chain of custody on a terminal's page: depot → engineer → site, with swaps; hand a swapped-out terminal in at a depot. */
import { useState } from 'react';
import { App, Button, Card, Empty, Modal, Select, Timeline } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { fieldworkApi, type CustodyEntry } from '../../api/fieldwork';
import { useAuth } from '../../auth/AuthContext';
import { StateTag } from '../../components/StateTag';
import { formatTime, formatTimeFull } from '../../lib/format';
import { useShowError } from '../../lib/hooks';
import { useDepots, useRefreshFieldwork } from './queries';
import './fieldwork.css';

const COLORS: Record<CustodyEntry['holderKind'], string> = { depot: 'blue', engineer: 'orange', site: 'green' };

export function CustodyCard({ terminalId }: { terminalId: string }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const visible = can('workorders:read');
  const chain = useQuery({ queryKey: ['custody', terminalId], queryFn: () => fieldworkApi.custody(terminalId), enabled: visible });
  const [returning, setReturning] = useState(false);
  if (!visible) return null;
  const items = [...(chain.data?.items ?? [])].reverse();
  const canReturn = chain.data?.lifecycleState === 'swapped_out' && can('workorders:work') && can('terminal:lifecycle');
  return (
    <Card
      title={t('workOrders.custody.title')}
      className="section-card"
      size="small"
      data-testid="custody-card"
      extra={
        canReturn && (
          <Button size="small" icon={<InboxOutlined />} onClick={() => setReturning(true)} data-testid="custody-return">
            {t('workOrders.custody.return')}
          </Button>
        )
      }
    >
      {items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('workOrders.custody.empty')} />
      ) : (
        <Timeline
          items={items.map((c) => ({
            key: c.id,
            color: COLORS[c.holderKind],
            content: (
              <div data-testid="custody-entry" data-holder={c.holderKind}>
                <div>
                  <strong>{t(`workOrders.custody.holder.${c.holderKind}`)}</strong> {c.holderLabel}
                </div>
                {(c.lifecycleFrom || c.lifecycleTo) && (
                  <div>
                    {c.lifecycleFrom && <StateTag state={c.lifecycleFrom} />}
                    {c.lifecycleFrom && '→ '}
                    {c.lifecycleTo && <StateTag state={c.lifecycleTo} />}
                  </div>
                )}
                {c.note && <div className="muted">{c.note}</div>}
                <div className="muted">
                  <span title={formatTimeFull(c.at)}>{formatTime(c.at)}</span>
                  {c.actor ? ` · ${c.actor}` : ''}
                  {c.workOrderId && c.workOrderNumber && (
                    <>
                      {' · '}
                      <Link to={`/work-orders/${c.workOrderId}`}>{c.workOrderNumber}</Link>
                    </>
                  )}
                </div>
              </div>
            ),
          }))}
        />
      )}
      {chain.data && chain.data.swaps.length > 0 && (
        <div className="custody-swaps">
          <div className="wo-subtitle">{t('workOrders.custody.swaps')}</div>
          {chain.data.swaps.map((s) => (
            <div key={s.id} className="muted">
              <Link to={`/terminals/${s.oldTerminalId}`} className="mono">
                {s.oldSerialNumber}
              </Link>
              {' → '}
              <Link to={`/terminals/${s.newTerminalId}`} className="mono">
                {s.newSerialNumber}
              </Link>
              {' · '}
              {formatTime(s.at)} · {t(`workOrders.custody.swapStatus.${s.status}`)}
            </div>
          ))}
        </div>
      )}
      {returning && <ReturnModal terminalId={terminalId} onClose={() => setReturning(false)} />}
    </Card>
  );
}

function ReturnModal({ terminalId, onClose }: { terminalId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const depots = useDepots();
  const [depotId, setDepotId] = useState<string>();
  const { message } = App.useApp();
  const showError = useShowError();
  const refresh = useRefreshFieldwork();
  const ret = useMutation({
    mutationFn: () => fieldworkApi.returnToDepot(terminalId, { depotId: depotId! }),
    onSuccess: () => {
      void message.success(t('workOrders.custody.returned'));
      refresh();
      onClose();
    },
    onError: (e) => showError(e),
  });
  return (
    <Modal
      open
      title={t('workOrders.custody.return')}
      onCancel={onClose}
      onOk={() => ret.mutate()}
      okButtonProps={{ disabled: !depotId }}
      confirmLoading={ret.isPending}
      okText={t('workOrders.custody.return')}
      cancelText={t('common.cancel')}
      destroyOnHidden
    >
      <p className="muted">{t('workOrders.custody.returnHint')}</p>
      <Select<string>
        value={depotId}
        onChange={setDepotId}
        style={{ width: '100%' }}
        placeholder={t('workOrders.custody.depot')}
        options={(depots.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.code} · ${d.name}` }))}
        data-testid="custody-return-depot"
      />
    </Modal>
  );
}
