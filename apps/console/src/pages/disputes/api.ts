/** Dispute calls: the list, one dispute, opening one, the merchant's evidence and answer, the PDF. Types from the contracts. */
import type { z } from 'zod';
import type { DisputeCreate, DisputeDetail, DisputePage, DisputeQuery, DisputeReasonCodes, DisputeTransition } from '@poscare/contracts';
import { api, buildUrl } from '../../api/client';

export { DISPUTE_GROUPS, DISPUTE_KINDS, DISPUTE_NETWORKS, DISPUTE_STATUSES } from '@poscare/contracts';
export type { DisputeDetail, DisputeRow, EvidenceCheck } from '@poscare/contracts';

export type DisputeParams = Partial<z.input<typeof DisputeQuery>>;

export const disputesApi = {
  list: (q: DisputeParams) => api<DisputePage>('/disputes', { query: q as Record<string, string | number | undefined> }),
  get: (id: string) => api<DisputeDetail>(`/disputes/${id}`),
  reasonCodes: () => api<DisputeReasonCodes>('/disputes/reason-codes'),
  create: (body: z.input<typeof DisputeCreate>) => api<DisputeDetail>('/disputes', { method: 'POST', body }),
  addText: (id: string, body: { item?: string; body: string }) => api<DisputeDetail>(`/disputes/${id}/evidence`, { method: 'POST', body }),
  addPhoto: (id: string, file: File, item?: string) => {
    const form = new FormData();
    form.append('file', file);
    return api<DisputeDetail>(`/disputes/${id}/photos`, { method: 'POST', body: form, query: { item } });
  },
  transition: (id: string, body: DisputeTransition) => api<DisputeDetail>(`/disputes/${id}/transition`, { method: 'POST', body }),
  pdfUrl: (id: string) => buildUrl(`/disputes/${id}/pdf`),
  photoUrl: (evidenceId: string) => buildUrl(`/dispute-evidence/${evidenceId}`),
};

export const STATUS_COLOR: Record<string, string> = {
  unmatched: 'default',
  needs_response: 'orange',
  evidence_submitted: 'blue',
  won: 'green',
  lost: 'red',
  accepted: 'purple',
  expired: 'red',
};
