/**
 * Payment lines from terminals (device protocol 1 with the payment fields of issue 15): stored with
 * their type, codes and originals, under the terminal's merchant, once however often they are sent,
 * and published to the payment feed after commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TxnRecord } from '@poscare/contracts';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, send, txn } from './device.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let cred: Awaited<ReturnType<typeof enrol>>;
const published: { orgId: string; records: TxnRecord[] }[] = [];
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  cred = await enrol(t, await t.login(A.admin.email), A.terminal.serialNumber);
  t.services.paymentFeed.subscribe((orgId, records) => published.push({ orgId, records: [...records] }));
}, 120_000);
afterAll(async () => t?.close());

const stored = (msgId: string) =>
  t.db.rawTransaction((tx) => tx.query<Record<string, unknown>>(
    'SELECT type, stan, rrn, auth_code, original_stan, original_rrn, merchant_id, amount_minor FROM transactions WHERE terminal_id = $1 AND msg_id = $2',
    [A.terminal.id, msgId],
  ));

describe('typed payment lines from a terminal', () => {
  it('stores a sale and its reversal with type, STAN, auth code and the original, under the terminal’s merchant', async () => {
    const now = t.clock.now();
    const sale = txn(now, { type: 'sale', stan: '000123', rrn: '612345678901', authCode: 'A1B2C3', entryMode: 'chip', outcome: 'approved', responseCode: '00', amountMinor: 12_800, currency: 'CNY', cardToken: 'tok_pay_1' });
    const reversal = txn(new Date(now.getTime() + 30_000), { type: 'reversal', stan: '000124', originalStan: '000123', entryMode: 'chip', outcome: 'approved', amountMinor: 12_800, currency: 'CNY' });
    const r = await send(t, cred, [sale, reversal]);
    expect(r.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await stored(sale.msgId)).toEqual([
      { type: 'sale', stan: '000123', rrn: '612345678901', auth_code: 'A1B2C3', original_stan: null, original_rrn: null, merchant_id: A.merchant.id, amount_minor: expect.anything() },
    ]);
    expect((await stored(reversal.msgId))[0]).toMatchObject({ type: 'reversal', original_stan: '000123', merchant_id: A.merchant.id });
  });

  it('keeps v1 terminals working: a line without type is a sale, STAN optional', async () => {
    const line = txn(t.clock.now(), { entryMode: 'magstripe', outcome: 'declined', responseCode: '51', amountMinor: 900 });
    expect((await send(t, cred, [line])).json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await stored(line.msgId))[0]).toMatchObject({ type: 'sale', stan: null, merchant_id: A.merchant.id });
  });

  it('refuses a typed line without its STAN, naming the field, and an unknown type', async () => {
    const noStan = txn(t.clock.now(), { type: 'refund', originalRrn: '612345678901', entryMode: 'chip', outcome: 'approved', amountMinor: 100 });
    const badType = txn(t.clock.now(), { type: 'chargeback', stan: '1', entryMode: 'chip', outcome: 'approved' });
    const body = (await send(t, cred, [noStan, badType])).json();
    expect(body.accepted).toBe(0);
    expect(body.rejected).toHaveLength(2);
    expect(body.rejected[0].detail).toContain('data.stan');
    expect(body.rejected[1].detail).toContain('data.type');
    expect(await stored(noStan.msgId)).toEqual([]);
  });

  it('stores a re-delivered line once and publishes each new line once, after commit, as an analysis record', async () => {
    published.length = 0;
    const line = txn(t.clock.now(), { type: 'refund', stan: '42', originalRrn: '612345678901', entryMode: 'contactless', outcome: 'approved', responseCode: '00', amountMinor: 5_000, currency: 'CNY', cardToken: 'tok_pay_1' });
    expect((await send(t, cred, [line, line])).json()).toMatchObject({ accepted: 1, duplicates: 1 });
    expect((await send(t, cred, [line])).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const all = published.flatMap((p) => p.records.map((r) => ({ orgId: p.orgId, ...r })));
    expect(all).toEqual([
      expect.objectContaining({
        orgId: A.org.id,
        id: `${A.terminal.id}/${line.msgId}`,
        source: 'terminal',
        merchantId: A.merchant.id,
        terminalId: A.terminal.id,
        type: 'refund',
        stan: '000042',
        originalRrn: '612345678901',
        amountMinor: 5_000,
      }),
    ]);
  });

  it('publishes nothing for a v1 line the analysis cannot place (no STAN)', async () => {
    published.length = 0;
    await send(t, cred, [txn(t.clock.now(), { entryMode: 'chip', outcome: 'approved', amountMinor: 1 })]);
    expect(published).toEqual([]);
  });
});
