/**
 * The one gate every API route passes: who is calling (session cookie or API token), in which
 * language to answer, and whether the route's declared permission is held. A route that declares
 * neither `auth` nor `permission` cannot even be registered, so none is left open by mistake.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Language } from '@poscare/contracts';
import { type Actor, assertCan } from '../access/actor.js';
import type { Permission } from '../access/permissions.js';
import { SESSION_COOKIE, type AuthService } from '../auth/service.js';
import { errors } from '../errors/errors.js';
import { pickLanguage } from '../i18n/messages.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    lang: Language;
  }
  interface FastifyInstance {
    /** Every /api/v1 route with its declared access, for the access test matrix and docs. */
    apiRoutes: { method: string; url: string; auth?: string; permission?: string }[];
  }
  interface FastifyContextConfig {
    /** 'public': no sign-in; 'user': any signed-in user. Otherwise `permission` is required. */
    auth?: 'public' | 'user';
    permission?: Permission;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A state-changing request a browser sent from another site (a form or script on a page that is not
 * PosCare's). SameSite cookies already keep the session out of most of them; this refuses the rest,
 * multipart posts included. Programs that send no Origin (API clients, curl) are not affected.
 */
function crossSite(req: FastifyRequest): boolean {
  if (req.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    // Through URL both sides drop a default port (:80, :443) the same way.
    return new URL(origin).host !== new URL(`${req.protocol}://${req.host}`).host;
  } catch {
    return true; // "null" and other opaque origins
  }
}

export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor) throw errors.unauthenticated();
  return req.actor;
}

export function installAccess(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('lang', 'zh-CN');
  const apiRoutes: FastifyInstance['apiRoutes'] = [];
  app.decorate('apiRoutes', apiRoutes);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/')) return;
    const cfg = (route.config ?? {}) as { auth?: string; permission?: string };
    if (!cfg.auth && !cfg.permission) {
      throw new Error(`Route ${route.method} ${route.url} declares neither auth nor permission`);
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') apiRoutes.push({ method, url: route.url, ...cfg });
    }
  });

  app.addHook('onRequest', async (req) => {
    const explicitLang = req.headers['accept-language'];
    req.lang = pickLanguage(explicitLang);
    if (!req.url.startsWith('/api/v1/')) return;
    if (!SAFE_METHODS.has(req.method) && crossSite(req)) throw errors.crossSite();
    const cfg = req.routeOptions.config ?? {};
    if (cfg.auth === 'public') return;

    const header = req.headers.authorization;
    let actor: Actor | null = null;
    if (header?.startsWith('Bearer ')) {
      actor = await auth.actorForToken(header.slice(7).trim());
      if (!actor) throw errors.tokenInvalid();
    } else {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) actor = await auth.actorForSession(cookie);
    }
    if (!actor) throw errors.unauthenticated();
    req.actor = actor;
    if (!explicitLang) req.lang = actor.language;
    if (cfg.permission) assertCan(actor, cfg.permission);
  });
}
