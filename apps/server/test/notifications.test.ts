/**
 * Notifications of alerts: who is told (staff, the alert's own merchant, by preference and
 * escalation), the console inbox, e-mail through a real SMTP server, signed webhooks with retries
 * and back-off on a fake clock, and the webhook admin's tenancy, roles and secret handling.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { alerts, auditLog, deliveries, notifications, users } from '../src/db/schema.js';
import { DeliveryWorker, MAX_ATTEMPTS } from '../src/notifications/delivery.js';
import { NotificationService } from '../src/notifications/service.js';
import type { AlertNotice } from '../src/notifications/types.js';
import { createTestApp, type TestApp } from './harness.js';

const MIN = 60_000;
let t: TestApp;
let api: FastifyInstance;
let svc: NotificationService;

beforeAll(async () => {
  t = await createTestApp();
  svc = t.services.notifications;
  api = t.app;
});
afterAll(async () => {
  await t?.close();
});

// --- factories and helpers ------------------------------------------------------------------------

/** An alert row (the tables reference it) and the notice the alert engine would send about it. */
async function alertIn(orgId: string, over: Partial<AlertNotice> = {}): Promise<AlertNotice> {
  const now = t.clock.now();
  const n: AlertNotice = {
    alertId: randomUUID(),
    orgId,
    event: 'fired',
    severity: 'warning',
    ruleCode: 'battery.low',
    ruleName: { 'zh-CN': '电池电量低', 'en-US': 'Battery low' },
    scopeLabel: 'Store 12',
    merchantId: null,
    siteId: null,
    terminalId: null,
    memberCount: 3,
    value: 12.5,
    threshold: 15,
    predictedAt: null,
    startedAt: now.toISOString(),
    ...over,
  };
  await t.db.orm.insert(alerts).values({
    id: n.alertId, orgId, fingerprint: `fp-${n.alertId}`, ruleCode: n.ruleCode, ruleVersion: 1, severity: n.severity, status: 'firing', groupBy: 'site',
    scopeKey: n.scopeLabel, scopeLabel: n.scopeLabel, merchantId: n.merchantId, siteId: n.siteId, terminalId: n.terminalId, members: [], memberCount: n.memberCount, startedAt: now, lastChangeAt: now,
  });
  return n;
}

const toldAbout = async (alertId: string) =>
  (await t.db.orm.select({ userId: notifications.userId }).from(notifications).where(eq(notifications.alertId, alertId))).map((r) => r.userId).sort();

const call = (cookie: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  api.inject({ method, url: `/api/v1${url}`, headers: { cookie, 'accept-language': 'en-US' }, ...(payload === undefined ? {} : { payload: payload as object }) });

const deliveryRow = async (id: string) => (await t.db.orm.select().from(deliveries).where(eq(deliveries.id, id)))[0]!;

/** An HTTP receiver answering each call with the status `answer(callNumber)` gives. */
async function receiver(answer: (n: number) => number = () => 200) {
  const calls: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      calls.push({ headers: req.headers, body });
      res.writeHead(answer(calls.length), { 'content-type': 'text/plain' }).end(answer(calls.length) < 300 ? 'ok' : 'receiver is down');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** What a receiver does with the secret it was given: recompute the signature over `${timestamp}.${body}`. */
function verify(secret: string, headers: http.IncomingHttpHeaders, body: string): boolean {
  const expected = `sha256=${createHmac('sha256', secret).update(`${String(headers['x-poscare-timestamp'])}.${body}`).digest('hex')}`;
  return headers['x-poscare-signature'] === expected;
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= / Q) back to text; adjacent words join without the space. */
function decodeHeader(value: string): string {
  const unfolded = value.replace(/\r?\n[ \t]+/g, ' ').replace(/\?=\s+=\?/g, '?==?');
  return unfolded.replace(/(=\?utf-8\?([bq])\?[^?]*\?=)+/gi, (run) => {
    const bytes: Buffer[] = [];
    for (const [, enc, text] of run.matchAll(/=\?utf-8\?([bq])\?([^?]*)\?=/gi)) {
      bytes.push(
        enc!.toLowerCase() === 'b'
          ? Buffer.from(text!, 'base64')
          : Buffer.from(text!.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1'),
      );
    }
    return Buffer.concat(bytes).toString('utf8');
  });
}

// --- who is told ------------------------------------------------------------------------------------

describe('who is told about an alert', () => {
  it("tells admins, agents, engineers and the alert's own merchant, never another merchant, a risk analyst, a disabled user or another organization", async () => {
    const A = await t.tenant();
    const agent = await t.f.user(A.org.id, 'agent');
    const engineer = await t.f.user(A.org.id, 'engineer');
    await t.f.user(A.org.id, 'risk_analyst');
    await t.f.user(A.org.id, 'agent', { disabled: true });
    const otherMerchant = await t.f.merchant(A.org.id);
    await t.f.user(A.org.id, 'merchant', { merchantId: otherMerchant.id });
    const B = await t.tenant();

    const n = await alertIn(A.org.id, { merchantId: A.merchant.id, siteId: A.site.id });
    const result = await svc.notifyAlert(n, t.clock.now());
    expect(result).toEqual({ notifications: 4, emails: 0, webhooks: 0 });
    expect(await toldAbout(n.alertId)).toEqual([A.admin.id, agent.id, engineer.id, A.merchantUser.id].sort());
    expect(await toldAbout(n.alertId)).not.toContain(B.admin.id);
  });

  it('tells no merchant about an alert that belongs to no merchant (fleet or host wide)', async () => {
    const A = await t.tenant();
    const n = await alertIn(A.org.id, { merchantId: null, scopeLabel: 'v3.2.1' });
    await svc.notifyAlert(n);
    expect(await toldAbout(n.alertId)).toEqual([A.admin.id]);
  });

  it('does not tell a person whose least severity is critical about a warning, but does about a critical alert', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.admin.email);
    const put = await call(cookie, 'PUT', '/me/notification-preferences', { console: true, email: false, minSeverity: 'critical', language: 'en-US' });
    expect(put.statusCode, put.body).toBe(200);

    const warning = await alertIn(A.org.id, { merchantId: A.merchant.id });
    await svc.notifyAlert(warning);
    expect(await toldAbout(warning.alertId)).toEqual([A.merchantUser.id]);

    const critical = await alertIn(A.org.id, { merchantId: A.merchant.id, severity: 'critical' });
    await svc.notifyAlert(critical);
    expect(await toldAbout(critical.alertId)).toEqual([A.admin.id, A.merchantUser.id].sort());
  });

  it("commits with the alert engine's transaction when given one, and leaves nothing when that rolls back", async () => {
    const A = await t.tenant();
    const n = await alertIn(A.org.id);
    const failing = t.db.orm.transaction(async (tx) => {
      await svc.notifyAlert(n, t.clock.now(), tx);
      throw new Error('alert change failed');
    });
    await expect(failing).rejects.toThrow('alert change failed');
    expect(await toldAbout(n.alertId)).toEqual([]);
    await t.db.orm.transaction((tx) => svc.notifyAlert(n, t.clock.now(), tx));
    expect(await toldAbout(n.alertId)).toEqual([A.admin.id]);
  });

  it('tells exactly the roles an escalation names', async () => {
    const A = await t.tenant();
    const engineer = await t.f.user(A.org.id, 'engineer');
    await t.f.user(A.org.id, 'agent');
    const n = await alertIn(A.org.id, { merchantId: A.merchant.id, event: 'escalated', escalationLevel: 2, roles: ['engineer'] });
    await svc.notifyAlert(n);
    expect(await toldAbout(n.alertId)).toEqual([engineer.id]);

    const withAdmins = await alertIn(A.org.id, { merchantId: A.merchant.id, event: 'escalated', escalationLevel: 3, roles: ['admin', 'merchant'] });
    await svc.notifyAlert(withAdmins);
    expect(await toldAbout(withAdmins.alertId)).toEqual([A.admin.id, A.merchantUser.id].sort());
  });

  it("writes the texts in each person's language, with severity, value and the predicted time", async () => {
    const A = await t.tenant();
    const en = await t.f.user(A.org.id, 'agent', { language: 'en-US' });
    const zh = await t.f.user(A.org.id, 'agent', { language: 'zh-CN' });
    const n = await alertIn(A.org.id, { severity: 'critical', predictedAt: '2026-03-02T05:30:00.000Z' });
    await svc.notifyAlert(n);
    const rows = await t.db.orm.select().from(notifications).where(eq(notifications.alertId, n.alertId));
    const of = (id: string) => rows.find((r) => r.userId === id)!;
    expect(of(en.id).title).toBe('[Critical] Battery low: Store 12');
    expect(of(en.id).body).toContain('Value: 12.5 (threshold 15)');
    expect(of(en.id).body).toContain('Predicted to cross the threshold at Mar 2, 2026, 13:30 (UTC+8) (2026-03-02T05:30:00.000Z)');
    expect(of(zh.id).title).toBe('【严重】电池电量低：Store 12');
    expect(of(zh.id).body).toContain('受影响终端：3 台');
    expect(of(zh.id).body).toMatch(/预计于 2026年3月2日 13:30（北京时间） 越过阈值（2026-03-02T05:30:00.000Z）/);
    expect(of(zh.id).kind).toBe('alert.fired');
  });
});

// --- the console inbox and preferences ------------------------------------------------------------

describe('the console inbox', () => {
  it('lists newest first with the unread count, and marks given ones or all read, only ever the caller’s own', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.merchantUser.email);
    const first = await alertIn(A.org.id, { merchantId: A.merchant.id, scopeLabel: 'first' });
    await svc.notifyAlert(first);
    t.clock.advance(MIN);
    const second = await alertIn(A.org.id, { merchantId: A.merchant.id, scopeLabel: 'second', event: 'resolved' });
    await svc.notifyAlert(second);
    t.clock.advance(MIN);
    await svc.notifyAlert(await alertIn(A.org.id, { merchantId: A.merchant.id, scopeLabel: 'third', severity: 'critical' }));

    const page = (await call(cookie, 'GET', '/notifications?limit=2')).json();
    expect(page).toMatchObject({ total: 3, unread: 3 });
    expect(page.items.map((i: { title: string }) => i.title)).toEqual(['【严重】电池电量低：third', '【已恢复】电池电量低：second']);

    // The admin's notification of the same alert is not the merchant's to mark.
    const [adminsNote] = await t.db.orm.select().from(notifications).where(and(eq(notifications.alertId, first.alertId), eq(notifications.userId, A.admin.id)));
    const mark = await call(cookie, 'POST', '/notifications/read', { ids: [page.items[0].id, adminsNote!.id] });
    expect(mark.json()).toEqual({ updated: 1 });
    expect(adminsNote!.readAt).toBeNull();
    expect((await t.db.orm.select().from(notifications).where(eq(notifications.id, adminsNote!.id)))[0]!.readAt).toBeNull();

    const unread = (await call(cookie, 'GET', '/notifications?unread=true')).json();
    expect(unread).toMatchObject({ total: 2, unread: 2 });
    const all = await call(cookie, 'POST', '/notifications/read');
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json()).toEqual({ updated: 2 });
    const after = (await call(cookie, 'GET', '/notifications')).json();
    expect(after).toMatchObject({ total: 3, unread: 0 });
    expect(after.items.every((i: { readAt: string | null }) => i.readAt !== null)).toBe(true);
  });

  it('keeps preferences per person, defaults first, and a language change changes the account language', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.merchantUser.email);
    expect((await call(cookie, 'GET', '/me/notification-preferences')).json()).toEqual({ console: true, email: false, minSeverity: 'warning', language: 'zh-CN' });
    const prefs = { console: false, email: true, minSeverity: 'info', language: 'en-US' };
    expect((await call(cookie, 'PUT', '/me/notification-preferences', prefs)).json()).toEqual(prefs);
    expect((await call(cookie, 'GET', '/me/notification-preferences')).json()).toEqual(prefs);
    const [u] = await t.db.orm.select({ language: users.language }).from(users).where(eq(users.id, A.merchantUser.id));
    expect(u!.language).toBe('en-US');
    expect((await call(cookie, 'PUT', '/me/notification-preferences', { ...prefs, minSeverity: 'loud' })).statusCode).toBe(400);

    // Console off, e-mail on: the next alert becomes an e-mail, not an inbox entry.
    const n = await alertIn(A.org.id, { merchantId: A.merchant.id, severity: 'info' });
    expect(await svc.notifyAlert(n)).toEqual({ notifications: 0, emails: 1, webhooks: 0 });
  });
});

// --- e-mail -------------------------------------------------------------------------------------------

describe('e-mail', () => {
  it("reaches a real SMTP server, in each recipient's language, and the delivery is recorded as sent", async () => {
    const received: { to: string[]; from: string; raw: string }[] = [];
    const smtp = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth: (auth, _session, cb) => (auth.username === 'poscare' && auth.password === 'smtp-Pa55' ? cb(null, { user: 'poscare' }) : cb(new Error('bad credentials'))),
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', raw: Buffer.concat(chunks).toString('utf8') });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const port = (smtp.server.address() as AddressInfo).port;
    const worker = new DeliveryWorker(t.ctx, { smtpUrl: `smtp://poscare:smtp-Pa55@127.0.0.1:${port}`, smtpFrom: 'PosCare <alerts@example.test>' });
    try {
      const A = await t.tenant();
      const zh = await t.f.user(A.org.id, 'engineer', { language: 'zh-CN' });
      const en = await t.f.user(A.org.id, 'engineer', { language: 'en-US' });
      for (const u of [zh, en]) {
        const c = await t.login(u.email);
        expect((await call(c, 'PUT', '/me/notification-preferences', { console: true, email: true, minSeverity: 'warning', language: u.language })).statusCode).toBe(200);
      }
      const n = await alertIn(A.org.id, { severity: 'critical', scopeLabel: 'Shop 7' });
      expect(await svc.notifyAlert(n)).toMatchObject({ emails: 2 });

      await worker.runDue(t.clock.now());

      const mailTo = (email: string) => received.find((m) => m.to.includes(email))!;
      const subject = (raw: string) => decodeHeader(/^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)![1]!);
      expect(mailTo(zh.email).from).toBe('alerts@example.test');
      expect(subject(mailTo(zh.email).raw)).toBe('【严重】电池电量低：Shop 7');
      expect(subject(mailTo(en.email).raw)).toBe('[Critical] Battery low: Shop 7');

      const rows = await t.db.orm.select().from(deliveries).where(eq(deliveries.alertId, n.alertId));
      expect(rows.map((r) => [r.target, r.status, r.attempts]).sort()).toEqual(
        [[en.email, 'sent', 1], [zh.email, 'sent', 1]].sort(),
      );
      expect(rows.every((r) => r.deliveredAt?.getTime() === t.clock.now().getTime() && r.nextAttemptAt === null)).toBe(true);
    } finally {
      await worker.stop();
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });

  it('never prints the SMTP password when SMTP_URL is rejected at start', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://mailer:Hunter2-secret@mail.example.test:587' })).toThrow(/SMTP_URL.*mailer:\[redacted\]@mail\.example\.test/);
    expect(() => loadConfig({ SMTP_URL: 'http://mailer:Hunter2-secret@mail.example.test:587' })).not.toThrow(/Hunter2/);
    expect(loadConfig({ SMTP_URL: 'smtp://mailer:pw@mail.example.test:587' })).toMatchObject({ SMTP_URL: 'smtp://mailer:pw@mail.example.test:587', SMTP_FROM: 'PosCare <poscare@localhost>' });
  });

  it('fails at once with "SMTP not configured" when no SMTP_URL is set, instead of waiting forever', async () => {
    const A = await t.tenant();
    const c = await t.login(A.admin.email);
    await call(c, 'PUT', '/me/notification-preferences', { console: false, email: true, minSeverity: 'info', language: 'en-US' });
    const n = await alertIn(A.org.id);
    await svc.notifyAlert(n);
    await new DeliveryWorker(t.ctx).runDue(t.clock.now());
    const [row] = await t.db.orm.select().from(deliveries).where(eq(deliveries.alertId, n.alertId));
    expect(row).toMatchObject({ channel: 'email', status: 'failed', attempts: 1, nextAttemptAt: null });
    expect(row!.lastError).toMatch(/SMTP not configured/);
  });
});

// --- webhooks -----------------------------------------------------------------------------------------

describe('webhooks', () => {
  it('are called with a body the receiver verifies with the secret shown at creation, and only for alerts as severe as they ask', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.admin.email);
    const rx = await receiver();
    try {
      const created = await call(cookie, 'POST', '/webhooks', { name: 'Ops chat', url: rx.url, minSeverity: 'critical' });
      expect(created.statusCode, created.body).toBe(201);
      const hook = created.json();
      expect(hook.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const warning = await alertIn(A.org.id, { merchantId: A.merchant.id });
      expect(await svc.notifyAlert(warning)).toMatchObject({ webhooks: 0 });
      const n = await alertIn(A.org.id, { merchantId: A.merchant.id, severity: 'critical', predictedAt: '2026-03-02T03:00:00.000Z' });
      expect(await svc.notifyAlert(n)).toMatchObject({ webhooks: 1 });

      const now = t.clock.now();
      await new DeliveryWorker(t.ctx).runDue(now);
      expect(rx.calls).toHaveLength(1);
      const { headers, body } = rx.calls[0]!;
      expect(headers['content-type']).toBe('application/json');
      expect(headers['x-poscare-event']).toBe('fired');
      expect(headers['x-poscare-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
      expect(verify(hook.secret, headers, body)).toBe(true);
      expect(verify(hook.secret, headers, body.replace('critical', 'info'))).toBe(false);
      expect(JSON.parse(body)).toMatchObject({
        event: 'fired',
        alert: { id: n.alertId, rule: { code: 'battery.low', name: { 'en-US': 'Battery low' } }, severity: 'critical', scope: { label: 'Store 12', merchantId: A.merchant.id }, members: 3, value: 12.5, threshold: 15, predictedAt: '2026-03-02T03:00:00.000Z' },
        sentAt: now.toISOString(),
      });
      const [row] = await t.db.orm.select().from(deliveries).where(eq(deliveries.alertId, n.alertId));
      expect(headers['x-poscare-delivery']).toBe(row!.id);
      expect(row).toMatchObject({ status: 'sent', attempts: 1, responseStatus: 200, target: rx.url });

      // "Send test" queues a signed call with event 'test'.
      t.clock.advance(1000);
      const test = await call(cookie, 'POST', `/webhooks/${hook.id}/test`);
      expect(test.json()).toMatchObject({ channel: 'webhook', event: 'test', status: 'pending' });
      await new DeliveryWorker(t.ctx).runDue(t.clock.now());
      expect(rx.calls[1]!.headers['x-poscare-event']).toBe('test');
      expect(verify(hook.secret, rx.calls[1]!.headers, rx.calls[1]!.body)).toBe(true);
      const log = (await call(cookie, 'GET', `/deliveries?webhookId=${hook.id}`)).json();
      expect(log.total).toBe(2);
      expect(log.items[0]).toMatchObject({ id: test.json().id, status: 'sent', responseStatus: 200 });
    } finally {
      await rx.close();
    }
  });

  it('retry a receiver that fails twice after 1 and then 2 minutes, and record the third attempt as sent', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.admin.email);
    const rx = await receiver((n) => (n <= 2 ? 500 : 204));
    const worker = new DeliveryWorker(t.ctx);
    try {
      const hook = (await call(cookie, 'POST', '/webhooks', { name: 'flaky', url: rx.url })).json();
      const { id } = (await call(cookie, 'POST', `/webhooks/${hook.id}/test`)).json();
      const t0 = t.clock.now().getTime();

      await worker.runDue(new Date(t0));
      expect(await deliveryRow(id)).toMatchObject({ status: 'retrying', attempts: 1, responseStatus: 500, nextAttemptAt: new Date(t0 + 1 * MIN) });
      expect((await deliveryRow(id)).lastError).toBe('HTTP 500: receiver is down');

      await worker.runDue(new Date(t0 + 1 * MIN - 1000));
      expect(rx.calls).toHaveLength(1);

      await worker.runDue(new Date(t0 + 1 * MIN));
      expect(await deliveryRow(id)).toMatchObject({ status: 'retrying', attempts: 2, nextAttemptAt: new Date(t0 + 3 * MIN) });

      await worker.runDue(new Date(t0 + 3 * MIN));
      expect(await deliveryRow(id)).toMatchObject({ status: 'sent', attempts: 3, responseStatus: 204, lastError: null, nextAttemptAt: null, deliveredAt: new Date(t0 + 3 * MIN) });
      expect(rx.calls).toHaveLength(3);
      // Every attempt is signed afresh with its own timestamp.
      expect(new Set(rx.calls.map((c) => c.headers['x-poscare-timestamp'])).size).toBe(3);
      expect(rx.calls.every((c) => verify(hook.secret, c.headers, c.body))).toBe(true);
    } finally {
      await worker.stop();
      await rx.close();
    }
  });

  it('give up on a receiver that always fails after 6 attempts spaced 1, 2, 4, 8 and 16 minutes, keeping the last error', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.admin.email);
    const rx = await receiver(() => 503);
    const worker = new DeliveryWorker(t.ctx);
    try {
      const hook = (await call(cookie, 'POST', '/webhooks', { name: 'dead', url: rx.url })).json();
      const { id } = (await call(cookie, 'POST', `/webhooks/${hook.id}/test`)).json();
      let at = t.clock.now().getTime();
      const spacing: number[] = [];
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        await worker.runDue(new Date(at));
        const row = await deliveryRow(id);
        expect(row.attempts).toBe(attempt);
        if (attempt < MAX_ATTEMPTS) {
          expect(row.status).toBe('retrying');
          spacing.push((row.nextAttemptAt!.getTime() - at) / MIN);
          at = row.nextAttemptAt!.getTime();
        }
      }
      expect(spacing).toEqual([1, 2, 4, 8, 16]);
      expect(await deliveryRow(id)).toMatchObject({ status: 'failed', attempts: 6, nextAttemptAt: null, responseStatus: 503, lastError: 'HTTP 503: receiver is down' });
      await worker.runDue(new Date(at + 60 * MIN));
      expect(rx.calls).toHaveLength(6);
    } finally {
      await worker.stop();
      await rx.close();
    }
  });

  it('are sent once each when several workers run at the same time', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.admin.email);
    const rx = await receiver();
    const workers = [new DeliveryWorker(t.ctx, { batchSize: 3 }), new DeliveryWorker(t.ctx, { batchSize: 3 }), new DeliveryWorker(t.ctx, { batchSize: 3 })];
    try {
      const hook = (await call(cookie, 'POST', '/webhooks', { name: 'busy', url: rx.url })).json();
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await call(cookie, 'POST', `/webhooks/${hook.id}/test`)).json().id);
      const now = t.clock.now();
      await Promise.all(workers.map((w) => w.runDue(now)));
      expect(rx.calls.map((c) => c.headers['x-poscare-delivery']).sort()).toEqual([...ids].sort());
      const rows = await t.db.orm.select().from(deliveries).where(inArray(deliveries.id, ids));
      expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await rx.close();
    }
  });

  it('retry when nobody listens at the URL, recording the network error', async () => {
    const A = await t.tenant();
    const cookie = await t.login(A.admin.email);
    const rx = await receiver();
    await rx.close(); // a port that was just free: connection refused
    const hook = (await call(cookie, 'POST', '/webhooks', { name: 'gone', url: rx.url })).json();
    const { id } = (await call(cookie, 'POST', `/webhooks/${hook.id}/test`)).json();
    await new DeliveryWorker(t.ctx).runDue(t.clock.now());
    const row = await deliveryRow(id);
    expect(row).toMatchObject({ status: 'retrying', attempts: 1, responseStatus: null });
    expect(row.lastError).toMatch(/fetch failed: ECONNREFUSED/);
  });
});

// --- webhook admin: tenancy, roles, secret -----------------------------------------------------------

describe('webhook administration', () => {
  let A: Awaited<ReturnType<TestApp['tenant']>>;
  let adminA: string;
  let hook: { id: string; secret: string };
  beforeAll(async () => {
    A = await t.tenant();
    adminA = await t.login(A.admin.email);
    // Nothing listens on port 9: deliveries to it are never meant to succeed here.
    hook = (await call(adminA, 'POST', '/webhooks', { name: 'Pager', url: 'http://127.0.0.1:9/pager', minSeverity: 'warning' })).json();
  });

  it('shows the secret once, masked afterwards, and never writes it to the audit log', async () => {
    const listed = (await call(adminA, 'GET', '/webhooks')).json();
    expect(listed).toEqual([expect.objectContaining({ id: hook.id, name: 'Pager', secret: `••••${hook.secret.slice(-4)}` })]);
    const patched = await call(adminA, 'PATCH', `/webhooks/${hook.id}`, { name: 'Pager duty', enabled: false });
    expect(patched.json()).toMatchObject({ name: 'Pager duty', enabled: false, minSeverity: 'warning', secret: `••••${hook.secret.slice(-4)}` });
    await call(adminA, 'POST', `/webhooks/${hook.id}/test`);

    const audit = await t.db.orm.select().from(auditLog).where(eq(auditLog.entityId, hook.id));
    expect(audit.map((a) => a.action).sort()).toEqual(['create', 'test', 'update']);
    expect(JSON.stringify(audit)).not.toContain(hook.secret);
    expect(JSON.stringify(audit)).not.toContain(hook.secret.slice(0, 12));
    expect(JSON.stringify(await t.db.orm.select().from(auditLog))).not.toContain(hook.secret);
  });

  it("answers another organization's admin with 404 for the webhook and its deliveries, and shows them none", async () => {
    const B = await t.tenant();
    const adminB = await t.login(B.admin.email);
    expect((await call(adminB, 'PATCH', `/webhooks/${hook.id}`, { name: 'mine now' })).statusCode).toBe(404);
    expect((await call(adminB, 'DELETE', `/webhooks/${hook.id}`)).statusCode).toBe(404);
    expect((await call(adminB, 'POST', `/webhooks/${hook.id}/test`)).statusCode).toBe(404);
    expect((await call(adminB, 'GET', `/deliveries?webhookId=${hook.id}`)).statusCode).toBe(404);
    expect((await call(adminB, 'GET', '/webhooks')).json()).toEqual([]);
    expect((await call(adminB, 'GET', '/deliveries')).json()).toEqual({ items: [], total: 0 });
    expect((await call(adminA, 'GET', `/deliveries?webhookId=${hook.id}`)).json().total).toBeGreaterThan(0);
    expect((await t.db.orm.select().from(deliveries).where(inArray(deliveries.orgId, [B.org.id]))).length).toBe(0);
  });

  it('is for admins only: an agent, an engineer and a merchant get 403', async () => {
    const agent = await t.f.user(A.org.id, 'agent');
    const engineer = await t.f.user(A.org.id, 'engineer');
    for (const u of [agent, engineer, A.merchantUser]) {
      const c = await t.login(u.email);
      expect((await call(c, 'POST', '/webhooks', { name: 'x', url: 'http://127.0.0.1:9/x' })).statusCode, u.role).toBe(403);
      expect((await call(c, 'GET', '/webhooks')).statusCode, u.role).toBe(403);
      expect((await call(c, 'GET', '/deliveries')).statusCode, u.role).toBe(403);
      expect((await call(c, 'GET', '/notifications')).statusCode, u.role).toBe(200);
    }
  });

  it('are described in the OpenAPI document, each route with its declared permission', async () => {
    const doc = (await api.inject({ url: '/api/docs/json' })).json();
    for (const path of ['/api/v1/notifications', '/api/v1/notifications/read', '/api/v1/me/notification-preferences', '/api/v1/webhooks', '/api/v1/webhooks/{id}', '/api/v1/webhooks/{id}/test', '/api/v1/deliveries']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const declared = Object.fromEntries(api.apiRoutes.filter((r) => /notification|webhooks|deliveries/.test(r.url)).map((r) => [`${r.method} ${r.url}`, r.permission]));
    expect(declared).toEqual({
      'GET /api/v1/notifications': 'alerts:read',
      'POST /api/v1/notifications/read': 'alerts:read',
      'GET /api/v1/me/notification-preferences': 'alerts:read',
      'PUT /api/v1/me/notification-preferences': 'alerts:read',
      'GET /api/v1/webhooks': 'alerts:configure',
      'POST /api/v1/webhooks': 'alerts:configure',
      'PATCH /api/v1/webhooks/:id': 'alerts:configure',
      'DELETE /api/v1/webhooks/:id': 'alerts:configure',
      'POST /api/v1/webhooks/:id/test': 'alerts:configure',
      'GET /api/v1/deliveries': 'alerts:configure',
    });
  });

  it('refuses a URL that is not http or https', async () => {
    expect((await call(adminA, 'POST', '/webhooks', { name: 'ftp', url: 'ftp://example.test/x' })).statusCode).toBe(400);
  });

  it('deletes a webhook with its deliveries, audited', async () => {
    const del = await call(adminA, 'DELETE', `/webhooks/${hook.id}`);
    expect(del.statusCode).toBe(204);
    expect((await call(adminA, 'GET', '/webhooks')).json()).toEqual([]);
    expect((await t.db.orm.select().from(deliveries).where(eq(deliveries.webhookId, hook.id))).length).toBe(0);
    const [entry] = await t.db.orm.select().from(auditLog).where(and(eq(auditLog.entityId, hook.id), eq(auditLog.action, 'delete')));
    expect(entry!.before).toMatchObject({ name: 'Pager duty', url: 'http://127.0.0.1:9/pager' });
    expect((await call(adminA, 'DELETE', `/webhooks/${hook.id}`)).statusCode).toBe(404);
  });
});
