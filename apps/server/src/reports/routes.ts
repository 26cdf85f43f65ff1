import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ReportExportQuery, ReportQuery, ServiceDeskReport, type ReportSection } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { AppError } from '../errors/errors.js';
import { availableSections, buildTables, fileName, toCsv, toXlsx } from './export.js';
import type { ReportService } from './service.js';

const tags = ['reports'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const reportRoutes =
  (svc: ReportService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/reports/service-desk', {
      config: { permission: 'reports:read' },
      schema: {
        tags,
        summary: 'Service-desk report: MTTR, first-time fix, SLA compliance, backlog age, satisfaction, top causes (days in Asia/Shanghai; `to` day inclusive)',
        querystring: ReportQuery,
        response: { 200: ServiceDeskReport },
      },
      handler: (req) => svc.serviceDesk(requireActor(req), req.query, req.lang),
    });
    app.get('/reports/service-desk/export', {
      config: { permission: 'reports:read' },
      schema: {
        tags,
        summary: 'The service-desk report as a file: CSV (one section, UTF-8 with BOM) or XLSX (one sheet per section); headers in the caller language',
        querystring: ReportExportQuery,
      },
      handler: async (req, reply) => {
        const { format, section: asked, ...q } = req.query;
        const section = asked ?? (format === 'csv' ? 'summary' : 'all');
        if (format === 'csv' && section === 'all') throw new AppError('validation.failed', 400, {}, [{ path: 'querystring.section', id: 'report.csv_one_section' }]);
        const bundle = await svc.bundle(requireActor(req), q, req.lang);
        const sections: ReportSection[] = section === 'all' ? availableSections(bundle) : availableSections(bundle).filter((s) => s === section);
        const tables = buildTables(bundle, req.lang, sections);
        const name = fileName(bundle, section, format);
        reply.header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`);
        reply.header('cache-control', 'no-store');
        if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(tables[0] ?? { section: section as ReportSection, title: '', header: [], rows: [] }));
        return reply.type(XLSX).send(await toXlsx(tables, req.lang));
      },
    });
  };
