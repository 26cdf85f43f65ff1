/** Routes of issue 19: channels, their SMS templates and test, merchant contacts, quiet hours, on-call rotations. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ChannelTestInput,
  ChannelTestResult,
  IdParams,
  MerchantContactInput,
  MerchantContactRow,
  NotifyChannelCreate,
  NotifyChannelRow,
  NotifyChannelUpdate,
  OncallRotationInput,
  OncallRotationRow,
  QuietHours,
  SmsTemplates,
} from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { ChannelAdmin } from './channelAdmin.js';

const tags = ['notifications'];

export const channelRoutes =
  (svc: ChannelAdmin): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/notify-channels', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: "The organization's group robots and SMS providers (credentials never shown)", response: { 200: z.array(NotifyChannelRow) } },
      handler: (req) => svc.list(requireActor(req)),
    });
    app.post('/notify-channels', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'Add a group robot or SMS provider; its credentials are encrypted at once and never shown again', body: NotifyChannelCreate, response: { 201: NotifyChannelRow } },
      handler: async (req, reply) => reply.status(201).send(await svc.create(requireActor(req), req.body)),
    });
    app.patch('/notify-channels/:id', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: "Change a channel's name, language, least severity, keywords or enabled flag", params: IdParams, body: NotifyChannelUpdate, response: { 200: NotifyChannelRow } },
      handler: (req) => svc.update(requireActor(req), req.params.id, req.body),
    });
    app.delete('/notify-channels/:id', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'Delete a channel with its templates and delivery log', params: IdParams, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await svc.remove(requireActor(req), req.params.id);
        return reply.status(204).send(null);
      },
    });
    app.post('/notify-channels/:id/test', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'Send a test message now and answer what the provider said', params: IdParams, body: ChannelTestInput.nullish(), response: { 200: ChannelTestResult } },
      handler: (req) => svc.test(requireActor(req), req.params.id, req.body?.mobile),
    });
    app.get('/notify-channels/:id/templates', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: "An SMS channel's registered templates by purpose and language", params: IdParams, response: { 200: SmsTemplates } },
      handler: (req) => svc.templates(requireActor(req), req.params.id),
    });
    app.put('/notify-channels/:id/templates', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: "Replace an SMS channel's templates", params: IdParams, body: SmsTemplates, response: { 200: SmsTemplates } },
      handler: (req) => svc.saveTemplates(requireActor(req), req.params.id, req.body),
    });

    app.get('/merchants/:id/contacts', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: "A merchant's contacts who get SMS about what concerns them", params: IdParams, response: { 200: z.array(MerchantContactRow) } },
      handler: (req) => svc.contacts(requireActor(req), req.params.id),
    });
    app.post('/merchants/:id/contacts', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: "Add a merchant contact (admins and agents; a merchant's users for their own merchant)", params: IdParams, body: MerchantContactInput, response: { 201: MerchantContactRow } },
      handler: async (req, reply) => reply.status(201).send(await svc.addContact(requireActor(req), req.params.id, req.body)),
    });
    app.patch('/merchant-contacts/:id', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: "Change a merchant contact's name, mobile, language or topics", params: IdParams, body: MerchantContactInput, response: { 200: MerchantContactRow } },
      handler: (req) => svc.updateContact(requireActor(req), req.params.id, req.body),
    });
    app.delete('/merchant-contacts/:id', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: 'Remove a merchant contact', params: IdParams, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await svc.removeContact(requireActor(req), req.params.id);
        return reply.status(204).send(null);
      },
    });

    app.get('/short-links/:token', {
      config: { auth: 'user' },
      schema: {
        tags, summary: 'The console page a short link from an SMS opens (/s/<token>), if the link verifies and the caller may see the page',
        params: z.object({ token: z.string().max(64) }), response: { 200: z.object({ path: z.string() }) },
      },
      handler: (req) => svc.openShortLink(requireActor(req), req.params.token),
    });

    app.get('/me/quiet-hours', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: "The caller's quiet hours (only critical alerts reach them then; the rest comes in a morning summary)", response: { 200: QuietHours } },
      handler: (req) => svc.quietHours(requireActor(req)),
    });
    app.put('/me/quiet-hours', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: "Set the caller's quiet hours (start and end null: none)", body: QuietHours, response: { 200: QuietHours } },
      handler: (req) => svc.saveQuietHours(requireActor(req), req.body),
    });

    app.get('/oncall-rotations', {
      config: { permission: 'alerts:read' },
      schema: { tags, summary: 'On-call rotations per team, with who is on call now and the next hand-over', response: { 200: z.array(OncallRotationRow) } },
      handler: (req) => svc.rotations(requireActor(req)),
    });
    app.post('/oncall-rotations', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'Add an on-call rotation', body: OncallRotationInput, response: { 201: OncallRotationRow } },
      handler: async (req, reply) => reply.status(201).send(await svc.saveRotation(requireActor(req), null, req.body)),
    });
    app.put('/oncall-rotations/:id', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'Replace an on-call rotation', params: IdParams, body: OncallRotationInput, response: { 200: OncallRotationRow } },
      handler: (req) => svc.saveRotation(requireActor(req), req.params.id, req.body),
    });
    app.delete('/oncall-rotations/:id', {
      config: { permission: 'alerts:configure' },
      schema: { tags, summary: 'Delete an on-call rotation', params: IdParams, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await svc.removeRotation(requireActor(req), req.params.id);
        return reply.status(204).send(null);
      },
    });
  };
