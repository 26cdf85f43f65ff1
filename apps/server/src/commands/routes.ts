import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BulkCommandRequest, BulkPreview, BulkPreviewRequest, CommandBatch, CommandBatchDetail, CommandRequest, CommandRow, IdParams, LogBundle, MAX_LOG_BUNDLE_BYTES } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { receiveFile } from '../http/upload.js';
import { AppError } from '../errors/errors.js';
import type { DeviceService } from '../devices/service.js';
import type { CommandService } from './service.js';
import type { LogService } from './logs.js';

const tags = ['commands'];

export const commandRoutes =
  (svc: CommandService, logs?: LogService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/terminals/:id/commands', {
      config: { permission: 'devices:command' },
      schema: {
        tags,
        summary: 'Send a remote command to a terminal (MQTT now, or in the answer to its next HTTPS batch); arguments checked per command',
        params: IdParams,
        body: CommandRequest,
        response: { 201: CommandRow },
      },
      handler: async (req, reply) => reply.status(201).send(await svc.send(requireActor(req), req.params.id, req.body)),
    });
    app.get('/terminals/:id/commands', {
      config: { permission: 'fleet:read' },
      schema: { tags, summary: "A terminal's commands, newest first, with the status the terminal acknowledged", params: IdParams, response: { 200: z.array(CommandRow) } },
      handler: (req) => svc.list(requireActor(req), req.params.id),
    });
    app.post('/commands/bulk/preview', {
      config: { permission: 'devices:command' },
      schema: { tags, summary: 'How many terminals in service a filter matches, and how many of them a command reaches (enrolled; for an install of packageId, those the package fits)', body: BulkPreviewRequest, response: { 200: BulkPreview } },
      handler: (req) => svc.preview(requireActor(req), req.body),
    });
    app.post('/commands/bulk', {
      config: { permission: 'devices:command' },
      schema: {
        tags,
        summary: 'Send one command to every enrolled terminal in service a filter matches; refused (409) when the count differs from the one confirmed',
        body: BulkCommandRequest,
        response: { 201: CommandBatchDetail },
      },
      handler: async (req, reply) => reply.status(201).send(await svc.sendBulk(requireActor(req), req.body)),
    });
    app.get('/command-batches', {
      config: { permission: 'devices:command' },
      schema: { tags, summary: 'Bulk commands, newest first, with their summary', response: { 200: z.array(CommandBatch) } },
      handler: (req) => svc.batches(requireActor(req)),
    });
    app.get('/command-batches/:id', {
      config: { permission: 'devices:command' },
      schema: { tags, summary: "A bulk command's progress per terminal and its summary (succeeded, failed, no answer)", params: IdParams, response: { 200: CommandBatchDetail } },
      handler: (req) => svc.batch(requireActor(req), req.params.id),
    });
    if (!logs) return;
    app.get('/terminals/:id/logs', {
      config: { permission: 'devices:command' },
      schema: { tags, summary: 'Log bundles the terminal uploaded (kept 14 days)', params: IdParams, response: { 200: z.array(LogBundle) } },
      handler: (req) => logs.list(requireActor(req), req.params.id),
    });
    app.get('/terminals/:id/logs/:logId', {
      config: { permission: 'devices:command' },
      schema: { tags, summary: 'One log bundle: shown as text with ?view=text, else downloaded', params: IdParams.extend({ logId: z.string().uuid() }), querystring: z.object({ view: z.enum(['text']).optional() }) },
      handler: async (req, reply) => {
        const { bundle, data } = await logs.get(requireActor(req), req.params.id, req.params.logId);
        reply.header('x-content-type-options', 'nosniff').header('cache-control', 'private, no-store');
        if (req.query.view === 'text') {
          const text = data[0] === 0x1f && data[1] === 0x8b ? (await import('node:zlib')).gunzipSync(data, { maxOutputLength: 32 * 1024 * 1024 }) : data;
          return reply.header('content-type', 'text/plain; charset=utf-8').send(text);
        }
        return reply.header('content-type', 'application/octet-stream').header('content-disposition', `attachment; filename="${bundle.filename}"`).send(data);
      },
    });
  };

/** The device side: a terminal posts the log bundle one of its upload_logs commands asked for. */
export const commandDeviceRoutes =
  (devices: DeviceService, logs: LogService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/logs', {
      bodyLimit: MAX_LOG_BUNDLE_BYTES + 64 * 1024,
      schema: {
        tags: ['device'],
        summary: 'Upload a log bundle in answer to upload_logs (multipart: field commandId, one file; Authorization: Bearer <terminalId>:<secret>)',
        response: { 201: LogBundle },
      },
      handler: async (req, reply) => {
        const auth = req.headers.authorization ?? '';
        const [terminalId = '', secret = ''] = auth.startsWith('Bearer ') ? auth.slice(7).trim().split(':') : [];
        const r = await devices.authenticate(terminalId, secret, { address: req.ip, channel: 'https' });
        if (!r.ok) throw new AppError(r.reason === 'revoked' ? 'device.revoked' : 'device.unauthenticated', 401);
        const file = await receiveFile(req, { maxBytes: MAX_LOG_BUNDLE_BYTES });
        if (!file) throw new AppError('command.log_missing', 400);
        const commandId = file.fields.commandId ?? '';
        if (!/^[0-9a-f-]{36}$/i.test(commandId)) throw new AppError('command.log_unrequested', 409);
        return reply.status(201).send(await logs.receive(r.identity, commandId, file));
      },
    });
  };
