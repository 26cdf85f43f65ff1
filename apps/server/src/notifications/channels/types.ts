/** What every channel takes and gives back, and the credentials each kind keeps encrypted. */

export const ROBOT_KINDS = ['wecom', 'dingtalk', 'feishu'] as const;
export const SMS_KINDS = ['aliyun_sms', 'tencent_sms'] as const;
export type ChannelKind = (typeof ROBOT_KINDS)[number] | (typeof SMS_KINDS)[number];
export const isRobot = (k: string): k is (typeof ROBOT_KINDS)[number] => (ROBOT_KINDS as readonly string[]).includes(k);

/** A message to a group, already in the group's language. */
export interface ChannelMessage {
  title: string;
  lines: string[];
  /** Back to the alert, ticket, finding or dispute in the console. */
  link?: { label: string; url: string };
  /** "On call: Wang Fang" — who should act, by name. */
  onCall?: string;
  /** People to @-mention where the platform can (by mobile number). */
  mentions: { name: string; mobile: string | null }[];
  /** The text of WeCom's separate @-mention message. */
  mentionText?: string;
}

/** An SMS is a registered template and its parameters: providers send nothing else. */
export interface SmsMessage {
  mobile: string;
  templateCode: string;
  /** In the template's order; Alibaba receives them as a JSON object by name. */
  params: { name: string; value: string }[];
}

export interface RobotCredentials {
  /** The webhook address: it carries the robot's token, so it is a secret too. */
  url: string;
  /** DingTalk "加签" / Feishu "签名校验" secret; absent when the robot does not check signatures. */
  secret?: string;
}

export interface SmsCredentials {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface ChannelAnswer {
  status: number;
  /** The provider's answer as it gave it (shown by "send a test message", kept in the delivery log). */
  answer: string;
}

/** The provider refused; `retry` when trying again later can help (rate, 5xx). */
export class ChannelRefused extends Error {
  constructor(
    readonly status: number,
    readonly answer: string,
    readonly retry: boolean,
  ) {
    super(`HTTP ${status}: ${answer}`);
  }
}
