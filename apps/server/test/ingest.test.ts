import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TABLES } from '../src/db/schema.js';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, event, send, telemetry, txn } from './device.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let cookie: string;
let cred: Awaited<ReturnType<typeof enrol>>;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  cookie = await t.login(A.admin.email);
  cred = await enrol(t, cookie, A.terminal.serialNumber);
});
afterAll(async () => t?.close());

const minute = 60_000;
const api = (url: string) => t.app.inject({ url: `/api/v1${url}`, headers: { cookie, 'accept-language': 'en-US' } });

describe('enrollment', () => {
  it('gives a terminal of the inventory its own credential for a valid code, once', async () => {
    expect(cred.terminalId).toBe(A.terminal.id);
    expect(cred.mqtt.topicPrefix).toBe(`poscare/v1/${A.org.id}/${A.terminal.id}`);
    const codes = await api('/enrollment-codes');
    expect(codes.json()[0]).toMatchObject({ uses: 1, maxUses: 1 });
    expect(codes.body).not.toContain(cred.secret);
  });

  it('refuses a used, expired or unknown code and a serial number not in the inventory, with one message', async () => {
    const code = (await t.app.inject({ method: 'POST', url: '/api/v1/enrollment-codes', headers: { cookie }, payload: { expiresInHours: 1 } })).json().code;
    const other = await t.tenant();
    const bad = [
      { code, serialNumber: other.terminal.serialNumber }, // another organization's terminal
      { code: 'NOSUCHCODE99', serialNumber: A.terminal.serialNumber },
    ];
    for (const body of bad) {
      const r = await t.app.inject({ method: 'POST', url: '/device/v1/enroll', payload: body, headers: { 'accept-language': 'en' } });
      expect(r.statusCode).toBe(401);
      expect(r.json().error.id).toBe('device.enrollment_invalid');
    }
    t.clock.advance(2 * 3_600_000);
    const expired = await t.app.inject({ method: 'POST', url: '/device/v1/enroll', payload: { code, serialNumber: A.terminal.serialNumber } });
    expect(expired.statusCode).toBe(401);
  });
});

describe('HTTPS device channel', () => {
  it('stores telemetry, events and transactions, each once however often they are sent', async () => {
    const now = t.clock.now();
    const batch = [
      telemetry(now, { battery: { pct: 80, charging: true }, tempC: 41, network: { type: 'cellular', connected: true, signalDbm: -80, latencyMs: 120 }, app: { version: '3.9.1' } }),
      event(now, { type: 'error', code: 'E201', message: '读卡失败' }),
      txn(now, { entryMode: 'chip', outcome: 'approved', responseCode: '00', amountMinor: 5800, currency: 'CNY', cardToken: 'tok_ab12', tvr: '0000008000', tsi: 'e800' }),
    ];
    const first = await send(t, cred, batch);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const again = await send(t, cred, batch);
    expect(again.json()).toEqual({ accepted: 0, duplicates: 3, rejected: [] });
    const events = (await api(`/terminals/${A.terminal.id}/events`)).json();
    expect(events).toEqual([{ at: now.toISOString(), type: 'error', code: 'E201', message: '读卡失败' }]);
    const txns = (await api(`/terminals/${A.terminal.id}/transactions`)).json();
    expect(txns).toHaveLength(1);
    expect(txns[0]).toMatchObject({ entryMode: 'chip', outcome: 'approved', tsi: 'E800', amountMinor: 5800 });
  });

  it('refuses bad messages one by one with a reason, and stores the good ones around them', async () => {
    const now = t.clock.now();
    const r = await send(t, cred, [
      telemetry(now, { tempC: 30 }),
      { v: 1, msgId: 'm-bad-0001', at: 'yesterday', kind: 'telemetry', data: {} },
      txn(now, { entryMode: 'chip', outcome: 'approved', cardToken: '4111111111111111' }),
      { v: 1, msgId: 'm-bad-0002', at: now.toISOString(), kind: 'txn', data: { entryMode: 'swipe', outcome: 'approved', track2: ';4111111111111111=25121010000000000000?' } },
      { v: 2, msgId: 'm-bad-0003', at: now.toISOString(), kind: 'telemetry', data: {} },
      telemetry(now, { battery: { pct: 140 } }),
      event(now, { type: 'info', message: 'ok' }),
    ]);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((x: { index: number; reason: string }) => [x.index, x.reason])).toEqual([
      [1, 'invalid'],
      [2, 'card_data'],
      [3, 'card_data'],
      [4, 'invalid'],
      [5, 'invalid'],
    ]);
    expect(body.rejected[0].detail).toContain('at');
    expect(body.rejected[4].detail).toContain('battery.pct');
    // The card number is nowhere: not in any table, not in the rejection log.
    const dump = await t.db.rawTransaction(async (tx) => {
      let all = '';
      for (const table of Object.keys(ALL_TABLES)) all += JSON.stringify(await tx.query(`SELECT * FROM ${table}`));
      return all;
    });
    expect(dump).not.toContain('4111111111111111');
    const log = (await api('/device-rejections')).json();
    expect(log.last24h).toEqual(expect.arrayContaining([{ reason: 'card_data', count: 2 }, { reason: 'invalid', count: 3 }]));
  });

  it('refuses an oversized message and malformed batches clearly', async () => {
    const big = telemetry(t.clock.now(), { peripherals: [{ kind: 'x'.repeat(70_000), connected: true }] });
    const r = await send(t, cred, [big]);
    expect(r.json().rejected[0].reason).toBe('oversized');
    const notJson = await t.app.inject({ method: 'POST', url: '/device/v1/messages', headers: { authorization: `Bearer ${cred.terminalId}:${cred.secret}`, 'content-type': 'application/json', 'accept-language': 'zh-CN' }, payload: '{"messages": [' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.message).toBe('请求内容不是有效的 JSON。');
  });

  it('answers a wrong secret or an unknown terminal with 401 and logs the attempt', async () => {
    const wrong = await send(t, { terminalId: cred.terminalId, secret: 'guess' }, [telemetry(t.clock.now())]);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.id).toBe('device.unauthenticated');
    const unknown = await send(t, { terminalId: '00000000-0000-4000-8000-000000000000', secret: 'x' }, [telemetry(t.clock.now())]);
    expect(unknown.statusCode).toBe(401);
  });
});

describe('live state and history', () => {
  it('keeps the newest sample as live state, computes health, and ignores late older samples', async () => {
    const t0 = t.clock.now();
    await send(t, cred, [telemetry(new Date(t0.getTime() + minute), { printer: { status: 'paper_out' }, battery: { pct: 50 }, app: { version: '3.9.2' } })]);
    await send(t, cred, [telemetry(new Date(t0.getTime() - 10 * minute), { printer: { status: 'ok' } })]);
    const live = (await api(`/terminals/${A.terminal.id}/live`)).json();
    expect(live).toMatchObject({ status: 'critical', health: 'critical', healthReasons: ['printer_fault'], appVersion: '3.9.2' });
    expect(live.telemetry.printer.status).toBe('paper_out');
  });

  it('rolls samples up per minute for charts, with reader success rate per interface', async () => {
    const m = new Date(Math.floor(t.clock.now().getTime() / 3_600_000) * 3_600_000 + 30 * minute);
    await send(t, cred, [
      telemetry(new Date(m.getTime() + 1000), { tempC: 40, reader: { chip: { attempts: 10, failures: 1 } } }),
      telemetry(new Date(m.getTime() + 31_000), { tempC: 50, reader: { chip: { attempts: 10, failures: 3 }, contactless: { attempts: 4, failures: 0 } } }),
    ]);
    const series = (await api(`/terminals/${A.terminal.id}/telemetry?from=${m.toISOString()}&to=${new Date(m.getTime() + minute).toISOString()}`)).json();
    expect(series).toEqual([expect.objectContaining({ at: m.toISOString(), samples: 2, tempC: 45, tempMaxC: 50, chipSuccess: 0.8, contactlessSuccess: 1, magstripeSuccess: null })]);
    const hourly = (await api(`/terminals/${A.terminal.id}/telemetry?resolution=hour&from=${new Date(m.getTime() - 3_600_000).toISOString()}&to=${new Date(m.getTime() + 3_600_000).toISOString()}`)).json();
    expect(hourly.reduce((a: number, h: { samples: number }) => a + h.samples, 0)).toBeGreaterThanOrEqual(2);
  });

  it('shows a terminal that stopped reporting as offline in the fleet overview', async () => {
    const before = (await api('/fleet/overview')).json();
    expect(before.status.critical).toBe(1);
    // The newest sample was stamped half past the hour; four minutes after it the terminal is offline.
    t.clock.set(new Date(Math.floor(t.clock.now().getTime() / 3_600_000) * 3_600_000 + 34 * minute + 31_000));
    const after = (await api('/fleet/overview')).json();
    expect(after.status.offline).toBe(1);
    expect(after.byMerchant[0]).toMatchObject({ key: A.merchant.id, label: A.merchant.name, offline: 1 });
    expect((await api(`/terminals/${A.terminal.id}/live`)).json().status).toBe('offline');
  });

  it('a revoked terminal is refused at once', async () => {
    const r = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${A.terminal.id}/credential/revoke`, headers: { cookie } });
    expect(r.statusCode).toBe(204);
    const refused = await send(t, cred, [telemetry(t.clock.now())]);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.id).toBe('device.revoked');
    const state = (await api(`/terminals/${A.terminal.id}/credential`)).json();
    expect(state.revokedAt).not.toBeNull();
  });
});
