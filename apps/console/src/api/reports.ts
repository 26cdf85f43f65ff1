/**
 * Satisfaction ratings and service-desk reports. Types come from the contracts package; this file adds
 * the calls the console makes, and the export download (a file, with the server's name for it).
 */
import type { z } from 'zod';
import type { RatingCreate, ReportExportQuery, ReportQuery, SatisfactionQuery } from '@poscare/contracts';
import i18n from '../i18n';
import { api, ApiError, buildUrl } from './client';

export {
  BACKLOG_BUCKETS,
  CAUSE_DIMENSIONS,
  RATING_WINDOW_DAYS,
  REPORT_SECTIONS,
  type BacklogBucket,
  type CauseDimension,
  type CauseGroup,
  type ReportSection,
  type SatisfactionBy,
  type SatisfactionGroup,
  type SatisfactionReport,
  type SatisfactionStats,
  type ServiceDeskReport,
  type TicketRatingView,
} from '@poscare/contracts';
import type { SatisfactionReport, ServiceDeskReport, TicketRatingView } from '@poscare/contracts';

export type ReportParams = Partial<z.input<typeof ReportQuery>>;
export type SatisfactionParams = Partial<z.input<typeof SatisfactionQuery>>;
export type ExportParams = ReportParams & Pick<z.input<typeof ReportExportQuery>, 'format' | 'section'>;
export type RatingInput = z.input<typeof RatingCreate>;

/** Downloads a file from the API: errors arrive as ApiError in the user's language; the server names the file. */
async function download(path: string, query: Record<string, string | undefined>): Promise<string> {
  const res = await fetch(buildUrl(path, query), { headers: { 'Accept-Language': i18n.language || 'zh-CN' }, credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { id: string; message: string; details?: { path: string; message: string }[] } } | null;
    if (body?.error) throw new ApiError(res.status, body.error.id, body.error.message, body.error.details ?? []);
    throw new ApiError(res.status, `http_${res.status}`, i18n.t('errors.http', { status: res.status }));
  }
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'poscare-report';
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 2000);
  return name;
}

export const reportsApi = {
  serviceDesk: (q: ReportParams) => api<ServiceDeskReport>('/reports/service-desk', { query: q }),
  satisfaction: (q: SatisfactionParams) => api<SatisfactionReport>('/reports/satisfaction', { query: q }),
  exportFile: (q: ExportParams) => download('/reports/service-desk/export', q as Record<string, string | undefined>),
};

export const ratingsApi = {
  get: (ticketId: string) => api<TicketRatingView>(`/tickets/${ticketId}/rating`),
  rate: (ticketId: string, body: RatingInput) => api<TicketRatingView>(`/tickets/${ticketId}/rating`, { method: 'POST', body }),
};
