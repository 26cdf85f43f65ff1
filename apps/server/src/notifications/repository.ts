/**
 * The queries of notifications that are more than simple CRUD: who hears about an alert, and the
 * delivery queue (claim due rows without two workers taking the same one, record the outcome).
 */
import { and, eq, inArray, or, type SQL } from 'drizzle-orm';
import { ROLES, type Language, type Role } from '@poscare/contracts';
import type { Orm, RawTx } from '../db/client.js';
import { deliveries, notificationPreferences, users } from '../db/schema.js';
import { DEFAULT_PREFERENCES, DEFAULT_STAFF_ROLES, type AlertNotice } from './types.js';

export interface Recipient {
  userId: string;
  email: string;
  language: Language;
  wantsConsole: boolean;
  wantsEmail: boolean;
  minSeverity: string;
}

/**
 * The people of the alert's organization who may hear about it: the staff roles asked for, and the
 * users of the alert's own merchant (never another merchant's, never for an alert of no merchant).
 */
export async function findRecipients(orm: Orm, n: AlertNotice): Promise<Recipient[]> {
  const asked = (n.roles ?? [...DEFAULT_STAFF_ROLES, 'merchant']).filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  const staff = asked.filter((r) => r !== 'merchant');
  const audience: SQL[] = [];
  if (staff.length) audience.push(inArray(users.role, staff));
  if (n.merchantId && asked.includes('merchant')) audience.push(and(eq(users.role, 'merchant'), eq(users.merchantId, n.merchantId))!);
  // Without this guard an empty or() would drop the audience filter and tell the whole organization.
  if (!audience.length) return [];
  const rows = await orm
    .select({ user: users, prefs: notificationPreferences })
    .from(users)
    .leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id))
    .where(and(eq(users.orgId, n.orgId), eq(users.disabled, false), or(...audience)));
  return rows.map(({ user, prefs }) => ({
    userId: user.id,
    email: user.email,
    language: user.language,
    wantsConsole: prefs?.console ?? DEFAULT_PREFERENCES.console,
    wantsEmail: prefs?.email ?? DEFAULT_PREFERENCES.email,
    minSeverity: prefs?.minSeverity ?? DEFAULT_PREFERENCES.minSeverity,
  }));
}

export interface ClaimedDelivery {
  id: string;
  orgId: string;
  channel: 'email' | 'webhook';
  target: string;
  event: string;
  payload: Record<string, unknown>;
  attempts: number;
  /** The webhook's HMAC key; null for e-mail. */
  secret: string | null;
}

/**
 * Takes up to `limit` due deliveries and pushes their next attempt `leaseMs` ahead, so that while
 * this worker sends (outside any transaction: a slow receiver must not hold a lock or, on PGlite, the
 * only connection) no other worker picks them up; SKIP LOCKED lets concurrent workers claim disjoint
 * rows. A worker that dies mid-send leaves the row to be retried when the lease ends.
 */
export async function claimDue(tx: RawTx, now: Date, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  const rows = await tx.query<Record<string, unknown>>(
    `WITH claimed AS (
       UPDATE deliveries SET next_attempt_at = $2
       WHERE id IN (
         SELECT id FROM deliveries
         WHERE status IN ('pending', 'retrying') AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING id, org_id, channel, target, event, payload, attempts, webhook_id)
     SELECT c.*, w.secret FROM claimed c LEFT JOIN webhooks w ON w.id = c.webhook_id`,
    [now, new Date(now.getTime() + leaseMs), limit],
  );
  return rows.map((r) => ({
    id: r.id as string,
    orgId: r.org_id as string,
    channel: r.channel as ClaimedDelivery['channel'],
    target: r.target as string,
    event: r.event as string,
    payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
    attempts: Number(r.attempts),
    secret: (r.secret as string | null) ?? null,
  }));
}

export type Outcome =
  | { kind: 'sent'; responseStatus: number | null }
  | { kind: 'retrying'; nextAttemptAt: Date; error: string; responseStatus: number | null }
  | { kind: 'failed'; error: string; responseStatus: number | null };

export async function recordOutcome(orm: Orm, id: string, attempts: number, o: Outcome, now: Date): Promise<void> {
  const common = { attempts, responseStatus: o.responseStatus };
  const set =
    o.kind === 'sent'
      ? { ...common, status: 'sent', deliveredAt: now, nextAttemptAt: null, lastError: null }
      : o.kind === 'retrying'
        ? { ...common, status: 'retrying', nextAttemptAt: o.nextAttemptAt, lastError: o.error }
        : { ...common, status: 'failed', nextAttemptAt: null, lastError: o.error };
  await orm.update(deliveries).set(set).where(eq(deliveries.id, id));
}
