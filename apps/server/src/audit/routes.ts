import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditChainReport, AuditEntry, Id, Page, pageOf } from '@poscare/contracts';
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

    app.get('/audit/verify', {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: "Checks the organization's audit chain and names the first entry changed, removed or inserted",
        description: 'Platform admins may name another organization with orgId.',
        querystring: z.object({ orgId: Id.optional() }),
        response: { 200: AuditChainReport },
      },
      handler: async (req) => svc.verify(requireActor(req), req.query.orgId, req.lang),
    });
  };
