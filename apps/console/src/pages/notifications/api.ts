/** Calls of the channels page (issue 19); types from the contracts package. */
import type { z } from 'zod';
import type {
  ChannelTestResult,
  DeliveryQuery,
  DeliveryRow,
  MerchantContactInput,
  MerchantContactRow,
  NotifyChannelCreate,
  NotifyChannelRow,
  NotifyChannelUpdate,
  OncallRotationInput,
  OncallRotationRow,
  QuietHours,
  SmsTemplate,
} from '@poscare/contracts';
import { api, type PageOf } from '../../api/client';
import type { User } from '../../api/types';

export type ChannelInput = z.input<typeof NotifyChannelCreate>;
export type RotationInput = z.input<typeof OncallRotationInput>;
export type ContactInput = z.input<typeof MerchantContactInput>;
export type { ChannelTestResult, DeliveryRow, MerchantContactRow, NotifyChannelRow, OncallRotationRow, QuietHours, SmsTemplate };

export const channelsApi = {
  list: () => api<NotifyChannelRow[]>('/notify-channels'),
  create: (body: ChannelInput) => api<NotifyChannelRow>('/notify-channels', { method: 'POST', body }),
  update: (id: string, body: z.input<typeof NotifyChannelUpdate>) => api<NotifyChannelRow>(`/notify-channels/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api<unknown>(`/notify-channels/${id}`, { method: 'DELETE' }),
  test: (id: string, mobile?: string) => api<ChannelTestResult>(`/notify-channels/${id}/test`, { method: 'POST', body: mobile ? { mobile } : {} }),
  templates: (id: string) => api<SmsTemplate[]>(`/notify-channels/${id}/templates`),
  saveTemplates: (id: string, body: SmsTemplate[]) => api<SmsTemplate[]>(`/notify-channels/${id}/templates`, { method: 'PUT', body }),
  quietHours: () => api<QuietHours>('/me/quiet-hours'),
  saveQuietHours: (body: QuietHours) => api<QuietHours>('/me/quiet-hours', { method: 'PUT', body }),
  rotations: () => api<OncallRotationRow[]>('/oncall-rotations'),
  saveRotation: (id: string | null, body: RotationInput) =>
    id ? api<OncallRotationRow>(`/oncall-rotations/${id}`, { method: 'PUT', body }) : api<OncallRotationRow>('/oncall-rotations', { method: 'POST', body }),
  removeRotation: (id: string) => api<unknown>(`/oncall-rotations/${id}`, { method: 'DELETE' }),
  users: () => api<PageOf<User>>('/users', { query: { limit: 500 } }),
  contacts: (merchantId: string) => api<MerchantContactRow[]>(`/merchants/${merchantId}/contacts`),
  saveContact: (merchantId: string, id: string | null, body: ContactInput) =>
    id ? api<MerchantContactRow>(`/merchant-contacts/${id}`, { method: 'PATCH', body }) : api<MerchantContactRow>(`/merchants/${merchantId}/contacts`, { method: 'POST', body }),
  removeContact: (id: string) => api<unknown>(`/merchant-contacts/${id}`, { method: 'DELETE' }),
  merchants: (q: string) => api<PageOf<{ id: string; mid: string; name: string }>>('/merchants', { query: { q: q || undefined, limit: 20 } }),
  merchant: (id: string) => api<{ id: string; mid: string; name: string }>(`/merchants/${id}`),
  openShortLink: (token: string) => api<{ path: string }>(`/short-links/${encodeURIComponent(token)}`),
  deliveries: (query: Partial<z.infer<typeof DeliveryQuery>>) => api<PageOf<DeliveryRow>>('/deliveries', { query }),
};
