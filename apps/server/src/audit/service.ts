import { and, count, desc, eq, sql, type SQL } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { AuditChainReport, Language } from '@poscare/contracts';
import type { Orm, RawTx } from '../db/client.js';
import { auditLog } from '../db/schema.js';
import type { Actor } from '../access/actor.js';
import { assertCan, authorId, targetOrg } from '../access/actor.js';
import type { AppContext } from '../platform/context.js';
import { translate } from '../i18n/messages.js';
import { appendEntry, verifyChains, type Exec } from './chain.js';

export interface AuditInput {
  action: string;
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * The organization an audit entry belongs to: the organization of the object that changed, never
 * simply the actor's (a platform admin acting in organization B writes into B's audit). `null` for
 * changes that belong to no organization.
 */
export type AuditOrg = string | null;

/** Fields never copied into the audit trail, at any depth. */
const SECRET_KEYS = new Set([
  'passwordHash', 'password', 'newPassword', 'currentPassword',
  'tokenHash', 'token', 'secret', 'secretHash', 'totpSecret', 'codeHash', 'recoveryCodes',
  'credential', 'credentialHash', 'privateKey', 'apiKey', 'smtpPassword', 'signingSecret',
]);
export function scrub(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : scrub(x)));
  if (typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (!SECRET_KEYS.has(k) && x !== undefined) out[k] = scrub(x);
  return out;
}

/** Runs positional-parameter SQL through drizzle, so both writers share one implementation. */
const ormExec =
  (orm: Orm): Exec =>
  async <R>(text: string, params: unknown[] = []) => {
    const parts = text.split(/\$(\d+)/);
    const chunks: SQL[] = parts.map((p, i) => (i % 2 === 0 ? sql.raw(p) : sql`${params[Number(p) - 1]}`));
    const res = (await orm.execute(sql.join(chunks, sql.raw('')))) as unknown as { rows: R[] };
    return res.rows;
  };

function entry(orgId: AuditOrg, actor: Actor, e: AuditInput, at: Date) {
  return {
    orgId,
    actorId: authorId(actor),
    actorName: actor.name,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId ?? null,
    before: scrub(e.before),
    after: scrub(e.after),
    at,
  };
}

/**
 * Writes one audit entry into the chain of `orgId` — the organization of the changed object; call it
 * inside the same transaction as the change it records.
 */
export async function recordAudit(orm: Orm, actor: Actor, orgId: AuditOrg, e: AuditInput, at: Date): Promise<void> {
  // The chain lock must be held until the entry is committed: outside a transaction, take one.
  if (orm instanceof PgTransaction) await appendEntry(ormExec(orm as unknown as Orm), entry(orgId, actor, e, at));
  else await orm.transaction(async (tx) => appendEntry(ormExec(tx as unknown as Orm), entry(orgId, actor, e, at)));
}

/** The same entry written through a raw-SQL transaction (services that work in SQL, e.g. field service). */
export async function recordAuditTx(tx: RawTx, actor: Actor, orgId: AuditOrg, e: AuditInput, at: Date): Promise<void> {
  await appendEntry((text, params) => tx.query(text, params), entry(orgId, actor, e, at));
}

export class AuditService {
  constructor(private ctx: AppContext) {}

  async list(actor: Actor, q: { entity?: string | undefined; entityId?: string | undefined; limit: number; offset: number }) {
    assertCan(actor, 'audit:read');
    const where: SQL[] = [eq(auditLog.orgId, actor.orgId)];
    if (q.entity) where.push(eq(auditLog.entity, q.entity));
    if (q.entityId) where.push(eq(auditLog.entityId, q.entityId));
    const orm = this.ctx.db.orm;
    const [items, [total]] = await Promise.all([
      orm.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(q.limit).offset(q.offset),
      orm.select({ n: count() }).from(auditLog).where(and(...where)),
    ]);
    return { items, total: total?.n ?? 0 };
  }

  /** Checks the actor's organization's chain; a platform admin may name another organization. */
  async verify(actor: Actor, orgId: string | undefined, lang: Language): Promise<AuditChainReport> {
    assertCan(actor, 'audit:read');
    const [chain] = (await verifyChains(this.ctx.db, { orgId: targetOrg(actor, orgId) })).chains;
    const p = chain!.problem;
    return p ? { ...chain!, problem: { ...p, detail: translate(lang, `audit.chain.${p.kind}`, { seq: p.seq, id: p.id }) } } : chain!;
  }
}
