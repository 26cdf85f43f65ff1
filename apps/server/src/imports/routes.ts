import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Id, ImportMode, ImportReport } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { receiveFile } from '../http/upload.js';
import { errors } from '../errors/errors.js';
import type { ImportService } from './service.js';

export const importRoutes =
  (svc: ImportService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/terminal-imports', {
      config: { permission: 'import:run' },
      schema: {
        tags: ['terminals'],
        summary: 'Import terminals from a CSV or XLSX file (multipart field "file")',
        description:
          'mode=dry_run reports every problem row by row and writes nothing; all_or_nothing writes only when every row is valid; valid_only writes the valid rows.',
        consumes: ['multipart/form-data'],
        querystring: z.object({ mode: ImportMode.default('dry_run'), orgId: Id.optional() }),
        response: { 200: ImportReport },
      },
      handler: async (req) => {
        const actor = requireActor(req);
        const file = await receiveFile(req, { maxBytes: svc.maxUploadBytes });
        if (!file) throw errors.importFileRequired();
        return svc.importTerminals(actor, { filename: file.filename, bytes: file.bytes, mode: req.query.mode, orgId: req.query.orgId, language: req.lang });
      },
    });
  };
