/**
 * Request shapes of the notification routes that packages/contracts/src/alerts.ts does not define
 * (yet); built from the contract's own pieces so they cannot drift from it.
 */
import { z } from 'zod';
import { AlertSeverity, Id, WebhookCreate } from '@poscare/contracts';

export const NotificationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  unread: z.enum(['true', 'false']).optional(),
});
export type NotificationQuery = z.infer<typeof NotificationQuery>;

/** No ids: mark all of the caller's notifications read. */
export const MarkRead = z.object({ ids: z.array(Id).max(500).optional() });
export type MarkRead = z.infer<typeof MarkRead>;
export const MarkReadResult = z.object({ updated: z.number().int() });

/** Every field optional and none defaulted, so a PATCH changes only what it names. */
export const WebhookUpdate = z
  .object({
    name: WebhookCreate.shape.name,
    url: WebhookCreate.shape.url,
    minSeverity: AlertSeverity,
    enabled: z.boolean(),
  })
  .partial();
export type WebhookUpdate = z.infer<typeof WebhookUpdate>;
