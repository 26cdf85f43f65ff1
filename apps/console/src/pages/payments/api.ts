/** Payments from both sides: the explorer, one payment, the figures, the reconciliation. Types come from the contracts. */
import type { PaymentDetail, PaymentList, PaymentStats, Reconciliation } from '@poscare/contracts';
import { api, download } from '../../api/client';

export { PAYMENT_OUTCOMES, RECON_STATUSES, TXN_RECORD_ENTRY_MODES, TXN_RECORD_TYPES } from '@poscare/contracts';
export type { PaymentDetail, PaymentLine, PaymentRow, PaymentStats, Reconciliation, ReconciliationRow } from '@poscare/contracts';

type Query = Record<string, string | number | undefined>;

export const paymentsApi = {
  list: (q: Query) => api<PaymentList>('/payments', { query: q }),
  stats: (q: Query) => api<PaymentStats>('/payments/stats', { query: q }),
  one: (terminalId: string, stan: string, day: string) => api<PaymentDetail>(`/payments/${terminalId}/${stan}`, { query: { day } }),
  reconciliation: (q: Query) => api<Reconciliation>('/reconciliation', { query: q }),
  exportReconciliation: (q: Query, format: 'csv' | 'xlsx') => download('/reconciliation', { ...q, format }),
};
