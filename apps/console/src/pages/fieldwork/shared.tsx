/** Pieces the field-service pages share: status and kind tags, the map link, the phone check. */
import { Grid, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { WorkOrderKind, WorkOrderOutcome, WorkOrderStatus } from '../../api/fieldwork';
import { currentLanguage } from '../../i18n';
import './fieldwork.css';

export const WO_STATUS_COLORS: Record<WorkOrderStatus, string> = {
  assigned: 'blue',
  en_route: 'gold',
  on_site: 'orange',
  completed: 'green',
  cancelled: 'default',
};

export function WorkOrderStatusTag({ status, large }: { status: WorkOrderStatus; large?: boolean }) {
  const { t } = useTranslation();
  return (
    <Tag color={WO_STATUS_COLORS[status]} data-testid="wo-status" data-status={status} className={large ? 'wo-tag-large' : undefined}>
      {t(`workOrders.status.${status}`)}
    </Tag>
  );
}

export function WorkOrderKindTag({ kind }: { kind: WorkOrderKind }) {
  const { t } = useTranslation();
  return (
    <Tag color={kind === 'replacement' ? 'purple' : kind === 'installation' ? 'cyan' : kind === 'maintenance' ? 'geekblue' : 'volcano'} data-testid="wo-kind" data-kind={kind}>
      {t(`workOrders.kind.${kind}`)}
    </Tag>
  );
}

export function OutcomeTag({ outcome }: { outcome: WorkOrderOutcome }) {
  const { t } = useTranslation();
  return (
    <Tag color={outcome === 'not_fixed' ? 'red' : 'green'} data-testid="wo-outcome" data-outcome={outcome}>
      {t(`workOrders.outcome.${outcome}`)}
    </Tag>
  );
}

/** A map search for the address: Amap for Chinese, Google Maps for English. Opens the maps app on a phone. */
export function mapUrl(address: string): string {
  const q = encodeURIComponent(address);
  return currentLanguage() === 'zh-CN' ? `https://uri.amap.com/search?keyword=${q}` : `https://www.google.com/maps/search/?api=1&query=${q}`;
}

export function usePhone(): boolean {
  return Grid.useBreakpoint().md === false;
}
