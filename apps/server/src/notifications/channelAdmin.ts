/**
 * The admin side of issue 19: group robots and SMS providers (credentials sealed at once, shown
 * never again), "send a test message" with the provider's answer, SMS templates, merchant contacts,
 * on-call rotations; and each person's quiet hours. Every method checks the permission first and
 * scopes to the actor's organization; another organization's rows answer as not found.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import {
  type ChannelTestResult,
  type MerchantContactRow,
  type NotifyChannelCreate,
  type NotifyChannelRow,
  type NotifyChannelUpdate,
  type OncallRotationInput,
  type OncallRotationRow,
  type QuietHours,
  type SmsTemplate,
  type TxnFindingCode,
  findingKind,
  type MerchantContactInput,
} from '@poscare/contracts';
import type { z } from 'zod';
import { type Actor, assertCan, can } from '../access/actor.js';
import type { Permission } from '../access/permissions.js';
import { recordAudit } from '../audit/service.js';
import type { Orm } from '../db/client.js';
import { deliveries, merchantContacts, merchants, notificationPreferences, notifyChannels, oncallRotations, smsTemplates, users } from '../db/schema.js';
import { AppError, errors } from '../errors/errors.js';
import { translate } from '../i18n/messages.js';
import { nextShift, shiftAt } from '../oncall/rotation.js';
import type { AppContext } from '../platform/context.js';
import { ChannelRefused, isRobot, sendGroupMessage, sendSms, type ChannelAnswer, type ChannelKind, type RobotCredentials, type SmsCredentials } from './channels/index.js';
import { credentialHint, openCredentials, sealCredentials } from './channels/credentials.js';
import { shortLinkKey, verifyShortLink, type ShortLinkKind } from './shortLinks.js';

/** Who keeps any merchant's contacts (a merchant's own users keep their merchant's). */
const CONTACT_KEEPERS: readonly string[] = ['admin', 'agent'];

/** What each short link opens, and the permission its page asks for. */
const SHORT_LINK_PAGES: Record<ShortLinkKind, { table: string; permission: Permission }> = {
  tickets: { table: 'tickets', permission: 'tickets:read' },
  disputes: { table: 'disputes', permission: 'disputes:read' },
  findings: { table: 'txn_findings', permission: 'payments:read' },
  alerts: { table: 'alerts', permission: 'alerts:read' },
};

type ChannelDb = typeof notifyChannels.$inferSelect;
type RotationDb = typeof oncallRotations.$inferSelect;

const TEST_TIMEOUT_MS = 10_000;

export function presentChannel(c: ChannelDb): NotifyChannelRow {
  return {
    id: c.id,
    kind: c.kind as NotifyChannelRow['kind'],
    name: c.name,
    language: c.language,
    minSeverity: c.minSeverity as NotifyChannelRow['minSeverity'],
    enabled: c.enabled,
    settings: c.settings,
    credentialHint: c.credentialHint,
    createdAt: c.createdAt.toISOString(),
  };
}

/** What the audit log keeps of a channel: never its credentials. */
const audited = (c: ChannelDb) => ({ id: c.id, kind: c.kind, name: c.name, language: c.language, minSeverity: c.minSeverity, enabled: c.enabled, settings: c.settings });

/** Splits the form into what is sealed and what is kept in the open. */
function split(input: NotifyChannelCreate): { creds: Record<string, string>; settings: Record<string, unknown>; hintOf: string } {
  if (isRobot(input.kind)) {
    const creds: Record<string, string> = { url: input.url! };
    if (input.secret) creds.secret = input.secret;
    const settings: Record<string, unknown> = input.kind === 'dingtalk' && input.keywords?.length ? { keywords: input.keywords } : {};
    return { creds, settings, hintOf: input.secret ?? input.url! };
  }
  const settings: Record<string, unknown> = { signName: input.signName };
  if (input.kind === 'tencent_sms') settings.smsSdkAppId = input.smsSdkAppId;
  if (input.region) settings[input.kind === 'aliyun_sms' ? 'regionId' : 'region'] = input.region;
  if (input.endpoint) settings.endpoint = input.endpoint;
  return { creds: { accessKeyId: input.accessKeyId!, accessKeySecret: input.accessKeySecret! }, settings, hintOf: input.accessKeySecret! };
}

export class ChannelAdmin {
  constructor(private ctx: AppContext) {}

  // --- channels -----------------------------------------------------------------------------------

  async list(actor: Actor): Promise<NotifyChannelRow[]> {
    assertCan(actor, 'alerts:configure');
    const rows = await this.ctx.db.orm.select().from(notifyChannels).where(eq(notifyChannels.orgId, actor.orgId)).orderBy(asc(notifyChannels.createdAt), asc(notifyChannels.id));
    return rows.map(presentChannel);
  }

  /** The credentials are sealed before anything is written; the answer carries only their hint. */
  async create(actor: Actor, input: NotifyChannelCreate): Promise<NotifyChannelRow> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    const id = randomUUID();
    const { creds, settings, hintOf } = split(input);
    const sealed = sealCredentials(this.ctx.config, id, creds);
    return this.ctx.db.orm.transaction(async (tx) => {
      const [row] = await tx
        .insert(notifyChannels)
        .values({ id, orgId: actor.orgId, kind: input.kind, name: input.name, language: input.language, minSeverity: input.minSeverity, enabled: input.enabled, settings, credentials: sealed, credentialHint: credentialHint(hintOf), createdBy: actor.name, createdAt: now })
        .returning();
      await recordAudit(tx, actor, actor.orgId, { action: 'create', entity: 'notify_channel', entityId: id, after: audited(row!) }, now);
      return presentChannel(row!);
    });
  }

  async update(actor: Actor, id: string, patch: NotifyChannelUpdate): Promise<NotifyChannelRow> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction(async (tx) => {
      const before = await this.channel(tx, actor, id);
      const { keywords, ...rest } = patch;
      const set: Partial<ChannelDb> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
      if (keywords !== undefined && before.kind === 'dingtalk') set.settings = { ...before.settings, keywords };
      if (!Object.keys(set).length) return presentChannel(before);
      const [row] = await tx.update(notifyChannels).set(set).where(eq(notifyChannels.id, id)).returning();
      await recordAudit(tx, actor, actor.orgId, { action: 'update', entity: 'notify_channel', entityId: id, before: audited(before), after: audited(row!) }, now);
      return presentChannel(row!);
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      const before = await this.channel(tx, actor, id);
      await tx.delete(notifyChannels).where(eq(notifyChannels.id, id));
      await recordAudit(tx, actor, actor.orgId, { action: 'delete', entity: 'notify_channel', entityId: id, before: audited(before) }, now);
    });
  }

  /**
   * Sends a test message now (not queued: the admin is waiting for the answer) and shows what the
   * provider said; it is kept in the delivery log too. An SMS test uses the 'test' template.
   */
  async test(actor: Actor, id: string, mobile: string | undefined): Promise<ChannelTestResult> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    const orm = this.ctx.db.orm;
    const ch = await this.channel(orm, actor, id);
    const stored = { kind: ch.kind as ChannelKind, language: ch.language, settings: ch.settings };
    let target = ch.name;
    let payload: Record<string, unknown>;
    let send: () => Promise<ChannelAnswer>;
    if (isRobot(ch.kind)) {
      const message = { title: translate(ch.language, 'notify.channel.test.title'), lines: [translate(ch.language, 'notify.channel.test.line', { name: ch.name })], mentions: [] };
      payload = { message };
      send = () => sendGroupMessage(stored, openCredentials<RobotCredentials>(this.ctx.config, ch.id, ch.credentials), message, now, TEST_TIMEOUT_MS);
    } else {
      if (!mobile) throw new AppError('notify.channel.test_mobile', 400);
      const sms = await smsFor(orm, ch, 'test', actor.language, { name: ch.name }, mobile);
      target = maskMobile(mobile);
      payload = { ...sms };
      send = () => sendSms(stored, openCredentials<SmsCredentials>(this.ctx.config, ch.id, ch.credentials), sms, now, TEST_TIMEOUT_MS);
    }
    let result: ChannelTestResult;
    try {
      const a = await send();
      result = { ok: true, status: a.status, answer: a.answer };
    } catch (err) {
      result = err instanceof ChannelRefused ? { ok: false, status: err.status, answer: err.answer } : { ok: false, status: null, answer: err instanceof Error ? (err.name === 'TimeoutError' ? 'timed out' : `${err.message}${(err as { cause?: { code?: string } }).cause?.code ? `: ${(err as { cause: { code: string } }).cause.code}` : ''}`) : String(err) };
    }
    await orm.transaction(async (tx) => {
      await tx.insert(deliveries).values({
        orgId: actor.orgId, channel: isRobot(ch.kind) ? ch.kind : 'sms', channelId: ch.id, target, event: 'test', payload, createdAt: now, attempts: 1,
        status: result.ok ? 'sent' : 'failed', deliveredAt: result.ok ? now : null, lastError: result.ok ? null : result.answer.slice(0, 500), responseStatus: result.status,
      });
      await recordAudit(tx, actor, actor.orgId, { action: 'test', entity: 'notify_channel', entityId: id, after: { ok: result.ok, status: result.status } }, now);
    });
    return result;
  }

  private async channel(orm: Orm, actor: Actor, id: string): Promise<ChannelDb> {
    const [row] = await orm.select().from(notifyChannels).where(and(eq(notifyChannels.id, id), eq(notifyChannels.orgId, actor.orgId)));
    if (!row) throw errors.notFound('notify_channel');
    return row;
  }

  // --- SMS templates ------------------------------------------------------------------------------

  async templates(actor: Actor, channelId: string): Promise<SmsTemplate[]> {
    assertCan(actor, 'alerts:configure');
    const ch = await this.channel(this.ctx.db.orm, actor, channelId);
    const rows = await this.ctx.db.orm.select().from(smsTemplates).where(eq(smsTemplates.channelId, ch.id)).orderBy(asc(smsTemplates.purpose), asc(smsTemplates.language));
    return rows.map((r) => ({ purpose: r.purpose as SmsTemplate['purpose'], language: r.language, templateCode: r.templateCode, params: r.params }));
  }

  /** Replaces the channel's templates with the list given (the editor saves the whole table). */
  async saveTemplates(actor: Actor, channelId: string, list: SmsTemplate[]): Promise<SmsTemplate[]> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      const ch = await this.channel(tx, actor, channelId);
      if (isRobot(ch.kind)) throw new AppError('notify.channel.not_sms', 400);
      await tx.delete(smsTemplates).where(eq(smsTemplates.channelId, ch.id));
      const unique = [...new Map(list.map((t) => [`${t.purpose}/${t.language}`, t])).values()];
      if (unique.length) await tx.insert(smsTemplates).values(unique.map((t) => ({ orgId: actor.orgId, channelId: ch.id, ...t })));
      await recordAudit(tx, actor, actor.orgId, { action: 'update', entity: 'sms_templates', entityId: ch.id, after: { templates: unique } }, now);
    });
    return this.templates(actor, channelId);
  }

  // --- merchant contacts --------------------------------------------------------------------------
  // The organization's admins and agents keep any merchant's contacts; a merchant's own users keep
  // their merchant's (they know who is at the till). Engineers and risk analysts do not.

  async contacts(actor: Actor, merchantId: string): Promise<MerchantContactRow[]> {
    await this.contactKeeper(actor, merchantId);
    const rows = await this.ctx.db.orm.select().from(merchantContacts).where(and(eq(merchantContacts.orgId, actor.orgId), eq(merchantContacts.merchantId, merchantId))).orderBy(asc(merchantContacts.createdAt), asc(merchantContacts.id));
    return rows.map(presentContact);
  }

  async addContact(actor: Actor, merchantId: string, input: z.infer<typeof MerchantContactInput>): Promise<MerchantContactRow> {
    await this.contactKeeper(actor, merchantId);
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction(async (tx) => {
      const [row] = await tx.insert(merchantContacts).values({ orgId: actor.orgId, merchantId, ...input, createdAt: now }).returning();
      await recordAudit(tx, actor, actor.orgId, { action: 'create', entity: 'merchant_contact', entityId: row!.id, after: { merchantId, name: input.name, language: input.language, topics: input.topics } }, now);
      return presentContact(row!);
    });
  }

  async updateContact(actor: Actor, id: string, input: z.infer<typeof MerchantContactInput>): Promise<MerchantContactRow> {
    const before = await this.contact(actor, id);
    const now = this.ctx.clock.now();
    return this.ctx.db.orm.transaction(async (tx) => {
      const [row] = await tx.update(merchantContacts).set(input).where(and(eq(merchantContacts.id, id), eq(merchantContacts.orgId, actor.orgId))).returning();
      if (!row) throw errors.notFound('merchant_contact');
      await recordAudit(tx, actor, actor.orgId, {
        action: 'update', entity: 'merchant_contact', entityId: id,
        before: { name: before.name, language: before.language, topics: before.topics }, after: { name: input.name, language: input.language, topics: input.topics },
      }, now);
      return presentContact(row);
    });
  }

  async removeContact(actor: Actor, id: string): Promise<void> {
    await this.contact(actor, id);
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      const gone = await tx.delete(merchantContacts).where(and(eq(merchantContacts.id, id), eq(merchantContacts.orgId, actor.orgId))).returning({ id: merchantContacts.id, merchantId: merchantContacts.merchantId });
      if (!gone.length) throw errors.notFound('merchant_contact');
      await recordAudit(tx, actor, actor.orgId, { action: 'delete', entity: 'merchant_contact', entityId: id, before: { merchantId: gone[0]!.merchantId } }, now);
    });
  }

  /** Another organization's merchant, or (for a merchant's user) another merchant, is not found. */
  private async contactKeeper(actor: Actor, merchantId: string): Promise<void> {
    assertCan(actor, 'alerts:read');
    if (actor.merchantId ? actor.merchantId !== merchantId : !CONTACT_KEEPERS.includes(actor.role) && !actor.platformAdmin) {
      if (actor.merchantId) throw errors.notFound('merchant');
      throw errors.forbidden();
    }
    await this.merchant(actor, merchantId);
  }

  private async contact(actor: Actor, id: string): Promise<typeof merchantContacts.$inferSelect> {
    assertCan(actor, 'alerts:read');
    const [c] = await this.ctx.db.orm.select().from(merchantContacts).where(and(eq(merchantContacts.id, id), eq(merchantContacts.orgId, actor.orgId)));
    if (!c || (actor.merchantId && c.merchantId !== actor.merchantId)) throw errors.notFound('merchant_contact');
    await this.contactKeeper(actor, c.merchantId);
    return c;
  }

  private async merchant(actor: Actor, id: string): Promise<void> {
    const [m] = await this.ctx.db.orm.select({ id: merchants.id }).from(merchants).where(and(eq(merchants.id, id), eq(merchants.orgId, actor.orgId)));
    if (!m) throw errors.notFound('merchant');
  }

  // --- short links (issue 19) ---------------------------------------------------------------------

  /**
   * The console page a short link stands for, if it verifies and the caller may see that page: the
   * same rule as the page's own read (the permission, the organization, a merchant's user only their
   * merchant's). Anything else, a forged or altered token included, is not found.
   */
  async openShortLink(actor: Actor, token: string): Promise<{ path: string }> {
    const key = shortLinkKey(this.ctx.config);
    const target = key ? verifyShortLink(key, token) : null;
    if (!target) throw new AppError('notify.short_link.invalid', 404);
    const { table, permission } = SHORT_LINK_PAGES[target.kind];
    if (!can(actor, permission)) throw new AppError('notify.short_link.invalid', 404);
    const [row] = await this.ctx.db.rawTransaction((tx) =>
      tx.query<{ merchant_id: string | null; code: string | null }>(`SELECT merchant_id, ${target.kind === 'findings' ? 'code' : 'NULL AS code'} FROM ${table} WHERE id = $1 AND org_id = $2`, [target.id, actor.orgId]),
    );
    // A merchant's user sees their merchant's pages; of findings, only duplicate charges (as findings/service.ts).
    const theirs = !actor.merchantId || (row?.merchant_id === actor.merchantId && (target.kind !== 'findings' || findingKind(row.code as TxnFindingCode) === 'dup'));
    if (!row || !theirs) throw new AppError('notify.short_link.invalid', 404);
    return { path: `/${target.kind}/${target.id}` };
  }

  // --- quiet hours (the caller's own) -------------------------------------------------------------

  async quietHours(actor: Actor): Promise<QuietHours> {
    assertCan(actor, 'alerts:read');
    const [p] = await this.ctx.db.orm.select().from(notificationPreferences).where(eq(notificationPreferences.userId, actor.userId));
    return { start: p?.quietStart ?? null, end: p?.quietEnd ?? null, timeZone: p?.timeZone ?? 'Asia/Shanghai' };
  }

  async saveQuietHours(actor: Actor, q: QuietHours): Promise<QuietHours> {
    assertCan(actor, 'alerts:read');
    const now = this.ctx.clock.now();
    // Both ends or neither: half a window would silence everything after it.
    const row = q.start && q.end ? { quietStart: q.start, quietEnd: q.end, timeZone: q.timeZone } : { quietStart: null, quietEnd: null, timeZone: q.timeZone };
    await this.ctx.db.orm.transaction(async (tx) => {
      await tx.insert(notificationPreferences).values({ userId: actor.userId, ...row }).onConflictDoUpdate({ target: notificationPreferences.userId, set: row });
      await recordAudit(tx, actor, actor.orgId, { action: 'update', entity: 'quiet_hours', entityId: actor.userId, after: row }, now);
    });
    return { start: row.quietStart, end: row.quietEnd, timeZone: row.timeZone };
  }

  // --- on-call rotations --------------------------------------------------------------------------

  async rotations(actor: Actor): Promise<OncallRotationRow[]> {
    assertCan(actor, 'alerts:read');
    const rows = await this.ctx.db.orm.select().from(oncallRotations).where(eq(oncallRotations.orgId, actor.orgId)).orderBy(asc(oncallRotations.team), asc(oncallRotations.createdAt));
    return this.presentRotations(rows, this.ctx.clock.now());
  }

  async saveRotation(actor: Actor, id: string | null, input: OncallRotationInput): Promise<OncallRotationRow> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    if (id) {
      const [mine] = await this.ctx.db.orm.select({ id: oncallRotations.id }).from(oncallRotations).where(and(eq(oncallRotations.id, id), eq(oncallRotations.orgId, actor.orgId)));
      if (!mine) throw errors.notFound('oncall_rotation');
    }
    const ids = [...new Set(input.members.map((m) => m.userId))];
    const known = await this.ctx.db.orm.select({ id: users.id }).from(users).where(and(eq(users.orgId, actor.orgId), inArray(users.id, ids)));
    if (known.length !== ids.length) throw new AppError('notify.oncall.not_member', 400);
    const row = await this.ctx.db.orm.transaction(async (tx) => {
      if (id) {
        const [r] = await tx.update(oncallRotations).set(input).where(and(eq(oncallRotations.id, id), eq(oncallRotations.orgId, actor.orgId))).returning();
        if (!r) throw errors.notFound('oncall_rotation');
        await recordAudit(tx, actor, actor.orgId, { action: 'update', entity: 'oncall_rotation', entityId: r.id, after: input }, now);
        return r;
      }
      const [r] = await tx.insert(oncallRotations).values({ orgId: actor.orgId, ...input, createdAt: now }).returning();
      await recordAudit(tx, actor, actor.orgId, { action: 'create', entity: 'oncall_rotation', entityId: r!.id, after: input }, now);
      return r!;
    });
    return (await this.presentRotations([row], now))[0]!;
  }

  async removeRotation(actor: Actor, id: string): Promise<void> {
    assertCan(actor, 'alerts:configure');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      const gone = await tx.delete(oncallRotations).where(and(eq(oncallRotations.id, id), eq(oncallRotations.orgId, actor.orgId))).returning({ id: oncallRotations.id });
      if (!gone.length) throw errors.notFound('oncall_rotation');
      await recordAudit(tx, actor, actor.orgId, { action: 'delete', entity: 'oncall_rotation', entityId: id }, now);
    });
  }

  private async presentRotations(rows: RotationDb[], now: Date): Promise<OncallRotationRow[]> {
    const ids = [...new Set(rows.flatMap((r) => r.members.map((m) => m.userId)))];
    const names = new Map((ids.length ? await this.ctx.db.orm.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids)) : []).map((u) => [u.id, u.name]));
    const shift = (s: ReturnType<typeof shiftAt>) => (s ? { userId: s.userId, name: names.get(s.userId) ?? '', mobile: s.mobile, from: s.from.toISOString(), until: s.until.toISOString() } : null);
    return rows.map((r) => ({
      id: r.id, team: r.team, timeZone: r.timeZone, handoverTime: r.handoverTime, shiftDays: r.shiftDays, startsOn: r.startsOn, members: r.members, createdAt: r.createdAt.toISOString(),
      now: shift(shiftAt(r, now)),
      next: shift(nextShift(r, now)),
    }));
  }
}

const presentContact = (r: typeof merchantContacts.$inferSelect): MerchantContactRow => ({
  id: r.id, merchantId: r.merchantId, name: r.name, mobile: r.mobile, language: r.language, topics: r.topics as MerchantContactRow['topics'], createdAt: r.createdAt.toISOString(),
});

/** 138****1111: the delivery log tells numbers apart without showing them whole. */
export const maskMobile = (m: string) => (m.length > 7 ? `${m.slice(0, m.length - 8)}****${m.slice(-4)}` : '****');

/** The SMS a template makes: its code and its parameters in order, from the values given (missing ones empty). */
export async function smsFor(orm: Orm, ch: { id: string }, purpose: string, language: import('@poscare/contracts').Language, values: Record<string, string>, mobile: string) {
  const rows = await orm.select().from(smsTemplates).where(and(eq(smsTemplates.channelId, ch.id), eq(smsTemplates.purpose, purpose)));
  const t = rows.find((r) => r.language === language) ?? rows[0];
  if (!t) throw new AppError('notify.channel.no_template', 400, { purpose, language });
  return { mobile, templateCode: t.templateCode, params: t.params.map((name) => ({ name, value: values[name] ?? '' })), language: t.language };
}
