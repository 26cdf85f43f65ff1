import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Language } from '@poscare/contracts';
import { apiTokens, organizations, sessions, users } from '../db/schema.js';
import { errors } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import type { Actor } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import { LoginLimiter } from './loginLimiter.js';
import { dummyHash, verifyPassword } from './password.js';

export const SESSION_COOKIE = 'poscare_session';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

type UserRow = typeof users.$inferSelect;

export function actorFromUser(u: UserRow, via: Actor['via']): Actor {
  return {
    userId: u.id,
    name: u.name,
    orgId: u.orgId,
    merchantId: u.merchantId,
    role: u.role,
    platformAdmin: u.platformAdmin,
    language: u.language,
    via,
  };
}

export class AuthService {
  readonly limiter: LoginLimiter;
  constructor(private ctx: AppContext) {
    this.limiter = new LoginLimiter(ctx.clock);
  }

  /** Returns a new session token (the cookie value) and the user, or throws the same error for every failure. */
  async login(email: string, password: string, clientIp: string): Promise<{ token: string; user: UserRow }> {
    const keys = [`email:${email.toLowerCase()}`, `ip:${clientIp}`];
    const wait = this.limiter.retryAfter(keys);
    if (wait > 0) throw errors.rateLimited(wait);
    const [user] = await this.ctx.db.orm.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
    const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await dummyHash(), password), false);
    if (!user || !ok || user.disabled) {
      this.limiter.fail(keys);
      throw errors.invalidCredentials();
    }
    this.limiter.succeed(keys);
    const token = randomBytes(32).toString('base64url');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.insert(sessions).values({
      id: sha256(token),
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ctx.config.SESSION_TTL_HOURS * 3_600_000),
    });
    await this.ctx.db.orm.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id));
    await recordAudit(this.ctx.db.orm, actorFromUser(user, 'session'), { action: 'login', entity: 'user', entityId: user.id }, now);
    return { token, user };
  }

  async logout(token: string): Promise<void> {
    await this.ctx.db.orm.delete(sessions).where(eq(sessions.id, sha256(token)));
  }

  async actorForSession(token: string): Promise<Actor | null> {
    const now = this.ctx.clock.now();
    const [row] = await this.ctx.db.orm
      .select({ user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, sha256(token)), gt(sessions.expiresAt, now)));
    if (!row || row.user.disabled) return null;
    return actorFromUser(row.user, 'session');
  }

  async actorForToken(token: string): Promise<Actor | null> {
    const [row] = await this.ctx.db.orm
      .select({ user: users, tokenId: apiTokens.id })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(and(eq(apiTokens.tokenHash, sha256(token)), isNull(apiTokens.revokedAt)));
    if (!row || row.user.disabled) return null;
    await this.ctx.db.orm.update(apiTokens).set({ lastUsedAt: this.ctx.clock.now() }).where(eq(apiTokens.id, row.tokenId));
    return actorFromUser(row.user, 'token');
  }

  async me(actor: Actor) {
    const [row] = await this.ctx.db.orm
      .select({ user: users, orgName: organizations.name })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(eq(users.id, actor.userId));
    if (!row) throw errors.unauthenticated();
    return row;
  }

  async setLanguage(actor: Actor, language: Language) {
    await this.ctx.db.orm.update(users).set({ language }).where(eq(users.id, actor.userId));
  }

  // API tokens: `pc_` + random; only a hash is stored, the token is shown once.
  async listTokens(actor: Actor) {
    return this.ctx.db.orm.select().from(apiTokens).where(eq(apiTokens.userId, actor.userId)).orderBy(apiTokens.createdAt);
  }

  async createToken(actor: Actor, name: string) {
    const token = `pc_${randomBytes(24).toString('base64url')}`;
    const now = this.ctx.clock.now();
    const [row] = await this.ctx.db.orm
      .insert(apiTokens)
      .values({ userId: actor.userId, name, prefix: token.slice(0, 7), tokenHash: sha256(token), createdAt: now })
      .returning();
    await recordAudit(this.ctx.db.orm, actor, { action: 'create', entity: 'api_token', entityId: row!.id, after: { name, prefix: row!.prefix } }, now);
    return { ...row!, token };
  }

  async revokeToken(actor: Actor, id: string) {
    const now = this.ctx.clock.now();
    const [row] = await this.ctx.db.orm
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, actor.userId), isNull(apiTokens.revokedAt)))
      .returning();
    if (!row) throw errors.notFound('token');
    await recordAudit(this.ctx.db.orm, actor, { action: 'revoke', entity: 'api_token', entityId: id }, now);
  }
}
