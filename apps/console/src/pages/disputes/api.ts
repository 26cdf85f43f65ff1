/**
 * Dispute calls: the list, one dispute, opening one (by hand or from a file), matching one by hand, the
 * merchant's evidence and answer, the PDF, the report and its export. Types from the contracts.
 */
import type { z } from 'zod';
import type {
  DisputeCreate,
  DisputeDetail,
  DisputeImportReport,
  DisputeMatch,
  DisputePage,
  DisputePaymentCandidates,
  DisputePaymentSearch,
  DisputeQuery,
  DisputeReasonCodes,
  DisputeReport,
  DisputeReportQuery,
  DisputeTransition,
} from '@poscare/contracts';
import { api, buildUrl, download } from '../../api/client';

export { DISPUTE_GROUPS, DISPUTE_KINDS, DISPUTE_NETWORKS, DISPUTE_RATE_DIMENSIONS, DISPUTE_STATUSES } from '@poscare/contracts';
export type { DisputeDetail, DisputeImportReport, DisputeOutcomes, DisputePaymentCandidate, DisputeRateDimension, DisputeRateRow, DisputeReport, DisputeRow, EvidenceCheck } from '@poscare/contracts';

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
  importFile: (file: File) => {
    const form = new FormData();
    form.append('file', file);
    return api<DisputeImportReport>('/disputes/import', { method: 'POST', body: form });
  },
  template: (format: 'csv' | 'xlsx') => download('/disputes/import-template', { format }),
  searchPayments: (q: DisputePaymentSearch) => api<DisputePaymentCandidates>('/disputes/payment-search', { query: q as Record<string, string | number | undefined> }),
  match: (id: string, body: DisputeMatch) => api<DisputeDetail>(`/disputes/${id}/match`, { method: 'POST', body }),
  report: (q: DisputeReportQuery) => api<DisputeReport>('/disputes/report', { query: q as Record<string, string | undefined> }),
  reportExport: (q: DisputeReportQuery & { format: 'csv' | 'xlsx'; section?: string }) => download('/disputes/report/export', q as Record<string, string | undefined>),
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
