import { storableHeader } from '../http/inputGuard.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  IdParams,
  Login,
  LoginChallenge,
  Me,
  MePreferences,
  MfaStatus,
  PasswordChange,
  RecoveryCodes,
  SecondFactorLogin,
  SecondFactorProof,
  TotpConfirm,
  TotpSetup,
} from '@poscare/contracts';
import { permissionsOf } from '../access/actor.js';
import { present, presentAll } from '../http/present.js';
import { requireActor } from '../http/access.js';
import { AppError } from '../errors/errors.js';
import { publicUser } from '../users/service.js';
import { SESSION_COOKIE, TRUSTED_DEVICE_COOKIE, type AuthService } from './service.js';

const tags = ['auth'];

/** Every 429 says when to come back. */
async function withRetryAfter<T>(reply: FastifyReply, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError && e.status === 429) reply.header('Retry-After', String(Math.max(1, Number(e.params.seconds) || 1)));
    throw e;
  }
}

export const authRoutes =
  (auth: AuthService, opts: { ttlHours: number; secure: 'true' | 'false' | 'auto' }): FastifyPluginAsyncZod =>
  async (app) => {
    const meOf = async (actor: ReturnType<typeof requireActor>) => {
      const { user, orgName, mfa } = await auth.me(actor);
      return { ...present(publicUser(user)), orgName, permissions: permissionsOf(user), mfa };
    };
    const secure = (req: FastifyRequest) => (opts.secure === 'auto' ? req.protocol === 'https' : opts.secure === 'true');
    const setSession = (req: FastifyRequest, reply: FastifyReply, token: string) =>
      reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure: secure(req), maxAge: opts.ttlHours * 3600 });

    app.post('/auth/login', {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Sign in: a session cookie (200), or a challenge to answer with the second factor (202)',
        body: Login,
        response: { 200: Me, 202: LoginChallenge },
      },
      handler: async (req, reply) => {
        const out = await withRetryAfter(reply, () => auth.login(req.body.email, req.body.password, { ip: req.ip, trustedDevice: req.cookies[TRUSTED_DEVICE_COOKIE] }));
        if (out.kind === 'challenge') {
          return reply.status(202).send({ secondFactor: 'totp' as const, challenge: out.challenge, expiresInSeconds: out.expiresInSeconds, rememberDays: out.rememberDays });
        }
        setSession(req, reply, out.token);
        return meOf({ ...out.user, userId: out.user.id, via: 'session' });
      },
    });

    app.post('/auth/login/second-factor', {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Answer a sign-in challenge with an authenticator code or a recovery code',
        body: SecondFactorLogin,
        response: { 200: Me },
      },
      handler: async (req, reply) => {
        const out = await withRetryAfter(reply, () => auth.secondFactor(req.body, { ip: req.ip, deviceLabel: storableHeader(req.headers['user-agent']) }));
        setSession(req, reply, out.token);
        if (out.trustedDevice) {
          reply.setCookie(TRUSTED_DEVICE_COOKIE, out.trustedDevice.token, {
            httpOnly: true,
            sameSite: 'strict',
            path: '/api/v1/auth',
            secure: secure(req),
            maxAge: out.trustedDevice.days * 86_400,
          });
        }
        return meOf({ ...out.user, userId: out.user.id, via: 'session' });
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
      config: { auth: 'user', mfaEnrolment: true },
      schema: { tags, summary: 'The signed-in user, with permissions and second-factor state', response: { 200: Me } },
      handler: (req) => meOf(requireActor(req)),
    });

    app.patch('/me/preferences', {
      config: { auth: 'user', mfaEnrolment: true },
      schema: { tags, summary: 'Remember the user\'s language', body: MePreferences, response: { 200: Me } },
      handler: async (req) => {
        const actor = requireActor(req);
        await auth.setLanguage(actor, req.body.language);
        return meOf(actor);
      },
    });

    app.post('/me/password', {
      config: { auth: 'user' },
      schema: { tags, summary: 'Change one\'s own password (other sessions end)', body: PasswordChange, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await auth.changePassword(requireActor(req), req.body.currentPassword, req.body.newPassword, req.cookies[SESSION_COOKIE]);
        return reply.status(204).send(null);
      },
    });

    // --- one's own second factor ---------------------------------------------------------------
    const mfaTags = ['auth', 'second factor'];
    app.get('/me/mfa', {
      config: { auth: 'user', mfaEnrolment: true },
      schema: { tags: mfaTags, summary: 'Second-factor state of the signed-in user', response: { 200: MfaStatus } },
      handler: (req) => auth.mfa.status(requireActor(req)),
    });
    app.post('/me/mfa/totp', {
      config: { auth: 'user', mfaEnrolment: true },
      schema: { tags: mfaTags, summary: 'Start enrolment: a new authenticator secret as text and QR code', response: { 200: TotpSetup } },
      handler: (req) => auth.mfa.setup(requireActor(req)),
    });
    app.post('/me/mfa/totp/confirm', {
      config: { auth: 'user', mfaEnrolment: true },
      schema: { tags: mfaTags, summary: 'Finish enrolment with a first code; answers the recovery codes (shown once)', body: TotpConfirm, response: { 200: RecoveryCodes } },
      handler: (req) => auth.mfa.confirm(requireActor(req), req.body.code),
    });
    app.post('/me/mfa/recovery-codes', {
      config: { auth: 'user' },
      schema: { tags: mfaTags, summary: 'New recovery codes (the old ones stop working)', body: SecondFactorProof, response: { 200: RecoveryCodes } },
      handler: (req) => auth.mfa.regenerateRecoveryCodes(requireActor(req), req.body),
    });
    app.post('/me/mfa/disable', {
      config: { auth: 'user' },
      schema: { tags: mfaTags, summary: 'Turn one\'s second factor off, where the sign-in policy allows it', body: SecondFactorProof, response: { 204: z.null() } },
      handler: async (req, reply) => {
        await auth.mfa.disable(requireActor(req), req.body);
        return reply.status(204).send(null);
      },
    });
    app.delete('/me/mfa/trusted-devices', {
      config: { auth: 'user' },
      schema: { tags: mfaTags, summary: 'Forget every remembered browser: the code is asked again everywhere', response: { 204: z.null() } },
      handler: async (req, reply) => {
        await auth.mfa.forgetDevices(requireActor(req));
        reply.clearCookie(TRUSTED_DEVICE_COOKIE, { path: '/api/v1/auth' });
        return reply.status(204).send(null);
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
