import { and, count, eq, ilike, or } from 'drizzle-orm';
import type { z } from 'zod';
import type { Page, SiteCreate, SiteUpdate } from '@poscare/contracts';
import { sites, terminals } from '../db/schema.js';
import { errors, fromUniqueViolation } from '../errors/errors.js';
import { type Actor, assertCan } from '../access/actor.js';
import { tenantFilter } from '../access/scope.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { containsPattern } from '../db/like.js';
import { MerchantService } from '../merchants/service.js';

const UNIQUE = { sites_org_code: ['site', 'code'] as [string, string] };
const scope = (a: Actor) => tenantFilter(a, { orgId: sites.orgId, merchantId: sites.merchantId });

export class SiteService {
  private merchants: MerchantService;
  constructor(private ctx: AppContext) {
    this.merchants = new MerchantService(ctx);
  }

  async list(actor: Actor, q: Page & { merchantId?: string | undefined }) {
    assertCan(actor, 'inventory:read');
    const where = and(
      scope(actor),
      q.merchantId ? eq(sites.merchantId, q.merchantId) : undefined,
      q.q ? or(ilike(sites.name, containsPattern(q.q)), ilike(sites.code, containsPattern(q.q)), ilike(sites.address, containsPattern(q.q))) : undefined,
    );
    const orm = this.ctx.db.orm;
    const [items, [total]] = await Promise.all([
      orm.select().from(sites).where(where).orderBy(sites.code).limit(q.limit).offset(q.offset),
      orm.select({ n: count() }).from(sites).where(where),
    ]);
    return { items, total: total?.n ?? 0 };
  }

  async get(actor: Actor, id: string) {
    assertCan(actor, 'inventory:read');
    const [row] = await this.ctx.db.orm.select().from(sites).where(and(scope(actor), eq(sites.id, id)));
    if (!row) throw errors.notFound('site');
    return row;
  }

  async create(actor: Actor, input: z.infer<typeof SiteCreate>) {
    assertCan(actor, 'inventory:write');
    // The merchant must be visible to the actor; its organization becomes the site's.
    const merchant = await this.merchants.get(actor, input.merchantId);
    const now = this.ctx.clock.now();
    try {
      return await this.ctx.db.orm.transaction(async (tx) => {
        const [row] = await tx.insert(sites).values({ ...input, orgId: merchant.orgId, createdAt: now }).returning();
        await recordAudit(tx, actor, row!.orgId, { action: 'create', entity: 'site', entityId: row!.id, after: row }, now);
        return row!;
      });
    } catch (e) {
      throw fromUniqueViolation(e, UNIQUE) ?? e;
    }
  }

  async update(actor: Actor, id: string, input: z.infer<typeof SiteUpdate>) {
    assertCan(actor, 'inventory:write');
    const before = await this.get(actor, id);
    const now = this.ctx.clock.now();
    try {
      return await this.ctx.db.orm.transaction(async (tx) => {
        const [row] = await tx.update(sites).set(input).where(eq(sites.id, id)).returning();
        await recordAudit(tx, actor, before.orgId, { action: 'update', entity: 'site', entityId: id, before, after: row }, now);
        return row!;
      });
    } catch (e) {
      throw fromUniqueViolation(e, UNIQUE) ?? e;
    }
  }

  async remove(actor: Actor, id: string) {
    assertCan(actor, 'inventory:write');
    const before = await this.get(actor, id);
    const [t] = await this.ctx.db.orm.select({ n: count() }).from(terminals).where(eq(terminals.siteId, id));
    if ((t?.n ?? 0) > 0) throw errors.inUse('site');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      await tx.delete(sites).where(eq(sites.id, id));
      await recordAudit(tx, actor, before.orgId, { action: 'delete', entity: 'site', entityId: id, before }, now);
    });
  }
}
