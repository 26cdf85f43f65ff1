import { and, count, eq, ilike, or, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { MerchantCreate, MerchantUpdate, Page } from '@poscare/contracts';
import { merchants, sites, terminals, users } from '../db/schema.js';
import { errors, fromUniqueViolation } from '../errors/errors.js';
import { type Actor, assertCan, targetOrg } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { containsPattern } from '../db/like.js';

const UNIQUE = { merchants_org_mid: ['merchant', 'mid'] as [string, string] };
// A merchant user is scoped by the merchant's own id.
const scope = (a: Actor): SQL =>
  a.merchantId ? and(eq(merchants.orgId, a.orgId), eq(merchants.id, a.merchantId))! : eq(merchants.orgId, a.orgId);

export class MerchantService {
  constructor(private ctx: AppContext) {}

  async list(actor: Actor, q: Page) {
    assertCan(actor, 'inventory:read');
    const where = and(scope(actor), q.q ? or(ilike(merchants.name, containsPattern(q.q)), ilike(merchants.mid, containsPattern(q.q))) : undefined);
    const orm = this.ctx.db.orm;
    const [items, [total]] = await Promise.all([
      orm.select().from(merchants).where(where).orderBy(merchants.name).limit(q.limit).offset(q.offset),
      orm.select({ n: count() }).from(merchants).where(where),
    ]);
    return { items, total: total?.n ?? 0 };
  }

  async get(actor: Actor, id: string) {
    assertCan(actor, 'inventory:read');
    const [row] = await this.ctx.db.orm.select().from(merchants).where(and(scope(actor), eq(merchants.id, id)));
    if (!row) throw errors.notFound('merchant');
    return row;
  }

  async create(actor: Actor, input: z.infer<typeof MerchantCreate>) {
    assertCan(actor, 'inventory:write');
    const { orgId, ...fields } = input;
    const now = this.ctx.clock.now();
    try {
      return await this.ctx.db.orm.transaction(async (tx) => {
        const [row] = await tx.insert(merchants).values({ ...fields, orgId: targetOrg(actor, orgId), createdAt: now }).returning();
        await recordAudit(tx, actor, row!.orgId, { action: 'create', entity: 'merchant', entityId: row!.id, after: row }, now);
        return row!;
      });
    } catch (e) {
      throw fromUniqueViolation(e, UNIQUE) ?? e;
    }
  }

  async update(actor: Actor, id: string, input: z.infer<typeof MerchantUpdate>) {
    assertCan(actor, 'inventory:write');
    const before = await this.get(actor, id);
    const now = this.ctx.clock.now();
    try {
      return await this.ctx.db.orm.transaction(async (tx) => {
        const [row] = await tx.update(merchants).set(input).where(eq(merchants.id, id)).returning();
        await recordAudit(tx, actor, before.orgId, { action: 'update', entity: 'merchant', entityId: id, before, after: row }, now);
        return row!;
      });
    } catch (e) {
      throw fromUniqueViolation(e, UNIQUE) ?? e;
    }
  }

  async remove(actor: Actor, id: string) {
    assertCan(actor, 'inventory:write');
    const before = await this.get(actor, id);
    const orm = this.ctx.db.orm;
    const [[s], [t], [u]] = await Promise.all([
      orm.select({ n: count() }).from(sites).where(eq(sites.merchantId, id)),
      orm.select({ n: count() }).from(terminals).where(eq(terminals.merchantId, id)),
      orm.select({ n: count() }).from(users).where(eq(users.merchantId, id)),
    ]);
    if ((s?.n ?? 0) + (t?.n ?? 0) + (u?.n ?? 0) > 0) throw errors.inUse('merchant');
    const now = this.ctx.clock.now();
    await orm.transaction(async (tx) => {
      await tx.delete(merchants).where(eq(merchants.id, id));
      await recordAudit(tx, actor, before.orgId, { action: 'delete', entity: 'merchant', entityId: id, before }, now);
    });
  }
}
