import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Id, IdParams, Page, Site, SiteCreate, SiteUpdate, pageOf } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { present, presentAll } from '../http/present.js';
import type { SiteService } from './service.js';

const tags = ['sites'];

export const siteRoutes =
  (svc: SiteService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/sites', {
      config: { permission: 'inventory:read' },
      schema: { tags, querystring: Page.extend({ merchantId: Id.optional() }), response: { 200: pageOf(Site) } },
      handler: async (req) => {
        const r = await svc.list(requireActor(req), req.query);
        return { ...r, items: presentAll(r.items) };
      },
    });
    app.get('/sites/:id', {
      config: { permission: 'inventory:read' },
      schema: { tags, params: IdParams, response: { 200: Site } },
      handler: async (req) => present(await svc.get(requireActor(req), req.params.id)),
    });
    app.post('/sites', {
      config: { permission: 'inventory:write' },
      schema: { tags, body: SiteCreate, response: { 201: Site } },
      handler: async (req, reply) => reply.status(201).send(present(await svc.create(requireActor(req), req.body))),
    });
    app.patch('/sites/:id', {
      config: { permission: 'inventory:write' },
      schema: { tags, params: IdParams, body: SiteUpdate, response: { 200: Site } },
      handler: async (req) => present(await svc.update(requireActor(req), req.params.id, req.body)),
    });
    app.delete('/sites/:id', {
      config: { permission: 'inventory:write' },
      schema: { tags, summary: 'Delete a site that has no terminals', params: IdParams, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await svc.remove(requireActor(req), req.params.id);
        return reply.status(204).send(null);
      },
    });
  };
