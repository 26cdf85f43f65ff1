import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import type { Orm, RawTx } from '../db/client.js';
import { auditLog } from '../db/schema.js';
import type { Actor } from '../access/actor.js';
import { assertCan, authorId } from '../access/actor.js';
import type { AppContext } from '../platform/context.js';

export interface AuditInput {
  action: string;
  entity: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Fields never copied into the audit trail. */
const SECRET_KEYS = new Set(['passwordHash', 'password', 'tokenHash', 'token']);
function scrub(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v ?? null;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => !SECRET_KEYS.has(k)));
}

/** Writes one audit entry; call it inside the same transaction as the change it records. */
export async function recordAudit(orm: Orm, actor: Actor, e: AuditInput, at: Date): Promise<void> {
  await orm.insert(auditLog).values({
    orgId: actor.orgId,
    actorId: authorId(actor),
    actorName: actor.name,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId ?? null,
    before: scrub(e.before),
    after: scrub(e.after),
    at,
  });
}

/** The same entry written through a raw-SQL transaction (services that work in SQL, e.g. field service). */
export async function recordAuditTx(tx: RawTx, actor: Actor, e: AuditInput, at: Date): Promise<void> {
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(scrub(v)));
  await tx.query('INSERT INTO audit_log (org_id, actor_id, actor_name, action, entity, entity_id, before, after, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
    actor.orgId, authorId(actor), actor.name, e.action, e.entity, e.entityId ?? null, json(e.before), json(e.after), at,
  ]);
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
}
