/**
 * Intrusion signals raised as alerts (rule family security.*): bursts of failed sign-ins in an
 * organization or on one account, a terminal credential used from two addresses at once, messages from
 * a revoked terminal. One open alert per burst; admins are told in their inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, like, sql } from 'drizzle-orm';
import { alertEvents, alerts, notifications } from '../src/db/schema.js';
import { SECURITY_SIGNALS } from '../src/security/signals.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './harness.js';
import { enrol, send, telemetry } from './device.js';
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { startBroker } from '../src/ingest/broker.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

let ipSeq = 0;
const login = (email: string, password: string, ip = `198.51.100.${++ipSeq % 250}`) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: ip });
const securityAlerts = (orgId: string, code: string) =>
  t.db.orm.select().from(alerts).where(and(eq(alerts.orgId, orgId), eq(alerts.ruleCode, code)));
const deviceSend = (cred: { terminalId: string; secret: string }, ip: string) =>
  t.app.inject({ method: 'POST', url: '/device/v1/messages', headers: { authorization: `Bearer ${cred.terminalId}:${cred.secret}` }, payload: { messages: [telemetry(t.clock.now())] }, remoteAddress: ip });

describe('failed sign-ins', () => {
  it('a burst on one account (from many addresses) raises one alert for that account, and tells the admins', async () => {
    const A = await t.tenant();
    const victim = await t.f.user(A.org.id, 'agent');
    const n = SECURITY_SIGNALS['security.login_burst_account'].threshold;
    for (let i = 0; i < n - 1; i++) await login(victim.email, `wrong-${i}-password`);
    expect(await securityAlerts(A.org.id, 'security.login_burst_account')).toHaveLength(0);
    for (let i = 0; i < 5; i++) await login(victim.email, `wrong-more-${i}-password`);
    const open = await securityAlerts(A.org.id, 'security.login_burst_account');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ status: 'firing', severity: 'warning', groupBy: 'account', scopeLabel: victim.email, value: n + 4 });
    const inbox = await t.db.orm.select().from(notifications).where(eq(notifications.alertId, open[0]!.id));
    expect(inbox.map((x) => x.userId)).toContain(A.admin.id);
    expect(inbox.map((x) => x.userId)).not.toContain(victim.id);

    const admin = await t.login(A.admin.email);
    const list = await t.app.inject({ url: '/api/v1/alerts?status=open', headers: { cookie: admin, 'accept-language': 'zh-CN' } });
    const row = list.json().items.find((a: { ruleCode: string }) => a.ruleCode === 'security.login_burst_account');
    expect(row.name).toBe('同一账户登录失败激增');
    const en = await t.app.inject({ url: `/api/v1/alerts/${open[0]!.id}`, headers: { cookie: admin, 'accept-language': 'en-US' } });
    expect(en.json().name).toBe('Burst of failed sign-ins on one account');
    expect(en.json().events[0]).toMatchObject({ type: 'fired' });
  });

  it('a burst across accounts raises one organization alert; a later burst after a quiet half hour opens a new one', async () => {
    const A = await t.tenant();
    const people = await Promise.all([0, 1, 2, 3].map(() => t.f.user(A.org.id, 'agent')));
    const n = SECURITY_SIGNALS['security.login_burst'].threshold;
    for (let i = 0; i < n + 3; i++) await login(people[i % 4]!.email, `spray-${i}-password`);
    const first = await securityAlerts(A.org.id, 'security.login_burst');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ groupBy: 'organization', scopeLabel: A.org.name });

    t.clock.advance(31 * 60_000);
    // Burst counting windows run on the wall clock (rate-limiter-flexible): start a fresh window by hand.
    await t.db.orm.execute(sql`DELETE FROM rate_limits WHERE key LIKE 'sig_login_org:%'`);
    for (let i = 0; i < n; i++) await login(people[i % 4]!.email, `spray-again-${i}-password`);
    const all = await securityAlerts(A.org.id, 'security.login_burst');
    expect(all.map((a) => a.status).sort()).toEqual(['firing', 'resolved']);
  });

  it('successful sign-ins are no signal', async () => {
    const A = await t.tenant();
    for (let i = 0; i < 25; i++) expect((await login(A.admin.email, TEST_PASSWORD)).statusCode).toBe(200);
    expect(await t.db.orm.select().from(alerts).where(and(eq(alerts.orgId, A.org.id), like(alerts.ruleCode, 'security.%')))).toHaveLength(0);
  });
});

describe('terminal credentials', () => {
  it('one credential used from two addresses at once (A, B, A) raises a critical alert on that terminal', async () => {
    const A = await t.tenant();
    const admin = await t.login(A.admin.email);
    const cred = await enrol(t, admin, A.terminal.serialNumber);
    expect((await deviceSend(cred, '203.0.113.10')).statusCode).toBe(200);
    expect((await deviceSend(cred, '203.0.113.10')).statusCode).toBe(200);
    // Moving to another network once is normal (Wi-Fi to 4G).
    expect((await deviceSend(cred, '203.0.113.20')).statusCode).toBe(200);
    await t.services.security.settled();
    expect(await securityAlerts(A.org.id, 'security.device_two_addresses')).toHaveLength(0);
    // Back and forth within minutes: two devices share the credential.
    await deviceSend(cred, '203.0.113.10');
    await deviceSend(cred, '203.0.113.20');
    await deviceSend(cred, '203.0.113.10');
    await t.services.security.settled();
    const open = await securityAlerts(A.org.id, 'security.device_two_addresses');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ severity: 'critical', terminalId: A.terminal.id, scopeLabel: A.terminal.serialNumber, status: 'firing' });
    const [fired] = await t.db.orm.select().from(alertEvents).where(eq(alertEvents.alertId, open[0]!.id));
    expect((fired!.detail as { addresses: string[] }).addresses.sort()).toEqual(['203.0.113.10', '203.0.113.20']);
  });

  it('addresses further apart than the window are not "at once"', async () => {
    const A = await t.tenant();
    const cred = await enrol(t, await t.login(A.admin.email), A.terminal.serialNumber);
    for (const ip of ['203.0.113.30', '203.0.113.31', '203.0.113.30']) {
      await deviceSend(cred, ip);
      t.clock.advance(6 * 60_000);
    }
    await t.services.security.settled();
    expect(await securityAlerts(A.org.id, 'security.device_two_addresses')).toHaveLength(0);
  });

  it('messages from a revoked terminal raise one alert, however many arrive', async () => {
    const A = await t.tenant();
    const admin = await t.login(A.admin.email);
    const cred = await enrol(t, admin, A.terminal.serialNumber);
    const revoke = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${A.terminal.id}/credential/revoke`, headers: { cookie: admin } });
    expect(revoke.statusCode).toBeLessThan(300);
    for (let i = 0; i < 3; i++) expect((await send(t, cred, [telemetry(t.clock.now())])).statusCode).toBe(401);
    await t.services.security.settled();
    const open = await securityAlerts(A.org.id, 'security.revoked_terminal');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ severity: 'warning', terminalId: A.terminal.id, status: 'firing' });
  });

  it('over MQTT too: a revoked terminal signing in to the embedded broker raises the alert, with its address', async () => {
    const A = await t.tenant();
    const admin = await t.login(A.admin.email);
    const cred = await enrol(t, admin, A.terminal.serialNumber);
    await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${A.terminal.id}/credential/revoke`, headers: { cookie: admin } });
    const broker = await startBroker({ port: 0, devices: t.services.devices, pipeline: t.services.pipeline, log: t.ctx.log });
    try {
      await expect(mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username: cred.terminalId, password: cred.secret, clientId: `t-${randomUUID()}`, reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow();
      await t.services.security.settled();
      const [open] = await securityAlerts(A.org.id, 'security.revoked_terminal');
      expect(open).toMatchObject({ terminalId: A.terminal.id, status: 'firing' });
      const [fired] = await t.db.orm.select().from(alertEvents).where(eq(alertEvents.alertId, open!.id));
      expect(fired!.detail).toMatchObject({ channel: 'mqtt', address: expect.stringMatching(/127\.0\.0\.1/) });
    } finally {
      await broker.close();
    }
  });
});
