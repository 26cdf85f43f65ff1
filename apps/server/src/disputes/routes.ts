import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DISPUTE_PHOTO_MAX_BYTES,
  DisputeCreate,
  DisputeDetail,
  DisputeEvidenceText,
  DisputeImportReport,
  DisputeMatch,
  DisputePage,
  DisputePaymentCandidates,
  DisputePaymentSearch,
  DisputeReport,
  DisputeReportExport,
  DisputeReportQuery,
  DisputeQuery,
  DisputeReasonCodes,
  DisputeTransition,
  EvidenceItem,
  IdParams,
} from '@poscare/contracts';
import { assertCan } from '../access/actor.js';
import { requireActor } from '../http/access.js';
import { sendSheet, sheetsToXlsx, XLSX_TYPE } from '../http/spreadsheet.js';
import { errors } from '../errors/errors.js';
import { templateSheet } from './importFile.js';
import { reportSheets } from './report.js';
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
    app.post('/disputes/import', {
      config: { permission: 'disputes:work' },
      schema: {
        tags,
        summary: 'Open disputes from a CSV or XLSX file (multipart field "file"), one a row, each matched like POST /disputes; the answer says what became of every row',
        description:
          'Bad rows (and rows with card data, never stored) are reported row by row in the caller\'s language and do not stop the good ones. A row whose dispute is already here (same network, case number and kind) is reported as existing: the same file imported twice opens each dispute once. Columns: docs/disputes.md; a template at GET /disputes/import-template.',
        consumes: ['multipart/form-data'],
        response: { 200: DisputeImportReport },
      },
      handler: async (req) => {
        const actor = requireActor(req);
        assertCan(actor, 'disputes:work');
        const file = await receiveFile(req, { maxBytes: svc.maxUploadBytes });
        if (!file) throw errors.importFileRequired();
        return svc.importFile(actor, { filename: file.filename, bytes: file.bytes, language: req.lang });
      },
    });
    app.get('/disputes/import-template', {
      config: { permission: 'disputes:work' },
      schema: { tags, summary: "The dispute file's template: the columns in the reader's language and two example rows", querystring: z.object({ format: z.enum(['csv', 'xlsx']).default('xlsx') }) },
      handler: async (req, reply) => {
        assertCan(requireActor(req), 'disputes:work');
        return sendSheet(reply, templateSheet(req.lang), req.query.format, req.lang, req.lang === 'zh-CN' ? 'dispute-import-template-zh' : 'dispute-import-template');
      },
    });
    app.get('/disputes/payment-search', {
      config: { permission: 'disputes:work' },
      schema: {
        tags,
        summary: 'The payments some references name (RRN; terminal + STAN + day; amount + time + card token), each once, for matching a dispute by hand',
        querystring: DisputePaymentSearch,
        response: { 200: DisputePaymentCandidates },
      },
      handler: (req) => svc.searchPayments(requireActor(req), req.query),
    });
    app.get('/disputes/report', {
      config: { permission: 'reports:read' },
      schema: {
        tags,
        summary: 'Disputes opened in a period: win rate, money charged back and kept, hours to answer, by reason group and merchant; duplicate charges, fraud findings and disputes per 1,000 payments by merchant, terminal, model and app version',
        querystring: DisputeReportQuery,
        response: { 200: DisputeReport },
      },
      handler: (req) => svc.report(requireActor(req), req.query, req.lang),
    });
    app.get('/disputes/report/export', {
      config: { permission: 'reports:read' },
      schema: { tags, summary: 'The dispute report as XLSX (every table, one sheet each) or CSV (one table: section)', querystring: DisputeReportExport },
      handler: async (req, reply) => {
        const { format, section, ...q } = req.query;
        const r = await svc.report(requireActor(req), q, req.lang);
        const sheets = reportSheets(r, req.lang);
        const name = `disputes-${r.from.slice(0, 10)}-${r.to.slice(0, 10)}`;
        if (format === 'csv') return sendSheet(reply, sheets[section], 'csv', req.lang, `${name}-${section}`);
        reply.header('content-disposition', `attachment; filename="${name}.xlsx"`).header('cache-control', 'no-store');
        return reply.type(XLSX_TYPE).send(await sheetsToXlsx(Object.values(sheets), req.lang, name));
      },
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
        const actor = requireActor(req);
        const detail = await svc.forPdf(actor, req.params.id);
        const pdf = await renderDisputePdf(detail, { photo: async (id) => (await svc.photo(actor, id)).data });
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="dispute-${detail.caseNumber.replace(/[^\w.-]/g, '_')}.pdf"`)
          .send(pdf);
      },
    });
  };
