import { and, count, eq, ilike, or } from 'drizzle-orm';
import type { z } from 'zod';
import type { Page, Role, UserCreate, UserUpdate } from '@poscare/contracts';
import type { Orm } from '../db/client.js';
import { containsPattern } from '../db/like.js';
import { merchants, organizations, sessions, users } from '../db/schema.js';
import { errors, fromUniqueViolation } from '../errors/errors.js';
import { type Actor, assertCan, targetOrg } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import { hashPassword } from '../auth/password.js';
import { assertStrongPassword } from '../auth/passwordPolicy.js';
import type { AppContext } from '../platform/context.js';
import { accessChanged } from '../access/tokenCache.js';

const UNIQUE = { users_email: ['user', 'email'] as [string, string] };
type UserRow = typeof users.$inferSelect;
/** What the API and audit log may show of a user: never the password hash nor the second-factor secret. */
export const publicUser = ({ passwordHash: _omit, totpSecret: _secret, totpEnabledAt, ...u }: UserRow) => ({ ...u, mfaEnabled: Boolean(totpEnabledAt) });

export class UserService {
  constructor(private ctx: AppContext) {}

  async list(actor: Actor, q: Page) {
    assertCan(actor, 'users:manage');
    const where = and(
      eq(users.orgId, actor.orgId),
      q.q ? or(ilike(users.email, containsPattern(q.q)), ilike(users.name, containsPattern(q.q))) : undefined,
    );
    const orm = this.ctx.db.orm;
    const [items, [total]] = await Promise.all([
      orm.select().from(users).where(where).orderBy(users.email).limit(q.limit).offset(q.offset),
      orm.select({ n: count() }).from(users).where(where),
    ]);
    return { items: items.map(publicUser), total: total?.n ?? 0 };
  }

  private async get(actor: Actor, id: string) {
    const [row] = await this.ctx.db.orm
      .select()
      .from(users)
      .where(and(eq(users.id, id), actor.platformAdmin ? undefined : eq(users.orgId, actor.orgId)));
    if (!row) throw errors.notFound('user');
    return row;
  }

  private async orgName(orgId: string): Promise<string | null> {
    const [o] = await this.ctx.db.orm.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId));
    return o?.name ?? null;
  }

  /** A merchant user must belong to a merchant of the same organization; staff belong to none. */
  private async checkMerchant(orm: Orm, orgId: string, role: Role, merchantId: string | null | undefined) {
    if (role !== 'merchant') return null;
    if (!merchantId) throw errors.merchantRequired();
    const [m] = await orm.select({ id: merchants.id }).from(merchants).where(and(eq(merchants.id, merchantId), eq(merchants.orgId, orgId)));
    if (!m) throw errors.notFound('merchant');
    return m.id;
  }

  async create(actor: Actor, input: z.infer<typeof UserCreate>, opts: { platformAdmin?: boolean } = {}) {
    assertCan(actor, 'users:manage');
    const orgId = targetOrg(actor, input.orgId);
    const now = this.ctx.clock.now();
    assertStrongPassword(input.password, { email: input.email, name: input.name, orgName: await this.orgName(orgId) });
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.ctx.db.orm.transaction(async (tx) => {
        const merchantId = await this.checkMerchant(tx, orgId, input.role, input.merchantId);
        const [row] = await tx
          .insert(users)
          .values({
            orgId,
            merchantId,
            email: input.email,
            name: input.name,
            role: input.role,
            language: input.language,
            passwordHash,
            platformAdmin: Boolean(opts.platformAdmin && actor.platformAdmin),
            createdAt: now,
          })
          .returning();
        await recordAudit(tx, actor, orgId, { action: 'create', entity: 'user', entityId: row!.id, after: publicUser(row!) }, now);
        return publicUser(row!);
      });
    } catch (e) {
      throw fromUniqueViolation(e, UNIQUE) ?? e;
    }
  }

  async update(actor: Actor, id: string, input: z.infer<typeof UserUpdate>) {
    assertCan(actor, 'users:manage');
    const before = await this.get(actor, id);
    if (id === actor.userId && ((input.role && input.role !== 'admin') || input.disabled)) throw errors.cannotDemoteSelf();
    const now = this.ctx.clock.now();
    const { password, ...rest } = input;
    if (password) assertStrongPassword(password, { email: before.email, name: input.name ?? before.name, orgName: await this.orgName(before.orgId) });
    const passwordHash = password ? await hashPassword(password) : undefined;
    const updated = await this.ctx.db.orm.transaction(async (tx) => {
      const role = input.role ?? before.role;
      const merchantId =
        input.role !== undefined || input.merchantId !== undefined
          ? await this.checkMerchant(tx, before.orgId, role, input.merchantId === undefined ? before.merchantId : input.merchantId)
          : before.merchantId;
      const [row] = await tx
        .update(users)
        .set({ ...rest, merchantId, ...(passwordHash ? { passwordHash } : {}) })
        .where(eq(users.id, id))
        .returning();
      // A disabled user, a changed role or a new password ends the user's open sessions.
      if (input.disabled || input.role || passwordHash) await tx.delete(sessions).where(eq(sessions.userId, id));
      await recordAudit(
        tx,
        actor,
        before.orgId,
        { action: 'update', entity: 'user', entityId: id, before: publicUser(before), after: { ...publicUser(row!), ...(passwordHash ? { passwordChanged: true } : {}) } },
        now,
      );
      return publicUser(row!);
    });
    // Role, merchant, disabled: the user's API tokens act as the new user from the next request, in every process.
    await accessChanged(this.ctx.db, { userId: id }, this.ctx.log);
    return updated;
  }
}
