/**
 * Issue 19: group robots (WeCom, DingTalk, Feishu) and SMS (Alibaba Cloud, Tencent Cloud) against
 * local servers that check signatures and payloads as the providers do; credentials sealed and never
 * shown; robots' per-minute limit kept with a summary instead of drops (injected clock); quiet hours
 * with a morning summary; merchant contacts' SMS; the on-call person named and @-mentioned.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, deliveries, notifyChannels, organizations } from '../src/db/schema.js';
import { DeliveryWorker, type Mailer } from '../src/notifications/delivery.js';
import type { NotificationService } from '../src/notifications/service.js';
import type { AlertNotice } from '../src/notifications/types.js';
import { shortLinkKey, verifyShortLink } from '../src/notifications/shortLinks.js';
import { atOnce } from './concurrent.js';
import { createTestApp, type TestApp } from './harness.js';
import { fakeAliyun, fakeDingtalk, fakeFeishu, fakeTencent, fakeWecom } from './fakeProviders.js';

let t: TestApp;
let svc: NotificationService;
const now = () => t.clock.now();

beforeAll(async () => {
  t = await createTestApp();
  svc = t.services.notifications;
});
afterAll(async () => {
  await t?.close();
});

const call = (cookie: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { cookie, 'accept-language': 'en-US' }, ...(payload === undefined ? {} : { payload: payload as object }) });

async function alertIn(orgId: string, over: Partial<AlertNotice> = {}): Promise<AlertNotice> {
  const at = now();
  const n: AlertNotice = {
    alertId: randomUUID(), orgId, event: 'fired', severity: 'warning', ruleCode: 'paper.out', ruleName: { 'zh-CN': '缺纸', 'en-US': 'Paper out' }, scopeLabel: 'Store 12',
    merchantId: null, siteId: null, terminalId: null, memberCount: 1, value: null, threshold: null, predictedAt: null, startedAt: at.toISOString(), ...over,
  };
  await t.db.orm.insert(alerts).values({
    id: n.alertId, orgId, fingerprint: `fp-${n.alertId}`, ruleCode: n.ruleCode, ruleVersion: 1, severity: n.severity, status: 'firing', groupBy: 'site',
    scopeKey: n.scopeLabel, scopeLabel: n.scopeLabel, merchantId: n.merchantId, siteId: n.siteId, terminalId: n.terminalId, members: [], memberCount: n.memberCount, startedAt: at, lastChangeAt: at,
  });
  return n;
}

const logOf = async (channelId: string) => (await t.db.orm.select().from(deliveries).where(eq(deliveries.channelId, channelId))).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

async function adminOf() {
  const base = await t.tenant();
  const A = { ...base, agent: await t.f.user(base.org.id, 'agent'), engineer: await t.f.user(base.org.id, 'engineer') };
  return { A, cookie: await t.login(A.admin.email) };
}

describe('group robots, checked as the platforms check them', () => {
  it('WeCom: a markdown message in the group’s language with a link back, and the on-call person @-mentioned by mobile', async () => {
    const { A, cookie } = await adminOf();
    const wecom = await fakeWecom('k-693a91f6', now);
    try {
      const ch = await call(cookie, 'POST', '/notify-channels', { kind: 'wecom', name: '运维群', language: 'zh-CN', url: `${wecom.base}/cgi-bin/webhook/send?key=k-693a91f6` });
      expect(ch.statusCode).toBe(201);
      const rot = await call(cookie, 'POST', '/oncall-rotations', { team: 'Ops', startsOn: '2026-03-01', handoverTime: '09:00', shiftDays: 7, members: [{ userId: A.agent.id, mobile: '13800001111' }] });
      expect(rot.statusCode).toBe(201);
      expect(rot.json().now.userId).toBe(A.agent.id);

      const n = await alertIn(A.org.id);
      expect((await svc.notifyAlert(n, now())).groups).toBe(1);
      expect(await new DeliveryWorker(t.ctx).runDue(now())).toEqual({ sent: 1, retrying: 0, failed: 0 });

      const [md, mention] = wecom.accepted();
      const content = (md!.json!.markdown as { content: string }).content;
      expect(content).toContain('缺纸');
      expect(content).toContain(`值班：${A.agent.name}`);
      expect(content).toContain(`/alerts/${n.alertId}`);
      expect((mention!.json!.text as { mentioned_mobile_list: string[] }).mentioned_mobile_list).toEqual(['13800001111']);
    } finally {
      await wecom.close();
    }
  });

  it('WeCom: a wrong key is refused by the platform and the delivery fails with its answer, at once', async () => {
    const { A, cookie } = await adminOf();
    const wecom = await fakeWecom('right-key', now);
    try {
      const ch = (await call(cookie, 'POST', '/notify-channels', { kind: 'wecom', name: 'Ops', url: `${wecom.base}/cgi-bin/webhook/send?key=wrong-key` })).json();
      await svc.notifyAlert(await alertIn(A.org.id), now());
      expect(await new DeliveryWorker(t.ctx).runDue(now())).toEqual({ sent: 0, retrying: 0, failed: 1 });
      const [row] = await logOf(ch.id);
      expect(row!.lastError).toContain('invalid webhook url');
    } finally {
      await wecom.close();
    }
  });

  it('DingTalk: signed with timestamp and sign, the keyword added, @ by mobile; a wrong secret is refused with "sign not match"', async () => {
    const { A, cookie } = await adminOf();
    const ding = await fakeDingtalk('tok123', 'SECabc', ['PosCare'], now);
    try {
      await call(cookie, 'POST', '/oncall-rotations', { team: 'Ops', startsOn: '2026-03-01', members: [{ userId: A.engineer.id, mobile: '13900002222' }] });
      const good = (await call(cookie, 'POST', '/notify-channels', { kind: 'dingtalk', name: 'Ops', language: 'en-US', url: `${ding.base}/robot/send?access_token=tok123`, secret: 'SECabc', keywords: ['PosCare'] })).json();
      const bad = (await call(cookie, 'POST', '/notify-channels', { kind: 'dingtalk', name: 'Ops 2', url: `${ding.base}/robot/send?access_token=tok123`, secret: 'SECwrong', keywords: ['PosCare'] })).json();
      await svc.notifyAlert(await alertIn(A.org.id), now());
      await new DeliveryWorker(t.ctx).runDue(now());
      const [ok] = ding.accepted();
      const md = ok!.json!.markdown as { title: string; text: string };
      expect(md.title).toContain('PosCare');
      expect(md.text).toContain('Paper out');
      expect(md.text).toContain('@13900002222');
      expect((ok!.json!.at as { atMobiles: string[] }).atMobiles).toEqual(['13900002222']);
      expect((await logOf(good.id))[0]!.status).toBe('sent');
      const refused = (await logOf(bad.id))[0]!;
      expect(refused.status).toBe('failed');
      expect(refused.lastError).toContain('sign not match');
    } finally {
      await ding.close();
    }
  });

  it('DingTalk: without the keyword the platform drops the message, so PosCare always puts it in', async () => {
    const { A, cookie } = await adminOf();
    const ding = await fakeDingtalk('tok', 'SEC1', ['告警'], now);
    try {
      const ch = (await call(cookie, 'POST', '/notify-channels', { kind: 'dingtalk', name: '群', url: `${ding.base}/robot/send?access_token=tok`, secret: 'SEC1', keywords: ['告警'] })).json();
      const test = await call(cookie, 'POST', `/notify-channels/${ch.id}/test`, {});
      expect(test.json()).toMatchObject({ ok: true, status: 200 });
      expect(JSON.parse(test.json().answer)).toEqual({ errcode: 0, errmsg: 'ok' });
      await call(cookie, 'PATCH', `/notify-channels/${ch.id}`, { keywords: ['不会出现的词'] });
      // The platform still checks its own list (告警); PosCare now adds the new one, which the platform does not know.
      const refused = await call(cookie, 'POST', `/notify-channels/${ch.id}/test`, {});
      expect(refused.json().ok).toBe(false);
      expect(refused.json().answer).toContain('keywords not in content');
      void A;
    } finally {
      await ding.close();
    }
  });

  it('Feishu: signed with the timestamp and secret as the HMAC key over an empty message; a wrong secret is refused', async () => {
    const { A, cookie } = await adminOf();
    const fs = await fakeFeishu('hook-1', 'fs-secret', now);
    try {
      const good = (await call(cookie, 'POST', '/notify-channels', { kind: 'feishu', name: '飞书群', language: 'zh-CN', url: `${fs.base}/open-apis/bot/v2/hook/hook-1`, secret: 'fs-secret' })).json();
      const test = await call(cookie, 'POST', `/notify-channels/${good.id}/test`, {});
      expect(test.json()).toMatchObject({ ok: true, status: 200 });
      const post = (fs.accepted()[0]!.json!.content as { post: Record<string, { title: string }> }).post;
      expect(post.zh_cn!.title).toBe('PosCare 测试消息');
      const bad = (await call(cookie, 'POST', '/notify-channels', { kind: 'feishu', name: 'x', url: `${fs.base}/open-apis/bot/v2/hook/hook-1`, secret: 'not-it' })).json();
      const refused = (await call(cookie, 'POST', `/notify-channels/${bad.id}/test`, {})).json();
      expect(refused.ok).toBe(false);
      expect(refused.answer).toContain('19021');
      void A;
    } finally {
      await fs.close();
    }
  });
});

describe('SMS providers, signed as their APIs require', () => {
  const templates = [
    { purpose: 'test', language: 'zh-CN', templateCode: 'SMS_100', params: ['name'] },
    { purpose: 'alert', language: 'zh-CN', templateCode: 'SMS_200', params: ['title', 'link', 'phone'] },
    { purpose: 'alert', language: 'en-US', templateCode: 'SMS_201', params: ['title', 'link', 'phone'] },
  ];

  it('Alibaba Cloud: HMAC-SHA1 over the canonicalized query; the test shows the provider’s answer; a wrong secret is refused', async () => {
    const { cookie } = await adminOf();
    const ali = await fakeAliyun('LTAI5t', 'ali-secret', now);
    try {
      const ch = (await call(cookie, 'POST', '/notify-channels', { kind: 'aliyun_sms', name: 'Aliyun', accessKeyId: 'LTAI5t', accessKeySecret: 'ali-secret', signName: '收单服务', endpoint: `${ali.base}/` })).json();
      expect((await call(cookie, 'PUT', `/notify-channels/${ch.id}/templates`, templates)).statusCode).toBe(200);
      const res = (await call(cookie, 'POST', `/notify-channels/${ch.id}/test`, { mobile: '13800001111' })).json();
      expect(res.ok).toBe(true);
      expect(JSON.parse(res.answer)).toMatchObject({ Code: 'OK', Message: 'OK' });
      const form = new URLSearchParams(ali.accepted()[0]!.body);
      expect(form.get('TemplateCode')).toBe('SMS_100');
      expect(JSON.parse(form.get('TemplateParam')!)).toEqual({ name: 'Aliyun' });
      expect(form.get('SignName')).toBe('收单服务');

      const bad = (await call(cookie, 'POST', '/notify-channels', { kind: 'aliyun_sms', name: 'Bad', accessKeyId: 'LTAI5t', accessKeySecret: 'nope', signName: '收单服务', endpoint: `${ali.base}/` })).json();
      await call(cookie, 'PUT', `/notify-channels/${bad.id}/templates`, templates);
      const refused = (await call(cookie, 'POST', `/notify-channels/${bad.id}/test`, { mobile: '13800001111' })).json();
      expect(refused).toMatchObject({ ok: false, status: 400 });
      expect(refused.answer).toContain('SignatureDoesNotMatch');
    } finally {
      await ali.close();
    }
  });

  it('Tencent Cloud: TC3-HMAC-SHA256 with the E.164 number; a wrong key is refused with AuthFailure.SignatureFailure', async () => {
    const { cookie } = await adminOf();
    const tc = await fakeTencent('AKIDx', 'tc-key', now);
    try {
      const ch = (await call(cookie, 'POST', '/notify-channels', { kind: 'tencent_sms', name: 'Tencent', accessKeyId: 'AKIDx', accessKeySecret: 'tc-key', signName: '收单服务', smsSdkAppId: '1400006666', endpoint: `${tc.base}/` })).json();
      await call(cookie, 'PUT', `/notify-channels/${ch.id}/templates`, templates);
      const res = (await call(cookie, 'POST', `/notify-channels/${ch.id}/test`, { mobile: '13800001111' })).json();
      expect(res.ok).toBe(true);
      const sent = tc.accepted()[0]!.json!;
      expect(sent).toMatchObject({ PhoneNumberSet: ['+8613800001111'], SmsSdkAppId: '1400006666', TemplateId: 'SMS_100', TemplateParamSet: ['Tencent'] });

      const bad = (await call(cookie, 'POST', '/notify-channels', { kind: 'tencent_sms', name: 'Bad', accessKeyId: 'AKIDx', accessKeySecret: 'wrong', signName: 's', smsSdkAppId: '1', endpoint: `${tc.base}/` })).json();
      await call(cookie, 'PUT', `/notify-channels/${bad.id}/templates`, templates);
      const refused = (await call(cookie, 'POST', `/notify-channels/${bad.id}/test`, { mobile: '13800001111' })).json();
      expect(refused.ok).toBe(false);
      expect(refused.answer).toContain('AuthFailure.SignatureFailure');
    } finally {
      await tc.close();
    }
  });

  it('a critical alert on a merchant texts its contacts in their language with the link and the support phone', async () => {
    const { A, cookie } = await adminOf();
    await t.db.orm.update(organizations).set({ supportPhone: '400-820-8820' }).where(eq(organizations.id, A.org.id));
    const ali = await fakeAliyun('id', 'sec', now);
    try {
      const ch = (await call(cookie, 'POST', '/notify-channels', { kind: 'aliyun_sms', name: 'SMS', accessKeyId: 'id', accessKeySecret: 'sec', signName: 'S', endpoint: `${ali.base}/` })).json();
      await call(cookie, 'PUT', `/notify-channels/${ch.id}/templates`, templates);
      expect((await call(cookie, 'POST', `/merchants/${A.merchant.id}/contacts`, { name: 'Li', mobile: '13700003333', language: 'en-US', topics: ['alert'] })).statusCode).toBe(201);
      await call(cookie, 'POST', `/merchants/${A.merchant.id}/contacts`, { name: 'Zhao', mobile: '13700004444', language: 'zh-CN', topics: ['duplicate_charge'] });

      const warning = await alertIn(A.org.id, { merchantId: A.merchant.id });
      expect((await svc.notifyAlert(warning, now())).sms).toBeUndefined();
      const n = await alertIn(A.org.id, { merchantId: A.merchant.id, severity: 'critical' });
      expect((await svc.notifyAlert(n, now())).sms).toBe(1);
      await new DeliveryWorker(t.ctx).runDue(now());
      const form = new URLSearchParams(ali.accepted()[0]!.body);
      expect(form.get('PhoneNumbers')).toBe('13700003333');
      expect(form.get('TemplateCode')).toBe('SMS_201');
      const p = JSON.parse(form.get('TemplateParam')!);
      expect(p.title).toContain('Paper out');
      // SMS carry a signed short link to the alert's page (issue 19).
      expect(p.link).toMatch(/\/s\/[A-Za-z0-9_-]{36}$/);
      expect(verifyShortLink(shortLinkKey(t.ctx.config)!, p.link.split('/s/')[1])).toEqual({ kind: 'alerts', id: n.alertId });
      expect(p.phone).toBe('400-820-8820');
      const [row] = await logOf(ch.id).then((r) => r.filter((x) => x.event === 'fired'));
      expect(row!.target).toBe('137****3333');
    } finally {
      await ali.close();
    }
  });
});

describe('credentials', () => {
  it('are encrypted at rest, never in an answer, the audit log or the delivery log', async () => {
    const { A, cookie } = await adminOf();
    const created = await call(cookie, 'POST', '/notify-channels', { kind: 'dingtalk', name: 'D', url: 'http://127.0.0.1:9/robot/send?access_token=TOKEN-SECRET-1', secret: 'SEC-SECRET-2' });
    expect(created.statusCode).toBe(201);
    expect(created.json().credentialHint).toBe('••••ET-2');
    const bodies = [created.body, (await call(cookie, 'GET', '/notify-channels')).body, (await call(cookie, 'GET', '/audit')).body];
    await call(cookie, 'POST', `/notify-channels/${created.json().id}/test`, {});
    bodies.push((await call(cookie, 'GET', '/deliveries')).body);
    for (const b of bodies) {
      expect(b).not.toContain('TOKEN-SECRET-1');
      expect(b).not.toContain('SEC-SECRET-2');
    }
    const [row] = await t.db.orm.select().from(notifyChannels).where(eq(notifyChannels.id, created.json().id));
    expect(row!.credentials).toMatch(/^v1:/);
    expect(row!.credentials).not.toContain('SECRET');
    void A;
  });

  it('only admins set up channels; another organization’s channel is not found', async () => {
    const { A, cookie } = await adminOf();
    const ch = (await call(cookie, 'POST', '/notify-channels', { kind: 'wecom', name: 'W', url: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=k' })).json();
    const agent = await t.login(A.agent.email);
    expect((await call(agent, 'GET', '/notify-channels')).statusCode).toBe(403);
    const B = await adminOf();
    expect((await call(B.cookie, 'POST', `/notify-channels/${ch.id}/test`, {})).statusCode).toBe(404);
    expect((await call(B.cookie, 'DELETE', `/notify-channels/${ch.id}`)).statusCode).toBe(404);
  });
});

describe('rate limits: robots refuse more than 20 a minute', () => {
  it('30 alerts in one minute reach the group as 19 messages and one summary of the other 11; none is dropped', async () => {
    const { A, cookie } = await adminOf();
    const wecom = await fakeWecom('k', now);
    try {
      const ch = (await call(cookie, 'POST', '/notify-channels', { kind: 'wecom', name: 'W', language: 'en-US', url: `${wecom.base}/cgi-bin/webhook/send?key=k` })).json();
      for (let i = 0; i < 30; i++) await svc.notifyAlert(await alertIn(A.org.id, { scopeLabel: `Store ${i}` }), now());
      const worker = new DeliveryWorker(t.ctx, { batchSize: 50 });
      expect(await worker.runDue(now())).toEqual({ sent: 30, retrying: 0, failed: 0 });
      expect(wecom.calls.length).toBe(20);
      expect(wecom.accepted().length).toBe(20);
      const summary = (wecom.calls[19]!.json!.markdown as { content: string }).content;
      expect(summary).toContain('11 notifications in the last minute');
      const log = await logOf(ch.id);
      expect(log.filter((d) => d.batchedInto).length).toBe(10);
    } finally {
      await wecom.close();
    }
  });

  it('three workers at once (PostgreSQL: three connections) still send each row once and keep the robot within 20 a minute', async () => {
    const { A, cookie } = await adminOf();
    const wecom = await fakeWecom('k3', now);
    try {
      const ch = (await call(cookie, 'POST', '/notify-channels', { kind: 'wecom', name: 'W3', language: 'en-US', url: `${wecom.base}/cgi-bin/webhook/send?key=k3` })).json();
      const ids: string[] = [];
      for (let i = 0; i < 45; i++) {
        const n = await alertIn(A.org.id, { scopeLabel: `Site ${i}` });
        ids.push(n.alertId);
        await svc.notifyAlert(n, now());
      }
      let sent = 0;
      for (let minute = 0; minute < 4 && sent < 45; minute++) {
        const results = await atOnce(3, () => new DeliveryWorker(t.ctx, { batchSize: 8 }).runDue(now()));
        sent += results.reduce((n, r) => n + r.sent, 0);
        t.clock.advance(60_000);
      }
      expect(sent).toBe(45);
      // The stand-in refuses the 21st message of any minute: none was refused.
      expect(wecom.accepted().length).toBe(wecom.calls.length);
      expect(wecom.calls.length).toBeLessThan(45);
      const log = await logOf(ch.id);
      expect(log.every((d) => d.status === 'sent' && d.attempts === 1)).toBe(true);
      // Every alert reached the group once: alone, or as a line of exactly one summary (by its link).
      const seen = wecom.calls.map((c) => (c.json!.markdown as { content: string }).content).join('\n');
      for (const id of ids) expect(seen.split(`/alerts/${id}`).length - 1, id).toBe(1);
    } finally {
      await wecom.close();
    }
  });

  it('with the minute used up, new messages wait (no attempt counted) and go when it makes room', async () => {
    const { A, cookie } = await adminOf();
    const ding = await fakeDingtalk('t', 's', [], now);
    try {
      const ch = (await call(cookie, 'POST', '/notify-channels', { kind: 'dingtalk', name: 'D', url: `${ding.base}/robot/send?access_token=t`, secret: 's' })).json();
      const worker = new DeliveryWorker(t.ctx, { batchSize: 50 });
      for (let i = 0; i < 20; i++) await svc.notifyAlert(await alertIn(A.org.id), now());
      await worker.runDue(now());
      t.clock.advance(10_000);
      await svc.notifyAlert(await alertIn(A.org.id, { scopeLabel: 'late' }), now());
      expect(await worker.runDue(now())).toEqual({ sent: 0, retrying: 0, failed: 0 });
      const waiting = (await logOf(ch.id)).find((d) => d.status === 'pending')!;
      expect(waiting.attempts).toBe(0);
      expect(waiting.nextAttemptAt!.getTime()).toBe(now().getTime() - 10_000 + 60_000);
      t.clock.advance(50_000);
      expect(await worker.runDue(now())).toEqual({ sent: 1, retrying: 0, failed: 0 });
      expect(ding.accepted().length).toBe(21);
      expect(ding.calls.every((c) => c.accepted)).toBe(true);
    } finally {
      await ding.close();
    }
  });
});

describe('quiet hours', () => {
  it('hold warnings for one morning summary e-mail while a critical alert breaks through', async () => {
    const { A, cookie } = await adminOf();
    await call(cookie, 'PUT', '/me/notification-preferences', { console: true, email: true, minSeverity: 'info', language: 'en-US' });
    const q = await call(cookie, 'PUT', '/me/quiet-hours', { start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' });
    expect(q.json()).toEqual({ start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' });
    const sent: { to: string; subject: string; text: string }[] = [];
    const mailer: Mailer = { sendMail: async (m) => void sent.push(m), close: () => undefined };
    const worker = new DeliveryWorker(t.ctx, { mailer });
    t.clock.set(new Date('2026-03-02T23:30:00+08:00'));
    await svc.notifyAlert(await alertIn(A.org.id, { scopeLabel: 'Store A' }), now());
    await svc.notifyAlert(await alertIn(A.org.id, { scopeLabel: 'Store B' }), now());
    await svc.notifyAlert(await alertIn(A.org.id, { scopeLabel: 'Store C', severity: 'critical' }), now());
    await worker.runDue(now());
    expect(sent.filter((m) => m.to === A.admin.email).map((m) => m.subject)).toEqual([expect.stringContaining('Store C')]);
    t.clock.set(new Date('2026-03-03T06:59:00+08:00'));
    await worker.runDue(now());
    expect(sent.filter((m) => m.to === A.admin.email).length).toBe(1);
    t.clock.set(new Date('2026-03-03T07:00:00+08:00'));
    await worker.runDue(now());
    const mine = sent.filter((m) => m.to === A.admin.email);
    expect(mine.length).toBe(2);
    expect(mine[1]!.subject).toBe('PosCare: 2 notifications during your quiet hours');
    expect(mine[1]!.text).toContain('Store A');
    expect(mine[1]!.text).toContain('Store B');
    t.clock.set(new Date('2026-03-02T09:00:00+08:00'));
  });
});
