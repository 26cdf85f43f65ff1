import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IdParams, OrgSecurity, OrgSecurityUpdate, Organization, OrganizationCreate, OrganizationUpdate, SupportContact, pageOf } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { present, presentAll } from '../http/present.js';
import type { OrganizationService } from './service.js';

const tags = ['organizations'];

export const organizationRoutes =
  (svc: OrganizationService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/organizations', {
      config: { auth: 'user' },
      schema: { tags, summary: 'Organizations the caller can see', response: { 200: pageOf(Organization) } },
      handler: async (req) => {
        const r = await svc.list(requireActor(req));
        return { ...r, items: presentAll(r.items) };
      },
    });
    app.get('/organizations/:id', {
      config: { auth: 'user' },
      schema: { tags, params: IdParams, response: { 200: Organization } },
      handler: async (req) => present(await svc.get(requireActor(req), req.params.id)),
    });
    app.post('/organizations', {
      config: { permission: 'org:manage' },
      schema: { tags, summary: 'Create an organization (platform admins)', body: OrganizationCreate, response: { 201: Organization } },
      handler: async (req, reply) => reply.status(201).send(present(await svc.create(requireActor(req), req.body))),
    });
    app.patch('/organizations/:id', {
      config: { permission: 'org:manage' },
      schema: { tags, params: IdParams, body: OrganizationUpdate, response: { 200: Organization } },
      handler: async (req) => present(await svc.update(requireActor(req), req.params.id, req.body)),
    });
    app.get('/organizations/:id/support', {
      // Every signed-in user of the organization (merchants above all: the troubleshooter shows it).
      config: { auth: 'user' },
      schema: { tags, summary: 'The support phone and hours merchants are told to call', params: IdParams, response: { 200: SupportContact } },
      handler: async (req) => svc.support(requireActor(req), req.params.id),
    });
    app.put('/organizations/:id/support', {
      config: { permission: 'users:manage' },
      schema: { tags, summary: 'Set the support phone and hours (zh-CN and en-US)', params: IdParams, body: SupportContact, response: { 200: SupportContact } },
      handler: async (req) => svc.updateSupport(requireActor(req), req.params.id, req.body),
    });
    app.get('/organizations/:id/security', {
      config: { permission: 'users:manage' },
      schema: { tags, summary: 'The organization\'s sign-in policy (second factor)', params: IdParams, response: { 200: OrgSecurity } },
      handler: async (req) => svc.security(requireActor(req), req.params.id),
    });
    app.put('/organizations/:id/security', {
      config: { permission: 'users:manage' },
      schema: { tags, summary: 'Set which roles must sign in with a second factor and how long a browser is remembered', params: IdParams, body: OrgSecurityUpdate, response: { 200: OrgSecurity } },
      handler: async (req) => svc.updateSecurity(requireActor(req), req.params.id, req.body),
    });
  };
