/**
 * A user whom the sign-in policy asks for a second factor, and who has none yet, signs in to a session
 * that reaches only the routes declared `mfaEnrolment: true` (who am I, language, enrol, sign out):
 * they must enrol before anything else. Runs after the access gate (http/access.ts) has found the actor.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route answers a user who must enrol a second factor first. */
    mfaEnrolment?: boolean;
  }
}

export function installMfaGate(app: FastifyInstance): void {
  app.addHook('onRequest', async (req) => {
    if (!req.actor?.mfaEnrolmentRequired) return;
    if (req.routeOptions.config?.mfaEnrolment) return;
    throw new AppError('mfa.enrolment_required', 403);
  });
}
