/**
 * What goes out beyond the inbox and e-mail (issue 19), queued as `deliveries` rows in the caller's
 * transaction: group robot messages (in the group's language, a link back, the on-call person named
 * and @-mentioned) and SMS to merchant contacts (their language, a link, the support phone).
 * Alerts use it from notifyAlert; other domains (tickets, findings, disputes) through
 * NotificationService.notifyGroups / notifyMerchantContacts.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AlertSeverity, Language } from '@poscare/contracts';
import type { Orm } from '../db/client.js';
import { deliveries, merchantContacts, notifyChannels, oncallRotations, organizations, smsTemplates, users } from '../db/schema.js';
import { translate } from '../i18n/messages.js';
import { shiftAt } from '../oncall/rotation.js';
import { isRobot, type ChannelMessage } from './channels/index.js';
import { maskMobile } from './channelAdmin.js';
import { atLeast } from './types.js';

export interface GroupNotice {
  orgId: string;
  /** e.g. 'fired', 'sla.breached', 'dispute.deadline'. */
  event: string;
  severity: AlertSeverity;
  /** The message in a language: title and lines. */
  text: (lang: Language) => { title: string; lines: string[] };
  /** Console path of the alert, ticket, finding or dispute, e.g. `/alerts/<id>`. */
  path: string;
  alertId?: string | null;
  /** The rotation whose on-call person is named; default: the organization's first rotation. */
  team?: string | null;
}

export interface OnCall {
  name: string;
  mobile: string | null;
}

export const linkTo = (publicUrl: string | undefined, path: string) => `${(publicUrl ?? 'http://localhost:8080').replace(/\/$/, '')}${path}`;

/** The person on call now in the team's rotation (or the first rotation), with the name robots show. */
export async function onCallNow(orm: Orm, orgId: string, team: string | null | undefined, now: Date): Promise<OnCall | null> {
  const rows = await orm.select().from(oncallRotations).where(eq(oncallRotations.orgId, orgId)).orderBy(asc(oncallRotations.team), asc(oncallRotations.createdAt));
  const r = (team ? rows.find((x) => x.team === team) : undefined) ?? rows[0];
  const shift = r ? shiftAt(r, now) : null;
  if (!shift) return null;
  const [u] = await orm.select({ name: users.name }).from(users).where(and(eq(users.id, shift.userId), eq(users.orgId, orgId)));
  return u ? { name: u.name, mobile: shift.mobile } : null;
}

export function groupMessage(n: GroupNotice, lang: Language, publicUrl: string | undefined, onCall: OnCall | null): ChannelMessage {
  const { title, lines } = n.text(lang);
  const m: ChannelMessage = { title, lines, link: { label: translate(lang, 'notify.robot.open'), url: linkTo(publicUrl, n.path) }, mentions: [] };
  if (onCall) {
    m.onCall = translate(lang, 'notify.robot.oncall', { name: onCall.name });
    m.mentions = [onCall];
    m.mentionText = translate(lang, 'notify.robot.oncall_mention', { title });
  }
  return m;
}

/** Queues one message per enabled robot of the organization whose least severity the notice reaches. */
export async function queueGroupMessages(orm: Orm, n: GroupNotice, now: Date, publicUrl: string | undefined): Promise<number> {
  const robots = (await orm.select().from(notifyChannels).where(and(eq(notifyChannels.orgId, n.orgId), eq(notifyChannels.enabled, true)))).filter(
    (c) => isRobot(c.kind) && atLeast(n.severity, c.minSeverity),
  );
  if (!robots.length) return 0;
  const onCall = await onCallNow(orm, n.orgId, n.team, now);
  await orm.insert(deliveries).values(
    robots.map((c) => ({
      orgId: n.orgId, channel: c.kind, channelId: c.id, target: c.name, alertId: n.alertId ?? null, event: n.event,
      payload: { message: groupMessage(n, c.language, publicUrl, onCall) }, createdAt: now, nextAttemptAt: now,
    })),
  );
  return robots.length;
}

export type ContactTopic = 'alert' | 'duplicate_charge' | 'ticket_step' | 'dispute_deadline';

export interface ContactNotice {
  orgId: string;
  merchantId: string;
  topic: ContactTopic;
  event: string;
  /** Console path to link to (kept short: SMS are counted in characters). */
  path: string;
  /** Template parameters per language (`link`, `phone` and `merchant` are added). */
  values: (lang: Language) => Record<string, string>;
  alertId?: string | null;
}

/**
 * Queues an SMS to each contact of the merchant who asked for this topic, through the organization's
 * first enabled SMS channel, in the contact's language (the template of that language, else any).
 * Without an SMS channel or a template for the topic nothing is queued: SMS carry only registered templates.
 */
export async function queueContactSms(orm: Orm, n: ContactNotice, now: Date, publicUrl: string | undefined): Promise<number> {
  const contacts = (await orm.select().from(merchantContacts).where(and(eq(merchantContacts.orgId, n.orgId), eq(merchantContacts.merchantId, n.merchantId)))).filter((c) => c.topics.includes(n.topic));
  if (!contacts.length) return 0;
  const [sms] = await orm
    .select()
    .from(notifyChannels)
    .where(and(eq(notifyChannels.orgId, n.orgId), eq(notifyChannels.enabled, true), inArray(notifyChannels.kind, ['aliyun_sms', 'tencent_sms'])))
    .orderBy(asc(notifyChannels.createdAt))
    .limit(1);
  if (!sms) return 0;
  const templates = await orm.select().from(smsTemplates).where(and(eq(smsTemplates.channelId, sms.id), eq(smsTemplates.purpose, n.topic)));
  if (!templates.length) return 0;
  const [org] = await orm.select({ phone: organizations.supportPhone }).from(organizations).where(eq(organizations.id, n.orgId));
  const rows = contacts.map((c) => {
    const t = templates.find((x) => x.language === c.language) ?? templates[0]!;
    const values: Record<string, string> = { ...n.values(t.language), link: linkTo(publicUrl, n.path), phone: org?.phone ?? '' };
    return {
      orgId: n.orgId, channel: 'sms', channelId: sms.id, target: maskMobile(c.mobile), alertId: n.alertId ?? null, event: n.event,
      payload: { mobile: c.mobile, templateCode: t.templateCode, params: t.params.map((name) => ({ name, value: values[name] ?? '' })), language: t.language },
      createdAt: now, nextAttemptAt: now,
    };
  });
  await orm.insert(deliveries).values(rows);
  return rows.length;
}
