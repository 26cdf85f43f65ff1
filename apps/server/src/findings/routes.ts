import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ChargedTwiceAnswer, ChargedTwiceQuery, FindingDetail, FindingHelpAnswer, FindingHelpRequest, FindingPage, FindingQuery, IdParams } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { FindingService } from './service.js';

const tags = ['findings'];

export const findingRoutes =
  (svc: FindingService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/findings', {
      config: { permission: 'payments:read' },
      schema: {
        tags,
        summary: "Findings of the live engine (duplicate charges and fraud patterns), newest first; merchant users: their own duplicate charges only",
        querystring: FindingQuery,
        response: { 200: FindingPage },
      },
      handler: (req) => svc.list(requireActor(req), req.query),
    });
    app.get('/findings/:id', {
      config: { permission: 'payments:read' },
      schema: {
        tags,
        summary: "A finding with its payments from both sides (the terminal's line, the host's line, refunds and reversals of it) and, for duplicate charges, which to refund",
        params: IdParams,
        response: { 200: FindingDetail },
      },
      handler: (req) => svc.get(requireActor(req), req.params.id),
    });
    app.post('/findings/:id/ask-for-help', {
      config: { permission: 'payments:read' },
      schema: {
        tags,
        summary: "The merchant asks the service desk about a duplicate charge: opens one ticket for the finding (asking again returns the same ticket)",
        params: IdParams,
        body: FindingHelpRequest,
        response: { 200: FindingHelpAnswer },
      },
      handler: (req) => svc.askForHelp(requireActor(req), req.params.id, req.body?.message, req.lang),
    });
    app.get('/payments/charged-twice', {
      config: { permission: 'payments:read' },
      schema: {
        tags,
        summary: 'Was this customer charged twice? Sales of the amount near the time on the caller\'s terminals, and the duplicate-charge findings covering them',
        querystring: ChargedTwiceQuery,
        response: { 200: ChargedTwiceAnswer },
      },
      handler: (req) => svc.chargedTwice(requireActor(req), req.query),
    });
  };
