import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { LifecycleState } from '../api/types';
import { STATE_COLORS } from '../lib/format';

export function StateTag({ state, large }: { state: LifecycleState; large?: boolean }) {
  const { t } = useTranslation();
  return (
    <Tag
      color={STATE_COLORS[state].tag}
      data-testid="state-tag"
      data-state={state}
      style={large ? { fontSize: 14, padding: '2px 10px' } : undefined}
    >
      {t(`states.${state}`)}
    </Tag>
  );
}
