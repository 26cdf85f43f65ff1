/**
 * Field service and parts: work orders, depots, parts, stock, swaps and custody. Types come from the
 * contracts package; this file adds the calls the console makes.
 */
import type { z } from 'zod';
import type {
  AssigneeList,
  CustodyChain as CustodyChainSchema,
  Depot,
  DepotInput,
  MovementPage as MovementPageSchema,
  MovementQuery,
  Part,
  PartInput,
  PartUse,
  StockAdjust,
  StockChange,
  StockPage as StockPageSchema,
  StockQuery,
  StockReceive,
  StockTransfer,
  SwapCandidateList,
  SwapCreate,
  TerminalSwap,
  WorkOrderCreate as WorkOrderCreateSchema,
  WorkOrderDetail,
  WorkOrderMove,
  WorkOrderPage as WorkOrderPageSchema,
  WorkOrderQuery,
  WorkOrderSignoffInput,
  WorkOrderUpdate,
} from '@poscare/contracts';
import { api } from './client';

export {
  MOVEMENT_REASONS,
  PART_KINDS,
  PHOTO_MAX_BYTES,
  WORK_ORDER_KINDS,
  WORK_ORDER_OUTCOMES,
  WORK_ORDER_STATUSES,
  type ChecklistItem,
  type CustodyEntry,
  type Depot,
  type Part,
  type PartKind,
  type StockMovement,
  type StockRow,
  type TerminalSwap,
  type WorkOrderDetail,
  type WorkOrderKind,
  type WorkOrderOutcome,
  type WorkOrderRow,
  type WorkOrderStatus,
} from '@poscare/contracts';

export type WorkOrderListQuery = Partial<z.infer<typeof WorkOrderQuery>>;
export type WorkOrderPage = z.infer<typeof WorkOrderPageSchema>;
export type WorkOrderCreateInput = z.input<typeof WorkOrderCreateSchema>;
export type StockListQuery = Partial<z.infer<typeof StockQuery>>;
export type StockPage = z.infer<typeof StockPageSchema>;
export type MovementListQuery = Partial<z.infer<typeof MovementQuery>>;
export type MovementPage = z.infer<typeof MovementPageSchema>;
export type CustodyChain = z.infer<typeof CustodyChainSchema>;
export type Assignee = z.infer<typeof AssigneeList>['items'][number];
export type SwapCandidate = z.infer<typeof SwapCandidateList>['items'][number];

const wo = (id: string) => `/work-orders/${id}`;

export const fieldworkApi = {
  list: (query: WorkOrderListQuery) => api<WorkOrderPage>('/work-orders', { query }),
  get: (id: string) => api<WorkOrderDetail>(wo(id)),
  create: (body: WorkOrderCreateInput) => api<WorkOrderDetail>('/work-orders', { method: 'POST', body }),
  update: (id: string, body: z.input<typeof WorkOrderUpdate>) => api<WorkOrderDetail>(wo(id), { method: 'PATCH', body }),
  move: (id: string, body: z.input<typeof WorkOrderMove>) => api<WorkOrderDetail>(`${wo(id)}/status`, { method: 'POST', body }),
  assign: (id: string, body: { assigneeId: string; scheduledAt?: string | null }) => api<WorkOrderDetail>(`${wo(id)}/assign`, { method: 'POST', body }),
  tick: (id: string, itemId: string, done: boolean) => api<WorkOrderDetail>(`${wo(id)}/checklist`, { method: 'POST', body: { itemId, done } }),
  useParts: (id: string, body: z.input<typeof PartUse>) => api<WorkOrderDetail>(`${wo(id)}/parts`, { method: 'POST', body }),
  addPhoto: (id: string, file: File, caption?: string) => {
    const form = new FormData();
    form.append('file', file);
    return api<WorkOrderDetail>(`${wo(id)}/photos`, { method: 'POST', body: form, query: { caption } });
  },
  signoff: (id: string, body: z.input<typeof WorkOrderSignoffInput>) => api<WorkOrderDetail>(`${wo(id)}/signoff`, { method: 'POST', body }),
  swapCandidates: (id: string) => api<z.infer<typeof SwapCandidateList>>(`${wo(id)}/swap-candidates`),
  swap: (id: string, body: z.input<typeof SwapCreate>) => api<TerminalSwap>(`${wo(id)}/swap`, { method: 'POST', body }),
  assignees: () => api<z.infer<typeof AssigneeList>>('/work-orders/assignees'),
  custody: (terminalId: string) => api<CustodyChain>(`/terminals/${terminalId}/custody`),
  returnToDepot: (terminalId: string, body: { depotId: string; note?: string }) => api<CustodyChain>(`/terminals/${terminalId}/custody/return`, { method: 'POST', body }),

  depots: () => api<{ items: Depot[] }>('/depots'),
  createDepot: (body: z.input<typeof DepotInput>) => api<Depot>('/depots', { method: 'POST', body }),
  parts: () => api<{ items: Part[] }>('/parts'),
  createPart: (body: z.input<typeof PartInput>) => api<Part>('/parts', { method: 'POST', body }),
  stock: (query: StockListQuery) => api<StockPage>('/stock', { query }),
  receive: (body: z.input<typeof StockReceive>) => api<z.infer<typeof StockChange>>('/stock/receive', { method: 'POST', body }),
  transfer: (body: z.input<typeof StockTransfer>) => api<z.infer<typeof StockChange>>('/stock/transfer', { method: 'POST', body }),
  adjust: (body: z.input<typeof StockAdjust>) => api<z.infer<typeof StockChange>>('/stock/adjust', { method: 'POST', body }),
  movements: (query: MovementListQuery) => api<MovementPage>('/stock/movements', { query }),
};
