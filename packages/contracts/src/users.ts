import { z } from 'zod';
import { Id, Language, Role, Timestamp } from './common.js';

export const User = z.object({
  id: Id,
  orgId: Id,
  merchantId: Id.nullable(),
  email: z.string(),
  name: z.string(),
  role: Role,
  language: Language,
  platformAdmin: z.boolean(),
  disabled: z.boolean(),
  createdAt: Timestamp,
  lastLoginAt: Timestamp.nullable(),
});
export type User = z.infer<typeof User>;

export const Password = z.string().min(10).max(200);

export const UserCreate = z.object({
  orgId: Id.optional(),
  merchantId: Id.nullable().optional().describe('Required for the merchant role'),
  email: z.string().trim().toLowerCase().email(),
  name: z.string().trim().min(1).max(100),
  role: Role,
  language: Language.default('zh-CN'),
  password: Password,
});
export const UserUpdate = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  role: Role.optional(),
  merchantId: Id.nullable().optional(),
  language: Language.optional(),
  disabled: z.boolean().optional(),
  password: Password.optional(),
});

export const Login = z.object({
  email: z.string().trim().toLowerCase().min(1).max(200),
  password: z.string().min(1).max(200),
});

export const Me = User.extend({ permissions: z.array(z.string()), orgName: z.string() });
export type Me = z.infer<typeof Me>;

export const MePreferences = z.object({ language: Language });

export const ApiToken = z.object({
  id: Id,
  name: z.string(),
  prefix: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export const ApiTokenCreate = z.object({ name: z.string().trim().min(1).max(100) });
export const ApiTokenCreated = ApiToken.extend({ token: z.string().describe('Shown once; store it safely') });

export const AuditEntry = z.object({
  id: z.number().int(),
  orgId: Id.nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  at: Timestamp,
});
export type AuditEntry = z.infer<typeof AuditEntry>;
