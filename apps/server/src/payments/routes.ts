import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HostImportQuery, HostImportReport, PaymentDetail, PaymentDetailQuery, PaymentList, PaymentQuery, PaymentStats, PaymentStatsQuery, Reconciliation, ReconciliationQuery } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { receiveFile } from '../http/upload.js';
import { sendSheet } from '../http/spreadsheet.js';
import { AppError } from '../errors/errors.js';
import { reconciliationSheet } from './export.js';
import type { PaymentService } from './service.js';

const tags = ['payments'];

export const paymentRoutes =
  (svc: PaymentService, maxUploadBytes: number): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/host-records', {
      config: { permission: 'payments:import' },
      schema: {
        tags,
        summary: "Import the acquirer host's records (multipart field \"file\"): JSON lines (txn-record/v1, source host), CSV (the same columns) or ISO 8583 (one message per line, hex)",
        description:
          'Each record is checked on its own; good records are stored even when others are refused (line, field and reason in the caller\'s language). A record is stored once per host id. A card number anywhere refuses its record.',
        consumes: ['multipart/form-data'],
        querystring: HostImportQuery,
        response: { 200: HostImportReport },
      },
      handler: async (req) => {
        const actor = requireActor(req);
        const file = await receiveFile(req, { maxBytes: maxUploadBytes });
        if (!file) throw new AppError('payments.file_required', 400);
        return svc.importHost(actor, { filename: file.filename, bytes: file.bytes, format: req.query.format, language: req.lang });
      },
    });

    app.get('/payments', {
      config: { permission: 'payments:read' },
      schema: { tags, summary: 'Payments (terminal + STAN + day) with both sides and their reconciliation status; newest first', querystring: PaymentQuery, response: { 200: PaymentList } },
      handler: (req) => svc.list(requireActor(req), req.query),
    });

    app.get('/payments/stats', {
      config: { permission: 'payments:read' },
      schema: { tags, summary: "Success rate of the terminals' lines by entry mode and response code, and payments by status, for the same filters as the list", querystring: PaymentStatsQuery, response: { 200: PaymentStats } },
      handler: (req) => svc.stats(requireActor(req), req.query, req.lang),
    });

    app.get('/payments/:terminalId/:stan', {
      config: { permission: 'payments:read' },
      schema: {
        tags,
        summary: "One payment, both sides: every line of the terminal and of the host with this STAN on the day",
        params: z.object({ terminalId: z.string().uuid(), stan: z.string().regex(/^\d{1,12}$/) }),
        querystring: PaymentDetailQuery,
        response: { 200: PaymentDetail },
      },
      handler: (req) => svc.detail(requireActor(req), req.params.terminalId, req.params.stan, req.query.day, req.lang),
    });

    app.get('/reconciliation', {
      config: { permission: 'payments:read' },
      schema: {
        tags,
        summary: "Per terminal and day: the terminal's batch against the host's (approved counts, net totals) and the payments by status; format=csv or xlsx for a file",
        querystring: ReconciliationQuery,
        response: { 200: Reconciliation },
      },
      handler: async (req, reply) => {
        const { format, ...q } = req.query;
        const r = await svc.reconciliation(requireActor(req), q);
        if (format === 'json') return r;
        return sendSheet(reply, reconciliationSheet(r, req.lang), format, req.lang, `reconciliation-${r.day}`);
      },
    });
  };
