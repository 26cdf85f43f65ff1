/**
 * What goes out beyond the inbox and e-mail (issue 19), queued as `deliveries` rows in the caller's
 * transaction: group robot messages (in the group's language, a link back, the on-call person named
 * and @-mentioned) and SMS to merchant contacts (their language, a link, the support phone).
 * Alerts use it from notifyAlert; other domains (tickets, findings, disputes) through
 * NotificationService.notifyGroups / notifyMerchantContacts.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AlertSeverity, Language } from '@poscare/contracts';
import type { Orm, RawTx } from '../db/client.js';
import { deliveries, merchantContacts, notifyChannels, oncallRotations, organizations, smsTemplates, users } from '../db/schema.js';
import { translate } from '../i18n/messages.js';
import { shiftAt } from '../oncall/rotation.js';
import { isRobot, type ChannelMessage } from './channels/index.js';
import { maskMobile } from './channelAdmin.js';
import { smsLink, type LinkConfig } from './shortLinks.js';
import { atLeast } from './types.js';
import { inQuietHours, quietHoursEnd } from './zonedTime.js';

/** Where links point: the configuration (SMS then carry signed short links), or only the public address. */
export type LinkBase = LinkConfig | string | undefined;
const publicOf = (links: LinkBase) => (typeof links === 'object' ? links.PUBLIC_URL : links);

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
export async function queueGroupMessages(orm: Orm, n: GroupNotice, now: Date, links: LinkBase): Promise<number> {
  const robots = (await orm.select().from(notifyChannels).where(and(eq(notifyChannels.orgId, n.orgId), eq(notifyChannels.enabled, true)))).filter(
    (c) => isRobot(c.kind) && atLeast(n.severity, c.minSeverity),
  );
  if (!robots.length) return 0;
  const onCall = await onCallNow(orm, n.orgId, n.team, now);
  await orm.insert(deliveries).values(
    robots.map((c) => ({
      orgId: n.orgId, channel: c.kind, channelId: c.id, target: c.name, alertId: n.alertId ?? null, event: n.event,
      payload: { message: groupMessage(n, c.language, publicOf(links), onCall) }, createdAt: now, nextAttemptAt: now,
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
export async function queueContactSms(orm: Orm, n: ContactNotice, now: Date, links: LinkBase): Promise<number> {
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
    const values: Record<string, string> = { ...n.values(t.language), link: smsLink(links, n.path), phone: org?.phone ?? '' };
    return {
      orgId: n.orgId, channel: 'sms', channelId: sms.id, target: maskMobile(c.mobile), alertId: n.alertId ?? null, event: n.event,
      payload: { mobile: c.mobile, templateCode: t.templateCode, params: t.params.map((name) => ({ name, value: values[name] ?? '' })), language: t.language },
      createdAt: now, nextAttemptAt: now,
    };
  });
  await orm.insert(deliveries).values(rows);
  return rows.length;
}

// --- the same, inside a service-desk transaction (raw SQL: tickets run on RawTx) -----------------------
// Queued in the transaction that makes the step, so a step that commits is told exactly once and a step
// that rolls back (another worker fired it, another agent moved the ticket first) is told never.

type Row = Record<string, unknown>;

/** Merchant contacts have no quiet hours of their own: the night of the report time zone, as for people who set none. */
export const CONTACT_QUIET_HOURS = { start: '21:00', end: '08:00', timeZone: 'Asia/Shanghai' } as const;

/** When a message that is not critical may go: now, or the end of the quiet hours that hold `now`. */
export function notBeforeQuiet(q: { start: string | null; end: string | null; timeZone: string | null } | null | undefined, critical: boolean, now: Date): Date {
  if (critical || !q?.start || !q.end) return now;
  const hours = { start: q.start, end: q.end, timeZone: q.timeZone ?? 'Asia/Shanghai' };
  return inQuietHours(hours, now) ? quietHoursEnd(hours, now) : now;
}

async function insertDeliveries(tx: RawTx, rows: Row[]): Promise<void> {
  if (!rows.length) return;
  await tx.query(
    `INSERT INTO deliveries (org_id, channel, channel_id, target, alert_id, event, payload, status, attempts, created_at, next_attempt_at)
     SELECT org_id, channel, channel_id, target, alert_id, event, payload, 'pending', 0, created_at, next_attempt_at FROM json_populate_recordset(null::deliveries, $1::json)`,
    [JSON.stringify(rows)],
  );
}

export interface StepSms {
  orgId: string;
  merchantId: string;
  event: string;
  path: string;
  values: (lang: Language) => Record<string, string>;
  /** Held to the end of the contacts' night unless critical. */
  critical?: boolean;
}

/** queueContactSms for the topic `ticket_step`, in the caller's RawTx, with the contacts' quiet hours. */
export async function queueStepSms(tx: RawTx, n: StepSms, now: Date, links: LinkBase): Promise<number> {
  const contacts = await tx.query<{ mobile: string; language: Language }>(
    `SELECT mobile, language FROM merchant_contacts WHERE org_id = $1 AND merchant_id = $2 AND 'ticket_step' = ANY(topics) ORDER BY created_at`,
    [n.orgId, n.merchantId],
  );
  if (!contacts.length) return 0;
  const [sms] = await tx.query<{ id: string }>(
    `SELECT id FROM notify_channels WHERE org_id = $1 AND enabled AND kind IN ('aliyun_sms', 'tencent_sms') ORDER BY created_at LIMIT 1`,
    [n.orgId],
  );
  if (!sms) return 0;
  const templates = await tx.query<{ language: Language; template_code: string; params: string[] }>(
    `SELECT language, template_code, params FROM sms_templates WHERE channel_id = $1 AND purpose = 'ticket_step'`,
    [sms.id],
  );
  if (!templates.length) return 0;
  const [org] = await tx.query<{ support_phone: string | null }>('SELECT support_phone FROM organizations WHERE id = $1', [n.orgId]);
  const at = notBeforeQuiet(CONTACT_QUIET_HOURS, !!n.critical, now);
  const link = smsLink(links, n.path);
  await insertDeliveries(
    tx,
    contacts.map((c) => {
      const t = templates.find((x) => x.language === c.language) ?? templates[0]!;
      const values: Record<string, string> = { ...n.values(t.language), link, phone: org?.support_phone ?? '' };
      return {
        org_id: n.orgId, channel: 'sms', channel_id: sms.id, target: maskMobile(c.mobile), alert_id: null, event: n.event,
        payload: { mobile: c.mobile, templateCode: t.template_code, params: t.params.map((name) => ({ name, value: values[name] ?? '' })), language: t.language },
        created_at: now, next_attempt_at: at,
      };
    }),
  );
  return contacts.length;
}

/** The on-call person now (onCallNow in a RawTx), with their quiet hours. */
async function onCallIn(tx: RawTx, orgId: string, team: string | null | undefined, now: Date): Promise<(OnCall & { quiet: { start: string | null; end: string | null; timeZone: string | null } | null }) | null> {
  const rows = await tx.query<{ team: string; time_zone: string; handover_time: string; shift_days: number; starts_on: string; members: { userId: string; mobile: string | null }[] }>(
    'SELECT team, time_zone, handover_time, shift_days, starts_on, members FROM oncall_rotations WHERE org_id = $1 ORDER BY team, created_at',
    [orgId],
  );
  const r = (team ? rows.find((x) => x.team === team) : undefined) ?? rows[0];
  const shift = r ? shiftAt({ timeZone: r.time_zone, handoverTime: r.handover_time, shiftDays: r.shift_days, startsOn: r.starts_on, members: r.members }, now) : null;
  if (!shift) return null;
  const [u] = await tx.query<{ name: string; quiet_start: string | null; quiet_end: string | null; time_zone: string | null }>(
    'SELECT u.name, p.quiet_start, p.quiet_end, p.time_zone FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id WHERE u.id = $1 AND u.org_id = $2',
    [shift.userId, orgId],
  );
  return u ? { name: u.name, mobile: shift.mobile, quiet: { start: u.quiet_start, end: u.quiet_end, timeZone: u.time_zone } } : null;
}

/**
 * queueGroupMessages in the caller's RawTx, for a ticket's escalation step: every enabled robot whose
 * least severity the step reaches, naming (and where the platform can, @-mentioning) the on-call person.
 * Quiet hours as for alerts: a critical step (a breach) breaks through; a warning waits until the end
 * of the on-call person's quiet hours (their phone is the one the @-mention rings).
 */
export async function queueGroupMessagesTx(tx: RawTx, n: GroupNotice, now: Date, links: LinkBase): Promise<number> {
  const robots = (
    await tx.query<{ id: string; kind: string; name: string; language: Language; min_severity: AlertSeverity }>(
      'SELECT id, kind, name, language, min_severity FROM notify_channels WHERE org_id = $1 AND enabled ORDER BY created_at, id',
      [n.orgId],
    )
  ).filter((c) => isRobot(c.kind) && atLeast(n.severity, c.min_severity));
  if (!robots.length) return 0;
  const onCall = await onCallIn(tx, n.orgId, n.team, now);
  const at = notBeforeQuiet(onCall?.quiet, n.severity === 'critical', now);
  const person = onCall ? { name: onCall.name, mobile: onCall.mobile } : null;
  await insertDeliveries(
    tx,
    robots.map((c) => ({
      org_id: n.orgId, channel: c.kind, channel_id: c.id, target: c.name, alert_id: n.alertId ?? null, event: n.event,
      payload: { message: groupMessage(n, c.language, publicOf(links), person) }, created_at: now, next_attempt_at: at,
    })),
  );
  return robots.length;
}
