import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { alertsApi, type AlertListQuery } from '../../api/alerts';

/** Alerts change by the minute; the inbox and an open alert follow them live. */
export const ALERTS_REFRESH_MS = 5_000;
export const NOTIFICATIONS_REFRESH_MS = 10_000;

/** Stop polling a route the server does not have (an older server) or refuses: it will not start answering. */
export const pollUnlessRefused = (ms: number) => (q: { state: { error: unknown } }) =>
  isApiError(q.state.error) && q.state.error.status >= 400 && q.state.error.status < 500 ? false : ms;

/** Rule names, scope labels and diagnosis titles come translated by the server: a language switch refetches them. */
export function useLang(): string {
  return useTranslation().i18n.language;
}

export function useAlertList(query: AlertListQuery) {
  const lng = useLang();
  return useQuery({
    queryKey: ['alerts', 'list', lng, query],
    queryFn: () => alertsApi.list(query),
    placeholderData: keepPreviousData,
    refetchInterval: pollUnlessRefused(ALERTS_REFRESH_MS),
    staleTime: 2_000,
  });
}

export function useAlert(id: string) {
  const lng = useLang();
  return useQuery({
    queryKey: ['alerts', 'detail', id, lng],
    queryFn: () => alertsApi.get(id),
    refetchInterval: pollUnlessRefused(ALERTS_REFRESH_MS),
    staleTime: 2_000,
  });
}

export function useAlertRules(enabled = true) {
  return useQuery({ queryKey: ['alert-rules', 'list'], queryFn: alertsApi.rules, staleTime: 30_000, enabled });
}

/** After any change to an alert: the lists, the alert itself and the bell. */
export function useRefreshAlerts() {
  const qc = useQueryClient();
  return useCallback(() => {
    void qc.invalidateQueries({ queryKey: ['alerts'] });
    void qc.invalidateQueries({ queryKey: ['notifications'] });
  }, [qc]);
}
