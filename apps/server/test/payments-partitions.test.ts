/**
 * Payments are partitioned by day (transactions and host_records, like telemetry_raw): a day's lines go
 * to that day's partition, made by the writer; retention drops whole days past ROLLUP_RETENTION_DAYS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneHistory } from '../src/fleet/retention.js';
import { createTestApp, type TestApp } from './harness.js';
import { enrol, send, txn } from './device.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let admin: string;
let cred: Awaited<ReturnType<typeof enrol>>;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  admin = await t.login(A.admin.email);
  await t.db.rawTransaction((tx) => tx.query('UPDATE terminals SET tid = $1 WHERE id = $2', ['PT000001', A.terminal.id]));
  cred = await enrol(t, admin, A.terminal.serialNumber);
}, 120_000);
afterAll(async () => t?.close());

const where = (table: string, key: string, value: string) =>
  t.db.rawTransaction((tx) => tx.query<{ part: string }>(`SELECT tableoid::regclass::text AS part FROM ${table} WHERE ${key} = $1`, [value]));
const ymd = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '');

describe('payments partitioned by day', () => {
  it('stores a terminal line and a host record in their day’s partition', async () => {
    const now = t.clock.now();
    const line = txn(now, { type: 'sale', stan: '000001', entryMode: 'chip', outcome: 'approved', amountMinor: 100, currency: 'CNY' });
    expect((await send(t, cred, [line])).json().accepted).toBe(1);
    expect(await where('transactions', 'msg_id', line.msgId)).toEqual([{ part: `transactions_p${ymd(now)}` }]);
    const rec = { id: 'PART-1', source: 'host', at: now.toISOString(), merchantId: 'M', terminalId: 'PT000001', type: 'sale', amountMinor: 100, currency: 'CNY', entryMode: 'chip', stan: '000001', outcome: 'approved' };
    const mp = multipartFile('h.jsonl', JSON.stringify(rec));
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/host-records', payload: mp.payload, headers: { ...mp.headers, cookie: admin } })).json().stored).toBe(1);
    expect(await where('host_records', 'id', 'PART-1')).toEqual([{ part: `host_records_p${ymd(now)}` }]);
  });

  it('still stores a re-delivered line once', async () => {
    const line = txn(t.clock.now(), { type: 'sale', stan: '000002', entryMode: 'chip', outcome: 'approved', amountMinor: 100 });
    await send(t, cred, [line]);
    expect((await send(t, cred, [line])).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await where('transactions', 'msg_id', line.msgId)).toHaveLength(1);
  });

  it('drops whole days of payments older than the retention', async () => {
    const now = t.clock.now();
    const later = new Date(now.getTime() + (t.ctx.config.ROLLUP_RETENTION_DAYS + 2) * 86_400_000);
    await pruneHistory(t.db, later, t.ctx.config);
    const left = await t.db.rawTransaction((tx) => tx.query<{ n: string }>(`SELECT (SELECT count(*) FROM transactions) + (SELECT count(*) FROM host_records) AS n`));
    expect(Number(left[0]!.n)).toBe(0);
    const [part] = await t.db.rawTransaction((tx) => tx.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [`transactions_p${ymd(now)}`]));
    expect(part!.r).toBeNull();
  });
});
