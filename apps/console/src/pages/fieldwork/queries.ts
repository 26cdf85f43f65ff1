import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { fieldworkApi, type MovementListQuery, type StockListQuery, type WorkOrderListQuery } from '../../api/fieldwork';
import { pollUnlessRefused, useLang } from '../alerts/queries';

/** Engineers and dispatchers see each other's progress without reloading. */
export const WORK_ORDERS_REFRESH_MS = 15_000;

export function useWorkOrderList(query: WorkOrderListQuery, enabled = true) {
  const lng = useLang();
  return useQuery({
    queryKey: ['work-orders', 'list', lng, query],
    queryFn: () => fieldworkApi.list(query),
    placeholderData: keepPreviousData,
    refetchInterval: pollUnlessRefused(WORK_ORDERS_REFRESH_MS),
    staleTime: 2_000,
    enabled,
  });
}

/** Part names, checklist texts and diagnosis titles come in the language on screen: a switch refetches. */
export function useWorkOrder(id: string) {
  const lng = useLang();
  return useQuery({
    queryKey: ['work-orders', 'detail', id, lng],
    queryFn: () => fieldworkApi.get(id),
    refetchInterval: pollUnlessRefused(WORK_ORDERS_REFRESH_MS),
    staleTime: 2_000,
  });
}

export function useAssignees(enabled = true) {
  return useQuery({ queryKey: ['work-orders', 'assignees'], queryFn: () => fieldworkApi.assignees(), staleTime: 60_000, enabled });
}

export function useDepots(enabled = true) {
  return useQuery({ queryKey: ['parts', 'depots'], queryFn: () => fieldworkApi.depots(), staleTime: 30_000, enabled });
}

export function usePartsCatalogue(enabled = true) {
  return useQuery({ queryKey: ['parts', 'catalogue'], queryFn: () => fieldworkApi.parts(), staleTime: 30_000, enabled });
}

export function useStock(query: StockListQuery, enabled = true) {
  const lng = useLang();
  return useQuery({ queryKey: ['parts', 'stock', lng, query], queryFn: () => fieldworkApi.stock(query), placeholderData: keepPreviousData, staleTime: 5_000, enabled });
}

export function useMovements(query: MovementListQuery) {
  const lng = useLang();
  return useQuery({ queryKey: ['parts', 'movements', lng, query], queryFn: () => fieldworkApi.movements(query), placeholderData: keepPreviousData, staleTime: 5_000 });
}

/** After a change: work orders, stock (parts used), the ticket timeline and terminals (swaps) follow. */
export function useRefreshFieldwork() {
  const qc = useQueryClient();
  return useCallback(() => {
    void qc.invalidateQueries({ queryKey: ['work-orders'] });
    void qc.invalidateQueries({ queryKey: ['parts'] });
    void qc.invalidateQueries({ queryKey: ['tickets'] });
    void qc.invalidateQueries({ queryKey: ['custody'] });
    void qc.invalidateQueries({ queryKey: ['terminals'] });
  }, [qc]);
}
