import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DISPUTE_PHOTO_MAX_BYTES,
  DisputeCreate,
  DisputeDetail,
  DisputeEvidenceText,
  DisputeMatch,
  DisputePage,
  DisputeQuery,
  DisputeReasonCodes,
  DisputeTransition,
  EvidenceItem,
  IdParams,
} from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { receiveFile } from '../http/upload.js';
import { AppError } from '../errors/errors.js';
import { renderDisputePdf } from './pdf.js';
import type { DisputeService } from './service.js';

const tags = ['disputes'];

export const disputeRoutes =
  (svc: DisputeService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/disputes', {
      config: { permission: 'disputes:read' },
      schema: { tags, summary: 'Disputes, open ones with the nearest deadline first (merchants: their own)', querystring: DisputeQuery, response: { 200: DisputePage } },
      handler: (req) => svc.list(requireActor(req), req.query, req.lang),
    });
    app.post('/disputes', {
      config: { permission: 'disputes:work' },
      schema: {
        tags,
        summary: "Open a dispute from the acquirer's side: matched to a payment by RRN, terminal + STAN + day, or amount + time + card token (else it waits as unmatched with the reason); the evidence pack is assembled at once",
        body: DisputeCreate,
        response: { 201: DisputeDetail },
      },
      handler: async (req, reply) => reply.status(201).send(await svc.create(requireActor(req), req.body, req.lang)),
    });
    app.get('/disputes/reason-codes', {
      config: { permission: 'disputes:read' },
      schema: { tags, summary: 'Reason codes of UnionPay, Visa and Mastercard by group (zh/en), and the evidence each group needs', response: { 200: DisputeReasonCodes } },
      handler: (req) => svc.reasonCodes(requireActor(req)),
    });
    app.get('/disputes/:id', {
      config: { permission: 'disputes:read' },
      schema: { tags, summary: 'A dispute: deadline, evidence pack, checklist of required evidence, what was added, timeline', params: IdParams, response: { 200: DisputeDetail } },
      handler: (req) => svc.get(requireActor(req), req.params.id, req.lang),
    });
    app.post('/disputes/:id/evidence', {
      config: { permission: 'disputes:respond' },
      schema: { tags, summary: 'Add free text to the evidence (optionally for one required item)', params: IdParams, body: DisputeEvidenceText, response: { 201: DisputeDetail } },
      handler: async (req, reply) => reply.status(201).send(await svc.addText(requireActor(req), req.params.id, req.body, req.lang)),
    });
    app.post('/disputes/:id/photos', {
      config: { permission: 'disputes:respond' },
      schema: {
        tags,
        summary: `Add a photo to the evidence (multipart field "file"; JPEG or PNG, at most ${DISPUTE_PHOTO_MAX_BYTES / 1024 / 1024} MB)`,
        consumes: ['multipart/form-data'],
        params: IdParams,
        querystring: z.object({ item: EvidenceItem.optional(), caption: z.string().trim().max(200).optional() }),
        response: { 201: DisputeDetail },
      },
      handler: async (req, reply) => {
        const actor = requireActor(req);
        await svc.assertEvidenceTarget(actor, req.params.id);
        const file = await receiveFile(req, { maxBytes: DISPUTE_PHOTO_MAX_BYTES, tooLarge: () => new AppError('dispute.photo_too_large', 413, { limit: DISPUTE_PHOTO_MAX_BYTES / 1024 / 1024 }) });
        if (!file) throw new AppError('dispute.photo_required', 400);
        const detail = await svc.addPhoto(actor, req.params.id, { bytes: file.bytes, mimetype: file.mimetype, item: req.query.item ?? null, caption: req.query.caption || null }, req.lang);
        return reply.status(201).send(detail);
      },
    });
    app.get('/dispute-evidence/:id', {
      config: { permission: 'disputes:read' },
      schema: { tags, summary: 'A photo added to a dispute (the image itself)', params: IdParams },
      handler: async (req, reply) => {
        const p = await svc.photo(requireActor(req), req.params.id);
        return reply.header('content-type', p.contentType).header('cache-control', 'private, max-age=3600').header('x-content-type-options', 'nosniff').send(p.data);
      },
    });
    app.post('/disputes/:id/transition', {
      config: { permission: 'disputes:respond' },
      schema: {
        tags,
        summary: 'Submit the evidence or accept (merchant or agent, from needs_response); record won or lost (agent, from evidence_submitted). A move made meanwhile answers 409',
        params: IdParams,
        body: DisputeTransition,
        response: { 200: DisputeDetail },
      },
      handler: (req) => svc.transition(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/disputes/:id/match', {
      config: { permission: 'disputes:work' },
      schema: { tags, summary: 'Match an unmatched dispute with references checked with the acquirer (400 with the reason when they still name no single payment)', params: IdParams, body: DisputeMatch, response: { 200: DisputeDetail } },
      handler: (req) => svc.match(requireActor(req), req.params.id, req.body, req.lang),
    });
    app.post('/disputes/:id/pack', {
      config: { permission: 'disputes:work' },
      schema: { tags, summary: 'Assemble the evidence pack again from the records as they are now', params: IdParams, response: { 200: DisputeDetail } },
      handler: (req) => svc.refreshPack(requireActor(req), req.params.id, req.lang),
    });
    app.get('/disputes/:id/pdf', {
      config: { permission: 'disputes:read' },
      schema: { tags, summary: "The evidence pack as one PDF in the dispute's language (Chinese font embedded)", params: IdParams },
      handler: async (req, reply) => {
        const detail = await svc.forPdf(requireActor(req), req.params.id);
        const pdf = await renderDisputePdf(detail);
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="dispute-${detail.caseNumber.replace(/[^\w.-]/g, '_')}.pdf"`)
          .send(pdf);
      },
    });
  };
