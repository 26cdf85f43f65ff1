/**
 * Live findings and "was this customer charged twice?" (types from contracts/findings.ts).
 */
import type { ChargedTwiceAnswer, FindingDetail, FindingHelpAnswer, FindingPage } from '@poscare/contracts';
import { api } from '../../api/client';

export type { ChargedTwiceAnswer, FindingDetail, FindingPayment, FindingLine, FindingRow, FindingPage } from '@poscare/contracts';

/** The list's filters as the URL and the API take them. */
export type FindingListParams = Partial<Record<'status' | 'kind' | 'code' | 'merchantId' | 'terminalId' | 'cardToken' | 'from' | 'to', string>> & { limit?: number; offset?: number };

export const findingsApi = {
  list: (q: FindingListParams) => api<FindingPage>('/findings', { query: q }),
  get: (id: string) => api<FindingDetail>(`/findings/${id}`),
  askForHelp: (id: string, message?: string) => api<FindingHelpAnswer>(`/findings/${id}/ask-for-help`, { method: 'POST', body: message ? { message } : {} }),
  chargedTwice: (q: { at: string; amountMinor: number; terminalId?: string }) => api<ChargedTwiceAnswer>('/payments/charged-twice', { query: q }),
};

/** Money in the reader's language (minor units, ISO currency; CNY when unknown). */
export function formatMoney(lang: string, minor: number, currency: string | null | undefined = 'CNY'): string {
  return new Intl.NumberFormat(lang, { style: 'currency', currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : 'CNY' }).format(minor / 100);
}
