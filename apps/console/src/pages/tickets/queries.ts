import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { ticketsApi, type TicketListQuery } from '../../api/tickets';
import { pollUnlessRefused, useLang } from '../alerts/queries';

/** The queue and an open ticket follow changes made by colleagues (and the SLA clocks) live. */
export const TICKETS_REFRESH_MS = 10_000;

export function useTicketList(query: TicketListQuery) {
  const lng = useLang();
  return useQuery({
    queryKey: ['tickets', 'list', lng, query],
    queryFn: () => ticketsApi.list(query),
    placeholderData: keepPreviousData,
    refetchInterval: pollUnlessRefused(TICKETS_REFRESH_MS),
    staleTime: 2_000,
  });
}

/** Verification texts and diagnosis titles come translated by the server: a language switch refetches. */
export function useTicket(id: string) {
  const lng = useLang();
  return useQuery({
    queryKey: ['tickets', 'detail', id, lng],
    queryFn: () => ticketsApi.get(id),
    refetchInterval: pollUnlessRefused(TICKETS_REFRESH_MS),
    staleTime: 2_000,
  });
}

/** After any change to a ticket: the queue and the ticket itself (and an alert that links to it). */
export function useRefreshTickets() {
  const qc = useQueryClient();
  return useCallback(() => {
    void qc.invalidateQueries({ queryKey: ['tickets'] });
    void qc.invalidateQueries({ queryKey: ['alerts'] });
  }, [qc]);
}

/** Staff a ticket can be given to, with the open tickets each holds (agents may give tickets to colleagues, not only to themselves). */
export function useTicketAssignees(enabled = true) {
  return useQuery({ queryKey: ['tickets', 'assignees'], queryFn: () => ticketsApi.assignees(), enabled, staleTime: 30_000 });
}
