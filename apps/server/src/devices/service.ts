/**
 * Device identity: enrollment codes (one-time, expiring), the credential each terminal gets for them,
 * revocation, and the lookup every incoming message goes through. Secrets are 256-bit random values,
 * so a SHA-256 hash is enough to store them; they are shown once and never logged.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { topicFor } from '@poscare/contracts';
import { deviceCredentials, enrollmentCodes, terminals } from '../db/schema.js';
import { AppError, errors } from '../errors/errors.js';
import { type Actor, assertCan, systemActor } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { AppContext } from '../platform/context.js';
import type { SecuritySignals } from '../security/signals.js';
import type { Signals } from '../platform/signals.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface DeviceIdentity {
  terminalId: string;
  orgId: string;
}

interface CacheEntry {
  orgId: string;
  secretHash: string | null;
  revoked: boolean;
  until: number;
}

/**
 * How long a process trusts its cached view of a credential. A revocation or a new enrollment is immediate in
 * the process that made it, and in every other process once signals are shared (`shareCredentials`).
 */
const CACHE_MS = 30_000;

export class DeviceService {
  /** Emits 'revoked' (terminalId) so the broker can cut the connection at once. */
  readonly events = new EventEmitter();
  private cache = new Map<string, CacheEntry>();

  private signals: SecuritySignals | undefined;
  constructor(private ctx: AppContext) {}

  /** Intrusion signals: a revoked terminal still sending, one credential used from two addresses at once. */
  attachSignals(signals: SecuritySignals): void {
    this.signals = signals;
  }

  private bus: Signals | null = null;
  /** Counts credential signals, so a lookup that read the table before one arrived does not cache its stale row. */
  private changes = 0;
  private unshare: (() => void)[] = [];

  /**
   * Signals between processes (platform/signals.ts): a credential revoked or enrolled again in any process is
   * dropped from this process's cache at once, and a revocation cuts this process's MQTT connections of the
   * terminal; after the signals connection was lost the whole cache is dropped.
   */
  shareCredentials(signals: Signals | null): void {
    for (const u of this.unshare.splice(0)) u();
    this.bus = signals;
    if (!signals) return;
    this.unshare.push(
      signals.subscribe('device.credential', ({ terminalId, revoked }) => {
        this.changes++;
        this.cache.delete(terminalId);
        if (revoked) this.events.emit('revoked', terminalId);
      }),
      signals.onResync(() => {
        this.changes++;
        this.cache.clear();
      }),
    );
  }

  private announce(terminalId: string, orgId: string, revoked: boolean): Promise<void> {
    if (!this.bus) return Promise.resolve();
    return this.bus
      .publish('device.credential', { terminalId, orgId, revoked })
      .catch((err: unknown) => this.ctx.log.warn({ err, terminalId }, 'credential change not signalled to other processes'));
  }

  async createEnrollmentCode(actor: Actor, input: { label?: string | undefined; maxUses: number; expiresInHours: number }) {
    assertCan(actor, 'devices:manage');
    const code = randomBytes(9).toString('base64url').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 12).padEnd(12, '7');
    const now = this.ctx.clock.now();
    const row = await this.ctx.db.orm.transaction(async (tx) => {
      const [r] = await tx
        .insert(enrollmentCodes)
        .values({
          orgId: actor.orgId,
          codeHash: sha256(code),
          label: input.label ?? null,
          maxUses: input.maxUses,
          expiresAt: new Date(now.getTime() + input.expiresInHours * 3_600_000),
          createdBy: actor.name,
          createdAt: now,
        })
        .returning();
      await recordAudit(tx, actor, r!.orgId, { action: 'create', entity: 'enrollment_code', entityId: r!.id, after: { label: r!.label, maxUses: r!.maxUses, expiresAt: r!.expiresAt } }, now);
      return r!;
    });
    return { ...row, code };
  }

  async listEnrollmentCodes(actor: Actor) {
    assertCan(actor, 'devices:manage');
    return this.ctx.db.orm.select().from(enrollmentCodes).where(eq(enrollmentCodes.orgId, actor.orgId)).orderBy(desc(enrollmentCodes.createdAt)).limit(200);
  }

  async revokeEnrollmentCode(actor: Actor, id: string) {
    assertCan(actor, 'devices:manage');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      const [row] = await tx
        .update(enrollmentCodes)
        .set({ revokedAt: now })
        .where(and(eq(enrollmentCodes.id, id), eq(enrollmentCodes.orgId, actor.orgId)))
        .returning();
      if (!row) throw errors.notFound('enrollment_code');
      await recordAudit(tx, actor, row.orgId, { action: 'revoke', entity: 'enrollment_code', entityId: id }, now);
    });
  }

  /**
   * A terminal trades a valid code and its own serial number (which must be in the organization's
   * inventory and not retired) for a fresh secret. Enrolling again replaces the old secret.
   */
  async enroll(code: string, serialNumber: string) {
    const now = this.ctx.clock.now();
    const enrolled = await this.ctx.db.orm.transaction(async (tx) => {
      const [ec] = await tx
        .update(enrollmentCodes)
        .set({ uses: sql`${enrollmentCodes.uses} + 1` })
        .where(
          and(
            eq(enrollmentCodes.codeHash, sha256(code.trim().toUpperCase())),
            isNull(enrollmentCodes.revokedAt),
            sql`${enrollmentCodes.expiresAt} > ${now.toISOString()}`,
            sql`${enrollmentCodes.uses} < ${enrollmentCodes.maxUses}`,
          ),
        )
        .returning();
      if (!ec) throw new AppError('device.enrollment_invalid', 401);
      const [term] = await tx.select().from(terminals).where(and(eq(terminals.orgId, ec.orgId), eq(terminals.serialNumber, serialNumber.trim())));
      if (!term || term.lifecycleState === 'retired') throw new AppError('device.enrollment_invalid', 401);
      const secret = randomBytes(32).toString('base64url');
      await tx
        .insert(deviceCredentials)
        .values({ terminalId: term.id, orgId: term.orgId, secretHash: sha256(secret), enrolledAt: now })
        .onConflictDoUpdate({ target: deviceCredentials.terminalId, set: { secretHash: sha256(secret), enrolledAt: now, revokedAt: null } });
      await recordAudit(tx, systemActor(term.orgId, `terminal ${term.serialNumber}`), term.orgId, { action: 'enroll', entity: 'terminal', entityId: term.id, after: { enrollmentCode: ec.id } }, now);
      this.cache.delete(term.id);
      return { terminalId: term.id, orgId: term.orgId, secret, mqtt: { topicPrefix: topicFor(term.orgId, term.id, 'telemetry').replace(/\/telemetry$/, '') } };
    });
    // Other processes may hold the old secret (or a revocation) in their cache.
    await this.announce(enrolled.terminalId, enrolled.orgId, false);
    return enrolled;
  }

  async revoke(actor: Actor, terminalId: string) {
    assertCan(actor, 'devices:manage');
    const now = this.ctx.clock.now();
    const row = await this.ctx.db.orm.transaction(async (tx) => {
      const [r] = await tx
        .update(deviceCredentials)
        .set({ revokedAt: now })
        .where(and(eq(deviceCredentials.terminalId, terminalId), eq(deviceCredentials.orgId, actor.orgId)))
        .returning();
      if (!r) throw errors.notFound('terminal');
      await recordAudit(tx, actor, r.orgId, { action: 'revoke_credential', entity: 'terminal', entityId: terminalId }, now);
      return r;
    });
    this.cache.set(terminalId, { orgId: row.orgId, secretHash: row.secretHash, revoked: true, until: Date.now() + CACHE_MS });
    this.events.emit('revoked', terminalId);
    await this.announce(terminalId, row.orgId, true);
  }

  async credentialOf(actor: Actor, terminalId: string) {
    const [row] = await this.ctx.db.orm
      .select({ enrolledAt: deviceCredentials.enrolledAt, revokedAt: deviceCredentials.revokedAt, lastConnectedAt: deviceCredentials.lastConnectedAt })
      .from(deviceCredentials)
      .where(and(eq(deviceCredentials.terminalId, terminalId), eq(deviceCredentials.orgId, actor.orgId)));
    return row ?? null;
  }

  private async lookup(terminalId: string): Promise<CacheEntry | null> {
    const hit = this.cache.get(terminalId);
    if (hit && hit.until > Date.now()) return hit;
    // Only a well-formed UUID reaches the query: anything else would be a database error, not an unknown terminal.
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(terminalId)) return null;
    const seen = this.changes;
    const [term] = await this.ctx.db.orm
      .select({ orgId: terminals.orgId, secretHash: deviceCredentials.secretHash, revokedAt: deviceCredentials.revokedAt, state: terminals.lifecycleState })
      .from(terminals)
      .leftJoin(deviceCredentials, eq(deviceCredentials.terminalId, terminals.id))
      .where(eq(terminals.id, terminalId));
    if (!term) {
      this.cache.delete(terminalId);
      return null;
    }
    const entry = { orgId: term.orgId, secretHash: term.secretHash, revoked: Boolean(term.revokedAt) || term.state === 'retired', until: Date.now() + CACHE_MS };
    if (this.cache.size > 500_000) this.cache.clear();
    if (seen === this.changes) this.cache.set(terminalId, entry);
    return entry;
  }

  /** Checks a terminal's secret (MQTT password or HTTPS bearer). */
  async authenticate(
    terminalId: string,
    secret: string,
    from?: { address: string | undefined; channel: 'https' | 'mqtt' },
  ): Promise<{ ok: true; identity: DeviceIdentity } | { ok: false; reason: 'unknown_terminal' | 'revoked' | 'unauthenticated' }> {
    const e = await this.lookup(terminalId);
    if (!e) return { ok: false, reason: 'unknown_terminal' };
    if (e.revoked) {
      if (from) this.signals?.revokedTerminal(e.orgId, terminalId, from.address, from.channel);
      return { ok: false, reason: 'revoked' };
    }
    if (!e.secretHash) return { ok: false, reason: 'unauthenticated' };
    const a = Buffer.from(sha256(secret), 'hex');
    const b = Buffer.from(e.secretHash, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'unauthenticated' };
    if (from) this.signals?.deviceSeen(e.orgId, terminalId, from.address, from.channel);
    return { ok: true, identity: { terminalId, orgId: e.orgId } };
  }

  /**
   * For messages that arrive through an external broker (which authenticated the device itself):
   * the terminal must exist, be enrolled and not revoked, and belong to the organization in the topic.
   */
  async checkTopicIdentity(orgId: string, terminalId: string): Promise<{ ok: true } | { ok: false; reason: 'unknown_terminal' | 'wrong_tenant' | 'revoked' }> {
    const e = await this.lookup(terminalId);
    if (!e) return { ok: false, reason: 'unknown_terminal' };
    if (e.orgId !== orgId) return { ok: false, reason: 'wrong_tenant' };
    if (e.revoked || !e.secretHash) {
      if (e.revoked) this.signals?.revokedTerminal(e.orgId, terminalId, undefined, 'mqtt');
      return { ok: false, reason: 'revoked' };
    }
    return { ok: true };
  }

  async touchConnected(terminalId: string) {
    await this.ctx.db.orm.update(deviceCredentials).set({ lastConnectedAt: this.ctx.clock.now() }).where(eq(deviceCredentials.terminalId, terminalId));
  }
}
