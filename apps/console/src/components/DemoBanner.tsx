/** While `poscare start --demo` is still loading its history, say so (the pages fill in as it arrives). */
import { Alert } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';

interface Health {
  demo?: { ready: boolean; stage: string };
}

export function DemoBanner() {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ['health'],
    queryFn: () => api<Health>('/health'),
    // Poll only while the demo is loading; a server without a demo is asked once.
    refetchInterval: (query) => (query.state.data?.demo && !query.state.data.demo.ready ? 3_000 : false),
  });
  const demo = q.data?.demo;
  if (!demo || demo.ready) return null;
  const stage = (['knowledge', 'field_service', 'history', 'live'] as const).includes(demo.stage as 'live') ? demo.stage : 'history';
  return <Alert type="info" showIcon banner className="demo-banner" data-testid="demo-loading" title={t('demo.loading', { stage: t(`demo.stage.${stage as 'live'}`) })} />;
}
