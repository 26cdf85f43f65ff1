import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CompatMatrix, IdParams, MAX_PACKAGE_BYTES, PackageCompat, SigningKey, SigningKeyCreate, SoftwarePackage } from '@poscare/contracts';
import type { DeviceService } from '../devices/service.js';
import { AppError } from '../errors/errors.js';
import { requireActor } from '../http/access.js';
import { receiveFile } from '../http/upload.js';
import type { SoftwareService } from './service.js';

const tags = ['software'];
/** Room for the form's text fields around the largest package. */
const FORM_OVERHEAD = 1024 * 1024;

export const softwareRoutes =
  (svc: SoftwareService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/signing-keys', {
      config: { permission: 'software:read' },
      schema: { tags, summary: "The organization's trusted vendor signing keys (public keys only)", response: { 200: z.array(SigningKey) } },
      handler: (req) => svc.keys(requireActor(req)),
    });
    app.post('/signing-keys', {
      config: { permission: 'software:manage' },
      schema: { tags, summary: 'Trust a vendor Ed25519 public key (PEM or raw base64); a private key is refused', body: SigningKeyCreate, response: { 201: SigningKey } },
      handler: async (req, reply) => reply.status(201).send(await svc.addKey(requireActor(req), req.body)),
    });
    app.post('/signing-keys/:id/revoke', {
      config: { permission: 'software:manage' },
      schema: { tags, summary: 'Stop trusting a key for new uploads', params: IdParams, response: { 200: SigningKey } },
      handler: (req) => svc.revokeKey(requireActor(req), req.params.id),
    });
    app.get('/software/packages', {
      config: { permission: 'software:read' },
      schema: { tags, summary: 'The software catalogue: packages per vendor with hash, signature and the models they fit', response: { 200: z.array(SoftwarePackage) } },
      handler: (req) => svc.list(requireActor(req)),
    });
    app.post('/software/packages', {
      bodyLimit: MAX_PACKAGE_BYTES + FORM_OVERHEAD,
      config: { permission: 'software:manage' },
      schema: {
        tags,
        summary:
          'Upload a package (multipart: one file; fields vendor, kind, version, signature, keyId, models, optional sha256, minOsVersion, notesZh, notesEn). The SHA-256 is computed here and the signature verified with a trusted key; refused otherwise',
        response: { 201: SoftwarePackage },
      },
      handler: async (req, reply) => {
        const actor = requireActor(req);
        const file = await receiveFile(req, { maxBytes: svc.maxPackageBytes });
        if (!file) throw new AppError('software.file_missing', 400);
        return reply.status(201).send(await svc.upload(actor, file));
      },
    });
    app.get('/software/packages/:id', {
      config: { permission: 'software:read' },
      schema: { tags, summary: 'One catalogued package', params: IdParams, response: { 200: SoftwarePackage } },
      handler: (req) => svc.get(requireActor(req), req.params.id),
    });
    app.put('/software/packages/:id/compat', {
      config: { permission: 'software:manage' },
      schema: { tags, summary: 'Which models and lowest OS version the package fits', params: IdParams, body: PackageCompat, response: { 200: SoftwarePackage } },
      handler: (req) => svc.setCompat(requireActor(req), req.params.id, req.body),
    });
    app.get('/software/matrix', {
      config: { permission: 'software:read' },
      schema: { tags, summary: 'Compatibility matrix: model × OS × app version of the fleet against every package', response: { 200: CompatMatrix } },
      handler: (req) => svc.matrix(requireActor(req)),
    });
  };

/** The device side: a terminal downloads a package its install command names, then verifies it itself. */
export const softwareDeviceRoutes =
  (devices: DeviceService, svc: SoftwareService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/packages/:id', {
      schema: {
        tags: ['device'],
        summary: 'Download a catalogued package (Authorization: Bearer <terminalId>:<secret>); x-poscare-sha256, -signature and -key-id headers for verifyPackage',
        params: IdParams,
      },
      handler: async (req, reply) => {
        const auth = req.headers.authorization ?? '';
        const [terminalId = '', secret = ''] = auth.startsWith('Bearer ') ? auth.slice(7).trim().split(':') : [];
        const r = await devices.authenticate(terminalId, secret, { address: req.ip, channel: 'https' });
        if (!r.ok) throw new AppError(r.reason === 'revoked' ? 'device.revoked' : 'device.unauthenticated', 401);
        const { pkg, data } = await svc.forDevice(r.identity, req.params.id);
        return reply
          .header('content-type', 'application/octet-stream')
          .header('content-disposition', `attachment; filename="${pkg.filename}"`)
          .header('cache-control', 'private, no-store')
          .header('x-poscare-sha256', pkg.sha256)
          .header('x-poscare-signature', pkg.signature)
          .header('x-poscare-key-id', pkg.keyId)
          .send(data);
      },
    });
  };
