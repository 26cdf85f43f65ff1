import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  Acceptance,
  AcceptanceCreate,
  IdParams,
  LifecycleChange,
  Terminal,
  TerminalCreate,
  TerminalDetail,
  TerminalExportQuery,
  BulkLifecycleChange,
  BulkResult,
  EXPORT_MAX_ROWS,
  type FleetStatus,
  TerminalListItem,
  TerminalQuery,
  TerminalStats,
  TerminalUpdate,
  pageOf,
} from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { present, presentAll } from '../http/present.js';
import type { TerminalService } from './service.js';
import { sendSheet } from '../http/spreadsheet.js';
import { renderError } from '../http/errorHandler.js';
import { AppError } from '../errors/errors.js';
import { isMessageId, translate, type MessageId } from '../i18n/messages.js';
import { formatLocal, localDay } from '../reports/range.js';

const tags = ['terminals'];

export const terminalRoutes =
  (svc: TerminalService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/terminals', {
      config: { permission: 'inventory:read' },
      schema: { tags, summary: 'Terminals with their live status; filter and sort by status, health reason, last seen', querystring: TerminalQuery, response: { 200: pageOf(TerminalListItem) } },
      handler: async (req) => {
        const r = await svc.list(requireActor(req), req.query);
        return {
          total: r.total,
          items: r.items.map((x) => ({ ...present(x.terminal), status: x.status as TerminalListItem['status'], lastSeenAt: x.lastSeenAt?.toISOString() ?? null, healthReasons: x.status === 'offline' || x.status === 'never_seen' ? [] : (x.healthReasons ?? []) })),
        };
      },
    });
    app.get('/terminals/export', {
      config: { permission: 'inventory:read' },
      schema: { tags, summary: 'The terminal list as CSV or XLSX: same filters and order, headers and values in the caller\'s language', querystring: TerminalExportQuery },
      handler: async (req, reply) => {
        const { format, ...q } = req.query;
        const r = await svc.list(requireActor(req), { ...q, limit: EXPORT_MAX_ROWS, offset: 0 });
        const tr = (id: MessageId) => translate(req.lang, id);
        const sheet = {
          title: tr('export.terminals.title'),
          header: (['serial', 'tid', 'vendor', 'model', 'lifecycle', 'status', 'reasons', 'last_seen', 'merchant', 'site', 'app_version', 'os_version'] as const).map((c) => tr(`export.col.${c}`)),
          rows: r.items.map((x) => [
            x.terminal.serialNumber,
            x.terminal.tid,
            x.terminal.vendor,
            x.terminal.model,
            tr(`lifecycle.${x.terminal.lifecycleState}`),
            tr(`fleet.status.${x.status as FleetStatus}`),
            x.status === 'offline' || x.status === 'never_seen' ? '' : (x.healthReasons ?? []).map((r) => (isMessageId(`fleet.reason.${r}`) ? tr(`fleet.reason.${r}` as MessageId) : r)).join(req.lang === 'zh-CN' ? '、' : ', '),
            x.lastSeenAt ? formatLocal(x.lastSeenAt) : '',
            x.merchantName,
            x.siteName,
            x.terminal.appVersion,
            x.terminal.osVersion,
          ]),
        };
        return sendSheet(reply, sheet, format, req.lang, `poscare-terminals-${localDay(new Date())}`);
      },
    });
    app.get('/terminals/stats', {
      config: { permission: 'inventory:read' },
      schema: { tags, summary: 'Counts by lifecycle state and model', response: { 200: TerminalStats } },
      handler: (req) => svc.stats(requireActor(req)),
    });
    app.get('/terminals/:id', {
      config: { permission: 'inventory:read' },
      schema: { tags, params: IdParams, response: { 200: TerminalDetail } },
      handler: async (req) => {
        const d = await svc.detail(requireActor(req), req.params.id);
        return { ...present(d), history: presentAll(d.history), acceptances: presentAll(d.acceptances) };
      },
    });
    app.post('/terminals', {
      config: { permission: 'inventory:write' },
      schema: { tags, body: TerminalCreate, response: { 201: Terminal } },
      handler: async (req, reply) => reply.status(201).send(present(await svc.create(requireActor(req), req.body))),
    });
    app.patch('/terminals/:id', {
      config: { permission: 'inventory:write' },
      schema: { tags, params: IdParams, body: TerminalUpdate, response: { 200: Terminal } },
      handler: async (req) => present(await svc.update(requireActor(req), req.params.id, req.body)),
    });
    app.post('/terminals/:id/lifecycle', {
      config: { permission: 'terminal:lifecycle' },
      schema: { tags, summary: 'Move a terminal to another lifecycle state', params: IdParams, body: LifecycleChange, response: { 200: Terminal } },
      handler: async (req) => present(await svc.changeLifecycle(requireActor(req), req.params.id, req.body)),
    });
    app.post('/terminals/bulk/lifecycle', {
      config: { permission: 'terminal:lifecycle' },
      schema: { tags, summary: 'Move the chosen terminals to another lifecycle state; each is moved on its own and refusals are listed', body: BulkLifecycleChange, response: { 200: BulkResult } },
      handler: async (req) => {
        const actor = requireActor(req);
        const { ids, ...change } = req.body;
        const failed: BulkResult['failed'] = [];
        for (const id of [...new Set(ids)]) {
          try {
            await svc.changeLifecycle(actor, id, change);
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            failed.push({ id, error: renderError(req.lang, err).error });
          }
        }
        return { done: new Set(ids).size - failed.length, failed };
      },
    });
    app.post('/terminals/:id/acceptance', {
      config: { permission: 'terminal:acceptance' },
      schema: { tags, summary: 'Record an installation acceptance checklist', params: IdParams, body: AcceptanceCreate, response: { 201: Acceptance } },
      handler: async (req, reply) => reply.status(201).send(present(await svc.recordAcceptance(requireActor(req), req.params.id, req.body))),
    });
  };
