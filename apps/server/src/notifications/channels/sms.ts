/**
 * SMS through a provider interface, with the two request formats PosCare speaks:
 *  - Alibaba Cloud SMS (dysmsapi 2017-05-25 SendSms), RPC style signed with HMAC-SHA1 over the
 *    canonicalized query (SignatureVersion 1.0);
 *  - Tencent Cloud SMS (sms 2021-01-11 SendSms), signed with TC3-HMAC-SHA256.
 * Both answer HTTP 200 with an error code in the body when they refuse; that is a failure here.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { ChannelRefused, type ChannelAnswer, type SmsCredentials, type SmsMessage } from './types.js';

export interface SmsProvider {
  send(msg: SmsMessage, now: Date, timeoutMs: number): Promise<ChannelAnswer>;
}

export interface AliyunSettings {
  signName: string;
  regionId?: string;
  /** Defaults to https://dysmsapi.aliyuncs.com/ (tests point it at a local server). */
  endpoint?: string;
}

/** RFC 3986 encoding as Alibaba's signature wants it: everything but A-Z a-z 0-9 - _ . ~ escaped, spaces as %20. */
export const aliyunEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Signature = base64(HMAC-SHA1(key = secret + "&", METHOD + "&" + enc("/") + "&" + enc(canonicalized query))). */
export function aliyunSignature(secret: string, method: string, params: Record<string, string>): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${aliyunEncode(k)}=${aliyunEncode(params[k]!)}`)
    .join('&');
  const toSign = `${method}&${aliyunEncode('/')}&${aliyunEncode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(toSign, 'utf8').digest('base64');
}

export class AliyunSms implements SmsProvider {
  constructor(
    private creds: SmsCredentials,
    private settings: AliyunSettings,
    private nonce: () => string = randomUUID,
  ) {}

  /** The form fields of one SendSms call, Signature included. */
  request(msg: SmsMessage, now: Date): Record<string, string> {
    const params: Record<string, string> = {
      AccessKeyId: this.creds.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      PhoneNumbers: msg.mobile.replace(/^\+86/, ''),
      RegionId: this.settings.regionId ?? 'cn-hangzhou',
      SignName: this.settings.signName,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: this.nonce(),
      SignatureVersion: '1.0',
      TemplateCode: msg.templateCode,
      TemplateParam: JSON.stringify(Object.fromEntries(msg.params.map((p) => [p.name, p.value]))),
      Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
    };
    return { ...params, Signature: aliyunSignature(this.creds.accessKeySecret, 'POST', params) };
  }

  async send(msg: SmsMessage, now: Date, timeoutMs: number): Promise<ChannelAnswer> {
    const form = this.request(msg, now);
    const body = Object.entries(form)
      .map(([k, v]) => `${aliyunEncode(k)}=${aliyunEncode(v)}`)
      .join('&');
    const res = await fetch(this.settings.endpoint ?? 'https://dysmsapi.aliyuncs.com/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    let code: unknown;
    try {
      code = (JSON.parse(text) as { Code?: unknown }).Code;
    } catch {
      /* judged by the status */
    }
    if (res.status < 200 || res.status > 299 || code !== 'OK') {
      throw new ChannelRefused(res.status, text.slice(0, 300), res.status >= 500 || code === 'isv.BUSINESS_LIMIT_CONTROL' || code === 'Throttling.User');
    }
    return { status: res.status, answer: text.slice(0, 300) };
  }
}

export interface TencentSettings {
  smsSdkAppId: string;
  signName: string;
  region?: string;
  /** Defaults to https://sms.tencentcloudapi.com/ (tests point it at a local server). */
  endpoint?: string;
}

const sha256hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();

/** The Authorization header of TC3-HMAC-SHA256 over POST / with content-type and host signed. */
export function tc3Authorization(creds: SmsCredentials, host: string, payload: string, timestampS: number, service = 'sms'): string {
  const date = new Date(timestampS * 1000).toISOString().slice(0, 10);
  const contentType = 'application/json; charset=utf-8';
  const canonicalRequest = ['POST', '/', '', `content-type:${contentType}\nhost:${host}\n`, 'content-type;host', sha256hex(payload)].join('\n');
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(timestampS), scope, sha256hex(canonicalRequest)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${creds.accessKeySecret}`, date), service), 'tc3_request');
  const signature = createHmac('sha256', signing).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

/** Tencent wants E.164; an 11-digit mainland number gets +86. */
export const e164 = (mobile: string) => (mobile.startsWith('+') ? mobile : /^1\d{10}$/.test(mobile) ? `+86${mobile}` : mobile);

export class TencentSms implements SmsProvider {
  constructor(
    private creds: SmsCredentials,
    private settings: TencentSettings,
  ) {}

  async send(msg: SmsMessage, now: Date, timeoutMs: number): Promise<ChannelAnswer> {
    const url = new URL(this.settings.endpoint ?? 'https://sms.tencentcloudapi.com/');
    const payload = JSON.stringify({
      PhoneNumberSet: [e164(msg.mobile)],
      SmsSdkAppId: this.settings.smsSdkAppId,
      SignName: this.settings.signName,
      TemplateId: msg.templateCode,
      TemplateParamSet: msg.params.map((p) => p.value),
    });
    const ts = Math.floor(now.getTime() / 1000);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: tc3Authorization(this.creds, url.host, payload, ts),
        'Content-Type': 'application/json; charset=utf-8',
        'X-TC-Action': 'SendSms',
        'X-TC-Timestamp': String(ts),
        'X-TC-Version': '2021-01-11',
        'X-TC-Region': this.settings.region ?? 'ap-guangzhou',
      },
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    let r: { Error?: { Code?: string }; SendStatusSet?: { Code?: string }[] } | undefined;
    try {
      r = (JSON.parse(text) as { Response?: typeof r }).Response;
    } catch {
      /* judged by the status */
    }
    const sent = r && !r.Error && (r.SendStatusSet ?? []).every((s) => s.Code === 'Ok');
    if (res.status < 200 || res.status > 299 || !sent) {
      const code = r?.Error?.Code ?? r?.SendStatusSet?.[0]?.Code ?? '';
      throw new ChannelRefused(res.status, text.slice(0, 300), res.status >= 500 || code.startsWith('RequestLimitExceeded') || code.startsWith('LimitExceeded'));
    }
    return { status: res.status, answer: text.slice(0, 300) };
  }
}
