import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditEntry, Page, pageOf } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { presentAll } from '../http/present.js';
import type { AuditService } from './service.js';

export const auditRoutes =
  (svc: AuditService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/audit', {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Every change of data: who, what, when, before and after',
        querystring: Page.extend({ entity: z.string().optional(), entityId: z.string().optional() }),
        response: { 200: pageOf(AuditEntry) },
      },
      handler: async (req) => {
        const r = await svc.list(requireActor(req), req.query);
        return { ...r, items: presentAll(r.items).map(({ actorId: _a, ...e }) => e) };
      },
    });
  };
