/** One entry to send through any configured channel, whatever its kind. */
import type { Language } from '@poscare/contracts';
import { sendRobot } from './robots.js';
import { AliyunSms, TencentSms, type AliyunSettings, type TencentSettings } from './sms.js';
import { isRobot, type ChannelAnswer, type ChannelKind, type ChannelMessage, type RobotCredentials, type SmsCredentials, type SmsMessage } from './types.js';

export * from './types.js';

export interface StoredChannel {
  kind: ChannelKind;
  language: Language;
  settings: Record<string, unknown>;
}

export function sendGroupMessage(ch: StoredChannel, creds: RobotCredentials, m: ChannelMessage, now: Date, timeoutMs: number): Promise<ChannelAnswer> {
  if (!isRobot(ch.kind)) throw new Error(`${ch.kind} is not a group robot`);
  return sendRobot(ch.kind, creds, ch.settings as { keywords?: string[] }, m, ch.language, now, timeoutMs);
}

export function sendSms(ch: StoredChannel, creds: SmsCredentials, m: SmsMessage, now: Date, timeoutMs: number): Promise<ChannelAnswer> {
  const provider = ch.kind === 'aliyun_sms' ? new AliyunSms(creds, ch.settings as unknown as AliyunSettings) : new TencentSms(creds, ch.settings as unknown as TencentSettings);
  return provider.send(m, now, timeoutMs);
}
