import { useCallback } from 'react';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FleetStatus } from '../api/fleet';
import { reasonSeverity, STATUS_COLORS } from '../lib/fleet';

export function FleetStatusTag({ status, large }: { status: FleetStatus; large?: boolean }) {
  const { t } = useTranslation();
  return (
    <Tag
      color={STATUS_COLORS[status].tag}
      data-testid="fleet-status-tag"
      data-status={status}
      style={large ? { fontSize: 14, padding: '2px 10px' } : undefined}
    >
      {t(`fleet.status.${status}`)}
    </Tag>
  );
}

/** A health reason code in words; unknown codes are shown as they are. */
export function useReasonText() {
  const { t, i18n } = useTranslation();
  return useCallback(
    (r: string) => (i18n.exists(`fleet.reasons.${r}`) ? t(`fleet.reasons.${r}` as 'fleet.reasons.tamper') : r),
    // i18n.language: re-create (and so re-render charts) when the language changes
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, i18n, i18n.language],
  );
}

export function ReasonTags({ reasons }: { reasons: string[] }) {
  const text = useReasonText();
  return (
    <span className="reason-tags" data-testid="health-reasons">
      {reasons.map((r) => (
        <Tag key={r} color={reasonSeverity(r) === 'critical' ? 'red' : 'gold'} data-testid="health-reason" data-reason={r}>
          {text(r)}
        </Tag>
      ))}
    </span>
  );
}
