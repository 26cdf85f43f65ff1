/**
 * The one PosCare schema (PostgreSQL dialect), shared by the embedded PGlite store and a PostgreSQL server.
 * Migrations in apps/server/migrations are generated from this file by `npm run db:generate`.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  doublePrecision,
  integer,
  primaryKey,
  boolean,
  index,
  json,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  customType,
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
/** Binary content (work-order photos, knowledge-base pictures), kept in the database so a backup holds everything. */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
/** A stored full-text vector: searching and ranking read it instead of parsing text per row. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

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
  /** Roles whose users must sign in with a second factor (TOTP); platform admins always must. */
  mfaRequiredRoles: text('mfa_required_roles').array().notNull().default(sql`'{}'::text[]`),
  /** Days a device that passed the second factor is remembered (0: ask every time). */
  mfaRememberDays: integer('mfa_remember_days').notNull().default(30),
  /** What merchants are told to call when the troubleshooter cannot fix it: a phone number and opening hours in zh-CN and en-US. */
  supportPhone: text('support_phone'),
  supportHours: jsonb('support_hours').$type<{ 'zh-CN': string; 'en-US': string } | null>(),
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
    /** The acquirer host this merchant's payments route to (alerts group host outages by it). */
    acquirerHost: text('acquirer_host'),
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
    /** Service-desk team (satisfaction and workload reports group by it). */
    team: text('team'),
    disabled: boolean('disabled').notNull().default(false),
    /** TOTP secret, encrypted (AES-256-GCM) with the installation's key; null until the user enrols. */
    totpSecret: text('totp_secret'),
    /** Set when the user confirmed the authenticator with a first code: from then on sign-in asks for it. */
    totpEnabledAt: ts('totp_enabled_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastLoginAt: ts('last_login_at'),
  },
  (t) => [uniqueIndex('users_email').on(sql`lower(${t.email})`), index('users_org').on(t.orgId)],
);

/** One-time recovery codes for the second factor (hashed), each usable once. */
export const userRecoveryCodes = pgTable(
  'user_recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: ts('used_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('recovery_codes_user').on(t.userId)],
);

/** Devices that passed the second factor and are remembered for the organization's number of days (cookie hash). */
export const trustedDevices = pgTable(
  'trusted_devices',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    label: text('label'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('trusted_devices_user').on(t.userId)],
);

/** A sign-in that passed the password and waits for the second factor (hash of the challenge token). */
export const loginChallenges = pgTable(
  'login_challenges',
  {
    id: text('id').primaryKey(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    attempts: integer('attempts').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('login_challenges_user').on(t.userId)],
);

/** Counters of the rate limiter (rate-limiter-flexible's PostgreSQL store), shared by every process. */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
});

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
    /** Position in the organization's chain (1, 2, …); entries without an organization chain on their own. */
    seq: bigint('seq', { mode: 'number' }),
    /** sha256 of the previous entry of the same chain (empty for the first) and of this entry's content. */
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_org_at').on(t.orgId, t.at),
    index('audit_entity').on(t.entity, t.entityId),
    uniqueIndex('audit_chain_seq').on(sql`coalesce(${t.orgId}, '00000000-0000-0000-0000-000000000000'::uuid)`, t.seq),
  ],
);

// ---- Device channel -------------------------------------------------------------------------

/** One-time enrollment codes an admin hands to an installer; a terminal trades one for its secret. */
export const enrollmentCodes = pgTable('enrollment_codes', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  codeHash: text('code_hash').notNull().unique(),
  label: text('label'),
  maxUses: integer('max_uses').notNull().default(1),
  uses: integer('uses').notNull().default(0),
  expiresAt: ts('expires_at').notNull(),
  createdBy: text('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  revokedAt: ts('revoked_at'),
});

/** Each terminal's own credential: MQTT username = terminal id, password = secret (stored as SHA-256). */
export const deviceCredentials = pgTable('device_credentials', {
  terminalId: uuid('terminal_id').primaryKey().references(() => terminals.id, { onDelete: 'cascade' }),
  orgId: uuid('org_id').notNull(),
  secretHash: text('secret_hash').notNull(),
  enrolledAt: ts('enrolled_at').notNull(),
  revokedAt: ts('revoked_at'),
  lastConnectedAt: ts('last_connected_at'),
});

/**
 * Raw telemetry samples, kept for TELEMETRY_RETENTION_DAYS. The whole sample is `json` (checked text,
 * not decomposed like jsonb: it is written at the full ingest rate and read rarely); the signals that
 * charts draw are typed columns beside it, so that a terminal's minute series is read from here
 * (a terminal reports once a minute: a minute roll-up would be a second copy of every row). The key
 * (terminal, at, msg_id) makes re-deliveries harmless, serves a terminal's history by time and holds
 * the partition key: migration 0003 partitions the table by day of `at` (ingest/partitions.ts,
 * docs/decisions/003-telemetry-write-path.md).
 */
export const telemetryRaw = pgTable(
  'telemetry_raw',
  {
    orgId: uuid('org_id').notNull(),
    terminalId: uuid('terminal_id').notNull(),
    msgId: text('msg_id').notNull(),
    at: ts('at').notNull(),
    receivedAt: ts('received_at').notNull(),
    batteryPct: doublePrecision('battery_pct'),
    tempC: doublePrecision('temp_c'),
    signalDbm: doublePrecision('signal_dbm'),
    latencyMs: doublePrecision('latency_ms'),
    lossPct: doublePrecision('loss_pct'),
    chipAttempts: integer('chip_attempts'),
    chipFailures: integer('chip_failures'),
    ctlsAttempts: integer('ctls_attempts'),
    ctlsFailures: integer('ctls_failures'),
    magAttempts: integer('mag_attempts'),
    magFailures: integer('mag_failures'),
    data: json('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.terminalId, t.at, t.msgId] })],
);

export const deviceEvents = pgTable(
  'device_events',
  {
    orgId: uuid('org_id').notNull(),
    terminalId: uuid('terminal_id').notNull(),
    msgId: text('msg_id').notNull(),
    at: ts('at').notNull(),
    receivedAt: ts('received_at').notNull(),
    type: text('type').notNull(),
    code: text('code'),
    message: text('message'),
  },
  (t) => [primaryKey({ columns: [t.terminalId, t.msgId] }), index('device_events_terminal_at').on(t.terminalId, t.at)],
);

export const transactions = pgTable(
  'transactions',
  {
    orgId: uuid('org_id').notNull(),
    terminalId: uuid('terminal_id').notNull(),
    msgId: text('msg_id').notNull(),
    at: ts('at').notNull(),
    receivedAt: ts('received_at').notNull(),
    txnId: text('txn_id'),
    stan: text('stan'),
    rrn: text('rrn'),
    amountMinor: bigint('amount_minor', { mode: 'number' }),
    currency: text('currency'),
    entryMode: text('entry_mode').notNull(),
    outcome: text('outcome').notNull(),
    responseCode: text('response_code'),
    tvr: text('tvr'),
    tsi: text('tsi'),
    cardToken: text('card_token'),
    durationMs: integer('duration_ms'),
    /** Issue 15: sale, refund, void or reversal (v1 terminals that send no type: sale). */
    type: text('type').notNull().default('sale'),
    authCode: text('auth_code'),
    /** The sale a void or reversal undoes (by the terminal's STAN). */
    originalStan: text('original_stan'),
    /** The sale a refund gives money back for (by the host's RRN). */
    originalRrn: text('original_rrn'),
    /** Denormalised from the terminal at ingest, so merchant-scoped money pages need no join. */
    merchantId: uuid('merchant_id'),
  },
  // Partitioned by day of `at` on both databases (migration 0013, ingest/partitions.ts), so the key holds `at`:
  // a re-delivered line is the same message at the same time, stored once.
  (t) => [
    primaryKey({ columns: [t.terminalId, t.msgId, t.at] }),
    index('transactions_terminal_at').on(t.terminalId, t.at),
    index('transactions_merchant_at').on(t.merchantId, t.at),
    index('transactions_card').on(t.cardToken, t.at),
    index('transactions_terminal_stan').on(t.terminalId, t.stan),
    index('transactions_org_at').on(t.orgId, t.at),
    // The live findings engine of another process catches up by arrival time.
    index('transactions_received_at').on(t.receivedAt),
  ],
);

/**
 * The acquirer host's side of each payment (issue 15): records from ISO 8583 messages, host log
 * files (JSON lines or CSV) or the API. Card data never: tokens only. A record is stored once per
 * (organization, host record id); `terminalId` is resolved from the host's TID or the serial number.
 */
export const hostRecords = pgTable(
  'host_records',
  {
    orgId: uuid('org_id').notNull(),
    /** The host's id of the record (e.g. its log line id; for ISO 8583, MTI + TID + STAN + transmission time). */
    id: text('id').notNull(),
    at: ts('at').notNull(),
    receivedAt: ts('received_at').notNull(),
    terminalId: uuid('terminal_id').notNull(),
    merchantId: uuid('merchant_id'),
    type: text('type').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    entryMode: text('entry_mode').notNull(),
    cardToken: text('card_token'),
    stan: text('stan').notNull(),
    rrn: text('rrn'),
    authCode: text('auth_code'),
    outcome: text('outcome').notNull(),
    responseCode: text('response_code'),
    originalStan: text('original_stan'),
    originalRrn: text('original_rrn'),
    mcc: text('mcc'),
    /** iso8583, jsonl, csv or api. */
    origin: text('origin').notNull(),
    /** The ISO 8583 message type when the record came from one (0210, 0410, …). */
    mti: text('mti'),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.id, t.at] }),
    index('host_records_terminal_at').on(t.terminalId, t.at),
    index('host_records_terminal_stan').on(t.terminalId, t.stan),
    index('host_records_org_rrn').on(t.orgId, t.rrn),
    index('host_records_org_at').on(t.orgId, t.at),
    index('host_records_received_at').on(t.receivedAt),
    index('host_records_merchant_at').on(t.merchantId, t.at),
  ],
);

/**
 * Findings of the transaction analysis (issue 15), one row per finding the live engine opened;
 * `key` is the engine's identity of it, so a finding re-opened by a replay is the same row. Fraud
 * findings are the analysts' risk cases (assignee, decision); duplicate charges go to the merchant.
 */
export const txnFindings = pgTable(
  'txn_findings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    key: text('key').notNull(),
    code: text('code').notNull(),
    /** open or resolved. */
    status: text('status').notNull().default('open'),
    merchantId: uuid('merchant_id'),
    terminalId: uuid('terminal_id'),
    cardToken: text('card_token'),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency'),
    firstAt: ts('first_at').notNull(),
    lastAt: ts('last_at').notNull(),
    /** Record ids of the payments involved (terminal records: `terminalId/msgId`; host records: `host:id`). */
    txnIds: jsonb('txn_ids').$type<string[]>().notNull(),
    summaryZh: text('summary_zh').notNull(),
    summaryEn: text('summary_en').notNull(),
    action: text('action').notNull(),
    thresholdsVersion: integer('thresholds_version'),
    openedAt: ts('opened_at').notNull().defaultNow(),
    resolvedAt: ts('resolved_at'),
    /** Why it closed: explained (a later record, e.g. the refund of the duplicate) or decided (an analyst). */
    resolvedReason: text('resolved_reason'),
    assigneeId: uuid('assignee_id'),
    /** fraud, not_fraud or contact_merchant (fraud findings only). */
    decision: text('decision'),
    decisionNote: text('decision_note'),
    decidedBy: uuid('decided_by'),
    decidedAt: ts('decided_at'),
    /** The ticket opened when the merchant asked for help with it. */
    ticketId: uuid('ticket_id'),
    notifiedAt: ts('notified_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('txn_findings_org_key').on(t.orgId, t.key),
    index('txn_findings_org_status_code').on(t.orgId, t.status, t.code),
    index('txn_findings_merchant_status').on(t.merchantId, t.status),
    index('txn_findings_card').on(t.orgId, t.cardToken),
    index('txn_findings_terminal').on(t.terminalId, t.lastAt),
  ],
);

/** Notes on a finding (the risk case's conversation), newest last. */
export const txnFindingNotes = pgTable(
  'txn_finding_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    findingId: uuid('finding_id')
      .notNull()
      .references(() => txnFindings.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id'),
    authorName: text('author_name'),
    body: text('body').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('txn_finding_notes_finding').on(t.findingId, t.at)],
);

/** The block list `risk/decide` reads: card tokens and terminals. An entry is active until removed. */
export const riskBlocks = pgTable(
  'risk_blocks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    /** card_token or terminal. */
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    reason: text('reason'),
    findingId: uuid('finding_id'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at'),
    removedAt: ts('removed_at'),
    removedBy: uuid('removed_by'),
  },
  (t) => [
    uniqueIndex('risk_blocks_active').on(t.orgId, t.kind, t.value).where(sql`removed_at IS NULL`),
    index('risk_blocks_org_created').on(t.orgId, t.createdAt),
  ],
);

/** Versions of an organization's finding thresholds (overrides over the contract's defaults); the newest is in force. */
export const txnThresholdVersions = pgTable(
  'txn_threshold_versions',
  {
    orgId: uuid('org_id').notNull(),
    version: integer('version').notNull(),
    overrides: jsonb('overrides').$type<Record<string, unknown>>().notNull(),
    note: text('note'),
    createdBy: uuid('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.version] })],
);

/** Remote commands an operator sent; their status comes from the terminal's acknowledgements (command_acks). */
export const commands = pgTable(
  'commands',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull(),
    terminalId: uuid('terminal_id')
      .notNull()
      .references(() => terminals.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    args: jsonb('args').$type<Record<string, unknown>>(),
    reason: text('reason'),
    requestedBy: uuid('requested_by'),
    requestedByName: text('requested_by_name'),
    createdAt: ts('created_at').notNull(),
    /** When an HTTPS terminal was handed it with the answer to a batch. */
    deliveredAt: ts('delivered_at'),
    /** The bulk command (command_batches) this one is part of. */
    batchId: uuid('batch_id'),
  },
  (t) => [index('commands_terminal_created').on(t.terminalId, t.createdAt), index('commands_batch').on(t.batchId)],
);

/** A command sent to every terminal a filter matched (issue 18): each terminal's command points here. */
export const commandBatches = pgTable(
  'command_batches',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull(),
    name: text('name').notNull(),
    args: jsonb('args').$type<Record<string, unknown>>(),
    filter: jsonb('filter').$type<Record<string, unknown>>().notNull(),
    reason: text('reason'),
    total: integer('total').notNull(),
    requestedBy: uuid('requested_by'),
    requestedByName: text('requested_by_name'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('command_batches_org_created').on(t.orgId, t.createdAt)],
);

/** Log bundles terminals uploaded over HTTPS in answer to upload_logs; kept LOG_RETENTION_DAYS. */
export const logBundles = pgTable(
  'log_bundles',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull(),
    terminalId: uuid('terminal_id')
      .notNull()
      .references(() => terminals.id, { onDelete: 'cascade' }),
    commandId: uuid('command_id'),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    data: bytea('data').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('log_bundles_terminal_created').on(t.terminalId, t.createdAt), index('log_bundles_created').on(t.createdAt)],
);

/** Vendor signing keys an organization trusts for its software packages (decision 013): public keys only. */
export const signingKeys = pgTable(
  'signing_keys',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull(),
    keyId: text('key_id').notNull(),
    vendor: text('vendor').notNull(),
    /** Raw 32-byte Ed25519 public key, base64. */
    publicKey: text('public_key').notNull(),
    createdBy: uuid('created_by'),
    createdByName: text('created_by_name'),
    createdAt: ts('created_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('signing_keys_org_key').on(t.orgId, t.keyId)],
);

/** The software catalogue (issue 18): signed packages per vendor, with the models and lowest OS they support. */
export const softwarePackages = pgTable(
  'software_packages',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull(),
    vendor: text('vendor').notNull(),
    kind: text('kind').notNull(),
    version: text('version').notNull(),
    filename: text('filename').notNull(),
    bytes: integer('bytes').notNull(),
    sha256: text('sha256').notNull(),
    signature: text('signature').notNull(),
    keyId: text('key_id').notNull(),
    models: jsonb('models').$type<string[]>().notNull(),
    minOsVersion: text('min_os_version'),
    notesZh: text('notes_zh').notNull(),
    notesEn: text('notes_en').notNull(),
    data: bytea('data').notNull(),
    createdBy: uuid('created_by'),
    createdByName: text('created_by_name'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('software_packages_org_version').on(t.orgId, t.vendor, t.kind, t.version)],
);

/** Staged rollouts of one catalogued package to the terminals a filter matched (issue 18). */
export const rollouts = pgTable(
  'rollouts',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull(),
    name: text('name').notNull(),
    packageId: uuid('package_id')
      .notNull()
      .references(() => softwarePackages.id),
    filter: jsonb('filter').$type<Record<string, unknown>>().notNull(),
    /** Cumulative percentages of the targets, one per wave, the last 100. */
    waves: jsonb('waves').$type<number[]>().notNull(),
    /** planned, running, paused, completed, aborted; moved only WHERE state = the expected one. */
    state: text('state').notNull(),
    /** The wave under way (0-based); null before the rollout starts. */
    currentWave: integer('current_wave'),
    matched: integer('matched').notNull(),
    /** Terminals the filter matched that the package does not fit: left out of every wave. */
    excluded: integer('excluded').notNull(),
    createdBy: uuid('created_by'),
    createdByName: text('created_by_name'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('rollouts_org_created').on(t.orgId, t.createdAt)],
);

/** Each terminal of a rollout: its wave and its install state. */
export const rolloutTargets = pgTable(
  'rollout_targets',
  {
    rolloutId: uuid('rollout_id')
      .notNull()
      .references(() => rollouts.id, { onDelete: 'cascade' }),
    terminalId: uuid('terminal_id')
      .notNull()
      .references(() => terminals.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').notNull(),
    wave: integer('wave').notNull(),
    /** pending, downloading, installing, installed, failed, rolled_back. */
    state: text('state').notNull(),
    commandId: uuid('command_id'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.rolloutId, t.terminalId] }), index('rollout_targets_terminal').on(t.terminalId)],
);

export const commandAcks = pgTable(
  'command_acks',
  {
    orgId: uuid('org_id').notNull(),
    terminalId: uuid('terminal_id').notNull(),
    msgId: text('msg_id').notNull(),
    at: ts('at').notNull(),
    receivedAt: ts('received_at').notNull(),
    commandId: uuid('command_id').notNull(),
    status: text('status').notNull(),
    detail: text('detail'),
    /** What the command found (self_test checklist, locate position), protocol 1 addition; null from older terminals. */
    result: jsonb('result').$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.terminalId, t.msgId] }), index('command_acks_command').on(t.commandId)],
);

/**
 * Each terminal's live state: kept current by ingest, read by the fleet views. The newest sample
 * itself stays in telemetry_raw, found by (terminal_id, last_telemetry_at, last_msg_id): a live row
 * is small (about 200 bytes), and updating it does not write the sample a second time.
 */
export const terminalLive = pgTable(
  'terminal_live',
  {
    terminalId: uuid('terminal_id').primaryKey().references(() => terminals.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    lastTelemetryAt: ts('last_telemetry_at'),
    lastMsgId: text('last_msg_id'),
    health: text('health').notNull().default('ok'),
    healthReasons: jsonb('health_reasons').$type<string[]>().notNull().default([]),
    appVersion: text('app_version'),
    osVersion: text('os_version'),
  },
  (t) => [index('terminal_live_org_seen').on(t.orgId, t.lastSeenAt)],
);

/** Per-hour roll-ups of telemetry, as sums and counts so batches merge exactly (minute series come from telemetry_raw). */
export const telemetryHour = pgTable(
  'telemetry_hour',
  {
    orgId: uuid('org_id').notNull(),
    terminalId: uuid('terminal_id').notNull(),
    bucket: ts('bucket').notNull(),
    samples: integer('samples').notNull(),
    batterySum: doublePrecision('battery_sum').notNull().default(0),
    batteryN: integer('battery_n').notNull().default(0),
    tempSum: doublePrecision('temp_sum').notNull().default(0),
    tempMax: doublePrecision('temp_max'),
    tempN: integer('temp_n').notNull().default(0),
    signalSum: doublePrecision('signal_sum').notNull().default(0),
    signalN: integer('signal_n').notNull().default(0),
    latencySum: doublePrecision('latency_sum').notNull().default(0),
    latencyN: integer('latency_n').notNull().default(0),
    lossSum: doublePrecision('loss_sum').notNull().default(0),
    lossN: integer('loss_n').notNull().default(0),
    chipAttempts: integer('chip_attempts').notNull().default(0),
    chipFailures: integer('chip_failures').notNull().default(0),
    ctlsAttempts: integer('ctls_attempts').notNull().default(0),
    ctlsFailures: integer('ctls_failures').notNull().default(0),
    magAttempts: integer('mag_attempts').notNull().default(0),
    magFailures: integer('mag_failures').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.terminalId, t.bucket] })],
);

/** Messages refused by ingest, with the reason, for admins; never holds card data. */
export const rejectedMessages = pgTable(
  'rejected_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id'),
    terminalId: uuid('terminal_id'),
    channel: text('channel').notNull(),
    topic: text('topic'),
    reason: text('reason').notNull(),
    detail: text('detail'),
    sizeBytes: integer('size_bytes').notNull(),
    sample: text('sample'),
    receivedAt: ts('received_at').notNull(),
  },
  (t) => [index('rejected_org_at').on(t.orgId, t.receivedAt), index('rejected_at').on(t.receivedAt)],
);

// ---- Early warning -----------------------------------------------------------------------------

/** An organization's versions of alert rules; the newest version of a code wins over the shipped default. */
export const alertRules = pgTable(
  'alert_rules',
  {
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    code: text('code').notNull(),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    comment: text('comment'),
    createdBy: uuid('created_by'),
    createdByName: text('created_by_name'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.code, t.version] })],
);

/** One alert per fingerprint (rule + scope) while open; its members are the terminals it covers. */
export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull(),
    fingerprint: text('fingerprint').notNull(),
    ruleCode: text('rule_code').notNull(),
    ruleVersion: integer('rule_version').notNull(),
    severity: text('severity').notNull(),
    status: text('status').notNull(),
    flapping: boolean('flapping').notNull().default(false),
    suppressed: jsonb('suppressed').$type<{ kind: string; id: string; until: string | null } | null>(),
    groupBy: text('group_by').notNull(),
    scopeKey: text('scope_key').notNull(),
    scopeLabel: text('scope_label').notNull(),
    terminalId: uuid('terminal_id'),
    siteId: uuid('site_id'),
    merchantId: uuid('merchant_id'),
    members: jsonb('members').$type<{ terminalId: string; since: string; active: boolean }[]>().notNull(),
    memberCount: integer('member_count').notNull(),
    cause: text('cause'),
    value: doublePrecision('value'),
    threshold: doublePrecision('threshold'),
    predictedAt: ts('predicted_at'),
    startedAt: ts('started_at').notNull(),
    lastChangeAt: ts('last_change_at').notNull(),
    acknowledgedAt: ts('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    resolvedAt: ts('resolved_at'),
    escalationLevel: integer('escalation_level').notNull().default(0),
    ticketId: uuid('ticket_id'),
    diagnosis: jsonb('diagnosis').$type<Record<string, unknown> | null>(),
  },
  (t) => [
    uniqueIndex('alerts_open_fingerprint').on(t.orgId, t.fingerprint).where(sql`status <> 'resolved'`),
    index('alerts_org_status_change').on(t.orgId, t.status, t.lastChangeAt),
    index('alerts_terminal').on(t.terminalId),
    index('alerts_site').on(t.siteId),
  ],
);

/** An alert's history: every change, who made it and why. */
export const alertEvents = pgTable(
  'alert_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    alertId: uuid('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').notNull(),
    at: ts('at').notNull(),
    type: text('type').notNull(),
    actor: text('actor'),
    detail: jsonb('detail').$type<Record<string, unknown> | null>(),
  },
  (t) => [index('alert_events_alert').on(t.alertId, t.at)],
);

/**
 * Device records handed from the process that ingested them to the worker process that evaluates their
 * organization's alert partition (alerts/partitions.ts; PostgreSQL with several processes only). Written in
 * the ingest transaction, deleted by the evaluator once their alert changes are stored. Work in progress,
 * like the job tables: not in backups.
 */
export const alertHandoff = pgTable(
  'alert_handoff',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    partition: integer('partition').notNull(),
    /** [terminalId, orgId, kind, atMs, what the rules read][] */
    records: jsonb('records').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('alert_handoff_partition').on(t.partition, t.id)],
);

export const silences = pgTable(
  'silences',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    matchers: jsonb('matchers').$type<Record<string, string>>().notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    comment: text('comment').notNull(),
    createdBy: text('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('silences_org_ends').on(t.orgId, t.endsAt)],
);

export const maintenanceWindows = pgTable(
  'maintenance_windows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    siteId: uuid('site_id').references(() => sites.id, { onDelete: 'cascade' }),
    terminalId: uuid('terminal_id').references(() => terminals.id, { onDelete: 'cascade' }),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    reason: text('reason').notNull(),
    createdBy: text('created_by'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('maintenance_org_ends').on(t.orgId, t.endsAt)],
);

export const notificationPreferences = pgTable('notification_preferences', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  console: boolean('console').notNull().default(true),
  email: boolean('email').notNull().default(false),
  minSeverity: text('min_severity').notNull().default('warning'),
  /** Quiet hours 'HH:MM'–'HH:MM' in `timeZone` (an IANA name): only critical alerts are sent then; the rest waits for a morning summary. */
  quietStart: text('quiet_start'),
  quietEnd: text('quiet_end'),
  timeZone: text('time_zone'),
});

/** In-console notifications, one per person. */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    alertId: uuid('alert_id').references(() => alerts.id, { onDelete: 'set null' }),
    /** Ticket notifications (SLA steps for staff, progress for merchants) link to their ticket. */
    ticketId: uuid('ticket_id'),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    severity: text('severity').notNull(),
    createdAt: ts('created_at').notNull(),
    readAt: ts('read_at'),
  },
  (t) => [index('notifications_user_created').on(t.userId, t.createdAt)],
);

export const webhooks = pgTable('webhooks', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  name: text('name').notNull(),
  url: text('url').notNull(),
  /** The HMAC key; shown to the admin once, never logged. */
  secret: text('secret').notNull(),
  minSeverity: text('min_severity').notNull().default('warning'),
  enabled: boolean('enabled').notNull().default(true),
  createdBy: text('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

/**
 * Group robots (WeCom, DingTalk, Feishu) and SMS providers (Alibaba Cloud, Tencent Cloud) an admin set
 * up (issue 19). `credentials` is AES-256-GCM under the installation key, bound to the row's id; the
 * answer that creates a channel is the only one that ever holds them, and only as typed.
 */
export const notifyChannels = pgTable('notify_channels', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  kind: text('kind').notNull(),
  name: text('name').notNull(),
  /** The group's language: robot messages are written in it. SMS follow each recipient's. */
  language: language('language').notNull().default('zh-CN'),
  minSeverity: text('min_severity').notNull().default('warning'),
  enabled: boolean('enabled').notNull().default(true),
  /** What is not secret: DingTalk keywords, SMS sign name, region, app id, an endpoint override. */
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  credentials: text('credentials').notNull(),
  /** e.g. '••••3f9a': enough to tell two credentials apart, never enough to use one. */
  credentialHint: text('credential_hint').notNull(),
  /** Send times of the last minute (robots refuse more than about 20 a minute), shared by every worker process. */
  recentSends: ts('recent_sends').array().notNull().default(sql`'{}'::timestamptz[]`),
  createdBy: text('created_by'),
  createdAt: ts('created_at').notNull(),
});

/** Provider template codes per organization, purpose and language (SMS carries only registered templates). */
export const smsTemplates = pgTable(
  'sms_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => notifyChannels.id, { onDelete: 'cascade' }),
    purpose: text('purpose').notNull(),
    language: language('language').notNull(),
    templateCode: text('template_code').notNull(),
    /** Parameter names in the template's order (Tencent takes a list, Alibaba a JSON object). */
    params: text('params').array().notNull(),
  },
  (t) => [uniqueIndex('sms_templates_channel_purpose_lang').on(t.channelId, t.purpose, t.language)],
);

/** A merchant's own people who get SMS about what concerns them (duplicate charge, ticket step, dispute deadline). */
export const merchantContacts = pgTable(
  'merchant_contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    merchantId: uuid('merchant_id')
      .notNull()
      .references(() => merchants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    mobile: text('mobile').notNull(),
    language: language('language').notNull().default('zh-CN'),
    topics: text('topics').array().notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('merchant_contacts_merchant').on(t.orgId, t.merchantId)],
);

/** Who of a team is on call: members take turns of `shiftDays`, handing over at `handoverTime` in `timeZone`, counted from `startsOn`. */
export const oncallRotations = pgTable('oncall_rotations', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  team: text('team').notNull(),
  timeZone: text('time_zone').notNull(),
  handoverTime: text('handover_time').notNull(),
  shiftDays: integer('shift_days').notNull().default(7),
  startsOn: text('starts_on').notNull(),
  /** In turn order; the mobile is what group robots @-mention. */
  members: jsonb('members').$type<{ userId: string; mobile: string | null }[]>().notNull(),
  createdAt: ts('created_at').notNull(),
});

/** E-mails and webhook calls to make, made and failed: the delivery log, and the retry queue. */
export const deliveries = pgTable(
  'deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    channel: text('channel').notNull(),
    target: text('target').notNull(),
    webhookId: uuid('webhook_id').references(() => webhooks.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id').references(() => notifyChannels.id, { onDelete: 'cascade' }),
    /** Sent inside another delivery's summary (a robot over its rate, a morning summary after quiet hours). */
    batchedInto: uuid('batched_into'),
    /** Rows with the same key are sent as one summary when they come due together. */
    digestKey: text('digest_key'),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    alertId: uuid('alert_id').references(() => alerts.id, { onDelete: 'set null' }),
    event: text('event').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    responseStatus: integer('response_status'),
    createdAt: ts('created_at').notNull(),
    nextAttemptAt: ts('next_attempt_at'),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [index('deliveries_due').on(t.status, t.nextAttemptAt), index('deliveries_org_created').on(t.orgId, t.createdAt)],
);

// ---- Service desk ----------------------------------------------------------------------------

/** Per organization, the next ticket number. */
export const ticketCounters = pgTable('ticket_counters', {
  orgId: uuid('org_id').primaryKey().references(() => organizations.id),
  next: integer('next').notNull().default(1),
});

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    number: text('number').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status').notNull(),
    priority: text('priority').notNull(),
    source: text('source').notNull(),
    category: text('category'),
    causeCode: text('cause_code'),
    terminalId: uuid('terminal_id').references(() => terminals.id, { onDelete: 'set null' }),
    siteId: uuid('site_id').references(() => sites.id, { onDelete: 'set null' }),
    merchantId: uuid('merchant_id').references(() => merchants.id, { onDelete: 'set null' }),
    /**
     * The terminal's model and the app version it ran when the ticket was opened, so that reports
     * count a ticket against what was faulty, not against what the terminal runs (or, after a swap,
     * which terminal the ticket follows) today.
     */
    terminalModel: text('terminal_model'),
    terminalAppVersion: text('terminal_app_version'),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    alertId: uuid('alert_id'),
    /** Open tickets of one terminal and cause are one ticket: `terminal:cause` while open, null once resolved. */
    dedupeKey: text('dedupe_key'),
    plan: jsonb('plan').$type<Record<string, unknown> | null>(),
    diagnosis: jsonb('diagnosis').$type<Record<string, unknown> | null>(),
    answers: jsonb('answers').$type<Record<string, unknown> | null>(),
    /** Status to return to when the merchant answers (while waiting_merchant). */
    resumeStatus: text('resume_status'),
    createdBy: text('created_by'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    firstResponseAt: ts('first_response_at'),
    resolvedAt: ts('resolved_at'),
    closedAt: ts('closed_at'),
    eta: ts('eta'),
    /** SLA escalation steps already acted on (ids from @poscare/sla), and when the SLA next needs a look. */
    slaFired: jsonb('sla_fired').$type<string[]>().notNull().default([]),
    slaWakeAt: ts('sla_wake_at'),
    /** Denormalised from the SLA evaluation on every change, so queues and reports need no per-row evaluation. */
    firstResponseDue: ts('first_response_due'),
    resolutionDue: ts('resolution_due'),
    slaBreached: boolean('sla_breached').notNull().default(false),
    /** Times the ticket was reopened after resolved (first-time-fix = resolved and never reopened, one visit at most). */
    reopenCount: integer('reopen_count').notNull().default(0),
    /** Title, description and cause, segmented (jieba for Chinese) into space-separated words for full-text search. */
    searchTokens: text('search_tokens'),
  },
  (t) => [
    uniqueIndex('tickets_org_number').on(t.orgId, t.number),
    uniqueIndex('tickets_open_dedupe').on(t.orgId, t.dedupeKey).where(sql`dedupe_key IS NOT NULL`),
    // The queue's order (priority, then most recently changed) is in the indexes, and org_id leads them, so a
    // page and its capped count are read from an index instead of sorting a million rows (docs/benchmarks.md).
    index('tickets_org_status_queue').on(t.orgId, t.status, t.priority, t.updatedAt.desc().nullsFirst()),
    index('tickets_terminal').on(t.terminalId),
    index('tickets_assignee_status').on(t.assigneeId, t.status),
    index('tickets_merchant').on(t.orgId, t.merchantId, t.priority, t.updatedAt.desc().nullsFirst()),
    index('tickets_sla_wake').on(t.slaWakeAt),
    index('tickets_org_priority_updated').on(t.orgId, t.priority, t.updatedAt.desc().nullsFirst()),
    // The open queue (status IN the open statuses, spelled exactly as TicketService.list writes them): overall, per assignee, per merchant.
    index('tickets_queue_open').on(t.orgId, t.priority, t.updatedAt.desc().nullsFirst()).where(sql`status IN ('new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant')`),
    index('tickets_queue_open_assignee').on(t.orgId, t.assigneeId, t.priority, t.updatedAt.desc().nullsFirst()).where(sql`status IN ('new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant')`),
    index('tickets_queue_open_merchant').on(t.orgId, t.merchantId, t.priority, t.updatedAt.desc().nullsFirst()).where(sql`status IN ('new', 'triaged', 'locating', 'planned', 'in_progress', 'verifying', 'waiting_merchant')`),
    // Tickets written before search_tokens existed: text search falls back to their titles.
    index('tickets_untokenized').on(t.orgId).where(sql`search_tokens IS NULL`),
    index('tickets_org_resolved').on(t.orgId, t.resolvedAt),
    // Reports read a period of tickets by when they were opened.
    index('tickets_org_created').on(t.orgId, t.createdAt),
    index('tickets_org_cause_resolved').on(t.orgId, t.causeCode, t.resolvedAt),
    index('tickets_search').using('gin', sql`to_tsvector('simple', coalesce(${t.searchTokens}, ''))`),
  ],
);

/** A ticket's history: transitions with who and why, comments (public) and internal notes. */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').notNull(),
    at: ts('at').notNull(),
    type: text('type').notNull(),
    actor: text('actor'),
    actorId: uuid('actor_id'),
    fromValue: text('from_value'),
    toValue: text('to_value'),
    body: text('body'),
    internal: boolean('internal').notNull().default(false),
  },
  (t) => [index('ticket_events_ticket').on(t.ticketId, t.at)],
);

/** A merchant's 1–5 rating of a resolved ticket (one per ticket); who worked it is kept as it was at rating time. */
export const ticketRatings = pgTable(
  'ticket_ratings',
  {
    ticketId: uuid('ticket_id')
      .primaryKey()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    score: integer('score').notNull(),
    comment: text('comment'),
    ratedBy: uuid('rated_by'),
    ratedAt: ts('rated_at').notNull(),
    agentId: uuid('agent_id'),
    team: text('team'),
    causeCode: text('cause_code'),
    merchantId: uuid('merchant_id'),
  },
  (t) => [index('ticket_ratings_org_at').on(t.orgId, t.ratedAt)],
);

// ---- Field service and parts ------------------------------------------------------------------

export const workOrders = pgTable(
  'work_orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    number: text('number').notNull(),
    ticketId: uuid('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    terminalId: uuid('terminal_id').references(() => terminals.id, { onDelete: 'set null' }),
    siteId: uuid('site_id').references(() => sites.id, { onDelete: 'set null' }),
    merchantId: uuid('merchant_id').references(() => merchants.id, { onDelete: 'set null' }),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    depotId: uuid('depot_id'),
    status: text('status').notNull(),
    kind: text('kind').notNull(),
    address: text('address'),
    instructions: text('instructions'),
    scheduledAt: ts('scheduled_at'),
    checklist: jsonb('checklist').$type<Record<string, unknown>[]>().notNull().default([]),
    notes: text('notes'),
    outcome: text('outcome'),
    cancelReason: text('cancel_reason'),
    signoff: jsonb('signoff').$type<Record<string, unknown> | null>(),
    createdBy: text('created_by'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    arrivedAt: ts('arrived_at'),
    completedAt: ts('completed_at'),
  },
  (t) => [
    uniqueIndex('work_orders_org_number').on(t.orgId, t.number),
    index('work_orders_ticket').on(t.ticketId),
    index('work_orders_assignee_status').on(t.assigneeId, t.status),
    index('work_orders_org_status').on(t.orgId, t.status, t.updatedAt),
  ],
);

export const workOrderPhotos = pgTable(
  'work_order_photos',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    workOrderId: uuid('work_order_id')
      .notNull()
      .references(() => workOrders.id, { onDelete: 'cascade' }),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    data: bytea('data').notNull(),
    caption: text('caption'),
    createdBy: text('created_by'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('work_order_photos_wo').on(t.workOrderId)],
);

export const depots = pgTable(
  'depots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    address: text('address'),
    region: text('region'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('depots_org_code').on(t.orgId, t.code)],
);

/** Spare parts and consumables (readers, batteries, printers, paper rolls…). */
export const parts = pgTable(
  'parts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    sku: text('sku').notNull(),
    kind: text('kind').notNull(),
    name: jsonb('name').$type<Record<string, string>>().notNull(),
    unit: text('unit').notNull().default('pcs'),
    reorderLevel: integer('reorder_level').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('parts_org_sku').on(t.orgId, t.sku)],
);

export const partStock = pgTable(
  'part_stock',
  {
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    depotId: uuid('depot_id')
      .notNull()
      .references(() => depots.id, { onDelete: 'cascade' }),
    partId: uuid('part_id')
      .notNull()
      .references(() => parts.id, { onDelete: 'cascade' }),
    quantity: integer('quantity').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.depotId, t.partId] })],
);

/** Every change of stock, with why (received, used on a work order, transferred, adjusted, returned). */
export const stockMovements = pgTable(
  'stock_movements',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    depotId: uuid('depot_id').notNull(),
    partId: uuid('part_id').notNull(),
    delta: integer('delta').notNull(),
    reason: text('reason').notNull(),
    workOrderId: uuid('work_order_id'),
    ticketId: uuid('ticket_id'),
    actor: text('actor'),
    actorId: uuid('actor_id'),
    note: text('note'),
    at: ts('at').notNull(),
  },
  (t) => [index('stock_movements_depot_part').on(t.depotId, t.partId, t.at), index('stock_movements_wo').on(t.workOrderId)],
);

/** Chain of custody of a terminal: who or where held it, from when, and the lifecycle move that went with it. */
export const terminalCustody = pgTable(
  'terminal_custody',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    terminalId: uuid('terminal_id')
      .notNull()
      .references(() => terminals.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    holderKind: text('holder_kind').notNull(),
    holderId: text('holder_id'),
    holderLabel: text('holder_label'),
    lifecycleFrom: text('lifecycle_from'),
    lifecycleTo: text('lifecycle_to'),
    workOrderId: uuid('work_order_id'),
    swapId: uuid('swap_id'),
    actor: text('actor'),
    actorId: uuid('actor_id'),
    note: text('note'),
  },
  (t) => [index('terminal_custody_terminal').on(t.terminalId, t.at)],
);

/** A terminal swapped for a replacement on site: the old one goes back to a depot, the new one takes its place. */
export const terminalSwaps = pgTable(
  'terminal_swaps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    workOrderId: uuid('work_order_id').references(() => workOrders.id, { onDelete: 'set null' }),
    ticketId: uuid('ticket_id'),
    oldTerminalId: uuid('old_terminal_id').notNull().references(() => terminals.id),
    newTerminalId: uuid('new_terminal_id').notNull().references(() => terminals.id),
    depotId: uuid('depot_id'),
    status: text('status').notNull(),
    actor: text('actor'),
    at: ts('at').notNull(),
  },
  (t) => [index('terminal_swaps_old').on(t.oldTerminalId), index('terminal_swaps_new').on(t.newTerminalId)],
);

// ---- Knowledge base ---------------------------------------------------------------------------

/** Articles in zh-CN and en-US, linked to cause codes; the current version is denormalised here for reading and search. */
export const kbArticles = pgTable(
  'kb_articles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    status: text('status').notNull(),
    version: integer('version').notNull().default(1),
    causeCodes: text('cause_codes').array().notNull().default(sql`'{}'::text[]`),
    title: jsonb('title').$type<Record<string, string>>().notNull(),
    summary: jsonb('summary').$type<Record<string, string>>().notNull(),
    body: jsonb('body').$type<Record<string, string>>().notNull(),
    steps: jsonb('steps').$type<Record<string, unknown>[]>().notNull().default([]),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    sourceTicketId: uuid('source_ticket_id'),
    /** Articles of the starter set (knowledge/starter/articles.json) carry their key, so loading it twice adds nothing. */
    starterKey: text('starter_key'),
    /** Both languages segmented (jieba for Chinese) into space-separated words for full-text search. */
    searchTokens: text('search_tokens').notNull().default(''),
    /** search_tokens as a stored tsvector (kept by PostgreSQL), indexed and ranked without parsing. */
    searchVector: tsvector('search_vector').generatedAlwaysAs(sql`to_tsvector('simple', search_tokens)`),
    views: integer('views').notNull().default(0),
    helpful: integer('helpful').notNull().default(0),
    notHelpful: integer('not_helpful').notNull().default(0),
    createdBy: text('created_by'),
    updatedBy: text('updated_by'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    publishedAt: ts('published_at'),
  },
  (t) => [
    index('kb_articles_org_status').on(t.orgId, t.status, t.updatedAt),
    index('kb_articles_causes').using('gin', t.causeCodes),
    index('kb_articles_search').using('gin', t.searchVector),
    // One case study per ticket: a second "make a case study" finds the first.
    uniqueIndex('kb_articles_source_ticket').on(t.orgId, t.sourceTicketId),
    uniqueIndex('kb_articles_starter').on(t.orgId, t.starterKey),
  ],
);

export const kbArticleVersions = pgTable(
  'kb_article_versions',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    orgId: uuid('org_id').notNull(),
    snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
    note: text('note'),
    author: text('author'),
    authorId: uuid('author_id'),
    at: ts('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.version] })],
);

export const kbImages = pgTable(
  'kb_images',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    articleId: uuid('article_id').references(() => kbArticles.id, { onDelete: 'set null' }),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    data: bytea('data').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('kb_images_article').on(t.articleId)],
);

/** "Was this helpful": one answer per person and article (they may change it); the article keeps the counts. */
export const kbFeedback = pgTable(
  'kb_feedback',
  {
    articleId: uuid('article_id')
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull(),
    orgId: uuid('org_id').notNull(),
    helpful: boolean('helpful').notNull(),
    at: ts('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.userId] })],
);

/** Tables in dependency order; backup writes and restore reads them in this order. */
/**
 * Disputes (issue 17): retrieval requests and chargebacks against a payment, found by RRN, by
 * terminal + STAN + day, or by amount + time + card token (`unmatched` with its reason otherwise).
 * The payment is kept as the explorer names it: terminal, STAN and day. Status changes are guarded
 * (`WHERE status = <expected>`), reminders and escalation fire once each (`fired`).
 */
export const disputes = pgTable(
  'disputes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    network: text('network').notNull(),
    kind: text('kind').notNull(),
    reasonCode: text('reason_code').notNull(),
    reasonGroup: text('reason_group'),
    caseNumber: text('case_number').notNull(),
    status: text('status').notNull(),
    unmatchedReason: text('unmatched_reason'),
    matchedBy: text('matched_by'),
    /** What the acquirer gave to find the payment (RRN, terminal, STAN, day, amount, time, card token). */
    lookup: jsonb('lookup').$type<Record<string, unknown>>().notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    merchantId: uuid('merchant_id'),
    terminalId: uuid('terminal_id'),
    stan: text('stan'),
    rrn: text('rrn'),
    cardToken: text('card_token'),
    paymentAt: ts('payment_at'),
    paymentDay: text('payment_day'),
    language: text('language').notNull(),
    note: text('note'),
    openedAt: ts('opened_at').notNull(),
    dueAt: ts('due_at').notNull(),
    /** Reminder and escalation steps already acted on (ids like `remind:5`). */
    fired: jsonb('fired').$type<string[]>().notNull().default([]),
    /** When the scheduled pass next needs to look at it. */
    wakeAt: ts('wake_at'),
    escalatedAt: ts('escalated_at'),
    /** The last time the merchant or an agent did something (evidence, a move). */
    actedAt: ts('acted_at'),
    closedAt: ts('closed_at'),
    duplicateFindingId: uuid('duplicate_finding_id'),
    /** The evidence pack assembled when it opened (see contracts EvidencePack). */
    pack: jsonb('pack').$type<Record<string, unknown>>(),
    createdBy: uuid('created_by'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('disputes_org_case').on(t.orgId, t.network, t.caseNumber, t.kind),
    index('disputes_org_status_due').on(t.orgId, t.status, t.dueAt),
    index('disputes_merchant_status').on(t.merchantId, t.status),
    index('disputes_wake').on(t.wakeAt),
  ],
);

/** A dispute's timeline: opened, matched, evidence added, moves, reminders, escalation. */
export const disputeEvents = pgTable(
  'dispute_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orgId: uuid('org_id').notNull(),
    disputeId: uuid('dispute_id')
      .notNull()
      .references(() => disputes.id, { onDelete: 'cascade' }),
    at: ts('at').notNull(),
    type: text('type').notNull(),
    fromValue: text('from_value'),
    toValue: text('to_value'),
    body: text('body'),
    actorId: uuid('actor_id'),
    actorName: text('actor_name'),
  },
  (t) => [index('dispute_events_dispute').on(t.disputeId, t.at)],
);

/** What the merchant (or an agent) adds to the pack: free text or a photo. */
export const disputeEvidence = pgTable(
  'dispute_evidence',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    disputeId: uuid('dispute_id')
      .notNull()
      .references(() => disputes.id, { onDelete: 'cascade' }),
    item: text('item'),
    kind: text('kind').notNull(),
    body: text('body'),
    contentType: text('content_type'),
    bytes: integer('bytes'),
    data: bytea('data'),
    createdBy: uuid('created_by'),
    createdByName: text('created_by_name'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('dispute_evidence_dispute').on(t.disputeId, t.createdAt)],
);

export const ALL_TABLES = {
  organizations,
  merchants,
  sites,
  terminals,
  terminal_state_history: terminalStateHistory,
  terminal_acceptances: terminalAcceptances,
  users,
  sessions,
  user_recovery_codes: userRecoveryCodes,
  trusted_devices: trustedDevices,
  login_challenges: loginChallenges,
  rate_limits: rateLimits,
  api_tokens: apiTokens,
  audit_log: auditLog,
  enrollment_codes: enrollmentCodes,
  device_credentials: deviceCredentials,
  terminal_live: terminalLive,
  telemetry_raw: telemetryRaw,
  device_events: deviceEvents,
  transactions,
  host_records: hostRecords,
  txn_findings: txnFindings,
  txn_finding_notes: txnFindingNotes,
  risk_blocks: riskBlocks,
  txn_threshold_versions: txnThresholdVersions,
  command_acks: commandAcks,
  command_batches: commandBatches,
  commands,
  log_bundles: logBundles,
  signing_keys: signingKeys,
  software_packages: softwarePackages,
  rollouts,
  rollout_targets: rolloutTargets,
  telemetry_hour: telemetryHour,
  rejected_messages: rejectedMessages,
  alert_rules: alertRules,
  alerts,
  alert_events: alertEvents,
  silences,
  maintenance_windows: maintenanceWindows,
  notification_preferences: notificationPreferences,
  notifications,
  webhooks,
  notify_channels: notifyChannels,
  sms_templates: smsTemplates,
  merchant_contacts: merchantContacts,
  oncall_rotations: oncallRotations,
  deliveries,
  ticket_counters: ticketCounters,
  tickets,
  ticket_events: ticketEvents,
  ticket_ratings: ticketRatings,
  work_orders: workOrders,
  work_order_photos: workOrderPhotos,
  depots,
  parts,
  part_stock: partStock,
  stock_movements: stockMovements,
  terminal_custody: terminalCustody,
  terminal_swaps: terminalSwaps,
  kb_articles: kbArticles,
  kb_article_versions: kbArticleVersions,
  kb_images: kbImages,
  kb_feedback: kbFeedback,
  disputes,
  dispute_events: disputeEvents,
  dispute_evidence: disputeEvidence,
} as const;
