import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  BacktestAnswer,
  BacktestRequest,
  IdParams,
  RiskAssign,
  RiskAssignees,
  RiskBlock,
  RiskBlockCreate,
  RiskBlockPage,
  RiskBlockQuery,
  RiskCaseDetail,
  RiskCasePage,
  RiskCaseQuery,
  RiskDecideAnswer,
  RiskDecideRequest,
  RiskDecisionCreate,
  RiskNoteCreate,
  RiskStats,
  ThresholdSave,
  ThresholdsView,
} from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { decideRouteOptions } from './decideRoute.js';
import type { RiskService } from './service.js';
import type { RiskThresholds } from './thresholds.js';

const tags = ['risk'];

export const riskRoutes =
  /** leanDecide false: risk/decide as before decision 016 (the benchmark's same-run "before"). */
  (svc: RiskService, thresholds: RiskThresholds, opts: { leanDecide?: boolean } = {}): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/risk/cases', {
      config: { permission: 'risk:work' },
      schema: { tags, summary: 'Risk inbox: fraud findings (risk.*) by kind, status, assignee and decision, most recent first', querystring: RiskCaseQuery, response: { 200: RiskCasePage } },
      handler: (req) => svc.listCases(requireActor(req), req.query, req.lang),
    });
    app.get('/risk/cases/:id', {
      config: { permission: 'risk:work' },
      schema: {
        tags,
        summary: "A risk case: the finding, its payments (both sides), the card's and the terminal's history around it, the terminal's health then, notes, blocks",
        params: IdParams,
        response: { 200: RiskCaseDetail },
      },
      handler: (req) => svc.getCase(requireActor(req), req.params.id, req.lang),
    });
    app.get('/risk/assignees', {
      config: { permission: 'risk:work' },
      schema: { tags, summary: "Who a case can be assigned to: the organization's risk analysts and administrators", response: { 200: RiskAssignees } },
      handler: (req) => svc.assignees(requireActor(req)),
    });
    app.post('/risk/cases/:id/assign', {
      config: { permission: 'risk:work' },
      schema: { tags, summary: 'Assign the case to a risk analyst or administrator (null: unassign)', params: IdParams, body: RiskAssign, response: { 200: RiskCaseDetail } },
      handler: (req) => svc.assign(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/risk/cases/:id/notes', {
      config: { permission: 'risk:work' },
      schema: { tags, summary: 'Add a note to the case', params: IdParams, body: RiskNoteCreate, response: { 201: RiskCaseDetail } },
      handler: async (req, reply) => reply.status(201).send(await svc.addNote(requireActor(req), req.params.id, req.body, req.lang)),
    });
    app.post('/risk/cases/:id/decision', {
      config: { permission: 'risk:work' },
      schema: {
        tags,
        summary: 'Decide the case once: fraud (optionally blocking its card tokens and terminals), not fraud, or contact the merchant. A decision made meanwhile answers 409',
        params: IdParams,
        body: RiskDecisionCreate,
        response: { 200: RiskCaseDetail },
      },
      handler: (req) => svc.decide(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.get('/risk/stats', {
      config: { permission: 'risk:work' },
      schema: { tags, summary: 'Per kind: cases, open, decided, and how often the kind was right (fraud / decided)', response: { 200: RiskStats } },
      handler: (req) => svc.stats(requireActor(req)),
    });

    app.get('/risk/blocks', {
      config: { permission: 'risk:work' },
      schema: { tags, summary: 'The block list: card tokens and terminals (active, or all with removed and expired)', querystring: RiskBlockQuery, response: { 200: RiskBlockPage } },
      handler: (req) => svc.listBlocks(requireActor(req), req.query),
    });
    app.post('/risk/blocks', {
      config: { permission: 'risk:work' },
      schema: { tags, summary: 'Block a card token or a terminal (id, TID or serial), optionally until a time; a card number is refused', body: RiskBlockCreate, response: { 201: RiskBlock } },
      handler: async (req, reply) => reply.status(201).send(await svc.createBlock(requireActor(req), req.body)),
    });
    app.delete('/risk/blocks/:id', {
      config: { permission: 'risk:work' },
      schema: { tags, summary: 'Remove a block (kept in the list as removed, with who and when)', params: IdParams, response: { 200: RiskBlock } },
      handler: (req) => svc.removeBlock(requireActor(req), req.params.id),
    });

    const decideSummary = 'One payment → allow, review or block: block when its card token or terminal is blocked, review when an open fraud case covers either';
    if (opts.leanDecide === false) {
      app.post('/risk/decide', {
        config: { permission: 'risk:decide' },
        schema: { tags, summary: decideSummary, body: RiskDecideRequest, response: { 200: RiskDecideAnswer } },
        handler: (req) => svc.decidePayment(requireActor(req), req.body, req.lang),
      });
    } else {
      // For payment systems, before every payment: the same gate and guarantees, less work per request (decision 016).
      app.post('/risk/decide', decideRouteOptions(svc, decideSummary));
    }

    app.get('/risk/thresholds', {
      config: { permission: 'risk:work' },
      schema: { tags, summary: "The organization's finding thresholds: the version in force, what it resolves to, the defaults, every version", response: { 200: ThresholdsView } },
      handler: (req) => thresholds.view(requireActor(req)),
    });
    app.post('/risk/thresholds/backtest', {
      config: { permission: 'risk:configure' },
      schema: {
        tags,
        summary: 'What each version, the current one and the proposed overrides would have found over the last days (at most 30): counts per kind and the difference',
        body: BacktestRequest,
        response: { 200: BacktestAnswer },
      },
      handler: (req) => thresholds.backtest(requireActor(req), req.body, req.lang),
    });
    app.post('/risk/thresholds', {
      config: { permission: 'risk:configure' },
      schema: { tags, summary: 'Save the overrides as the next version (baseVersion: the version the editor started from; 409 when newer exists)', body: ThresholdSave, response: { 201: ThresholdsView } },
      handler: async (req, reply) => reply.status(201).send(await thresholds.save(requireActor(req), req.body)),
    });
  };
