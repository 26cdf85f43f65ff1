/**
 * The second factor: TOTP (RFC 6238, 6 digits, 30 s, SHA-1 as every authenticator app supports) with
 * ten one-time recovery codes, remembered devices, and who must have it.
 * The TOTP secret is stored encrypted with the installation key (security/secretKey.ts); recovery codes
 * and remembered-device tokens are stored as hashes. Every time comes from the injected clock.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import type { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import { organizations, sessions, trustedDevices, userRecoveryCodes, users } from '../db/schema.js';
import { AppError, errors } from '../errors/errors.js';
import { type Actor, assertCan } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import { accessChanged } from '../access/tokenCache.js';
import { decryptSecret, encryptSecret, installationKey } from '../security/secretKey.js';
import { sharedLimiter, storeClient } from '../security/rateLimitStore.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
type UserRow = typeof users.$inferSelect;
type Orm = AppContext['db']['orm'];

export const RECOVERY_CODE_COUNT = 10;
const PERIOD = 30;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Who must sign in with a second factor: platform admins (unless the installation says optional) and the org's listed roles. */
export function mfaRequired(user: Pick<UserRow, 'role' | 'platformAdmin'>, orgRoles: readonly string[], config: Pick<Config, 'MFA_PLATFORM_ADMINS'>): boolean {
  if (user.platformAdmin && (config.MFA_PLATFORM_ADMINS ?? 'required') === 'required') return true;
  return orgRoles.includes(user.role);
}

/** `abcde-fghjk`: about 50 bits, no look-alike characters. */
function newRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}
export const normaliseRecoveryCode = (c: string) => c.toLowerCase().replace(/[^a-z0-9]/g, '');
const hashRecoveryCode = (c: string) => sha256(`poscare-recovery:${normaliseRecoveryCode(c)}`);

export function totpFor(secretBase32: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: 'PosCare', label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: OTPAuth.Secret.fromBase32(secretBase32) });
}

export class MfaService {
  /** A code is accepted once: the used time step is remembered while it could still be valid. */
  private usedSteps: RateLimiterPostgres;

  constructor(private ctx: AppContext) {
    this.usedSteps = sharedLimiter(storeClient(ctx.db), { keyPrefix: 'totp_used', points: 1, duration: PERIOD * 4 });
  }

  private key(): Buffer {
    const key = installationKey(this.ctx.config);
    if (!key) throw new AppError('mfa.key_missing', 503);
    return key;
  }

  private async user(id: string): Promise<UserRow & { orgRoles: string[]; rememberDays: number }> {
    const [row] = await this.ctx.db.orm
      .select({ user: users, orgRoles: organizations.mfaRequiredRoles, rememberDays: organizations.mfaRememberDays })
      .from(users)
      .innerJoin(organizations, eq(organizations.id, users.orgId))
      .where(eq(users.id, id));
    if (!row) throw errors.notFound('user');
    return { ...row.user, orgRoles: row.orgRoles, rememberDays: row.rememberDays };
  }

  async status(actor: Actor) {
    const u = await this.user(actor.userId);
    const now = this.ctx.clock.now();
    const orm = this.ctx.db.orm;
    const [[codes], [devices]] = await Promise.all([
      orm.select({ n: count() }).from(userRecoveryCodes).where(and(eq(userRecoveryCodes.userId, u.id), isNull(userRecoveryCodes.usedAt))),
      orm.select({ n: count() }).from(trustedDevices).where(and(eq(trustedDevices.userId, u.id), gt(trustedDevices.expiresAt, now))),
    ]);
    const enabled = Boolean(u.totpEnabledAt);
    const required = mfaRequired(u, u.orgRoles, this.ctx.config);
    return {
      enabled,
      required,
      enrolmentRequired: required && !enabled,
      pending: !enabled && Boolean(u.totpSecret),
      enabledAt: u.totpEnabledAt?.toISOString() ?? null,
      recoveryCodesLeft: enabled ? (codes?.n ?? 0) : 0,
      rememberDays: u.rememberDays,
      trustedDevices: devices?.n ?? 0,
    };
  }

  /** Starts enrolment: a new secret (replacing an unconfirmed one), shown as text and QR code. */
  async setup(actor: Actor) {
    const u = await this.user(actor.userId);
    if (u.totpEnabledAt) throw new AppError('mfa.already_enabled', 409);
    const secret = new OTPAuth.Secret({ size: 20 });
    await this.ctx.db.orm.update(users).set({ totpSecret: encryptSecret(this.key(), secret.base32, u.id) }).where(and(eq(users.id, u.id), isNull(users.totpEnabledAt)));
    const uri = totpFor(secret.base32, u.email).toString();
    return { secret: secret.base32, uri, qr: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) };
  }

  /** Confirms enrolment with a first code; returns the recovery codes, shown this once. */
  async confirm(actor: Actor, code: string) {
    const u = await this.user(actor.userId);
    if (u.totpEnabledAt) throw new AppError('mfa.already_enabled', 409);
    if (!u.totpSecret) throw new AppError('mfa.not_started', 409);
    if (!(await this.checkTotp(u, code))) throw new AppError('mfa.invalid_code', 400, {}, [{ path: 'body.code', id: 'mfa.invalid_code' }]);
    const now = this.ctx.clock.now();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.ctx.db.orm.transaction(async (tx) => {
      const [done] = await tx.update(users).set({ totpEnabledAt: now }).where(and(eq(users.id, u.id), isNull(users.totpEnabledAt))).returning({ id: users.id });
      if (!done) throw new AppError('mfa.already_enabled', 409);
      await this.replaceRecoveryCodes(tx, u.id, codes, now);
      await recordAudit(tx, actor, u.orgId, { action: 'mfa.enable', entity: 'user', entityId: u.id, after: { mfaEnabled: true, recoveryCodes: codes.length } }, now);
    });
    await accessChanged(this.ctx.db, { userId: u.id }, this.ctx.log);
    return { recoveryCodes: codes };
  }

  /** New recovery codes (the old ones stop working), after proving the factor. */
  async regenerateRecoveryCodes(actor: Actor, proof: { code?: string | undefined; recoveryCode?: string | undefined }) {
    const u = await this.user(actor.userId);
    if (!u.totpEnabledAt) throw new AppError('mfa.not_enabled', 409);
    if (!(await this.verify(u, proof))) throw new AppError('mfa.invalid_code', 400, {}, [{ path: 'body.code', id: 'mfa.invalid_code' }]);
    const now = this.ctx.clock.now();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.ctx.db.orm.transaction(async (tx) => {
      await this.replaceRecoveryCodes(tx, u.id, codes, now);
      await recordAudit(tx, actor, u.orgId, { action: 'mfa.recovery_codes', entity: 'user', entityId: u.id, after: { recoveryCodes: codes.length } }, now);
    });
    return { recoveryCodes: codes };
  }

  /** Turns one's own factor off, where the policy allows it, after proving it. */
  async disable(actor: Actor, proof: { code?: string | undefined; recoveryCode?: string | undefined }) {
    const u = await this.user(actor.userId);
    if (!u.totpEnabledAt) throw new AppError('mfa.not_enabled', 409);
    if (mfaRequired(u, u.orgRoles, this.ctx.config)) throw new AppError('mfa.required_by_policy', 409);
    if (!(await this.verify(u, proof))) throw new AppError('mfa.invalid_code', 400, {}, [{ path: 'body.code', id: 'mfa.invalid_code' }]);
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      await this.clearFactor(tx, u.id);
      await recordAudit(tx, actor, u.orgId, { action: 'mfa.disable', entity: 'user', entityId: u.id, before: { mfaEnabled: true }, after: { mfaEnabled: false } }, now);
    });
    await accessChanged(this.ctx.db, { userId: u.id }, this.ctx.log);
  }

  /** An admin removes a user's factor (lost phone): the user enrols again; their sessions end. */
  async reset(actor: Actor, userId: string) {
    assertCan(actor, 'users:manage');
    const [u] = await this.ctx.db.orm
      .select()
      .from(users)
      .where(and(eq(users.id, userId), actor.platformAdmin ? undefined : eq(users.orgId, actor.orgId)));
    if (!u) throw errors.notFound('user');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      await this.clearFactor(tx, u.id);
      if (u.id !== actor.userId) await tx.delete(sessions).where(eq(sessions.userId, u.id));
      await recordAudit(tx, actor, u.orgId, { action: 'mfa.reset', entity: 'user', entityId: u.id, before: { mfaEnabled: Boolean(u.totpEnabledAt) }, after: { mfaEnabled: false } }, now);
    });
    // Whether the holder must enrol first: their cached API tokens are read again (access/tokenCache.ts).
    await accessChanged(this.ctx.db, { userId: u.id }, this.ctx.log);
  }

  async forgetDevices(actor: Actor) {
    await this.ctx.db.orm.delete(trustedDevices).where(eq(trustedDevices.userId, actor.userId));
  }

  private async clearFactor(tx: Orm, userId: string) {
    await tx.update(users).set({ totpSecret: null, totpEnabledAt: null }).where(eq(users.id, userId));
    await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
    await tx.delete(trustedDevices).where(eq(trustedDevices.userId, userId));
  }

  private async replaceRecoveryCodes(tx: Orm, userId: string, codes: string[], now: Date) {
    await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, userId));
    await tx.insert(userRecoveryCodes).values(codes.map((c) => ({ userId, codeHash: hashRecoveryCode(c), createdAt: now })));
  }

  /** A TOTP code within one step of now, not used before. */
  async checkTotp(u: Pick<UserRow, 'id' | 'email' | 'totpSecret'>, code: string): Promise<boolean> {
    if (!u.totpSecret || !/^\d{6}$/.test(code.trim())) return false;
    const secret = decryptSecret(this.key(), u.totpSecret, u.id);
    const timestamp = this.ctx.clock.now().getTime();
    const delta = totpFor(secret, u.email).validate({ token: code.trim(), timestamp, window: 1 });
    if (delta === null) return false;
    const step = Math.floor(timestamp / 1000 / PERIOD) + delta;
    const fresh = await this.usedSteps.consume(`${u.id}:${step}`).then(
      () => true,
      () => false,
    );
    return fresh;
  }

  /** Spends a recovery code (each works once, even when two requests race). */
  async useRecoveryCode(userId: string, code: string): Promise<boolean> {
    if (normaliseRecoveryCode(code).length < 8) return false;
    const [row] = await this.ctx.db.orm
      .update(userRecoveryCodes)
      .set({ usedAt: this.ctx.clock.now() })
      .where(and(eq(userRecoveryCodes.userId, userId), eq(userRecoveryCodes.codeHash, hashRecoveryCode(code)), isNull(userRecoveryCodes.usedAt)))
      .returning({ id: userRecoveryCodes.id });
    return Boolean(row);
  }

  /** Either proof; returns how the user proved it, or null. */
  async verify(u: Pick<UserRow, 'id' | 'email' | 'totpSecret' | 'totpEnabledAt'>, proof: { code?: string | undefined; recoveryCode?: string | undefined }): Promise<'totp' | 'recovery_code' | null> {
    if (!u.totpEnabledAt) return null;
    if (proof.code) return (await this.checkTotp(u, proof.code)) ? 'totp' : null;
    if (proof.recoveryCode) return (await this.useRecoveryCode(u.id, proof.recoveryCode)) ? 'recovery_code' : null;
    return null;
  }

  // --- remembered devices --------------------------------------------------------------------------

  async isTrusted(userId: string, token: string | undefined): Promise<boolean> {
    if (!token) return false;
    const [row] = await this.ctx.db.orm
      .select({ id: trustedDevices.id })
      .from(trustedDevices)
      .where(and(eq(trustedDevices.id, sha256(token)), eq(trustedDevices.userId, userId), gt(trustedDevices.expiresAt, this.ctx.clock.now())));
    return Boolean(row);
  }

  /** Remembers this browser for `days`; returns the cookie value (only its hash is stored). */
  async trust(userId: string, days: number, label: string | null): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.insert(trustedDevices).values({ id: sha256(token), userId, label: label?.slice(0, 200) ?? null, createdAt: now, expiresAt: new Date(now.getTime() + days * 86_400_000) });
    return token;
  }
}
