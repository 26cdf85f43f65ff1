import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MyOverview } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { OverviewService } from './service.js';

export const overviewRoutes =
  (svc: OverviewService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/me/overview', {
      // Any signed-in user: each part is counted only when the caller may read that domain.
      config: { auth: 'user' },
      schema: { tags: ['overview'], summary: 'What waits for the signed-in person: open alerts, tickets at risk, their queue and work orders', response: { 200: MyOverview } },
      handler: (req) => svc.mine(requireActor(req)),
    });
  };
