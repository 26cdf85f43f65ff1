/**
 * Knowledge base. The types come from the contracts package; this file adds the calls the console makes.
 */
import type { z } from 'zod';
import type {
  KbArticle,
  KbArticleUpdate as KbArticleUpdateSchema,
  KbArticleWrite as KbArticleWriteSchema,
  KbCaseStudyCreated as KbCaseStudyCreatedSchema,
  KbCauseOption,
  KbForCausesResult,
  KbImage,
  KbSearchQuery,
  KbSearchResult,
  KbStatus,
  KbVersion,
  KbVersionRow,
} from '@poscare/contracts';
import { api } from './client';

export { KB_IMAGE_MAX_BYTES, KB_IMAGE_TYPES, KB_STATUSES, type KbArticle, type KbCauseOption, type KbSearchItem, type KbStatus, type KbStep, type KbText, type KbVersion, type KbVersionRow } from '@poscare/contracts';

export type KbSearchInput = Partial<z.input<typeof KbSearchQuery>>;
export type KbArticleInput = z.input<typeof KbArticleWriteSchema>;
export type KbArticleUpdateInput = z.input<typeof KbArticleUpdateSchema>;
export type KbCaseStudyCreated = z.infer<typeof KbCaseStudyCreatedSchema>;
export type KbForCauseItem = KbForCausesResult['items'][number];

export const kbApi = {
  search: (query: KbSearchInput) => api<KbSearchResult>('/kb/search', { query: query as Record<string, string | number | undefined> }),
  forCauses: (codes: string[], lang: string, limit = 5) => api<KbForCausesResult>('/kb/for-causes', { query: { codes: codes.join(','), lang, limit } }),
  causes: () => api<{ items: KbCauseOption[] }>('/kb/causes'),
  get: (id: string, opts: { version?: number; view?: boolean } = {}) =>
    api<KbArticle>(`/kb/articles/${id}`, { query: { version: opts.version, view: opts.view ? '1' : undefined } }),
  create: (body: KbArticleInput) => api<KbArticle>('/kb/articles', { method: 'POST', body }),
  update: (id: string, body: KbArticleUpdateInput) => api<KbArticle>(`/kb/articles/${id}`, { method: 'PUT', body }),
  setStatus: (id: string, status: KbStatus, note?: string) => api<KbArticle>(`/kb/articles/${id}/status`, { method: 'POST', body: { status, ...(note ? { note } : {}) } }),
  versions: (id: string) => api<{ items: KbVersionRow[] }>(`/kb/articles/${id}/versions`),
  version: (id: string, n: number) => api<KbVersion>(`/kb/articles/${id}/version`, { query: { n } }),
  restore: (id: string, version: number, note?: string) => api<KbArticle>(`/kb/articles/${id}/restore`, { method: 'POST', body: { version, ...(note ? { note } : {}) } }),
  feedback: (id: string, helpful: boolean) => api<KbArticle>(`/kb/articles/${id}/feedback`, { method: 'POST', body: { helpful } }),
  uploadImage: (file: File, articleId?: string) => {
    const form = new FormData();
    form.append('file', file);
    return api<KbImage>('/kb/images', { method: 'POST', body: form, query: { articleId } });
  },
  caseStudy: (ticketId: string) => api<KbCaseStudyCreated>('/kb/case-studies', { method: 'POST', body: { ticketId } }),
  starter: () => api<{ created: number; existing: number }>('/kb/starter', { method: 'POST' }),
};

export const imageUrl = (id: string) => `/api/v1/kb/images/${id}`;
