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
  quiet: { start: string; end: string; timeZone: string } | null;
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
    quiet: prefs?.quietStart && prefs.quietEnd ? { start: prefs.quietStart, end: prefs.quietEnd, timeZone: prefs.timeZone ?? 'Asia/Shanghai' } : null,
  }));
}

export interface ClaimedDelivery {
  id: string;
  orgId: string;
  channel: 'email' | 'webhook' | 'wecom' | 'dingtalk' | 'feishu' | 'sms';
  target: string;
  event: string;
  payload: Record<string, unknown>;
  attempts: number;
  /** The webhook's HMAC key; null for e-mail. */
  secret: string | null;
  /** A group robot or SMS provider: its row (credentials still sealed). */
  notifyChannel: { id: string; kind: string; language: Language; settings: Record<string, unknown>; credentials: string } | null;
  digestKey: string | null;
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
       RETURNING id, org_id, channel, target, event, payload, attempts, webhook_id, channel_id, digest_key)
     ${CLAIMED_SELECT}`,
    [now, new Date(now.getTime() + leaseMs), limit],
  );
  return rows.map(toClaimed);
}

const CLAIMED_SELECT = `SELECT c.*, w.secret, n.kind AS n_kind, n.language AS n_language, n.settings AS n_settings, n.credentials AS n_credentials
     FROM claimed c LEFT JOIN webhooks w ON w.id = c.webhook_id LEFT JOIN notify_channels n ON n.id = c.channel_id`;

/**
 * Also takes the other due rows that share `digestKey` (not claimed by anyone), so a summary is sent
 * once with all of them, whichever batch the first one fell into.
 */
export async function claimSiblings(tx: RawTx, digestKey: string, exceptIds: string[], now: Date, leaseMs: number): Promise<ClaimedDelivery[]> {
  const rows = await tx.query<Record<string, unknown>>(
    `WITH claimed AS (
       UPDATE deliveries SET next_attempt_at = $2
       WHERE id IN (
         SELECT id FROM deliveries
         WHERE status IN ('pending', 'retrying') AND next_attempt_at <= $1 AND digest_key = $3 AND NOT (id = ANY($4::uuid[]))
         ORDER BY created_at LIMIT 200
         FOR UPDATE SKIP LOCKED)
       RETURNING id, org_id, channel, target, event, payload, attempts, webhook_id, channel_id, digest_key)
     ${CLAIMED_SELECT}`,
    [now, new Date(now.getTime() + leaseMs), digestKey, exceptIds],
  );
  return rows.map(toClaimed);
}

/**
 * Reserves up to `wanted` sends of a robot within its per-minute limit, for every process at once
 * (the channel row is locked while its recent send times are read and extended). Returns how many
 * were granted, and when the oldest send of the minute leaves it (the next room).
 */
export async function reserveSends(tx: RawTx, channelId: string, wanted: number, perMinute: number, now: Date): Promise<{ granted: number; nextRoomAt: Date }> {
  const [row] = await tx.query<{ recent_sends: unknown }>('SELECT recent_sends FROM notify_channels WHERE id = $1 FOR UPDATE', [channelId]);
  const since = now.getTime() - 60_000;
  const recent = parseTimes(row?.recent_sends).filter((t) => t > since);
  const granted = Math.max(0, Math.min(wanted, perMinute - recent.length));
  const kept = [...recent, ...Array<number>(granted).fill(now.getTime())].sort((a, b) => a - b);
  await tx.query('UPDATE notify_channels SET recent_sends = $2::timestamptz[] WHERE id = $1', [channelId, kept.map((t) => new Date(t).toISOString())]);
  return { granted, nextRoomAt: new Date((kept[0] ?? now.getTime()) + 60_000) };
}

/** A timestamptz[] as the driver gives it: an array of Dates (pg) or the literal '{"…","…"}' (PGlite may). */
function parseTimes(v: unknown): number[] {
  if (Array.isArray(v)) return v.map((x) => new Date(x as string).getTime());
  if (typeof v === 'string' && v.length > 2) return v.slice(1, -1).split(',').map((x) => new Date(x.replace(/"/g, '')).getTime());
  return [];
}

function toClaimed(r: Record<string, unknown>): ClaimedDelivery {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
  return {
    id: r.id as string,
    orgId: r.org_id as string,
    channel: r.channel as ClaimedDelivery['channel'],
    target: r.target as string,
    event: r.event as string,
    payload: json(r.payload),
    attempts: Number(r.attempts),
    secret: (r.secret as string | null) ?? null,
    notifyChannel: r.channel_id && r.n_kind ? { id: r.channel_id as string, kind: r.n_kind as string, language: r.n_language as Language, settings: json(r.n_settings ?? {}), credentials: r.n_credentials as string } : null,
    digestKey: (r.digest_key as string | null) ?? null,
  };
}

export type Outcome =
  | { kind: 'sent'; responseStatus: number | null; batchedInto?: string }
  | { kind: 'waiting'; nextAttemptAt: Date }
  | { kind: 'retrying'; nextAttemptAt: Date; error: string; responseStatus: number | null }
  | { kind: 'failed'; error: string; responseStatus: number | null };

export async function recordOutcome(orm: Orm, id: string, attempts: number, o: Outcome, now: Date): Promise<void> {
  // Waiting for a robot's rate to allow it is no attempt: the row keeps its status and attempts.
  if (o.kind === 'waiting') return void (await orm.update(deliveries).set({ nextAttemptAt: o.nextAttemptAt }).where(eq(deliveries.id, id)));
  const common = { attempts, responseStatus: o.responseStatus };
  const set =
    o.kind === 'sent'
      ? { ...common, status: 'sent', deliveredAt: now, nextAttemptAt: null, lastError: null, batchedInto: o.batchedInto ?? null }
      : o.kind === 'retrying'
        ? { ...common, status: 'retrying', nextAttemptAt: o.nextAttemptAt, lastError: o.error }
        : { ...common, status: 'failed', nextAttemptAt: null, lastError: o.error };
  await orm.update(deliveries).set(set).where(eq(deliveries.id, id));
}
