import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, Rollout, RolloutCreate, RolloutDetail, RolloutTransition } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { RolloutService } from './service.js';

const tags = ['rollouts'];

export const rolloutRoutes =
  (svc: RolloutService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/rollouts', {
      config: { permission: 'software:read' },
      schema: { tags, summary: 'Rollouts, newest first', response: { 200: z.array(Rollout) } },
      handler: (req) => svc.list(requireActor(req)),
    });
    app.post('/rollouts', {
      config: { permission: 'software:manage' },
      schema: {
        tags,
        summary: 'Plan a rollout of a catalogued package to the terminals a filter matches, in waves of cumulative percentages; terminals the package does not fit are left out',
        body: RolloutCreate,
        response: { 201: RolloutDetail },
      },
      handler: async (req, reply) => reply.status(201).send(await svc.plan(requireActor(req), req.body)),
    });
    app.get('/rollouts/:id', {
      config: { permission: 'software:read' },
      schema: { tags, summary: 'A rollout with its terminals per wave and state', params: IdParams, response: { 200: RolloutDetail } },
      handler: (req) => svc.get(requireActor(req), req.params.id),
    });
    app.post('/rollouts/:id/transition', {
      config: { permission: 'software:manage' },
      schema: { tags, summary: 'Start, pause, resume, complete or abort; refused (409) when the rollout changed meanwhile', params: IdParams, body: RolloutTransition, response: { 200: RolloutDetail } },
      handler: (req) => svc.transition(requireActor(req), req.params.id, req.body.to),
    });
  };
