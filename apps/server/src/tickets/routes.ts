import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IdParams, SimilarTickets, TicketAssign, TicketComment, TicketCreate, TicketCreated, TicketDetail, TicketPage, TicketQuery, TicketTransition } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import type { TicketService } from './service.js';

const tags = ['tickets'];

export const ticketRoutes =
  (svc: TicketService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/tickets', {
      config: { permission: 'tickets:read' },
      schema: { tags, summary: 'Ticket queue: open tickets by priority, then most recently changed; merchants see their own', querystring: TicketQuery, response: { 200: TicketPage } },
      handler: (req) => svc.list(requireActor(req), req.query, req.lang),
    });
    app.post('/tickets', {
      config: { permission: 'tickets:create' },
      schema: {
        tags,
        summary: 'Open a ticket (diagnosis attached from the terminal and what was said); an open ticket of the same terminal and cause is returned instead',
        body: TicketCreate,
        response: { 201: TicketCreated, 200: TicketCreated },
      },
      handler: async (req, reply) => {
        const r = await svc.create(requireActor(req), req.body, req.lang);
        return reply.status(r.duplicate ? 200 : 201).send(r);
      },
    });
    app.get('/tickets/:id', {
      config: { permission: 'tickets:read' },
      schema: { tags, summary: 'A ticket with its timeline (merchants: the customer-facing part)', params: IdParams, response: { 200: TicketDetail } },
      handler: (req) => svc.get(requireActor(req), req.params.id, req.lang),
    });
    app.get('/tickets/:id/similar', {
      config: { permission: 'tickets:work' },
      schema: { tags, summary: 'Resolved tickets like this one, ranked by cause, the words of the report, terminal model and app version', params: IdParams, response: { 200: SimilarTickets } },
      handler: (req) => svc.similar(requireActor(req), req.params.id),
    });
    app.post('/tickets/:id/transition', {
      config: { permission: 'tickets:work' },
      schema: { tags, summary: 'Move a ticket along the handling flow, with a reason', params: IdParams, body: TicketTransition, response: { 200: TicketDetail } },
      handler: (req) => svc.transition(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/tickets/:id/comments', {
      config: { permission: 'tickets:read' },
      schema: { tags, summary: 'Comment (seen by the merchant) or internal note (staff only); a merchant reply ends a wait', params: IdParams, body: TicketComment, response: { 200: TicketDetail } },
      handler: (req) => svc.comment(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/tickets/:id/assign', {
      config: { permission: 'tickets:work' },
      schema: { tags, summary: 'Assign a ticket to a staff member (or nobody)', params: IdParams, body: TicketAssign, response: { 200: TicketDetail } },
      handler: (req) => svc.assign(requireActor(req), req.params.id, req.body.assigneeId, req.lang),
    });
  };
