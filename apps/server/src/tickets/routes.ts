import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BulkResult, BulkTicketAssign, EXPORT_MAX_ROWS, IdParams, TicketAssigneeList, SimilarTickets, TicketAssign, TicketComment, TicketCreate, TicketCreated, TicketDetail, TicketExportQuery, TicketPage, TicketQuery, TicketTransition } from '@poscare/contracts';
import { AppError } from '../errors/errors.js';
import { renderError } from '../http/errorHandler.js';
import { sendSheet } from '../http/spreadsheet.js';
import { translate, type MessageId } from '../i18n/messages.js';
import { formatLocal, localDay } from '../reports/range.js';
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
    app.get('/tickets/export', {
      config: { permission: 'tickets:read' },
      schema: { tags, summary: 'The ticket queue as CSV or XLSX: same filters and order, headers and values in the caller\'s language', querystring: TicketExportQuery },
      handler: async (req, reply) => {
        const { format, ...q } = req.query;
        const page = await svc.list(requireActor(req), { ...q, limit: EXPORT_MAX_ROWS, offset: 0 }, req.lang);
        const tr = (id: MessageId) => translate(req.lang, id);
        const time = (iso: string | null) => (iso ? formatLocal(new Date(iso)) : '');
        const sheet = {
          title: tr('export.tickets.title'),
          header: (['number', 'title', 'ticket_status', 'priority', 'serial', 'assignee', 'created', 'updated', 'sla_breached'] as const).map((c) => tr(`export.col.${c}`)),
          rows: page.items.map((x) => [
            x.number,
            x.title,
            tr(`ticket.status.${x.status}`),
            x.priority.toUpperCase(),
            x.serialNumber,
            x.assigneeName,
            time(x.createdAt),
            time(x.updatedAt),
            tr(x.slaBreached ? 'export.yes' : 'export.no'),
          ]),
        };
        return sendSheet(reply, sheet, format, req.lang, `poscare-tickets-${localDay(new Date())}`);
      },
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
    app.get('/tickets/assignees', {
      config: { permission: 'tickets:work' },
      schema: { tags, summary: 'Staff a ticket can be given to (agents first), with the open tickets each holds', response: { 200: TicketAssigneeList } },
      handler: (req) => svc.assignees(requireActor(req)),
    });
    app.post('/tickets/bulk/assign', {
      config: { permission: 'tickets:work' },
      schema: { tags, summary: 'Give the chosen tickets to one person (or nobody); each is assigned on its own and refusals are listed', body: BulkTicketAssign, response: { 200: BulkResult } },
      handler: async (req) => {
        const actor = requireActor(req);
        const ids = [...new Set(req.body.ids)];
        const failed: BulkResult['failed'] = [];
        for (const id of ids) {
          try {
            await svc.assignOnly(actor, id, req.body.assigneeId);
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            failed.push({ id, error: renderError(req.lang, err).error });
          }
        }
        return { done: ids.length - failed.length, failed };
      },
    });
    app.post('/tickets/:id/assign', {
      config: { permission: 'tickets:work' },
      schema: { tags, summary: 'Assign a ticket to a staff member (or nobody)', params: IdParams, body: TicketAssign, response: { 200: TicketDetail } },
      handler: (req) => svc.assign(requireActor(req), req.params.id, req.body.assigneeId, req.lang),
    });
  };
