/**
 * Early warning end to end on a real database: terminals report over HTTPS, the alert runtime turns
 * what they send into stored alerts with a diagnosis and a timeline; grouping, inhibition, silences,
 * maintenance, acknowledgement, rule versions and preview; tenancy and roles. The clock is injected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertRuntime } from '../src/alerts/runtime.js';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, send, telemetry } from './device.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let admin: string;
let agent: string;
let merchantA: string;
let adminB: string;
let rt: AlertRuntime;

const MIN = 60_000;
const get = (url: string, cookie = admin, lang = 'en-US') => t.app.inject({ url, headers: { cookie, 'accept-language': lang } });
const post = (url: string, payload: unknown, cookie = admin, method: 'POST' | 'PUT' | 'DELETE' = 'POST') =>
  t.app.inject({ method, url, headers: { cookie, 'accept-language': 'en-US' }, ...(payload === undefined ? {} : { payload: payload as object }) });
const chip = (attempts: number, failures: number) => ({ reader: { chip: { attempts, failures } }, network: { connected: true } });

async function alerts(query = '', cookie = admin) {
  const res = await get(`/api/v1/alerts?limit=100${query}`, cookie);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: { id: string; ruleCode: string; scopeKey: string; status: string; terminalId: string | null; memberCount: number; suppressed: { kind: string } | null; name: string; diagnosis: unknown }[]; counts: Record<string, number> };
}

/** Sessions last 12 h: after a long jump of the clock everyone signs in again. */
let agentEmail = '';
async function signInAgain() {
  admin = await t.login(A.admin.email);
  adminB = await t.login(B.admin.email);
  agent = await t.login(agentEmail);
  merchantA = await t.login(A.merchantUser.email);
}

async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  admin = await t.login(A.admin.email);
  adminB = await t.login(B.admin.email);
  agentEmail = (await t.f.user(A.org.id, 'agent')).email;
  agent = await t.login(agentEmail);
  merchantA = await t.login(A.merchantUser.email);
  rt = new AlertRuntime(t.ctx, { localIngest: true, diagnose: t.services.alerts.diagnoser() });
  rt.attach(t.services.pipeline);
  await rt.start();
  t.services.alerts.attachRuntime(rt);
});
afterAll(async () => {
  rt?.stop();
  await t?.close();
});

describe('alerts from terminal data', () => {
  it('a chip reader failing on its last 30 attempts raises one alert at once, diagnosed, that resolves by itself once reads recover', async () => {
    const cred = await enrol(t, admin, A.terminal.serialNumber);
    const at = (k: number) => new Date(t.clock.now().getTime() - 120_000 + k * 1000);
    expect((await send(t, cred, [telemetry(at(1), chip(12, 5)), telemetry(at(2), chip(12, 5)), telemetry(at(3), chip(12, 5))])).statusCode).toBe(200);
    await rt.settled();
    const open = (await alerts()).items.filter((a) => a.terminalId === A.terminal.id);
    expect(open.map((a) => a.ruleCode)).toEqual(['reader.chip.failing']);
    expect(open[0]).toMatchObject({ status: 'firing', memberCount: 1, name: 'Chip read failure rate high' });

    // A second batch with the same problem is the same alert (one fingerprint), not a second one.
    await send(t, cred, [telemetry(at(4), chip(10, 6))]);
    await rt.settled();
    expect((await alerts()).items.filter((a) => a.terminalId === A.terminal.id)).toHaveLength(1);

    const diagnosed = await waitFor(async () => {
      const d = (await get(`/api/v1/alerts/${open[0]!.id}`)).json();
      return d.diagnosis ? d : null;
    });
    expect(JSON.stringify(diagnosed.diagnosis.causes[0] ?? diagnosed.diagnosis)).toContain('"code":"hw.reader');
    expect(diagnosed.rule.code).toBe('reader.chip.failing');

    // Reads recover; the alert waits the rule's resolveAfterMinutes before it resolves.
    const wait = diagnosed.rule.resolveAfterMinutes as number;
    await send(t, cred, [telemetry(at(60), chip(40, 0))]);
    await rt.settled();
    t.clock.advance((wait - 2) * MIN);
    await send(t, cred, [telemetry(t.clock.now(), chip(30, 0))]);
    await rt.tick();
    await signInAgain();
    expect((await get(`/api/v1/alerts/${open[0]!.id}`)).json().status).toBe('firing');
    t.clock.advance(5 * MIN);
    await send(t, cred, [telemetry(t.clock.now(), chip(30, 0))]);
    await rt.tick();
    await signInAgain();
    const done = (await get(`/api/v1/alerts/${open[0]!.id}`)).json();
    expect(done.status).toBe('resolved');
    expect(done.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['fired', 'diagnosed', 'resolved']));
  });

  it('names alerts in the caller language, shows merchants only their own merchant, and hides one tenant from another', async () => {
    const cred = await enrol(t, admin, (await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' })).serialNumber);
    await send(t, cred, [telemetry(t.clock.now(), { tamper: true })]);
    await rt.settled();
    const zh = (await get('/api/v1/alerts?rule=sec.tamper', admin, 'zh-CN')).json();
    expect(zh.items[0].name).toBe('终端被拆机');
    const mine = await alerts('&rule=sec.tamper', merchantA);
    expect(mine.items).toHaveLength(1);
    // Another merchant's user of the same org sees nothing of it.
    const other = await t.f.merchant(A.org.id);
    const otherUser = await t.login((await t.f.user(A.org.id, 'merchant', { merchantId: other.id })).email);
    expect((await alerts('&rule=sec.tamper', otherUser)).items).toHaveLength(0);
    expect((await get(`/api/v1/alerts/${zh.items[0].id}`, otherUser)).statusCode).toBe(404);
    expect((await get(`/api/v1/alerts/${zh.items[0].id}`, adminB)).statusCode).toBe(404);
    expect((await post(`/api/v1/alerts/${zh.items[0].id}/ack`, {}, adminB)).statusCode).toBe(404);
    // Merchants may look, not acknowledge.
    expect((await post(`/api/v1/alerts/${zh.items[0].id}/ack`, {}, merchantA)).statusCode).toBe(403);
  });

  it('acknowledging records who and why, and stops escalation; the alert still resolves by itself later', async () => {
    const [tamper] = (await alerts('&rule=sec.tamper')).items;
    const res = await post(`/api/v1/alerts/${tamper!.id}/ack`, { comment: 'engineer on the way' }, agent);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: expect.stringContaining('agent') });
    t.clock.advance(20 * MIN);
    await rt.tick();
    const d = (await get(`/api/v1/alerts/${tamper!.id}`)).json();
    expect(d.escalationLevel).toBe(0);
    expect(d.events.find((e: { type: string }) => e.type === 'acknowledged')).toMatchObject({ detail: { comment: 'engineer on the way' } });
  });
});

describe('noise control', () => {
  it('a site whose terminals all go silent is one alert listing them, and it suppresses their own offline alerts', async () => {
    const site = await t.f.site(A.org.id, A.merchant.id);
    const creds: Awaited<ReturnType<typeof enrol>>[] = [];
    for (let i = 0; i < 3; i++) {
      const term = await t.f.terminal(A.org.id, { siteId: site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
      creds.push(await enrol(t, admin, term.serialNumber));
    }
    for (const c of creds) await send(t, c, [telemetry(t.clock.now(), { network: { connected: true } })]);
    await rt.settled();
    t.clock.advance(12 * MIN);
    await rt.tick();
    const siteAlerts = (await alerts('&rule=site.offline')).items.filter((a) => a.scopeKey === site.id);
    expect(siteAlerts).toHaveLength(1);
    expect(siteAlerts[0]!.memberCount).toBe(3);
    // Each terminal's own offline alert exists, suppressed by the site outage, and is hidden from the inbox.
    const shown = (await alerts('&rule=terminal.offline')).items.filter((a) => creds.some((c) => c.terminalId === a.terminalId));
    expect(shown).toHaveLength(0);
    const suppressed = (await alerts('&rule=terminal.offline&suppressed=only')).items.filter((a) => creds.some((c) => c.terminalId === a.terminalId));
    expect(suppressed).toHaveLength(3);
    expect(suppressed.every((a) => a.suppressed?.kind === 'inhibited')).toBe(true);

    // The site comes back: the outage and the offline alerts resolve.
    for (const c of creds) await send(t, c, [telemetry(t.clock.now(), { network: { connected: true } })]);
    await rt.tick();
    t.clock.advance(4 * MIN);
    for (const c of creds) await send(t, c, [telemetry(t.clock.now(), { network: { connected: true } })]);
    await rt.tick();
    expect((await get(`/api/v1/alerts/${siteAlerts[0]!.id}`)).json().status).toBe('resolved');
  });

  it('a silence hides matching alerts until it ends; ending it early brings the alert back', async () => {
    const term = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
    const cred = await enrol(t, admin, term.serialNumber);
    const silence = await post('/api/v1/silences', { matchers: { terminalId: term.id }, endsAt: new Date(t.clock.now().getTime() + 60 * MIN).toISOString(), comment: 'battery swap today' }, agent);
    expect(silence.statusCode, silence.body).toBe(201);
    await send(t, cred, [telemetry(t.clock.now(), { keys: { loaded: false } })]);
    await rt.settled();
    const hidden = (await alerts('&rule=keys.missing&suppressed=show')).items.find((a) => a.terminalId === term.id);
    expect(hidden?.suppressed?.kind).toBe('silence');
    expect((await alerts('&rule=keys.missing')).items.find((a) => a.terminalId === term.id)).toBeUndefined();
    const ended = await post(`/api/v1/silences/${silence.json().id}`, undefined, agent, 'DELETE');
    expect(ended.json().active).toBe(false);
    expect((await alerts('&rule=keys.missing')).items.find((a) => a.terminalId === term.id)).toMatchObject({ suppressed: null, status: 'firing' });
  });

  it('a maintenance window on a site suppresses its alerts only while it lasts', async () => {
    const site = await t.f.site(A.org.id, A.merchant.id);
    const term = await t.f.terminal(A.org.id, { siteId: site.id, merchantId: A.merchant.id, lifecycleState: 'active' });
    const cred = await enrol(t, admin, term.serialNumber);
    const now = t.clock.now().getTime();
    const w = await post('/api/v1/maintenance-windows', { siteId: site.id, startsAt: new Date(now).toISOString(), endsAt: new Date(now + 30 * MIN).toISOString(), reason: 'router replacement' });
    expect(w.statusCode, w.body).toBe(201);
    await send(t, cred, [telemetry(t.clock.now(), { network: { connected: true, dnsOk: false } })]);
    t.clock.advance(4 * MIN);
    await send(t, cred, [telemetry(t.clock.now(), { network: { connected: true, dnsOk: false } })]);
    await rt.settled();
    const mine = (a: { terminalId: string | null; scopeKey: string }) => a.terminalId === term.id || a.scopeKey === site.id;
    const during = (await alerts('&rule=net.dns&suppressed=show')).items.find(mine);
    expect(during?.suppressed?.kind).toBe('maintenance');
    t.clock.advance(30 * MIN);
    await send(t, cred, [telemetry(t.clock.now(), { network: { connected: true, dnsOk: false } })]);
    await rt.reloadSuppressions();
    await rt.tick();
    expect((await alerts('&rule=net.dns')).items.find(mine)?.suppressed).toBeNull();
  });

  it('refuses a window for a site of another tenant, and a silence without any matcher', async () => {
    const now = t.clock.now().getTime();
    const res = await post('/api/v1/maintenance-windows', { siteId: B.site.id, startsAt: new Date(now).toISOString(), endsAt: new Date(now + MIN).toISOString(), reason: 'x' });
    expect(res.statusCode).toBe(404);
    const bad = await post('/api/v1/silences', { matchers: {}, endsAt: new Date(now + MIN).toISOString(), comment: 'x' });
    expect(bad.statusCode).toBe(400);
  });
});

describe('rules', () => {
  it('an edit is a new version with who and why; the preview replays stored data through the edited rule', async () => {
    const rules = (await get('/api/v1/alert-rules')).json();
    const chipRule = rules.find((r: { code: string }) => r.code === 'reader.chip.failing');
    expect(chipRule).toMatchObject({ version: 1, source: 'default' });
    const def = { ...chipRule.definition, condition: { ...chipRule.definition.condition, value: 0.05 } };

    expect((await post('/api/v1/alert-rules/reader.chip.failing', { definition: def }, agent, 'PUT')).statusCode).toBe(403);
    const saved = await post('/api/v1/alert-rules/reader.chip.failing', { definition: def, comment: 'stricter for pilot' }, admin, 'PUT');
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ version: 2, source: 'organization', comment: 'stricter for pilot' });
    const versions = (await get('/api/v1/alert-rules/reader.chip.failing/versions')).json();
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const preview = await post('/api/v1/alert-rules/preview', { definition: def, hours: 24 });
    expect(preview.statusCode, preview.body).toBe(200);
    const p = preview.json();
    expect(p.samples).toBeGreaterThan(0);
    expect(p.hits.some((h: { scopeKey: string }) => h.scopeKey === A.terminal.id)).toBe(true);
  });

  it('refuses a rule whose body names another code, or one that suppresses itself, naming the field', async () => {
    const rules = (await get('/api/v1/alert-rules')).json();
    const def = rules.find((r: { code: string }) => r.code === 'site.offline').definition;
    const wrong = await post('/api/v1/alert-rules/net.dns', { definition: def }, admin, 'PUT');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details[0].path).toBe('body.definition.code');
    const self = await post('/api/v1/alert-rules/site.offline', { definition: { ...def, inhibits: { rules: ['site.offline'], within: 'site' } } }, admin, 'PUT');
    expect(self.statusCode).toBe(400);
  });
});

describe('restarts', () => {
  it('a new runtime takes over the open alerts instead of raising them again', async () => {
    const before = (await alerts('&status=all&suppressed=show')).items.length;
    const second = new AlertRuntime(t.ctx, { localIngest: false });
    await second.start();
    await second.tick();
    second.stop();
    expect((await alerts('&status=all&suppressed=show')).items.length).toBe(before);
  });
});
