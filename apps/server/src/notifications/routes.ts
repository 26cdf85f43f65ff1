import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DeliveryQuery, DeliveryRow, IdParams, NotificationPage, NotificationPreferences, WebhookCreate, WebhookRow } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { channelRoutes } from './channelRoutes.js';
import { MarkRead, MarkReadResult, NotificationQuery, WebhookUpdate } from './schemas.js';
import type { NotificationService } from './service.js';

const tags = ['notifications'];

export const notificationRoutes =
  (svc: NotificationService): FastifyPluginAsyncZod =>
  async (app) => {
    await app.register(channelRoutes(svc.channels));
    app.get('/notifications', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: "The caller's console notifications, newest first, with the unread count", querystring: NotificationQuery, response: { 200: NotificationPage } },
      handler: (req) => svc.inbox(requireActor(req), req.query),
    });
    app.post('/notifications/read', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: "Mark the given notifications read, or all of the caller's without ids", body: MarkRead.nullish(), response: { 200: MarkReadResult } },
      // No body at all means "all", like {}: a bell's "mark all read" button sends nothing.
      handler: (req) => svc.markRead(requireActor(req), req.body ?? {}),
    });
    app.get('/me/notification-preferences', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: 'How the caller is told about alerts', response: { 200: NotificationPreferences } },
      handler: (req) => svc.preferences(requireActor(req)),
    });
    app.put('/me/notification-preferences', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: 'Set how the caller is told about alerts (the language is the account language)', body: NotificationPreferences, response: { 200: NotificationPreferences } },
      handler: (req) => svc.savePreferences(requireActor(req), req.body),
    });

    app.get('/webhooks', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: "The organization's webhooks (secrets masked)", response: { 200: z.array(WebhookRow) } },
      handler: (req) => svc.listWebhooks(requireActor(req)),
    });
    app.post('/webhooks', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'Add a webhook; the answer is the only one showing its whole signing secret', body: WebhookCreate, response: { 201: WebhookRow } },
      handler: async (req, reply) => reply.status(201).send(await svc.createWebhook(requireActor(req), req.body)),
    });
    app.patch('/webhooks/:id', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: "Change a webhook's name, URL, least severity or enabled flag", params: IdParams, body: WebhookUpdate, response: { 200: WebhookRow } },
      handler: (req) => svc.updateWebhook(requireActor(req), req.params.id, req.body),
    });
    app.delete('/webhooks/:id', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'Delete a webhook and its delivery log', params: IdParams, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await svc.deleteWebhook(requireActor(req), req.params.id);
        return reply.status(204).send(null);
      },
    });
    app.post('/webhooks/:id/test', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: "Queue a signed call with event 'test' to the webhook", params: IdParams, response: { 200: DeliveryRow } },
      handler: (req) => svc.testWebhook(requireActor(req), req.params.id),
    });
    app.get('/deliveries', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'E-mails and webhook calls of the organization, newest first', querystring: DeliveryQuery, response: { 200: z.object({ items: z.array(DeliveryRow), total: z.number().int() }) } },
      handler: (req) => svc.listDeliveries(requireActor(req), req.query),
    });
  };
