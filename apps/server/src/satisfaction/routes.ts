import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IdParams, RatingCreate, SatisfactionQuery, SatisfactionReport, TicketRatingView } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { SatisfactionService } from './service.js';

export const satisfactionRoutes =
  (svc: SatisfactionService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/tickets/:id/rating', {
      config: { permission: 'tickets:read' },
      schema: {
        tags: ['tickets'],
        summary: "The ticket's satisfaction rating: not yet (until resolved), open (7 days from resolution), rated or expired; and whether the caller may rate",
        params: IdParams,
        response: { 200: TicketRatingView },
      },
      handler: (req) => svc.get(requireActor(req), req.params.id),
    });
    app.post('/tickets/:id/rating', {
      config: { permission: 'tickets:read' },
      schema: {
        tags: ['tickets'],
        summary: "Rate a resolved ticket 1–5 (its merchant; or staff who did not work on it, recording the merchant's rating); one rating per ticket",
        params: IdParams,
        body: RatingCreate,
        response: { 201: TicketRatingView },
      },
      handler: async (req, reply) => reply.status(201).send(await svc.rate(requireActor(req), req.params.id, req.body)),
    });
    app.get('/reports/satisfaction', {
      config: { permission: 'reports:read' },
      schema: {
        tags: ['reports'],
        summary: 'Satisfaction of ratings given in the period, per agent, team or cause: average, count, distribution 1–5, share of 4–5',
        querystring: SatisfactionQuery,
        response: { 200: SatisfactionReport },
      },
      handler: (req) => svc.results(requireActor(req), req.query, req.lang),
    });
  };
