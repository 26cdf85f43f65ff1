/**
 * Least privilege as data: what each role may do. Routes declare the permission they need; the one
 * access hook (http/access.ts) checks it, and services scope every query to the actor's tenant.
 */
import type { Role } from '@poscare/contracts';

export const PERMISSIONS = [
  'inventory:read',
  'inventory:write',
  'terminal:lifecycle',
  'terminal:acceptance',
  'import:run',
  'users:manage',
  'audit:read',
  'org:manage',
  'devices:manage',
  'fleet:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ['inventory:read', 'inventory:write', 'terminal:lifecycle', 'terminal:acceptance', 'import:run', 'users:manage', 'audit:read', 'devices:manage', 'fleet:read'],
  agent: ['inventory:read', 'inventory:write', 'terminal:lifecycle', 'terminal:acceptance', 'import:run', 'fleet:read'],
  engineer: ['inventory:read', 'terminal:lifecycle', 'terminal:acceptance', 'fleet:read'],
  risk_analyst: ['inventory:read', 'fleet:read'],
  merchant: ['inventory:read', 'fleet:read'],
};

/** Platform administrators (the operator of this PosCare installation) also manage organizations. */
export const PLATFORM_PERMISSIONS: readonly Permission[] = ['org:manage'];
