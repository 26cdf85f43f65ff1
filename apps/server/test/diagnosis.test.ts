/**
 * Diagnosis over HTTP: a case given whole, and a case PosCare assembles itself from what terminals
 * reported (telemetry thinned to five-minute samples, events, transactions, site peers, card history).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAUSE_FIXTURES } from '../../../packages/diagnosis/src/testing/fixtures.js';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, event, send, telemetry, txn } from './device.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  cookie = await t.login(A.admin.email);
});
afterAll(async () => t?.close());

const minute = 60_000;
const healthy = (over: Record<string, unknown> = {}) => ({
  battery: { pct: 80, charging: true, healthPct: 93 },
  power: { source: 'mains' },
  tempC: 38,
  ambientTempC: 24,
  network: { type: 'wifi', connected: true, signalDbm: -55, latencyMs: 60, lossPct: 0, dnsOk: true, hostReachable: true },
  printer: { status: 'ok' },
  reader: { chip: { attempts: 1, failures: 0 }, contactless: { attempts: 1, failures: 0 } },
  app: { version: '3.1.4', crashes: 0 },
  keys: { loaded: true, lastKeyExchangeOk: true },
  session: { signedIn: true },
  ...over,
});
const diagnoseTerminal = (id: string, payload: Record<string, unknown>, headers: Record<string, string> = { cookie }) =>
  t.app.inject({ method: 'POST', url: `/api/v1/terminals/${id}/diagnosis`, headers, payload });

describe('POST /diagnoses: a case given whole', () => {
  it('ranks the cause its signals point at, with evidence and actions in the case language', async () => {
    const fixture = CAUSE_FIXTURES.find((f) => f.code === 'hw.printer.paper_out')!;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/diagnoses', headers: { cookie }, payload: fixture.build('en-US') });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.schema).toBe('poscare.diagnosis-result/v1');
    expect(r.causes[0]).toMatchObject({ code: 'hw.printer.paper_out', category: 'hardware', title: 'Printer out of paper' });
    expect(r.causes[0].evidence.map((e: { detail: string }) => e.detail).join(' ')).toMatch(/out of paper/i);
    expect(r.causes[0].actions.some((a: { remoteCommand?: string }) => a.remoteCommand === 'print_test')).toBe(true);
  });

  it('refuses a malformed case naming the bad field, in the caller language', async () => {
    const bad = { ...CAUSE_FIXTURES[0]!.build('zh-CN'), now: 'yesterday' };
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/diagnoses', headers: { cookie, 'accept-language': 'zh-CN' }, payload: bad });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.id).toBe('validation.failed');
    expect(res.json().error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(res.json().error.details[0].path).toBe('body.now');
  });
});

describe('POST /terminals/:id/diagnosis: the platform builds the case', () => {
  it('reads the stored telemetry, events and report, and names paper out for a printer that ran dry', async () => {
    const cred = await enrol(t, cookie, A.terminal.serialNumber);
    const now = t.clock.now().getTime();
    const msgs: unknown[] = [];
    for (let m = 60; m >= 1; m--) msgs.push(telemetry(new Date(now - m * minute), healthy({ printer: { status: m <= 20 ? 'paper_out' : m <= 35 ? 'paper_low' : 'ok' } })));
    msgs.push(event(new Date(now - 20 * minute), { type: 'error', message: '打印机缺纸' }));
    msgs.push(txn(new Date(now - 5 * minute), { entryMode: 'chip', outcome: 'approved', responseCode: '00', amountMinor: 5800, cardToken: 'tok_ok1' }));
    const sent = await send(t, cred, msgs);
    expect(sent.statusCode, sent.body).toBe(200);

    const res = await diagnoseTerminal(A.terminal.id, { report: '付款成功了但是不出小票' });
    expect(res.statusCode, res.body).toBe(200);
    const { case: c, result, knowledgeVersion } = res.json();
    expect(knowledgeVersion).toMatch(/^\d{4}-\d{2}-\d{2}/);
    // 60 one-minute samples become 5-minute samples; the counters are kept.
    expect(c.telemetry.length).toBeGreaterThanOrEqual(12);
    expect(c.telemetry.length).toBeLessThanOrEqual(13);
    expect(c.events[0].message).toBe('打印机缺纸');
    expect(c.report).toMatchObject({ text: '付款成功了但是不出小票', source: 'agent' });
    expect(result.causes[0].code).toBe('hw.printer.paper_out');
    expect(result.scope).toBe('terminal');
    expect(result.causes[0].title).toBe('打印纸用尽');
  });

  it('sees a site outage when the other terminals of the site went silent too', async () => {
    const T = await t.tenant();
    const c2 = await t.login(T.admin.email);
    const peers = [await t.f.terminal(T.org.id, { siteId: T.site.id, merchantId: T.merchant.id, lifecycleState: 'active' }), await t.f.terminal(T.org.id, { siteId: T.site.id, merchantId: T.merchant.id, lifecycleState: 'active' })];
    const now = t.clock.now().getTime();
    for (const p of peers) {
      const pc = await enrol(t, c2, p.serialNumber);
      // They reported until 40 minutes ago and then went dark.
      await send(t, pc, [telemetry(new Date(now - 45 * minute), healthy()), telemetry(new Date(now - 40 * minute), healthy())]);
    }
    const cred = await enrol(t, c2, T.terminal.serialNumber);
    const msgs: unknown[] = [];
    for (let m = 60; m >= 1; m--) msgs.push(telemetry(new Date(now - m * minute), healthy(m <= 38 ? { network: { type: 'ethernet', connected: false, dnsOk: false, hostReachable: false } } : {})));
    await send(t, cred, msgs);
    const res = await diagnoseTerminal(T.terminal.id, { report: 'None of the terminals can get online', lang: 'en-US' }, { cookie: c2 });
    expect(res.statusCode, res.body).toBe(200);
    const { case: c, result } = res.json();
    expect(c.site.terminals).toHaveLength(2);
    expect(c.site.terminals.every((p: { status: string }) => p.status === 'offline')).toBe(true);
    expect(result.causes[0].code).toBe('net.site.outage');
    expect(result.scope).toBe('site');
  });

  it('diagnoses a terminal silent for hours from its silence: the peers that went quiet with it, not the card it declined before', async () => {
    const T = await t.tenant();
    const c2 = await t.login(T.admin.email);
    const now = t.clock.now().getTime();
    const peer = () => t.f.terminal(T.org.id, { siteId: T.site.id, merchantId: T.merchant.id, lifecycleState: 'active' });
    // A site of seven: three went dark with this one about three hours ago (one switch), three still report.
    for (const [i, p] of (await Promise.all([peer(), peer(), peer(), peer(), peer(), peer()])).entries()) {
      const pc = await enrol(t, c2, p.serialNumber);
      const last = i < 3 ? now - (178 + i * 2) * minute : now - minute;
      await send(t, pc, [telemetry(new Date(last - 5 * minute), healthy()), telemetry(new Date(last), healthy())]);
    }
    const cred = await enrol(t, c2, T.terminal.serialNumber);
    const msgs: unknown[] = [];
    for (let m = 300; m >= 180; m -= 5) msgs.push(telemetry(new Date(now - m * minute), healthy({ network: { type: 'ethernet', connected: true, signalDbm: -50, dnsOk: true, hostReachable: true } })));
    // Before it went quiet, one customer's card was declined three times.
    for (const m of [200, 195, 190]) msgs.push(txn(new Date(now - m * minute), { entryMode: 'chip', outcome: 'declined', responseCode: '05', cardToken: 'tok_declined' }));
    await send(t, cred, msgs);

    const res = await diagnoseTerminal(T.terminal.id, { lang: 'en-US' }, { cookie: c2 });
    expect(res.statusCode, res.body).toBe(200);
    const { case: c, result } = res.json();
    // Its last two hours of readings, up to where it fell silent; no card history for a silent terminal.
    expect(c.telemetry.length).toBeGreaterThan(10);
    expect(c.card).toBeUndefined();
    expect(result.causes[0].code).toBe('net.site.outage');
    expect(result.scope).toBe('site');
    expect(result.causes.map((x: { code: string }) => x.code)).not.toContain('ext.issuer.decline');

    const live = (await t.app.inject({ method: 'GET', url: `/api/v1/terminals/${T.terminal.id}/live`, headers: { cookie: c2 } })).json();
    expect(live).toMatchObject({ status: 'offline', health: 'unknown', healthReasons: [], lastReadings: { health: 'ok', reasons: [] } });
    expect(live.offlineSince).toBe(live.lastSeenAt);
    expect(live.readingsAgeMinutes).toBeGreaterThanOrEqual(180);
  });

  it("brings the failing card's history from other terminals, so a damaged card is not blamed on the reader", async () => {
    const T = await t.tenant();
    const c2 = await t.login(T.admin.email);
    const other = await t.f.terminal(T.org.id, { siteId: T.site.id, merchantId: T.merchant.id, lifecycleState: 'active' });
    const now = t.clock.now().getTime();
    const oc = await enrol(t, c2, other.serialNumber);
    await send(t, oc, [txn(new Date(now - 300 * minute), { entryMode: 'chip', outcome: 'card_read_error', cardToken: 'tok_bad' })]);
    const cred = await enrol(t, c2, T.terminal.serialNumber);
    const msgs: unknown[] = [];
    for (let m = 30; m >= 1; m--) msgs.push(telemetry(new Date(now - m * minute), healthy()));
    msgs.push(txn(new Date(now - 20 * minute), { entryMode: 'chip', outcome: 'approved', responseCode: '00', cardToken: 'tok_good' }));
    msgs.push(txn(new Date(now - 4 * minute), { entryMode: 'chip', outcome: 'card_read_error', cardToken: 'tok_bad' }));
    msgs.push(txn(new Date(now - 3 * minute), { entryMode: 'chip', outcome: 'card_read_error', cardToken: 'tok_bad' }));
    await send(t, cred, msgs);
    const res = await diagnoseTerminal(T.terminal.id, {}, { cookie: c2 });
    const { case: c, result } = res.json();
    expect(c.card.token).toBe('tok_bad');
    expect(c.card.attempts.some((a: { terminalId: string }) => a.terminalId === other.id)).toBe(true);
    expect(result.causes[0].code).toBe('ext.card.damaged');
    expect(result.scope).toBe('card');
  });

  it('lets a merchant diagnose its own terminal and answers its questions in its language', async () => {
    const mc = await t.login(A.merchantUser.email);
    const res = await diagnoseTerminal(A.terminal.id, { report: 'no receipt', lang: 'en-US' }, { cookie: mc });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().case.report.source).toBe('merchant');
    expect(res.json().result.causes[0].title).toBe('Printer out of paper');
  });
});
