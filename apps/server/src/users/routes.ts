import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MfaService } from '../auth/mfa.js';
import { IdParams, Page, User, UserCreate, UserUpdate, pageOf } from '@poscare/contracts';
import { requireActor } from '../http/access.js';
import { present, presentAll } from '../http/present.js';
import type { UserService } from './service.js';

const tags = ['users'];

export const userRoutes =
  (svc: UserService, mfa?: MfaService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/users', {
      config: { permission: 'users:manage' },
      schema: { tags, querystring: Page, response: { 200: pageOf(User) } },
      handler: async (req) => {
        const r = await svc.list(requireActor(req), req.query);
        return { ...r, items: presentAll(r.items) };
      },
    });
    app.post('/users', {
      config: { permission: 'users:manage' },
      schema: { tags, body: UserCreate, response: { 201: User } },
      handler: async (req, reply) => reply.status(201).send(present(await svc.create(requireActor(req), req.body))),
    });
    app.patch('/users/:id', {
      config: { permission: 'users:manage' },
      schema: { tags, params: IdParams, body: UserUpdate, response: { 200: User } },
      handler: async (req) => present(await svc.update(requireActor(req), req.params.id, req.body)),
    });
    if (mfa) {
      app.delete('/users/:id/mfa', {
        config: { permission: 'users:manage' },
        schema: { tags, summary: 'Reset a user\'s second factor (lost phone): they enrol again at next sign-in; their sessions end', params: IdParams, response: { 204: z.null() } },
        handler: async (req, reply) => {
          await mfa.reset(requireActor(req), req.params.id);
          return reply.status(204).send(null);
        },
      });
    }
  };
