/**
 * Local stand-ins for WeCom, DingTalk, Feishu, Alibaba Cloud SMS and Tencent Cloud SMS that check
 * each request as the provider does — the webhook key, the signature (recomputed here from the
 * provider's documented recipe, not with PosCare's code), the timestamp window, DingTalk's keywords,
 * the payload's shape — and answer the way the provider answers (errors in the body with HTTP 200
 * for the robots and Tencent, 400 for Alibaba), refusing anything wrong. `now` is the test's clock.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown> | null;
  accepted: boolean;
  answer: string;
}

type Handler = (r: Omit<Received, 'accepted' | 'answer'>) => { status: number; body: Record<string, unknown> };

async function serve(handle: Handler) {
  const calls: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        /* a form or nothing */
      }
      const r = { path: u.pathname, query: u.searchParams, headers: req.headers, body, json };
      const out = handle(r);
      const answer = JSON.stringify(out.body);
      const ok = out.status === 200 && (out.body.errcode ?? out.body.code ?? (out.body.Code === 'OK' ? 0 : undefined) ?? ((out.body.Response as { Error?: unknown } | undefined)?.Error ? 1 : 0)) === 0;
      calls.push({ ...r, accepted: ok, answer });
      res.writeHead(out.status, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, calls, accepted: () => calls.filter((c) => c.accepted), close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Counts a robot's accepted messages in the minute before `now` and refuses the 21st, as the platforms do. */
function perMinute(now: () => Date) {
  const times: number[] = [];
  return () => {
    const t = now().getTime();
    while (times.length && times[0]! <= t - 60_000) times.shift();
    if (times.length >= 20) return false;
    times.push(t);
    return true;
  };
}

export async function fakeWecom(key: string, now: () => Date) {
  const room = perMinute(now);
  return serve(({ path, query, json }) => {
    if (path !== '/cgi-bin/webhook/send' || query.get('key') !== key) return { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } };
    const type = json?.msgtype;
    const ok =
      (type === 'markdown' && typeof (json?.markdown as { content?: unknown })?.content === 'string' && Buffer.byteLength((json!.markdown as { content: string }).content) <= 4096) ||
      (type === 'text' && typeof (json?.text as { content?: unknown })?.content === 'string');
    if (!ok) return { status: 200, body: { errcode: 40008, errmsg: 'invalid message type' } };
    if (!room()) return { status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } };
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  });
}

export async function fakeDingtalk(token: string, secret: string, keywords: string[], now: () => Date) {
  const room = perMinute(now);
  return serve(({ path, query, json }) => {
    if (path !== '/robot/send' || query.get('access_token') !== token) return { status: 200, body: { errcode: 300001, errmsg: 'token is not exist' } };
    const ts = query.get('timestamp') ?? '';
    // URLSearchParams has already url-decoded `sign`; the provider compares it with base64(HMAC-SHA256(secret, ts + "\n" + secret)).
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${ts}\n${secret}`, 'utf8')).digest('base64');
    if (Math.abs(now().getTime() - Number(ts)) > 3_600_000) return { status: 200, body: { errcode: 310000, errmsg: 'invalid timestamp' } };
    if (query.get('sign') !== expected) return { status: 200, body: { errcode: 310000, errmsg: 'sign not match' } };
    const md = json?.markdown as { title?: string; text?: string } | undefined;
    const content = json?.msgtype === 'markdown' ? `${md?.title ?? ''}${md?.text ?? ''}` : null;
    if (content === null || !md?.title || !md.text) return { status: 200, body: { errcode: 40035, errmsg: 'invalid parameter' } };
    if (keywords.length && !keywords.some((k) => content.includes(k))) return { status: 200, body: { errcode: 310000, errmsg: 'keywords not in content' } };
    if (!room()) return { status: 200, body: { errcode: 130101, errmsg: 'send too fast' } };
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  });
}

export async function fakeFeishu(hookId: string, secret: string, now: () => Date) {
  const room = perMinute(now);
  return serve(({ path, json }) => {
    if (path !== `/open-apis/bot/v2/hook/${hookId}`) return { status: 200, body: { code: 19001, msg: 'param invalid: incoming webhook access token invalid' } };
    const ts = String(json?.timestamp ?? '');
    // Feishu: the HMAC key is timestamp + "\n" + secret and the message is empty.
    const expected = createHmac('sha256', Buffer.from(`${ts}\n${secret}`, 'utf8')).update(Buffer.alloc(0)).digest('base64');
    if (json?.sign !== expected || Math.abs(now().getTime() / 1000 - Number(ts)) > 3600) return { status: 200, body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' } };
    const post = (json?.content as { post?: Record<string, { title?: string; content?: unknown[] }> } | undefined)?.post;
    const locale = post && Object.values(post)[0];
    if (json?.msg_type !== 'post' || !locale?.title || !Array.isArray(locale.content)) return { status: 200, body: { code: 9499, msg: 'Bad Request' } };
    if (!room()) return { status: 200, body: { code: 11232, msg: 'frequency limited' } };
    return { status: 200, body: { code: 0, msg: 'success', data: {} } };
  });
}

/** Alibaba's percent-encoding: unreserved A-Z a-z 0-9 - _ . ~ kept, every other UTF-8 byte as %XX. */
function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export async function fakeAliyun(accessKeyId: string, secret: string, now: () => Date) {
  const nonces = new Set<string>();
  return serve(({ body }) => {
    const form = new URLSearchParams(body);
    const params = Object.fromEntries([...form.entries()].filter(([k]) => k !== 'Signature'));
    const fail = (Code: string, Message: string) => ({ status: Code === 'InvalidAccessKeyId.NotFound' ? 404 : 400, body: { Code, Message, RequestId: randomUUID() } });
    if (params.AccessKeyId !== accessKeyId) return fail('InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    const canonical = Object.keys(params).sort().map((k) => `${pct(k)}=${pct(params[k]!)}`).join('&');
    const expected = createHmac('sha1', `${secret}&`).update(`POST&${pct('/')}&${pct(canonical)}`).digest('base64');
    if (form.get('Signature') !== expected) return fail('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0' || params.Version !== '2017-05-25' || params.Action !== 'SendSms') return fail('MissingParameter', 'bad protocol fields');
    if (!params.Timestamp || Math.abs(now().getTime() - Date.parse(params.Timestamp)) > 15 * 60_000 || !/Z$/.test(params.Timestamp)) return fail('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    if (!params.SignatureNonce || nonces.has(params.SignatureNonce)) return fail('SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(params.SignatureNonce);
    if (!params.PhoneNumbers || !params.SignName || !params.TemplateCode) return fail('MissingParameter', 'PhoneNumbers, SignName and TemplateCode are required');
    try {
      JSON.parse(params.TemplateParam ?? '{}');
    } catch {
      return fail('isv.INVALID_JSON_PARAM', 'JSON参数不合法');
    }
    return { status: 200, body: { Code: 'OK', Message: 'OK', BizId: '9006197469364984^0', RequestId: randomUUID() } };
  });
}

export async function fakeTencent(secretId: string, secretKey: string, now: () => Date) {
  return serve(({ headers, body, json }) => {
    const err = (Code: string, Message: string) => ({ status: 200, body: { Response: { Error: { Code, Message }, RequestId: randomUUID() } } });
    const auth = String(headers.authorization ?? '');
    const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/sms\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return err('AuthFailure.InvalidAuthorization', 'Authorization header is malformed');
    const [, id, date, signed, signature] = m as unknown as [string, string, string, string, string];
    if (id !== secretId) return err('AuthFailure.SecretIdNotFound', 'The SecretId is not found');
    const ts = Number(headers['x-tc-timestamp']);
    if (Math.abs(now().getTime() / 1000 - ts) > 300) return err('AuthFailure.SignatureExpire', 'Signature expired');
    if (headers['x-tc-action'] !== 'SendSms' || headers['x-tc-version'] !== '2021-01-11') return err('InvalidAction', 'bad action or version');
    const canonicalHeaders = signed.split(';').map((h) => `${h}:${String(headers[h] ?? '').trim().toLowerCase()}\n`).join('');
    const hash = (s: string) => createHash('sha256').update(s).digest('hex');
    const request = `POST\n/\n\n${canonicalHeaders}\n${signed}\n${hash(body)}`;
    const scope = `${date}/sms/tc3_request`;
    const toSign = `TC3-HMAC-SHA256\n${ts}\n${scope}\n${hash(request)}`;
    const kDate = createHmac('sha256', `TC3${secretKey}`).update(date).digest();
    const kService = createHmac('sha256', kDate).update('sms').digest();
    const kSigning = createHmac('sha256', kService).update('tc3_request').digest();
    if (new Date(ts * 1000).toISOString().slice(0, 10) !== date || createHmac('sha256', kSigning).update(toSign).digest('hex') !== signature) {
      return err('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
    }
    const phones = json?.PhoneNumberSet as string[] | undefined;
    if (!phones?.length || !json?.SmsSdkAppId || !json?.SignName || !json?.TemplateId || !Array.isArray(json?.TemplateParamSet)) return err('MissingParameter', 'missing parameter');
    return { status: 200, body: { Response: { SendStatusSet: phones.map((p) => ({ SerialNo: randomUUID(), PhoneNumber: p, Fee: 1, SessionContext: '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' })), RequestId: randomUUID() } } };
  });
}
