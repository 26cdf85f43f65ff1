/**
 * Notifications of early-warning alerts: who is told (staff and the alert's own merchant, by each
 * person's preferences), in which language, on which channel (console inbox, e-mail, webhooks); the
 * inbox, the preferences and the webhook admin. E-mails and webhook calls are only queued here, as
 * `deliveries` rows in the same transaction; delivery.ts sends them, with retries.
 */
import { randomBytes } from 'node:crypto';
import { and, count, desc, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { DeliveryQuery, DeliveryRow, Language, NotificationPage, NotificationPreferences, NotificationRow, WebhookCreate, WebhookRow } from '@poscare/contracts';
import { type Actor, assertCan } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import type { Orm } from '../db/client.js';
import { deliveries, notificationPreferences, notifications, users, webhooks } from '../db/schema.js';
import { errors } from '../errors/errors.js';
import { translate } from '../i18n/messages.js';
import type { AppContext } from '../platform/context.js';
import { ChannelAdmin } from './channelAdmin.js';
import { queueContactSms, queueGroupMessages, type ContactNotice, type GroupNotice } from './outbound.js';
import { findRecipients } from './repository.js';
import { renderAlert, renderEmail, webhookBody, type RenderedText } from './render.js';
import type { MarkRead, NotificationQuery, WebhookUpdate } from './schemas.js';
import { inQuietHours, quietHoursEnd } from './zonedTime.js';
import { atLeast, DEFAULT_PREFERENCES, type AlertNotice, type NotifyResult } from './types.js';

type WebhookDb = typeof webhooks.$inferSelect;
type DeliveryDb = typeof deliveries.$inferSelect;
type NotificationDb = typeof notifications.$inferSelect;

/** The HMAC key is shown once; afterwards its last characters are enough to tell keys apart. */
export const maskSecret = (secret: string) => `••••${secret.slice(-4)}`;

export function presentWebhook(w: WebhookDb, reveal = false): WebhookRow {
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    minSeverity: w.minSeverity as WebhookRow['minSeverity'],
    enabled: w.enabled,
    secret: reveal ? w.secret : maskSecret(w.secret),
    createdAt: w.createdAt.toISOString(),
  };
}

/** What the audit log keeps of a webhook: everything but the secret. */
const auditedWebhook = (w: WebhookDb) => ({ id: w.id, name: w.name, url: w.url, minSeverity: w.minSeverity, enabled: w.enabled });

export function presentDelivery(d: DeliveryDb): DeliveryRow {
  return {
    id: d.id,
    channel: d.channel as DeliveryRow['channel'],
    target: d.target,
    alertId: d.alertId,
    event: d.event,
    status: d.status as DeliveryRow['status'],
    attempts: d.attempts,
    lastError: d.lastError,
    responseStatus: d.responseStatus,
    createdAt: d.createdAt.toISOString(),
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    notifyChannelId: d.channelId ?? null,
    batchedInto: d.batchedInto ?? null,
  };
}

const presentNotification = (n: NotificationDb): NotificationRow => ({
  id: n.id,
  alertId: n.alertId,
  ticketId: n.ticketId ?? null,
  kind: n.kind,
  title: n.title,
  body: n.body,
  severity: n.severity as NotificationRow['severity'],
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt?.toISOString() ?? null,
});

export class NotificationService {
  /** Group robots, SMS, contacts, quiet hours and on-call rotations (issue 19). */
  readonly channels: ChannelAdmin;

  constructor(private ctx: AppContext) {
    this.channels = new ChannelAdmin(ctx);
  }

  /**
   * Tells everybody who should hear about an alert change. Called by the alert engine, not by a
   * person, so there is no actor: the notice's organization bounds every query. Pass `tx` to write
   * inside the engine's own transaction (the alert change and its notifications commit together).
   */
  async notifyAlert(notice: AlertNotice, now: Date = this.ctx.clock.now(), tx?: Orm): Promise<NotifyResult> {
    return (tx ?? this.ctx.db.orm).transaction(async (t) => {
      const recipients = (await findRecipients(t, notice)).filter((r) => atLeast(notice.severity, r.minSeverity));
      const texts = new Map<Language, RenderedText>();
      const textIn = (lang: Language) => texts.get(lang) ?? texts.set(lang, renderAlert(notice, lang)).get(lang)!;
      const base = { orgId: notice.orgId, alertId: notice.alertId, createdAt: now };

      const inbox = recipients
        .filter((r) => r.wantsConsole)
        .map((r) => ({ ...base, userId: r.userId, kind: `alert.${notice.event}`, severity: notice.severity, ...textIn(r.language) }));
      const mails = recipients
        .filter((r) => r.wantsEmail)
        .map((r) => {
          const mail = { ...base, channel: 'email', target: r.email, userId: r.userId, event: notice.event, payload: { language: r.language, ...renderEmail(textIn(r.language), r.language) }, nextAttemptAt: now };
          // Quiet hours: a critical alert breaks through; the rest waits for the morning summary (one e-mail at the end).
          if (!r.quiet || notice.severity === 'critical' || !inQuietHours(r.quiet, now)) return mail;
          const end = quietHoursEnd(r.quiet, now);
          return { ...mail, nextAttemptAt: end, digestKey: `quiet:${r.userId}:${end.toISOString()}` };
        });
      const hooks = (await t.select().from(webhooks).where(and(eq(webhooks.orgId, notice.orgId), eq(webhooks.enabled, true))))
        .filter((w) => atLeast(notice.severity, w.minSeverity))
        .map((w) => ({ ...base, channel: 'webhook', target: w.url, webhookId: w.id, event: notice.event, payload: webhookBody(notice, now), nextAttemptAt: now }));

      // One statement per table whatever the audience size (drizzle refuses an empty VALUES list).
      if (inbox.length) await t.insert(notifications).values(inbox);
      if (mails.length || hooks.length) await t.insert(deliveries).values([...mails, ...hooks]);
      const path = `/alerts/${notice.alertId}`;
      const alertText = (lang: Language) => {
        const r = textIn(lang);
        return { title: r.title, lines: r.body.split('\n').filter(Boolean) };
      };
      const groups = await queueGroupMessages(t, { orgId: notice.orgId, event: notice.event, severity: notice.severity, text: alertText, path, alertId: notice.alertId }, now, this.ctx.config);
      // Merchant contacts hear by SMS only of alerts that start on their own merchant and are critical.
      const sms =
        notice.merchantId && notice.event === 'fired' && notice.severity === 'critical'
          ? await queueContactSms(t, { orgId: notice.orgId, merchantId: notice.merchantId, topic: 'alert', event: notice.event, path, alertId: notice.alertId, values: (lang) => ({ title: textIn(lang).title, rule: notice.ruleName[lang], scope: notice.scopeLabel }) }, now, this.ctx.config)
          : 0;
      return { notifications: inbox.length, emails: mails.length, webhooks: hooks.length, ...(groups ? { groups } : {}), ...(sms ? { sms } : {}) };
    });
  }

  /**
   * Group robot messages for something other than an alert (a ticket's escalation step, a dispute
   * deadline…), naming the team's on-call person. Pass `tx` to queue inside the caller's transaction.
   */
  async notifyGroups(notice: GroupNotice, now: Date = this.ctx.clock.now(), tx?: Orm): Promise<number> {
    return queueGroupMessages(tx ?? this.ctx.db.orm, notice, now, this.ctx.config);
  }

  /** SMS to a merchant's contacts who asked for this topic (duplicate charge, ticket step, dispute deadline). */
  async notifyMerchantContacts(notice: ContactNotice, now: Date = this.ctx.clock.now(), tx?: Orm): Promise<number> {
    return queueContactSms(tx ?? this.ctx.db.orm, notice, now, this.ctx.config);
  }

  // --- the signed-in person's inbox -------------------------------------------------------------

  async inbox(actor: Actor, q: NotificationQuery): Promise<z.infer<typeof NotificationPage>> {
    assertCan(actor, 'alerts:read');
    const mine = this.mine(actor);
    const where = q.unread === 'true' ? and(mine, isNull(notifications.readAt)) : mine;
    const orm = this.ctx.db.orm;
    const [items, [total], [unread]] = await Promise.all([
      orm.select().from(notifications).where(where).orderBy(desc(notifications.createdAt), desc(notifications.id)).limit(q.limit).offset(q.offset),
      orm.select({ n: count() }).from(notifications).where(where),
      orm.select({ n: count() }).from(notifications).where(and(mine, isNull(notifications.readAt))),
    ]);
    return { items: items.map(presentNotification), total: total?.n ?? 0, unread: unread?.n ?? 0 };
  }

  /** Marks the given notifications (or all) of the caller read; others' ids are silently ignored. */
  async markRead(actor: Actor, input: MarkRead): Promise<{ updated: number }> {
    assertCan(actor, 'alerts:read');
    if (input.ids && !input.ids.length) return { updated: 0 };
    const rows = await this.ctx.db.orm
      .update(notifications)
      .set({ readAt: this.ctx.clock.now() })
      .where(and(this.mine(actor), isNull(notifications.readAt), input.ids ? inArray(notifications.id, input.ids) : undefined))
      .returning({ id: notifications.id });
    return { updated: rows.length };
  }

  private mine(actor: Actor): SQL {
    return and(eq(notifications.userId, actor.userId), eq(notifications.orgId, actor.orgId))!;
  }

  // --- the signed-in person's preferences -------------------------------------------------------

  async preferences(actor: Actor): Promise<NotificationPreferences> {
    assertCan(actor, 'alerts:read');
    return this.readPreferences(this.ctx.db.orm, actor);
  }

  async savePreferences(actor: Actor, input: NotificationPreferences): Promise<NotificationPreferences> {
    assertCan(actor, 'alerts:read');
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction(async (tx) => {
      const before = await this.readPreferences(tx, actor);
      const row = { console: input.console, email: input.email, minSeverity: input.minSeverity };
      await tx.insert(notificationPreferences).values({ userId: actor.userId, ...row }).onConflictDoUpdate({ target: notificationPreferences.userId, set: row });
      // The language is the person's, not only their notifications': the console and errors follow it too.
      if (input.language !== before.language) await tx.update(users).set({ language: input.language }).where(and(eq(users.id, actor.userId), eq(users.orgId, actor.orgId)));
      await recordAudit(tx, actor, actor.orgId, { action: 'update', entity: 'notification_preferences', entityId: actor.userId, before, after: input }, now);
      return { ...row, language: input.language };
    });
  }

  private async readPreferences(orm: Orm, actor: Actor): Promise<NotificationPreferences> {
    const [row] = await orm
      .select({ language: users.language, prefs: notificationPreferences })
      .from(users)
      .leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id))
      .where(and(eq(users.id, actor.userId), eq(users.orgId, actor.orgId)));
    if (!row) throw errors.notFound('user');
    const p = row.prefs ?? DEFAULT_PREFERENCES;
    return { console: p.console, email: p.email, minSeverity: p.minSeverity as NotificationPreferences['minSeverity'], language: row.language };
  }

  // --- webhooks (admin) -------------------------------------------------------------------------

  async listWebhooks(actor: Actor): Promise<WebhookRow[]> {
    assertCan(actor, 'alerts:configure');
    const rows = await this.ctx.db.orm.select().from(webhooks).where(eq(webhooks.orgId, actor.orgId)).orderBy(webhooks.createdAt, webhooks.id);
    return rows.map((w) => presentWebhook(w));
  }

  /** The only answer that carries the whole secret: the receiver's owner copies it from here. */
  async createWebhook(actor: Actor, input: z.infer<typeof WebhookCreate>): Promise<WebhookRow> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction(async (tx) => {
      const [row] = await tx
        .insert(webhooks)
        .values({ orgId: actor.orgId, ...input, secret: randomBytes(32).toString('base64url'), createdBy: actor.name, createdAt: now })
        .returning();
      await recordAudit(tx, actor, row!.orgId, { action: 'create', entity: 'webhook', entityId: row!.id, after: auditedWebhook(row!) }, now);
      return presentWebhook(row!, true);
    });
  }

  async updateWebhook(actor: Actor, id: string, patch: WebhookUpdate): Promise<WebhookRow> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction(async (tx) => {
      const before = await this.webhook(tx, actor, id);
      const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as WebhookUpdate;
      if (!Object.keys(set).length) return presentWebhook(before);
      const [row] = await tx.update(webhooks).set(set).where(eq(webhooks.id, id)).returning();
      await recordAudit(tx, actor, before.orgId, { action: 'update', entity: 'webhook', entityId: id, before: auditedWebhook(before), after: auditedWebhook(row!) }, now);
      return presentWebhook(row!);
    });
  }

  /** Its deliveries go with it (the schema cascades): the log is about receivers that exist. */
  async deleteWebhook(actor: Actor, id: string): Promise<void> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      const before = await this.webhook(tx, actor, id);
      await tx.delete(webhooks).where(eq(webhooks.id, id));
      await recordAudit(tx, actor, before.orgId, { action: 'delete', entity: 'webhook', entityId: id, before: auditedWebhook(before) }, now);
    });
  }

  /** Queues a signed call with event 'test', even to a disabled webhook: checking it before enabling is the point. */
  async testWebhook(actor: Actor, id: string): Promise<DeliveryRow> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction(async (tx) => {
      const w = await this.webhook(tx, actor, id);
      const payload = { event: 'test', webhook: { id: w.id, name: w.name }, message: translate(actor.language, 'notify.test.body', { name: w.name }), sentAt: now.toISOString() };
      const [row] = await tx
        .insert(deliveries)
        .values({ orgId: actor.orgId, channel: 'webhook', target: w.url, webhookId: w.id, event: 'test', payload, createdAt: now, nextAttemptAt: now })
        .returning();
      await recordAudit(tx, actor, w.orgId, { action: 'test', entity: 'webhook', entityId: id, after: { deliveryId: row!.id } }, now);
      return presentDelivery(row!);
    });
  }

  /** Another organization's webhook is answered as not found, like everything across tenants. */
  private async webhook(orm: Orm, actor: Actor, id: string): Promise<WebhookDb> {
    const [row] = await orm.select().from(webhooks).where(and(eq(webhooks.id, id), eq(webhooks.orgId, actor.orgId)));
    if (!row) throw errors.notFound('webhook');
    return row;
  }

  // --- delivery log (admin) ---------------------------------------------------------------------

  async listDeliveries(actor: Actor, q: z.infer<typeof DeliveryQuery>): Promise<{ items: DeliveryRow[]; total: number }> {
    assertCan(actor, 'alerts:configure');
    const orm = this.ctx.db.orm;
    if (q.webhookId) await this.webhook(orm, actor, q.webhookId);
    const where = and(
      eq(deliveries.orgId, actor.orgId),
      q.channel ? eq(deliveries.channel, q.channel) : undefined,
      q.status ? eq(deliveries.status, q.status) : undefined,
      q.webhookId ? eq(deliveries.webhookId, q.webhookId) : undefined,
      q.notifyChannelId ? eq(deliveries.channelId, q.notifyChannelId) : undefined,
    );
    const [items, [total]] = await Promise.all([
      orm.select().from(deliveries).where(where).orderBy(desc(deliveries.createdAt), desc(deliveries.id)).limit(q.limit).offset(q.offset),
      orm.select({ n: count() }).from(deliveries).where(where),
    ]);
    return { items: items.map(presentDelivery), total: total?.n ?? 0 };
  }
}
