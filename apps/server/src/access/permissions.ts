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
  'diagnosis:run',
  'devices:command',
  'alerts:read',
  'alerts:manage',
  'alerts:configure',
  'tickets:read',
  'tickets:create',
  'tickets:work',
  'kb:read',
  'kb:write',
  'workorders:read',
  'workorders:work',
  'workorders:assign',
  'parts:read',
  'parts:manage',
  'reports:read',
  // Issue 15, merchants' money: payments from both sides, findings (merchants: their own), host records, risk work.
  'payments:read',
  'payments:import',
  'risk:work',
  'risk:configure',
  'risk:decide',
  // Issue 17, disputes: read (merchants: their own), work them (open, match, decide the outcome), respond (add evidence, accept or contest).
  'disputes:read',
  'disputes:work',
  'disputes:respond',
  // Issue 18, software catalogue: read packages, keys and the compatibility matrix; manage them (upload, trusted keys, compatibility).
  'software:read',
  'software:manage',
  // Running the installation: background jobs and their dead letters (platform admins only).
  'system:operate',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ['inventory:read', 'inventory:write', 'terminal:lifecycle', 'terminal:acceptance', 'import:run', 'users:manage', 'audit:read', 'devices:manage', 'fleet:read', 'diagnosis:run', 'devices:command', 'alerts:read', 'alerts:manage', 'alerts:configure', 'tickets:read', 'tickets:create', 'tickets:work', 'kb:read', 'kb:write', 'workorders:read', 'workorders:work', 'workorders:assign', 'parts:read', 'parts:manage', 'reports:read', 'payments:read', 'payments:import', 'risk:work', 'risk:configure', 'risk:decide', 'disputes:read', 'disputes:work', 'disputes:respond', 'software:read', 'software:manage'],
  agent: ['inventory:read', 'inventory:write', 'terminal:lifecycle', 'terminal:acceptance', 'import:run', 'fleet:read', 'diagnosis:run', 'devices:command', 'alerts:read', 'alerts:manage', 'tickets:read', 'tickets:create', 'tickets:work', 'kb:read', 'kb:write', 'workorders:read', 'workorders:work', 'workorders:assign', 'parts:read', 'parts:manage', 'reports:read', 'payments:read', 'disputes:read', 'disputes:work', 'disputes:respond', 'software:read'],
  engineer: ['inventory:read', 'terminal:lifecycle', 'terminal:acceptance', 'fleet:read', 'diagnosis:run', 'devices:command', 'alerts:read', 'alerts:manage', 'tickets:read', 'tickets:create', 'tickets:work', 'kb:read', 'kb:write', 'workorders:read', 'workorders:work', 'parts:read', 'software:read'],
  risk_analyst: ['inventory:read', 'fleet:read', 'diagnosis:run', 'alerts:read', 'tickets:read', 'kb:read', 'reports:read', 'payments:read', 'risk:work', 'risk:configure', 'risk:decide', 'disputes:read'],
  // Merchants diagnose their own terminals through the troubleshooter, and see alerts of their own sites.
  merchant: ['inventory:read', 'fleet:read', 'diagnosis:run', 'alerts:read', 'tickets:read', 'tickets:create', 'kb:read', 'payments:read', 'disputes:read', 'disputes:respond'],
};

/** Platform administrators (the operator of this PosCare installation) also manage organizations. */
export const PLATFORM_PERMISSIONS: readonly Permission[] = ['org:manage', 'system:operate'];
