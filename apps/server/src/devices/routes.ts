/**
 * Two route groups: the device channel over HTTPS (/device/v1, terminals authenticate with their own
 * credential) and the admin side under /api/v1 (enrollment codes, credentials, rejected messages).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DeviceCommand, DeviceCredential, DeviceRejections, Enroll, EnrollmentCode, EnrollmentCodeCreate, EnrollmentCodeCreated, EnrollResult, IdParams, MAX_BATCH, MAX_MESSAGE_BYTES, Page } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { present, presentAll } from '../http/present.js';
import { AppError } from '../errors/errors.js';
import type { FleetService } from '../fleet/service.js';
import { MAX_DEPTH, TOO_DEEP_DETAIL, tooDeep } from '../ingest/decode.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { DeviceService } from './service.js';
import type { CommandService } from '../commands/service.js';

const MessagesResult = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), reason: z.string(), detail: z.string().optional() })),
  commands: z.array(DeviceCommand).optional().describe('Commands waiting for this terminal, handed over once'),
});

export const deviceChannelRoutes =
  (devices: DeviceService, pipeline: IngestPipeline, commands?: CommandService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post('/enroll', {
      schema: { tags: ['device'], summary: 'Trade an enrollment code for this terminal\'s credential (shown once)', body: Enroll, response: { 200: EnrollResult } },
      handler: async (req) => {
        // PostgreSQL text cannot hold NUL: such a serial number is in no inventory.
        if (req.body.serialNumber.includes('\u0000') || req.body.code.includes('\u0000')) throw new AppError('device.enrollment_invalid', 401);
        return devices.enroll(req.body.code, req.body.serialNumber);
      },
    });

    app.post('/messages', {
      bodyLimit: MAX_BATCH * MAX_MESSAGE_BYTES,
      schema: {
        tags: ['device'],
        summary: 'Send a batch of device messages (Authorization: Bearer <terminalId>:<secret>)',
        description: 'Each message is checked on its own; bad ones are listed under `rejected` and do not affect the rest. The answer comes after the good ones are stored.',
        body: z.object({ messages: z.array(z.unknown()).min(1) }),
        response: { 200: MessagesResult },
      },
      handler: async (req) => {
        const auth = req.headers.authorization ?? '';
        const [terminalId = '', secret = ''] = auth.startsWith('Bearer ') ? auth.slice(7).trim().split(':') : [];
        const r = await devices.authenticate(terminalId, secret, { address: req.ip, channel: 'https' });
        if (!r.ok) {
          pipeline.refuse({ channel: 'https', orgId: null, terminalId: /^[0-9a-f-]{36}$/i.test(terminalId) ? terminalId : null }, r.reason, 'HTTPS sign-in refused', 0, null);
          throw new AppError(r.reason === 'revoked' ? 'device.revoked' : 'device.unauthenticated', 401);
        }
        if (req.body.messages.length > MAX_BATCH) throw new AppError('device.batch_too_large', 413, { max: MAX_BATCH });
        const source = { channel: 'https' as const, ...r.identity };
        // Nesting beyond any message of the protocol is an attack's shape, not a terminal's mistake: the
        // whole batch is refused before anything is stored, and each such message is logged.
        const deep = req.body.messages.flatMap((m, i) => (tooDeep(m) ? [i] : []));
        if (deep.length) {
          for (const _ of deep) pipeline.refuse(source, 'invalid', TOO_DEEP_DETAIL, 0, null);
          throw new AppError('device.too_deep', 400, { index: deep[0], max: MAX_DEPTH });
        }
        const outcomes = await Promise.all(req.body.messages.map((m) => pipeline.submit(source, m)));
        const result = { accepted: 0, duplicates: 0, rejected: [] as z.infer<typeof MessagesResult>['rejected'] };
        outcomes.forEach((o, index) => {
          if (o.status === 'stored') result.accepted++;
          else if (o.status === 'duplicate') result.duplicates++;
          else if (o.status === 'rejected') result.rejected.push({ index, reason: o.reason, ...(o.detail ? { detail: o.detail } : {}) });
        });
        // An HTTPS terminal has no command topic: what waits for it rides on this answer.
        const pending = commands ? await commands.pendingForDevice(r.identity.terminalId) : [];
        return pending.length ? { ...result, commands: pending } : result;
      },
    });
  };

export const deviceAdminRoutes =
  (devices: DeviceService, fleet: FleetService): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['devices'];
    app.get('/enrollment-codes', {
      config: { permission: 'devices:manage' },
      schema: { tags, response: { 200: z.array(EnrollmentCode) } },
      handler: async (req) => presentAll(await devices.listEnrollmentCodes(requireActor(req))).map(({ codeHash: _h, orgId: _o, ...c }) => c),
    });
    app.post('/enrollment-codes', {
      config: { permission: 'devices:manage' },
      schema: {
        tags,
        summary: 'Create an enrollment code (shown once) for installers to enroll terminals',
        body: EnrollmentCodeCreate,
        response: { 201: EnrollmentCodeCreated },
      },
      handler: async (req, reply) => {
        const { codeHash: _h, orgId: _o, ...c } = present(await devices.createEnrollmentCode(requireActor(req), req.body));
        return reply.status(201).send(c);
      },
    });
    app.delete('/enrollment-codes/:id', {
      config: { permission: 'devices:manage' },
      schema: { tags, params: IdParams, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await devices.revokeEnrollmentCode(requireActor(req), req.params.id);
        return reply.status(204).send(null);
      },
    });
    app.get('/terminals/:id/credential', {
      config: { permission: 'devices:manage' },
      schema: { tags, params: IdParams, response: { 200: DeviceCredential } },
      handler: async (req) => {
        const c = await devices.credentialOf(requireActor(req), req.params.id);
        if (!c) {
          await fleet.live(requireActor(req), req.params.id);
          return { enrolled: false, enrolledAt: null, revokedAt: null, lastConnectedAt: null };
        }
        return { enrolled: true, ...present(c) };
      },
    });
    app.post('/terminals/:id/credential/revoke', {
      config: { permission: 'devices:manage' },
      schema: { tags, summary: 'Revoke the terminal\'s credential; it is disconnected at once', params: IdParams, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await devices.revoke(requireActor(req), req.params.id);
        return reply.status(204).send(null);
      },
    });
    app.get('/device-rejections', {
      config: { permission: 'devices:manage' },
      schema: {
        tags,
        summary: 'Messages refused by ingest, with reasons, and counts for the last 24 hours',
        querystring: Page.extend({ reason: z.string().optional() }),
        response: { 200: DeviceRejections },
      },
      handler: (req) => fleet.rejections(requireActor(req), req.query),
    });
  };
