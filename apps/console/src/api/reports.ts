/**
 * Satisfaction ratings and service-desk reports. Types come from the contracts package; this file adds
 * the calls the console makes, and the export download (a file, with the server's name for it).
 */
import type { z } from 'zod';
import type { RatingCreate, ReportExportQuery, ReportQuery, SatisfactionQuery } from '@poscare/contracts';
import { api, download } from './client';

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

export const reportsApi = {
  serviceDesk: (q: ReportParams) => api<ServiceDeskReport>('/reports/service-desk', { query: q }),
  satisfaction: (q: SatisfactionParams) => api<SatisfactionReport>('/reports/satisfaction', { query: q }),
  exportFile: (q: ExportParams) => download('/reports/service-desk/export', q as Record<string, string | undefined>),
};

export const ratingsApi = {
  get: (ticketId: string) => api<TicketRatingView>(`/tickets/${ticketId}/rating`),
  rate: (ticketId: string, body: RatingInput) => api<TicketRatingView>(`/tickets/${ticketId}/rating`, { method: 'POST', body }),
};
