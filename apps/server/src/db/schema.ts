/**
 * The one PosCare schema (PostgreSQL dialect), shared by the embedded PGlite store and a PostgreSQL server.
 * Migrations in apps/server/migrations are generated from this file by `npm run db:generate`.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { z } from 'zod';
import {
  type AcceptanceItems,
  CONNECTIVITY,
  LANGUAGES,
  LIFECYCLE_STATES,
  MERCHANT_TIERS,
  ORG_KINDS,
  ROLES,
} from '@poscare/contracts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const orgKind = pgEnum('org_kind', ORG_KINDS);
export const merchantTier = pgEnum('merchant_tier', MERCHANT_TIERS);
export const language = pgEnum('language', LANGUAGES);
export const role = pgEnum('role', ROLES);
export const lifecycleState = pgEnum('lifecycle_state', LIFECYCLE_STATES);
export const connectivity = pgEnum('connectivity', CONNECTIVITY);

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  kind: orgKind('kind').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const merchants = pgTable(
  'merchants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    mid: text('mid').notNull(),
    name: text('name').notNull(),
    tier: merchantTier('tier').notNull().default('standard'),
    contactName: text('contact_name'),
    contactPhone: text('contact_phone'),
    language: language('language').notNull().default('zh-CN'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('merchants_org_mid').on(t.orgId, t.mid)],
);

export const sites = pgTable(
  'sites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    merchantId: uuid('merchant_id').notNull().references(() => merchants.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    address: text('address'),
    region: text('region'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sites_org_code').on(t.orgId, t.code), index('sites_merchant').on(t.merchantId)],
);

export const terminals = pgTable(
  'terminals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    // Denormalised from the site so that merchant-scoped reads need no join.
    merchantId: uuid('merchant_id').references(() => merchants.id),
    siteId: uuid('site_id').references(() => sites.id),
    serialNumber: text('serial_number').notNull(),
    tid: text('tid'),
    vendor: text('vendor').notNull(),
    model: text('model').notNull(),
    osVersion: text('os_version'),
    appVersion: text('app_version'),
    firmwareVersion: text('firmware_version'),
    connectivity: connectivity('connectivity'),
    lifecycleState: lifecycleState('lifecycle_state').notNull().default('in_stock'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('terminals_org_serial').on(t.orgId, t.serialNumber),
    index('terminals_site').on(t.siteId),
    index('terminals_merchant').on(t.merchantId),
    index('terminals_org_state').on(t.orgId, t.lifecycleState),
  ],
);

export const terminalStateHistory = pgTable(
  'terminal_state_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    terminalId: uuid('terminal_id').notNull().references(() => terminals.id, { onDelete: 'cascade' }),
    fromState: lifecycleState('from_state'),
    toState: lifecycleState('to_state').notNull(),
    reason: text('reason'),
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('tsh_terminal').on(t.terminalId, t.at)],
);

export const terminalAcceptances = pgTable(
  'terminal_acceptances',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    terminalId: uuid('terminal_id').notNull().references(() => terminals.id, { onDelete: 'cascade' }),
    items: jsonb('items').$type<z.infer<typeof AcceptanceItems>>().notNull(),
    passed: boolean('passed').notNull(),
    notes: text('notes'),
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('ta_terminal').on(t.terminalId, t.at)],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    merchantId: uuid('merchant_id').references(() => merchants.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: role('role').notNull(),
    passwordHash: text('password_hash').notNull(),
    language: language('language').notNull().default('zh-CN'),
    platformAdmin: boolean('platform_admin').notNull().default(false),
    disabled: boolean('disabled').notNull().default(false),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastLoginAt: ts('last_login_at'),
  },
  (t) => [uniqueIndex('users_email').on(sql`lower(${t.email})`), index('users_org').on(t.orgId)],
);

export const sessions = pgTable(
  'sessions',
  {
    // sha256 of the cookie value: a stolen database does not yield usable sessions.
    id: text('id').primaryKey(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: ts('created_at').notNull().defaultNow(),
  lastUsedAt: ts('last_used_at'),
  revokedAt: ts('revoked_at'),
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id'),
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('audit_org_at').on(t.orgId, t.at), index('audit_entity').on(t.entity, t.entityId)],
);

/** Tables in dependency order; backup writes and restore reads them in this order. */
export const ALL_TABLES = {
  organizations,
  merchants,
  sites,
  terminals,
  terminal_state_history: terminalStateHistory,
  terminal_acceptances: terminalAcceptances,
  users,
  sessions,
  api_tokens: apiTokens,
  audit_log: auditLog,
} as const;
