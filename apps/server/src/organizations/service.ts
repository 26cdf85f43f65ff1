import { count, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { OrgSecurity, OrgSecurityUpdate, OrganizationCreate, OrganizationUpdate, SupportContact } from '@poscare/contracts';
import { organizations } from '../db/schema.js';
import { errors } from '../errors/errors.js';
import { type Actor, assertCan } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { accessChanged } from '../access/tokenCache.js';

export class OrganizationService {
  constructor(private ctx: AppContext) {}

  /** Platform admins see every organization; everybody else sees their own. */
  async list(actor: Actor) {
    const orm = this.ctx.db.orm;
    const where = actor.platformAdmin ? undefined : eq(organizations.id, actor.orgId);
    const [items, [total]] = await Promise.all([
      orm.select().from(organizations).where(where).orderBy(organizations.name),
      orm.select({ n: count() }).from(organizations).where(where),
    ]);
    return { items, total: total?.n ?? 0 };
  }

  async get(actor: Actor, id: string) {
    if (!actor.platformAdmin && id !== actor.orgId) throw errors.notFound('organization');
    const [row] = await this.ctx.db.orm.select().from(organizations).where(eq(organizations.id, id));
    if (!row) throw errors.notFound('organization');
    return row;
  }

  async create(actor: Actor, input: z.infer<typeof OrganizationCreate>) {
    assertCan(actor, 'org:manage');
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction(async (tx) => {
      const [row] = await tx.insert(organizations).values({ ...input, createdAt: now }).returning();
      await recordAudit(tx, actor, row!.id, { action: 'create', entity: 'organization', entityId: row!.id, after: row }, now);
      return row!;
    });
  }

  async update(actor: Actor, id: string, input: z.infer<typeof OrganizationUpdate>) {
    assertCan(actor, 'org:manage');
    const before = await this.get(actor, id);
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction(async (tx) => {
      const [row] = await tx.update(organizations).set(input).where(eq(organizations.id, id)).returning();
      await recordAudit(tx, actor, id, { action: 'update', entity: 'organization', entityId: id, before, after: row }, now);
      return row!;
    });
  }

  /** What merchants are told to call when they need a person. */
  async support(actor: Actor, id: string): Promise<SupportContact> {
    const org = await this.get(actor, id);
    return { phone: org.supportPhone ?? null, hours: org.supportHours ?? null };
  }

  async updateSupport(actor: Actor, id: string, input: SupportContact): Promise<SupportContact> {
    assertCan(actor, 'users:manage');
    const before = await this.get(actor, id);
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      await tx.update(organizations).set({ supportPhone: input.phone, supportHours: input.hours }).where(eq(organizations.id, id));
      await recordAudit(tx, actor, id, { action: 'update', entity: 'organization_support', entityId: id, before: { phone: before.supportPhone, hours: before.supportHours }, after: input }, now);
    });
    return input;
  }

  /** The organization's sign-in policy: which roles need a second factor, and how long a browser is remembered. */
  async security(actor: Actor, id: string): Promise<OrgSecurity> {
    assertCan(actor, 'users:manage');
    const org = await this.get(actor, id);
    return { mfaRequiredRoles: org.mfaRequiredRoles as OrgSecurity['mfaRequiredRoles'], mfaRememberDays: org.mfaRememberDays, platformAdmins: this.ctx.config.MFA_PLATFORM_ADMINS ?? 'required' };
  }

  async updateSecurity(actor: Actor, id: string, input: z.infer<typeof OrgSecurityUpdate>): Promise<OrgSecurity> {
    assertCan(actor, 'users:manage');
    const before = await this.get(actor, id);
    const now = this.ctx.clock.now();
    const roles = [...new Set(input.mfaRequiredRoles)].sort();
    await this.ctx.db.orm.transaction(async (tx) => {
      await tx.update(organizations).set({ mfaRequiredRoles: roles, mfaRememberDays: input.mfaRememberDays }).where(eq(organizations.id, id));
      await recordAudit(
        tx,
        actor,
        id,
        {
          action: 'update',
          entity: 'organization_security',
          entityId: id,
          before: { mfaRequiredRoles: before.mfaRequiredRoles, mfaRememberDays: before.mfaRememberDays },
          after: { mfaRequiredRoles: roles, mfaRememberDays: input.mfaRememberDays },
        },
        now,
      );
    });
    // The policy decides whether a token's holder must enrol first: cached tokens of the organization are read again.
    await accessChanged(this.ctx.db, { orgId: id }, this.ctx.log);
    return this.security(actor, id);
  }
}
