/**
 * Notification channels beyond the console and e-mail (issue 19): group robots (WeCom, DingTalk,
 * Feishu), SMS providers (Alibaba Cloud, Tencent Cloud) with their templates, merchant contacts,
 * quiet hours and on-call rotations. Credentials go in, never out: answers carry only a hint.
 */
import { z } from 'zod';
import { AlertSeverity } from './alerts.js';
import { Id, Language, Timestamp } from './common.js';

export const ROBOT_CHANNEL_KINDS = ['wecom', 'dingtalk', 'feishu'] as const;
export const SMS_CHANNEL_KINDS = ['aliyun_sms', 'tencent_sms'] as const;
export const NOTIFY_CHANNEL_KINDS = [...ROBOT_CHANNEL_KINDS, ...SMS_CHANNEL_KINDS] as const;
export const NotifyChannelKind = z.enum(NOTIFY_CHANNEL_KINDS);
export type NotifyChannelKind = z.infer<typeof NotifyChannelKind>;

/** What an SMS is about; each has a registered template per language. */
export const SMS_PURPOSES = ['alert', 'duplicate_charge', 'ticket_step', 'dispute_deadline', 'test'] as const;
export const SmsPurpose = z.enum(SMS_PURPOSES);
export type SmsPurpose = z.infer<typeof SmsPurpose>;

const HttpUrl = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'http(s) only');
const Secret = z.string().trim().min(1).max(500);
const Hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
const TimeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Asia/Shanghai');
export const Mobile = z.string().trim().regex(/^\+?\d{6,15}$/, 'a mobile number, digits only (+86 optional)');

/** One form for every kind; which fields are needed depends on the kind (checked below). */
export const NotifyChannelCreate = z
  .object({
    kind: NotifyChannelKind,
    name: z.string().trim().min(1).max(100),
    language: Language.default('zh-CN'),
    minSeverity: AlertSeverity.default('warning'),
    enabled: z.boolean().default(true),
    /** Robots: the webhook address the platform gave (it carries the robot's token). */
    url: HttpUrl.optional(),
    /** DingTalk 加签 / Feishu 签名校验 secret (optional: only if the robot checks signatures). */
    secret: Secret.optional(),
    /** DingTalk custom keywords: every message will contain the first. */
    keywords: z.array(z.string().trim().min(1).max(20)).max(10).optional(),
    /** SMS: AccessKey ID / SecretId and AccessKey Secret / SecretKey. */
    accessKeyId: Secret.optional(),
    accessKeySecret: Secret.optional(),
    signName: z.string().trim().min(1).max(40).optional(),
    /** Tencent: the SMS application's SdkAppId. */
    smsSdkAppId: z.string().trim().min(1).max(40).optional(),
    region: z.string().trim().min(1).max(40).optional(),
    /** The provider's API address, for a private endpoint or a test double; defaults to the public one. */
    endpoint: HttpUrl.optional(),
  })
  .superRefine((c, ctx) => {
    const need = (field: keyof typeof c) => {
      if (!c[field]) ctx.addIssue({ code: 'custom', path: [field], message: 'required for this kind of channel' });
    };
    if ((ROBOT_CHANNEL_KINDS as readonly string[]).includes(c.kind)) need('url');
    else {
      need('accessKeyId');
      need('accessKeySecret');
      need('signName');
      if (c.kind === 'tencent_sms') need('smsSdkAppId');
    }
  });
export type NotifyChannelCreate = z.infer<typeof NotifyChannelCreate>;

export const NotifyChannelUpdate = z
  .object({
    name: z.string().trim().min(1).max(100),
    language: Language,
    minSeverity: AlertSeverity,
    enabled: z.boolean(),
    keywords: z.array(z.string().trim().min(1).max(20)).max(10),
  })
  .partial();
export type NotifyChannelUpdate = z.infer<typeof NotifyChannelUpdate>;

export const NotifyChannelRow = z.object({
  id: Id,
  kind: NotifyChannelKind,
  name: z.string(),
  language: Language,
  minSeverity: AlertSeverity,
  enabled: z.boolean(),
  /** What is not secret (keywords, sign name, app id, region, endpoint). */
  settings: z.record(z.string(), z.unknown()),
  /** '••••' and the last four characters of the secret: the credentials themselves are never shown again. */
  credentialHint: z.string(),
  createdAt: Timestamp,
});
export type NotifyChannelRow = z.infer<typeof NotifyChannelRow>;

export const ChannelTestInput = z.object({
  /** SMS only: the number the test message goes to. */
  mobile: Mobile.optional(),
});
/** "Send a test message": what the provider answered, as it answered. */
export const ChannelTestResult = z.object({
  ok: z.boolean(),
  status: z.number().int().nullable(),
  answer: z.string(),
});
export type ChannelTestResult = z.infer<typeof ChannelTestResult>;

export const SmsTemplate = z.object({
  purpose: SmsPurpose,
  language: Language,
  templateCode: z.string().trim().min(1).max(60),
  /** Parameter names in the template's order. */
  params: z.array(z.string().trim().min(1).max(40)).max(10),
});
export type SmsTemplate = z.infer<typeof SmsTemplate>;
export const SmsTemplates = z.array(SmsTemplate).max(40);

export const MerchantContactInput = z.object({
  name: z.string().trim().min(1).max(100),
  mobile: Mobile,
  language: Language.default('zh-CN'),
  topics: z.array(z.enum(['duplicate_charge', 'ticket_step', 'dispute_deadline', 'alert'])).min(1),
});
export const MerchantContactRow = MerchantContactInput.extend({ id: Id, merchantId: Id, createdAt: Timestamp });
export type MerchantContactRow = z.infer<typeof MerchantContactRow>;

export const QuietHours = z.object({
  /** null: no quiet hours. */
  start: Hhmm.nullable(),
  end: Hhmm.nullable(),
  timeZone: TimeZone.default('Asia/Shanghai'),
});
export type QuietHours = z.infer<typeof QuietHours>;

export const OncallRotationInput = z.object({
  team: z.string().trim().min(1).max(100),
  timeZone: TimeZone.default('Asia/Shanghai'),
  handoverTime: Hhmm.default('09:00'),
  shiftDays: z.number().int().min(1).max(28).default(7),
  /** The first shift's day (YYYY-MM-DD, in the rotation's time zone), its hand-over time included. */
  startsOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  members: z.array(z.object({ userId: Id, mobile: Mobile.nullable() })).min(1).max(50),
});
export type OncallRotationInput = z.infer<typeof OncallRotationInput>;
export const OnCallNow = z.object({ userId: Id, name: z.string(), mobile: z.string().nullable(), from: Timestamp, until: Timestamp });
export type OnCallNow = z.infer<typeof OnCallNow>;
export const OncallRotationRow = OncallRotationInput.extend({
  id: Id,
  createdAt: Timestamp,
  /** Who is on call at the time of the answer, and the next hand-over. */
  now: OnCallNow.nullable(),
  next: OnCallNow.nullable(),
});
export type OncallRotationRow = z.infer<typeof OncallRotationRow>;
