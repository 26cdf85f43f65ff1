import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, Merchant, MerchantCreate, MerchantUpdate, Page, pageOf } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { present, presentAll } from '../http/present.js';
import type { MerchantService } from './service.js';

const tags = ['merchants'];

export const merchantRoutes =
  (svc: MerchantService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/merchants', {
      config: { permission: 'inventory:read' },
      schema: { tags, querystring: Page, response: { 200: pageOf(Merchant) } },
      handler: async (req) => {
        const r = await svc.list(requireActor(req), req.query);
        return { ...r, items: presentAll(r.items) };
      },
    });
    app.get('/merchants/:id', {
      config: { permission: 'inventory:read' },
      schema: { tags, params: IdParams, response: { 200: Merchant } },
      handler: async (req) => present(await svc.get(requireActor(req), req.params.id)),
    });
    app.post('/merchants', {
      config: { permission: 'inventory:write' },
      schema: { tags, body: MerchantCreate, response: { 201: Merchant } },
      handler: async (req, reply) => reply.status(201).send(present(await svc.create(requireActor(req), req.body))),
    });
    app.patch('/merchants/:id', {
      config: { permission: 'inventory:write' },
      schema: { tags, params: IdParams, body: MerchantUpdate, response: { 200: Merchant } },
      handler: async (req) => present(await svc.update(requireActor(req), req.params.id, req.body)),
    });
    app.delete('/merchants/:id', {
      config: { permission: 'inventory:write' },
      schema: { tags, summary: 'Delete a merchant that has no sites, terminals or users', params: IdParams, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await svc.remove(requireActor(req), req.params.id);
        return reply.status(204).send(null);
      },
    });
  };
