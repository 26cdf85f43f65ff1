/**
 * Service desk tickets. The types come from the contracts package; this file adds the calls the console makes.
 */
import type { z } from 'zod';
import type {
  BulkResult,
  BulkTicketAssign as BulkTicketAssignSchema,
  TicketAssign as TicketAssignSchema,
  TicketAssigneeList,
  TicketComment as TicketCommentSchema,
  TicketCreate as TicketCreateSchema,
  TicketCreated as TicketCreatedSchema,
  TicketPage as TicketPageSchema,
  TicketQuery,
  TicketTransition as TicketTransitionSchema,
  TicketDetail,
} from '@poscare/contracts';
import { api } from './client';

export {
  PLAN_KINDS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TRANSITIONS,
  type TicketDetail,
  type TicketEvent,
  type TicketPlan,
  type TicketPriority,
  type TicketRow,
  type TicketStatus,
} from '@poscare/contracts';

export type TicketListQuery = Partial<z.infer<typeof TicketQuery>>;
export type TicketCreateInput = z.input<typeof TicketCreateSchema>;
export type TicketCreated = z.infer<typeof TicketCreatedSchema>;
export type TicketPage = z.infer<typeof TicketPageSchema>;
export type TicketTransitionInput = z.input<typeof TicketTransitionSchema>;
export type TicketCommentInput = z.input<typeof TicketCommentSchema>;
export type TicketAssignInput = z.input<typeof TicketAssignSchema>;
export type PlanKind = NonNullable<TicketTransitionInput['plan']>['kind'];
export type SlaClock = TicketDetail['sla']['clocks'][number];
export type Verification = NonNullable<TicketDetail['verification']>;

export const ticketsApi = {
  list: (query: TicketListQuery) => api<TicketPage>('/tickets', { query }),
  get: (id: string) => api<TicketDetail>(`/tickets/${id}`),
  create: (body: TicketCreateInput) => api<TicketCreated>('/tickets', { method: 'POST', body }),
  transition: (id: string, body: TicketTransitionInput) => api<TicketDetail>(`/tickets/${id}/transition`, { method: 'POST', body }),
  comment: (id: string, body: TicketCommentInput) => api<TicketDetail>(`/tickets/${id}/comments`, { method: 'POST', body }),
  assign: (id: string, body: TicketAssignInput) => api<TicketDetail>(`/tickets/${id}/assign`, { method: 'POST', body }),
  assignMany: (body: z.input<typeof BulkTicketAssignSchema>) => api<BulkResult>('/tickets/bulk/assign', { method: 'POST', body }),
  assignees: () => api<TicketAssigneeList>('/tickets/assignees'),
};
