import type { Language, Role } from '@poscare/contracts';
import { errors } from '../errors/errors.js';
import { PLATFORM_PERMISSIONS, ROLE_PERMISSIONS, type Permission } from './permissions.js';

/** Who is acting, and over which slice of the data. Every service method takes one. */
export interface Actor {
  userId: string;
  name: string;
  orgId: string;
  /** Set for merchant users: they see only this merchant's data. */
  merchantId: string | null;
  role: Role;
  platformAdmin: boolean;
  language: Language;
  via: 'session' | 'token' | 'system';
  /** Signed in, but the sign-in policy asks for a second factor the user has not set up: only enrolment answers (auth/mfaGate.ts). */
  mfaEnrolmentRequired?: boolean;
}

export function permissionsOf(a: Pick<Actor, 'role' | 'platformAdmin'>): Permission[] {
  const set = new Set<Permission>(ROLE_PERMISSIONS[a.role]);
  if (a.platformAdmin) for (const p of PLATFORM_PERMISSIONS) set.add(p);
  return [...set];
}

export function can(a: Actor, p: Permission): boolean {
  return permissionsOf(a).includes(p);
}

export function assertCan(a: Actor, p: Permission): void {
  if (!can(a, p)) throw errors.forbidden();
}

/**
 * The organization a request acts on. Only platform admins may name another organization;
 * for everybody else, naming one that is not theirs is answered as if it did not exist.
 */
export function targetOrg(a: Actor, requested?: string | null): string {
  if (!requested || requested === a.orgId) return a.orgId;
  if (a.platformAdmin) return requested;
  throw errors.notFound('organization');
}

/** The user id to record as the author of a change; null when the installation itself acted. */
export const authorId = (a: Actor): string | null => (a.via === 'system' ? null : a.userId);

/** Used by the CLI and background jobs, which act for the installation itself. */
export function systemActor(orgId: string, name = 'system'): Actor {
  return { userId: '00000000-0000-0000-0000-000000000000', name, orgId, merchantId: null, role: 'admin', platformAdmin: true, language: 'en-US', via: 'system' };
}
