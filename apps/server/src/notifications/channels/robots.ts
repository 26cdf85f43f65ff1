/**
 * Group robots: WeCom (企业微信) group robot, DingTalk (钉钉) custom robot, Feishu/Lark (飞书) custom bot.
 * Each builds the request its platform documents and reads the platform's answer, which comes as
 * HTTP 200 with an error code in the body when the platform refuses (bad signature, keyword
 * missing, over the rate): that answer is a failure here, kept in the delivery log as the platform said it.
 */
import { createHmac } from 'node:crypto';
import type { Language } from '@poscare/contracts';
import { ChannelRefused, type ChannelAnswer, type ChannelMessage, type RobotCredentials } from './types.js';

export type RobotKind = 'wecom' | 'dingtalk' | 'feishu';

/** DingTalk: sign = urlencode(base64(HMAC-SHA256(key = secret, timestamp(ms) + "\n" + secret))). */
export function dingtalkSign(secret: string, timestampMs: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** Feishu: sign = base64(HMAC-SHA256(key = timestamp(s) + "\n" + secret, message = "")). */
export function feishuSign(secret: string, timestampS: string): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

/** Markdown lines shared by WeCom and DingTalk (both read a small markdown subset). */
function markdown(m: ChannelMessage, mentionLine: string | null): string {
  const out = [`### ${m.title}`, ...m.lines.map((l) => `> ${l}`)];
  if (m.onCall) out.push('', m.onCall);
  if (m.link) out.push('', `[${m.link.label}](${m.link.url})`);
  if (mentionLine) out.push('', mentionLine);
  return out.join('\n');
}

const mobiles = (m: ChannelMessage) => m.mentions.map((p) => p.mobile).filter((x): x is string => !!x);

export interface RobotRequest {
  url: string;
  body: Record<string, unknown>;
}

/**
 * The HTTP requests one message becomes. WeCom's markdown cannot @ by mobile number, so an @-mention
 * goes in a second, text message with `mentioned_mobile_list` (what WeCom documents for it).
 */
export function robotRequests(kind: RobotKind, creds: RobotCredentials, settings: { keywords?: string[] }, m: ChannelMessage, lang: Language, now: Date): RobotRequest[] {
  const numbers = mobiles(m);
  if (kind === 'wecom') {
    const reqs: RobotRequest[] = [{ url: creds.url, body: { msgtype: 'markdown', markdown: { content: markdown(m, null) } } }];
    if (numbers.length) reqs.push({ url: creds.url, body: { msgtype: 'text', text: { content: m.mentionText ?? m.title, mentioned_mobile_list: numbers } } });
    return reqs;
  }
  if (kind === 'dingtalk') {
    // A robot with a keyword check drops every message without one of its keywords: the title carries the first.
    const keyword = settings.keywords?.find((k) => k.trim());
    const title = keyword && !`${m.title}${m.lines.join('')}`.includes(keyword) ? `${keyword} ${m.title}` : m.title;
    const text = markdown({ ...m, title }, numbers.length ? numbers.map((n) => `@${n}`).join(' ') : null);
    let url = creds.url;
    if (creds.secret) {
      const ts = String(now.getTime());
      url += `${url.includes('?') ? '&' : '?'}timestamp=${ts}&sign=${encodeURIComponent(dingtalkSign(creds.secret, ts))}`;
    }
    return [{ url, body: { msgtype: 'markdown', markdown: { title, text }, at: { atMobiles: numbers, isAtAll: false } } }];
  }
  // Feishu custom bots cannot @ a person by mobile number: the on-call person is named in the text.
  const rows: Record<string, unknown>[][] = m.lines.map((l) => [{ tag: 'text', text: l }]);
  if (m.onCall) rows.push([{ tag: 'text', text: m.onCall }]);
  if (m.link) rows.push([{ tag: 'a', text: m.link.label, href: m.link.url }]);
  const body: Record<string, unknown> = { msg_type: 'post', content: { post: { [lang === 'zh-CN' ? 'zh_cn' : 'en_us']: { title: m.title, content: rows } } } };
  if (creds.secret) {
    const ts = String(Math.floor(now.getTime() / 1000));
    Object.assign(body, { timestamp: ts, sign: feishuSign(creds.secret, ts) });
  }
  return [{ url: creds.url, body }];
}

/** Reads a platform's answer: WeCom/DingTalk `errcode`, Feishu `code` (or the older `StatusCode`); 0 is success. */
export function robotVerdict(kind: RobotKind, status: number, text: string): ChannelAnswer {
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON: judged by the status alone */
  }
  const answer = text.slice(0, 300);
  if (status < 200 || status > 299) throw new ChannelRefused(status, answer, status === 429 || status >= 500);
  const code = kind === 'feishu' ? (json?.code ?? json?.StatusCode) : json?.errcode;
  if (code !== undefined && code !== 0) {
    // 45009 (WeCom), 130101 (DingTalk), 9499/11232 (Feishu): sent too fast; worth another try later.
    const busy = [45009, 130101, 9499, 11232].includes(Number(code));
    throw new ChannelRefused(status, answer, busy);
  }
  return { status, answer };
}

export async function sendRobot(kind: RobotKind, creds: RobotCredentials, settings: { keywords?: string[] }, m: ChannelMessage, lang: Language, now: Date, timeoutMs: number): Promise<ChannelAnswer> {
  let last: ChannelAnswer | null = null;
  for (const r of robotRequests(kind, creds, settings, m, lang, now)) {
    const res = await fetch(r.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(r.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    last = robotVerdict(kind, res.status, await res.text().catch(() => ''));
  }
  return last!;
}
