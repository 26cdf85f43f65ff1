import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiToken, ApiTokenCreate, ApiTokenCreated, IdParams, Login, Me, MePreferences } from '@poscare/contracts';
import { permissionsOf } from '../access/actor.js';
import { present, presentAll } from '../http/present.js';
import { requireActor } from '../http/access.js';
import { publicUser } from '../users/service.js';
import { SESSION_COOKIE, type AuthService } from './service.js';

const tags = ['auth'];

export const authRoutes =
  (auth: AuthService, opts: { ttlHours: number; secure: 'true' | 'false' | 'auto' }): FastifyPluginAsyncZod =>
  async (app) => {
    const meOf = async (actor: ReturnType<typeof requireActor>) => {
      const { user, orgName } = await auth.me(actor);
      return { ...present(publicUser(user)), orgName, permissions: permissionsOf(user) };
    };

    app.post('/auth/login', {
      config: { auth: 'public' },
      schema: { tags, summary: 'Sign in and receive a session cookie', body: Login, response: { 200: Me } },
      handler: async (req, reply) => {
        const { token, user } = await auth.login(req.body.email, req.body.password, req.ip);
        reply.setCookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          path: '/',
          secure: opts.secure === 'auto' ? req.protocol === 'https' : opts.secure === 'true',
          maxAge: opts.ttlHours * 3600,
        });
        return meOf({ ...user, userId: user.id, via: 'session' });
      },
    });

    app.post('/auth/logout', {
      config: { auth: 'public' },
      schema: { tags, summary: 'End the session', response: { 204: z.null() } },
      handler: async (req, reply) => {
        const token = req.cookies[SESSION_COOKIE];
        if (token) await auth.logout(token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    });

    app.get('/me', {
      config: { auth: 'user' },
      schema: { tags, summary: 'The signed-in user, with permissions', response: { 200: Me } },
      handler: (req) => meOf(requireActor(req)),
    });

    app.patch('/me/preferences', {
      config: { auth: 'user' },
      schema: { tags, summary: 'Remember the user\'s language', body: MePreferences, response: { 200: Me } },
      handler: async (req) => {
        const actor = requireActor(req);
        await auth.setLanguage(actor, req.body.language);
        return meOf(actor);
      },
    });

    app.get('/me/tokens', {
      config: { auth: 'user' },
      schema: { tags, summary: 'The user\'s API tokens', response: { 200: z.array(ApiToken) } },
      handler: async (req) => presentAll(await auth.listTokens(requireActor(req))).map(({ tokenHash: _t, userId: _u, ...t }) => t),
    });

    app.post('/me/tokens', {
      config: { auth: 'user' },
      schema: { tags, summary: 'Create an API token (shown once)', body: ApiTokenCreate, response: { 201: ApiTokenCreated } },
      handler: async (req, reply) => {
        const { tokenHash: _t, userId: _u, ...t } = present(await auth.createToken(requireActor(req), req.body.name));
        return reply.status(201).send(t);
      },
    });

    app.delete('/me/tokens/:id', {
      config: { auth: 'user' },
      schema: { tags, summary: 'Revoke an API token', params: IdParams, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await auth.revokeToken(requireActor(req), req.params.id);
        return reply.status(204).send(null);
      },
    });
  };
