/**
 * Reconciliation: each payment (terminal + STAN + day) with what the terminal and the host say of it,
 * the explorer's filters, one payment's two sides, the terminal's day against the host's with its
 * export, the success-rate figures; merchants see their own payments only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentDetail, PaymentList, PaymentStats, Reconciliation } from '@poscare/contracts';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, send, txn } from './device.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let admin: string;
let merchantCookie: string;
let otherMerchantCookie: string;

const DAY = '2026-03-02';
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  admin = await t.login(A.admin.email);
  merchantCookie = await t.login(A.merchantUser.email);
  const m2 = await t.f.merchant(A.org.id);
  otherMerchantCookie = await t.login((await t.f.user(A.org.id, 'merchant', { merchantId: m2.id })).email);
  await t.db.rawTransaction((tx) => tx.query('UPDATE terminals SET tid = $1 WHERE id = $2', ['RC000001', A.terminal.id]));
  const cred = await enrol(t, admin, A.terminal.serialNumber);
  const at = (min: number) => new Date(t.clock.now().getTime() - 60 * 60_000 + min * 60_000);
  const sale = (stan: string, amountMinor: number, outcome: string, min: number, extra: object = {}) =>
    txn(at(min), { type: 'sale', stan, amountMinor, currency: 'CNY', entryMode: 'chip', outcome, responseCode: outcome === 'approved' ? '00' : undefined, cardToken: `tok_${stan}`, ...extra });
  const r = await send(t, cred, [
    sale('000001', 1000, 'approved', 1),
    sale('000002', 2000, 'timeout', 2),
    sale('000003', 3000, 'approved', 3, { entryMode: 'contactless' }),
    sale('000004', 4000, 'approved', 4),
    txn(at(5), { entryMode: 'magstripe', outcome: 'declined', responseCode: '51', amountMinor: 700 }),
  ]);
  expect(r.json().accepted).toBe(5);
  const host = (stan: string, amountMinor: number, min: number) =>
    JSON.stringify({ id: `R-${stan}`, source: 'host', at: at(min).toISOString(), merchantId: 'MID', terminalId: 'RC000001', type: 'sale', amountMinor, currency: 'CNY', entryMode: 'chip', stan, outcome: 'approved', responseCode: '00' });
  const mp = multipartFile('host.jsonl', [host('000001', 1000, 1), host('000002', 2000, 2), host('000003', 3500, 3), host('000005', 500, 6)].join('\n'));
  const imp = await t.app.inject({ method: 'POST', url: '/api/v1/host-records', payload: mp.payload, headers: { ...mp.headers, cookie: admin } });
  expect(imp.json().stored).toBe(4);
}, 120_000);
afterAll(async () => t?.close());

const get = async <T>(url: string, cookie = admin, lang = 'en-US') => {
  const r = await t.app.inject({ url: `/api/v1${url}`, headers: { cookie, 'accept-language': lang } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as T;
};

describe('payments from both sides', () => {
  it('puts each payment’s terminal and host side together and names what differs', async () => {
    const list = await get<PaymentList>('/payments');
    const byStan = Object.fromEntries(list.items.map((p) => [p.stan ?? 'none', p.status]));
    expect(byStan).toEqual({ '000001': 'matched', '000002': 'outcome_differs', '000003': 'amount_differs', '000004': 'terminal_only', '000005': 'host_only', none: 'terminal_only' });
    expect(list.total).toBe(6);
    const differs = list.items.find((p) => p.stan === '000002')!;
    expect(differs).toMatchObject({ terminalOutcome: 'timeout', hostOutcome: 'approved', terminalLines: 1, hostLines: 1, serialNumber: A.terminal.serialNumber, merchantId: A.merchant.id });
  });

  it('filters by status, entry mode, card token and outcome, and pages', async () => {
    expect((await get<PaymentList>('/payments?status=outcome_differs')).items.map((p) => p.stan)).toEqual(['000002']);
    expect((await get<PaymentList>('/payments?entryMode=contactless')).items.map((p) => p.stan)).toEqual(['000003']);
    expect((await get<PaymentList>('/payments?cardToken=tok_000004')).items.map((p) => p.stan)).toEqual(['000004']);
    expect((await get<PaymentList>('/payments?outcome=timeout')).items.map((p) => p.stan)).toEqual(['000002']);
    const page2 = await get<PaymentList>('/payments?pageSize=4&page=2');
    expect(page2).toMatchObject({ total: 6, page: 2 });
    expect(page2.items).toHaveLength(2);
  });

  it('shows one payment’s two sides, with the response code’s meaning in the caller’s language', async () => {
    const d = await get<PaymentDetail>(`/payments/${A.terminal.id}/2?day=${DAY}`, admin, 'zh-CN');
    expect(d.payment).toMatchObject({ stan: '000002', status: 'outcome_differs' });
    expect(d.terminal.map((l) => [l.source, l.outcome, l.amountMinor])).toEqual([['terminal', 'timeout', 2000]]);
    expect(d.host.map((l) => [l.id, l.outcome, l.responseCode])).toEqual([['host:R-000002', 'approved', '00']]);
    expect(d.host[0]!.responseText).toMatch(/[\u4e00-\u9fff]/);
    const missing = await t.app.inject({ url: `/api/v1/payments/${A.terminal.id}/999?day=${DAY}`, headers: { cookie: admin } });
    expect(missing.statusCode).toBe(404);
  });

  it('reconciles the terminal’s day against the host’s: approved counts, net totals, payments by status', async () => {
    const r = await get<Reconciliation>(`/reconciliation?day=${DAY}`);
    expect(r.rows).toEqual([
      expect.objectContaining({
        terminalId: A.terminal.id,
        terminalCount: 3,
        terminalTotalMinor: 8000,
        hostCount: 4,
        hostTotalMinor: 7000,
        matched: 1,
        terminalOnly: 1,
        hostOnly: 1,
        amountDiffers: 1,
        outcomeDiffers: 1,
        balanced: false,
      }),
    ]);
    expect(r.totals).toMatchObject({ terminals: 1, balanced: 0 });
  });

  it('exports the reconciliation as CSV and XLSX with headers in the caller’s language', async () => {
    const csv = await t.app.inject({ url: `/api/v1/reconciliation?day=${DAY}&format=csv`, headers: { cookie: admin, 'accept-language': 'zh-CN' } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toContain('终端笔数');
    expect(lines[1]).toContain(A.terminal.serialNumber);
    expect(lines[1]).toContain('80'); // 8000 fen = 80 yuan
    const xlsx = await t.app.inject({ url: `/api/v1/reconciliation?day=${DAY}&format=xlsx`, headers: { cookie: admin } });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });

  it('gives the success rate by entry mode and response code for the charts', async () => {
    const s = await get<PaymentStats>('/payments/stats');
    expect(s.total).toBe(5);
    expect(s.approved).toBe(3);
    expect(s.byEntryMode.find((m) => m.entryMode === 'chip')).toEqual({ entryMode: 'chip', total: 3, approved: 2, rate: 2 / 3 });
    expect(s.byResponseCode.find((c) => c.responseCode === '51')).toMatchObject({ total: 1 });
    // A line without a response code is told by its outcome in words, never as a raw value.
    expect(s.byResponseCode.find((x) => x.responseCode === '(timeout)')).toMatchObject({ text: 'No answer: timed out', total: 1 });
    for (const c of s.byResponseCode.filter((x) => x.responseCode.startsWith('('))) expect(c.text).not.toMatch(/[a-z]+_[a-z]+|^\(/);
    const zh = await get<PaymentStats>('/payments/stats', admin, 'zh-CN');
    for (const c of zh.byResponseCode) expect(c.text).toMatch(/[\u4e00-\u9fff]/);
    expect(s.byStatus.find((x) => x.status === 'terminal_only')!.count).toBe(2);
  });

  it('shows a merchant their own payments and nobody else’s', async () => {
    expect((await get<PaymentList>('/payments', merchantCookie)).total).toBe(6);
    expect((await get<PaymentList>('/payments', otherMerchantCookie)).total).toBe(0);
    expect((await get<Reconciliation>(`/reconciliation?day=${DAY}`, otherMerchantCookie)).rows).toEqual([]);
    const foreign = await t.app.inject({ url: `/api/v1/payments/${A.terminal.id}/1?day=${DAY}`, headers: { cookie: otherMerchantCookie } });
    expect(foreign.statusCode).toBe(404);
  });

  it('refuses a period longer than a month or that ends before it begins', async () => {
    const long = await t.app.inject({ url: '/api/v1/payments?from=2026-01-01T00:00:00Z&to=2026-03-02T00:00:00Z', headers: { cookie: admin, 'accept-language': 'en-US' } });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.message).toContain('31 days');
  });
});
