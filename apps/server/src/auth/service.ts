import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Language } from '@poscare/contracts';
import { apiTokens, loginChallenges, organizations, sessions, users } from '../db/schema.js';
import { AppError, errors } from '../errors/errors.js';
import type { AppContext } from '../platform/context.js';
import type { Actor } from '../access/actor.js';
import { accessChanged, registerTokenCache, TokenCache } from '../access/tokenCache.js';
import { recordAudit } from '../audit/service.js';
import { storeClient } from '../security/rateLimitStore.js';
import type { SecuritySignals } from '../security/signals.js';
import { LoginLimiter, type LoginLimits } from './loginLimiter.js';
import { MfaService, mfaRequired } from './mfa.js';
import { dummyHash, hashPassword, verifyPassword } from './password.js';
import { assertStrongPassword } from './passwordPolicy.js';

export const SESSION_COOKIE = 'poscare_session';
/** A browser that passed the second factor and may skip it for the organization's number of days. */
export const TRUSTED_DEVICE_COOKIE = 'poscare_trusted_device';
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

export interface LoginOptions {
  ip: string;
  /** The remembered-device cookie, if the browser has one. */
  trustedDevice?: string | undefined;
}
export type LoginOutcome =
  | { kind: 'session'; token: string; user: UserRow }
  | { kind: 'challenge'; challenge: string; expiresInSeconds: number; rememberDays: number };

export const CHALLENGE_TTL_SECONDS = 5 * 60;
export const CHALLENGE_MAX_ATTEMPTS = 5;

export class AuthService {
  readonly limiter: LoginLimiter;
  readonly mfa: MfaService;
  /** Verified API tokens, a few seconds (decision 009). */
  readonly tokens: TokenCache;
  private signals: SecuritySignals | undefined;

  constructor(
    private ctx: AppContext,
    opts: { signals?: SecuritySignals; limits?: LoginLimits } = {},
  ) {
    this.limiter = new LoginLimiter(storeClient(ctx.db), opts.limits);
    this.mfa = new MfaService(ctx);
    this.signals = opts.signals;
    this.tokens = new TokenCache(() => ctx.clock.now().getTime());
    registerTokenCache(ctx.db, this.tokens);
  }

  /**
   * Checks the password. Returns a session, or, when the user has a second factor and this browser is
   * not remembered, a short-lived challenge to answer with the code. Every failure throws the same error.
   */
  async login(email: string, password: string, opts: LoginOptions): Promise<LoginOutcome> {
    const account = email.toLowerCase();
    const wait = await this.limiter.retryAfter(account, opts.ip);
    if (wait > 0) throw errors.rateLimited(wait);
    const [row] = await this.ctx.db.orm
      .select({ user: users, rememberDays: organizations.mfaRememberDays })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(sql`lower(${users.email}) = ${account}`);
    const user = row?.user;
    const ok = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await dummyHash(), password), false);
    if (!user || !ok || user.disabled) {
      await this.failed(account, opts.ip, user);
      throw errors.invalidCredentials();
    }
    if (user.totpEnabledAt && !(await this.mfa.isTrusted(user.id, opts.trustedDevice))) {
      const challenge = randomBytes(32).toString('base64url');
      const now = this.ctx.clock.now();
      await this.ctx.db.orm.insert(loginChallenges).values({ id: sha256(challenge), userId: user.id, createdAt: now, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000) });
      return { kind: 'challenge', challenge, expiresInSeconds: CHALLENGE_TTL_SECONDS, rememberDays: row!.rememberDays };
    }
    return { kind: 'session', ...(await this.startSession(user, opts.ip, user.totpEnabledAt ? 'remembered_device' : 'password')) };
  }

  /**
   * The second step: a TOTP code or a recovery code for a challenge. A challenge takes a few tries and
   * lives a few minutes; wrong codes also count against the (account, address) limit like wrong passwords.
   */
  async secondFactor(
    input: { challenge: string; code?: string | undefined; recoveryCode?: string | undefined; rememberDevice?: boolean | undefined },
    opts: { ip: string; deviceLabel?: string | null },
  ): Promise<{ token: string; user: UserRow; trustedDevice: { token: string; days: number } | null }> {
    const now = this.ctx.clock.now();
    const [row] = await this.ctx.db.orm
      .select({ user: users, challenge: loginChallenges, rememberDays: organizations.mfaRememberDays })
      .from(loginChallenges)
      .innerJoin(users, eq(users.id, loginChallenges.userId))
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(and(eq(loginChallenges.id, sha256(input.challenge)), gt(loginChallenges.expiresAt, now)));
    if (!row || row.user.disabled) throw new AppError('mfa.challenge_expired', 401);
    const account = row.user.email.toLowerCase();
    const wait = await this.limiter.retryAfter(account, opts.ip);
    if (wait > 0) throw errors.rateLimited(wait);
    // Take a try before checking, so parallel guesses cannot exceed the challenge's tries.
    const [taken] = await this.ctx.db.orm
      .update(loginChallenges)
      .set({ attempts: sql`${loginChallenges.attempts} + 1` })
      .where(and(eq(loginChallenges.id, row.challenge.id), lt(loginChallenges.attempts, CHALLENGE_MAX_ATTEMPTS)))
      .returning({ attempts: loginChallenges.attempts });
    if (!taken) {
      await this.ctx.db.orm.delete(loginChallenges).where(eq(loginChallenges.id, row.challenge.id));
      throw new AppError('mfa.challenge_expired', 401);
    }
    const how = await this.mfa.verify(row.user, input);
    if (!how) {
      await this.failed(account, opts.ip, row.user);
      throw new AppError('mfa.invalid_code', 401);
    }
    await this.ctx.db.orm.delete(loginChallenges).where(eq(loginChallenges.id, row.challenge.id));
    const session = await this.startSession(row.user, opts.ip, how);
    const days = row.rememberDays;
    const trustedDevice = input.rememberDevice && days > 0 ? { token: await this.mfa.trust(row.user.id, days, opts.deviceLabel ?? null), days } : null;
    return { ...session, trustedDevice };
  }

  private async failed(account: string, ip: string, user: UserRow | undefined): Promise<void> {
    await this.limiter.fail(account, ip);
    if (user && this.signals) await this.signals.failedSignIn(user, ip).catch((err: unknown) => this.ctx.log.warn({ err }, 'sign-in signal not stored'));
  }

  private async startSession(user: UserRow, ip: string, how: 'password' | 'remembered_device' | 'totp' | 'recovery_code'): Promise<{ token: string; user: UserRow }> {
    await this.limiter.succeed(user.email, ip);
    const token = randomBytes(32).toString('base64url');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.insert(sessions).values({
      id: sha256(token),
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ctx.config.SESSION_TTL_HOURS * 3_600_000),
    });
    await this.ctx.db.orm.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id));
    await recordAudit(this.ctx.db.orm, actorFromUser(user, 'session'), user.orgId, { action: 'login', entity: 'user', entityId: user.id, after: { via: how } }, now);
    return { token, user };
  }

  /** One's own password: the current one first, the new one must be strong. Other sessions end. */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string, keepSession: string | undefined): Promise<void> {
    const { user, orgName } = await this.me(actor);
    if (!(await verifyPassword(user.passwordHash, currentPassword))) {
      throw new AppError('auth.wrong_current_password', 400, {}, [{ path: 'body.currentPassword', id: 'auth.wrong_current_password' }]);
    }
    assertStrongPassword(newPassword, { email: user.email, name: user.name, orgName }, 'newPassword');
    const passwordHash = await hashPassword(newPassword);
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
      await tx.delete(sessions).where(and(eq(sessions.userId, user.id), keepSession ? ne(sessions.id, sha256(keepSession)) : undefined));
      await recordAudit(tx, actor, user.orgId, { action: 'update', entity: 'user', entityId: user.id, after: { passwordChanged: true } }, now);
    });
  }

  async logout(token: string): Promise<void> {
    await this.ctx.db.orm.delete(sessions).where(eq(sessions.id, sha256(token)));
  }

  async actorForSession(token: string): Promise<Actor | null> {
    const now = this.ctx.clock.now();
    const [row] = await this.ctx.db.orm
      .select({ user: users, orgRoles: organizations.mfaRequiredRoles })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(and(eq(sessions.id, sha256(token)), gt(sessions.expiresAt, now)));
    if (!row || row.user.disabled) return null;
    return this.withMfa(actorFromUser(row.user, 'session'), row.user, row.orgRoles);
  }

  /**
   * A verified token is kept a few seconds in this process (access/tokenCache.ts, decision 009), so its
   * last use is written when it is read from the tables: at most once per TTL per process.
   */
  async actorForToken(token: string): Promise<Actor | null> {
    const hash = sha256(token);
    const hit = this.tokens.get(hash);
    if (hit) return hit.actor;
    const generation = this.tokens.generation;
    // One read per token at a time: when a busy caller's entry expires, the requests in flight with that
    // token wait for the one read instead of each reading the tables. Only a read begun in the same
    // generation is joined, so a request arriving after a revocation never gets the answer from before it.
    const pending = this.tokenReads.get(hash);
    if (pending && pending.generation === generation) return pending.read;
    const read = this.readToken(hash, generation).finally(() => {
      if (this.tokenReads.get(hash)?.read === read) this.tokenReads.delete(hash);
    });
    this.tokenReads.set(hash, { generation, read });
    return read;
  }

  private readonly tokenReads = new Map<string, { generation: number; read: Promise<Actor | null> }>();

  private async readToken(hash: string, generation: number): Promise<Actor | null> {
    const [row] = await this.ctx.db.orm
      .select({ user: users, tokenId: apiTokens.id, orgRoles: organizations.mfaRequiredRoles })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)));
    if (!row || row.user.disabled) return null;
    await this.ctx.db.orm.update(apiTokens).set({ lastUsedAt: this.ctx.clock.now() }).where(eq(apiTokens.id, row.tokenId));
    const actor = this.withMfa(actorFromUser(row.user, 'token'), row.user, row.orgRoles);
    this.tokens.put(hash, { actor, tokenId: row.tokenId }, generation);
    return actor;
  }

  /** A user whom the policy asks for a second factor and who has none may only enrol (see mfaGate.ts). */
  private withMfa(actor: Actor, user: UserRow, orgRoles: string[]): Actor {
    return !user.totpEnabledAt && mfaRequired(user, orgRoles, this.ctx.config) ? { ...actor, mfaEnrolmentRequired: true } : actor;
  }

  async me(actor: Actor) {
    const [row] = await this.ctx.db.orm
      .select({ user: users, orgName: organizations.name, orgRoles: organizations.mfaRequiredRoles })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(eq(users.id, actor.userId));
    if (!row) throw errors.unauthenticated();
    const required = mfaRequired(row.user, row.orgRoles, this.ctx.config);
    const enabled = Boolean(row.user.totpEnabledAt);
    return { user: row.user, orgName: row.orgName, mfa: { enabled, required, enrolmentRequired: required && !enabled } };
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
    await recordAudit(this.ctx.db.orm, actor, actor.orgId, { action: 'create', entity: 'api_token', entityId: row!.id, after: { name, prefix: row!.prefix } }, now);
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
    await recordAudit(this.ctx.db.orm, actor, actor.orgId, { action: 'revoke', entity: 'api_token', entityId: id }, now);
    // Refused from the next request on, in this process and (by signal) in every other one.
    await accessChanged(this.ctx.db, { tokenId: id }, this.ctx.log);
  }
}
