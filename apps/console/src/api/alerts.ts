/**
 * Early warning: alerts, rules, silences, maintenance windows, notifications and webhooks.
 * The types come from the contracts package; this file adds the calls the console makes.
 */
import type { z } from 'zod';
import type {
  AlertAck as AlertAckSchema,
  AlertPreviewHit as AlertPreviewHitSchema,
  AlertQuery,
  AlertRulePreview as AlertRulePreviewSchema,
  AlertRuleSave as AlertRuleSaveSchema,
  DeliveryQuery as DeliveryQuerySchema,
  MaintenanceCreate as MaintenanceCreateSchema,
  NotificationPage as NotificationPageSchema,
  SilenceCreate as SilenceCreateSchema,
  WebhookCreate as WebhookCreateSchema,
} from '@poscare/contracts';
import type {
  AlertDetail,
  AlertPage,
  AlertRow,
  AlertRuleDefinition,
  AlertRulePreviewResult,
  AlertRuleRow,
  DeliveryRow,
  MaintenanceRow,
  NotificationPreferences,
  SilenceRow,
  WebhookRow,
} from '@poscare/contracts';
import { api, type PageOf } from './client';

export {
  ALERT_EVENT_TYPES,
  ALERT_GROUPINGS,
  ALERT_METRICS,
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  AlertCondition as AlertConditionSchema,
  AlertRuleDefinition as AlertRuleDefinitionSchema,
  COMPARATORS,
  CONDITION_KINDS,
  DELIVERY_STATUSES,
  RATIO_SOURCES,
  SUPPRESSIONS,
  type AlertCondition,
  type AlertDetail,
  type AlertEvent,
  type AlertGrouping,
  type AlertMetric,
  type AlertPage,
  type AlertRow,
  type AlertRuleDefinition,
  type AlertRuleInput,
  type AlertRulePreviewResult,
  type AlertRuleRow,
  type AlertSeverity,
  type AlertStatus,
  type Comparator,
  type DeliveryRow,
  type EscalationStep,
  type MaintenanceRow,
  type NotificationPreferences,
  type NotificationRow,
  type RatioSource,
  type SilenceRow,
  type WebhookRow,
} from '@poscare/contracts';

export type AlertListQuery = Partial<z.infer<typeof AlertQuery>>;
export type AlertAck = z.input<typeof AlertAckSchema>;
export type AlertPreviewHit = z.infer<typeof AlertPreviewHitSchema>;
export type AlertRulePreviewInput = z.input<typeof AlertRulePreviewSchema>;
export type AlertRuleSave = z.input<typeof AlertRuleSaveSchema>;
export type SilenceInput = z.input<typeof SilenceCreateSchema>;
export type SilenceMatchers = SilenceInput['matchers'];
export type MaintenanceInput = z.input<typeof MaintenanceCreateSchema>;
export type NotificationPage = z.infer<typeof NotificationPageSchema>;
export type WebhookInput = z.input<typeof WebhookCreateSchema>;
export type WebhookPatch = Partial<WebhookInput>;
export type DeliveryListQuery = Partial<z.infer<typeof DeliveryQuerySchema>>;

/** Lists the server may answer as a bare array or as a page. */
const itemsOf = <T>(r: T[] | { items: T[] }): T[] => (Array.isArray(r) ? r : r.items);

export const alertsApi = {
  list: (query: AlertListQuery) => api<AlertPage>('/alerts', { query }),
  get: (id: string) => api<AlertDetail>(`/alerts/${id}`),
  ack: (id: string, body: AlertAck) => api<AlertRow>(`/alerts/${id}/ack`, { method: 'POST', body }),
  diagnose: (id: string) => api<AlertRow>(`/alerts/${id}/diagnose`, { method: 'POST' }),

  rules: async () => itemsOf(await api<AlertRuleRow[] | { items: AlertRuleRow[] }>('/alert-rules')),
  saveRule: (code: string, body: AlertRuleSave) => api<AlertRuleRow>(`/alert-rules/${encodeURIComponent(code)}`, { method: 'PUT', body }),
  ruleVersions: async (code: string) =>
    itemsOf(await api<AlertRuleRow[] | { items: AlertRuleRow[] }>(`/alert-rules/${encodeURIComponent(code)}/versions`)),
  preview: (definition: AlertRuleDefinition, hours = 24) =>
    api<AlertRulePreviewResult>('/alert-rules/preview', { method: 'POST', body: { definition, hours } satisfies AlertRulePreviewInput }),

  silences: async () => itemsOf(await api<SilenceRow[] | PageOf<SilenceRow>>('/silences')),
  createSilence: (body: SilenceInput) => api<SilenceRow>('/silences', { method: 'POST', body }),
  expireSilence: (id: string) => api<SilenceRow>(`/silences/${id}`, { method: 'DELETE' }),

  maintenance: async () => itemsOf(await api<MaintenanceRow[] | PageOf<MaintenanceRow>>('/maintenance-windows')),
  createMaintenance: (body: MaintenanceInput) => api<MaintenanceRow>('/maintenance-windows', { method: 'POST', body }),
  endMaintenance: (id: string) => api<MaintenanceRow>(`/maintenance-windows/${id}`, { method: 'DELETE' }),

  notifications: (query: { unread?: boolean; limit?: number; offset?: number }) => api<NotificationPage>('/notifications', { query }),
  markRead: (ids?: string[]) => api<unknown>('/notifications/read', { method: 'POST', body: ids ? { ids } : {} }),
  preferences: () => api<NotificationPreferences>('/me/notification-preferences'),
  savePreferences: (body: NotificationPreferences) => api<NotificationPreferences>('/me/notification-preferences', { method: 'PUT', body }),

  webhooks: async () => itemsOf(await api<WebhookRow[] | PageOf<WebhookRow>>('/webhooks')),
  createWebhook: (body: WebhookInput) => api<WebhookRow>('/webhooks', { method: 'POST', body }),
  updateWebhook: (id: string, body: WebhookPatch) => api<WebhookRow>(`/webhooks/${id}`, { method: 'PATCH', body }),
  deleteWebhook: (id: string) => api<unknown>(`/webhooks/${id}`, { method: 'DELETE' }),
  testWebhook: (id: string) => api<unknown>(`/webhooks/${id}/test`, { method: 'POST' }),
  deliveries: (query: DeliveryListQuery) => api<PageOf<DeliveryRow>>('/deliveries', { query }),
};
