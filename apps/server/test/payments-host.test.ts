/**
 * The acquirer host's side of each payment: host logs imported as JSON lines, CSV or ISO 8583 with a
 * row report, good records stored even when others are refused, each host record stored once, card
 * numbers refused and never echoed, the malformed ISO 8583 vectors refused with nothing stored.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISO8583_1987, packIso8583 } from '@poscare/codes';
import type { HostImportReport, TxnRecord } from '@poscare/contracts';
import { createTestApp, dbKind, type TestApp } from './harness.js';
import { multipartFile } from './multipart.js';
import { atOnce } from './concurrent.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let admin: string;
let T1: { id: string; tid: string | null; serialNumber: string };
const published: TxnRecord[] = [];

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  admin = await t.login(A.admin.email);
  T1 = await t.f.terminal(A.org.id, { tid: 'HT000001', merchantId: A.merchant.id, siteId: A.site.id, lifecycleState: 'installed' });
  t.services.paymentFeed.subscribe((orgId, records) => {
    if (orgId === A.org.id) published.push(...records);
  });
}, 120_000);
afterAll(async () => t?.close());

async function importFile(name: string, content: string | Buffer, opts: { cookie?: string; lang?: string; format?: string } = {}) {
  const mp = multipartFile(name, content);
  const r = await t.app.inject({
    method: 'POST',
    url: `/api/v1/host-records${opts.format ? `?format=${opts.format}` : ''}`,
    payload: mp.payload,
    headers: { ...mp.headers, cookie: opts.cookie ?? admin, 'accept-language': opts.lang ?? 'en-US' },
  });
  return r;
}
const report = async (name: string, content: string | Buffer, opts: Parameters<typeof importFile>[2] = {}) => {
  const r = await importFile(name, content, opts);
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as HostImportReport;
};

const hostRows = (where = '') =>
  t.db.rawTransaction((tx) => tx.query<Record<string, unknown>>(`SELECT id, terminal_id, merchant_id, type, stan, amount_minor, outcome, response_code, origin, mti, original_stan FROM host_records WHERE org_id = $1 ${where} ORDER BY id`, [A.org.id]));

const rec = (over: Record<string, unknown> = {}) => ({
  id: 'H-1', source: 'host', at: '2026-03-02T01:00:00Z', merchantId: 'MID-1', terminalId: 'HT000001', type: 'sale', amountMinor: 1200, currency: 'CNY', entryMode: 'chip', stan: '000101', outcome: 'approved', responseCode: '00', ...over,
});
const jsonl = (...rs: object[]) => rs.map((r) => JSON.stringify(r)).join('\n');

describe('host log as JSON lines', () => {
  it('stores the good records, refuses the others with line, field and reason, and names the terminal by TID or serial number', async () => {
    const r = await report(
      'host.jsonl',
      jsonl(
        rec({ id: 'J-1' }),
        rec({ id: 'J-2', terminalId: T1.serialNumber, stan: '000102' }),
        rec({ id: 'J-3', stan: 'abc' }),
        rec({ id: 'J-4', terminalId: 'NO-SUCH-TID' }),
        rec({ id: 'J-5', source: 'terminal' }),
      ) + '\n{ not json',
    );
    expect(r).toMatchObject({ format: 'jsonl', totalRows: 6, accepted: 2, stored: 2, duplicates: 0, refused: 4 });
    expect(r.problems.map((p) => [p.line, p.field, p.code])).toEqual([
      [3, 'stan', 'payments.field_invalid'],
      [4, 'terminalId', 'payments.unknown_terminal'],
      [5, 'source', 'payments.not_host'],
      [6, null, 'payments.not_json'],
    ]);
    expect(r.problems[1]!.message).toBe('No terminal of this organization has the TID or serial number "NO-SUCH-TID".');
    const rows = await hostRows(`AND id LIKE 'J-%'`);
    expect(rows.map((x) => [x.id, x.terminal_id, x.merchant_id, x.origin])).toEqual([
      ['J-1', T1.id, A.merchant.id, 'jsonl'],
      ['J-2', T1.id, A.merchant.id, 'jsonl'],
    ]);
  });

  it('answers in the caller’s language', async () => {
    const r = await report('host.jsonl', jsonl(rec({ id: 'Z-1', terminalId: 'NOPE' })), { lang: 'zh-CN' });
    expect(r.problems[0]!.message).toBe('本机构没有终端号或序列号为“NOPE”的终端。');
  });

  it('stores a record once however often the file is imported', async () => {
    const file = jsonl(rec({ id: 'D-1', stan: '000201' }), rec({ id: 'D-1', stan: '000201' }), rec({ id: 'D-2', stan: '000202' }));
    const first = await report('again.jsonl', file);
    expect(first).toMatchObject({ accepted: 3, stored: 2, duplicates: 1 });
    const second = await report('again.jsonl', file);
    expect(second).toMatchObject({ accepted: 3, stored: 0, duplicates: 3 });
    expect(await hostRows(`AND id LIKE 'D-%'`)).toHaveLength(2);
  });

  it('refuses a record holding a card number anywhere, without repeating it, and stores the rest', async () => {
    const pan = '4111111111111111';
    const r = await report('cards.jsonl', jsonl(rec({ id: 'C-1', stan: '000301', cardToken: pan }), rec({ id: 'C-2', stan: '000302', note: `card ${pan}` }), rec({ id: 'C-3', stan: '000303', cardToken: 'tok_ok' })));
    expect(r).toMatchObject({ stored: 1, refused: 2 });
    expect(r.problems.map((p) => p.code)).toEqual(['payments.card_data', 'payments.card_data']);
    expect(JSON.stringify(r)).not.toContain(pan);
    const everything = await t.db.rawTransaction((tx) => tx.query<Record<string, unknown>>(`SELECT * FROM host_records`));
    expect(JSON.stringify(everything)).not.toContain(pan);
  });

  it('publishes the newly stored records to the payment feed after commit, as host analysis records', async () => {
    published.length = 0;
    await report('feed.jsonl', jsonl(rec({ id: 'F-1', stan: '000401', amountMinor: 9900 }), rec({ id: 'J-1' })));
    expect(published).toEqual([expect.objectContaining({ id: 'host:F-1', source: 'host', merchantId: A.merchant.id, terminalId: T1.id, stan: '000401', amountMinor: 9900 })]);
  });

  it('is refused to roles without payments:import and never reaches another tenant’s terminals', async () => {
    const merchant = await t.login(A.merchantUser.email);
    expect((await importFile('x.jsonl', jsonl(rec({ id: 'M-1' })), { cookie: merchant })).statusCode).toBe(403);
    const otherAdmin = await t.login(B.admin.email);
    const r = (await importFile('x.jsonl', jsonl(rec({ id: 'X-1' })), { cookie: otherAdmin })).json() as HostImportReport;
    expect(r).toMatchObject({ stored: 0, refused: 1 });
    expect(r.problems[0]!.code).toBe('payments.unknown_terminal');
  });
});

describe('host log as CSV', () => {
  it('reads the txn-record columns, refuses bad rows by line and column, stores the good ones', async () => {
    const csv = [
      'id,at,merchantId,terminalId,type,amountMinor,currency,entryMode,stan,outcome,responseCode,cardToken',
      'V-1,2026-03-02T02:00:00Z,MID-1,HT000001,sale,500,CNY,contactless,000501,approved,00,tok_a',
      'V-2,2026-03-02T02:01:00Z,MID-1,HT000001,sale,abc,CNY,contactless,000502,approved,00,',
      'V-3,2026-03-02T02:02:00Z,MID-1,HT000001,refund,200,CNY,chip,000503,approved,00,4111 1111 1111 1111',
    ].join('\n');
    const r = await report('host.csv', csv);
    expect(r).toMatchObject({ format: 'csv', totalRows: 3, stored: 1, refused: 2 });
    expect(r.problems.map((p) => [p.line, p.field, p.code])).toEqual([
      [3, 'amountMinor', 'payments.field_invalid'],
      [4, 'cardToken', 'payments.card_data'],
    ]);
  });

  it('names missing required columns', async () => {
    const r = await report('host.csv', 'id,at\nx,2026-03-02T02:00:00Z');
    expect(r.problems[0]).toMatchObject({ line: 1, code: 'payments.csv_missing_columns' });
    expect(r.stored).toBe(0);
  });
});

const hex = (m: Parameters<typeof packIso8583>[0]) => Buffer.from(packIso8583(m, ISO8583_1987)).toString('hex').toUpperCase();

describe('host log as ISO 8583 messages (hex, one per line)', () => {
  const sale = { 3: '000000', 4: '000000002500', 7: '0302013000', 11: '000601', 22: '051', 41: 'HT000001', 42: 'MID000000000001', 49: '156' };
  it('makes one record of a request and its reply, the reply deciding the outcome', async () => {
    const lines = [
      hex({ mti: '0200', fields: sale }),
      hex({ mti: '0210', fields: { ...sale, 37: '603020000601', 38: 'AB12CD', 39: '00' } }),
      // A reversal of it, with the original's STAN in field 90.
      hex({ mti: '0420', fields: { 3: '000000', 4: '000000002500', 7: '0302013100', 11: '000602', 22: '051', 32: '12345', 41: 'HT000001', 49: '156', 90: `0200000601${'0302013000'}${'0'.repeat(22)}` } }),
      // A sale the host never answered.
      hex({ mti: '0200', fields: { ...sale, 11: '000603' } }),
    ];
    const r = await report('host.hex', lines.join('\n'));
    expect(r).toMatchObject({ format: 'iso8583', totalRows: 4, accepted: 3, stored: 3, refused: 0 });
    const rows = await hostRows(`AND origin = 'iso8583' AND stan IN ('000601', '000602', '000603')`);
    expect(rows.map((x) => [x.stan, x.type, x.outcome, x.response_code, x.mti, x.original_stan])).toEqual([
      ['000601', 'sale', 'approved', '00', '0210', null],
      ['000602', 'reversal', 'approved', null, '0420', '000601'],
      ['000603', 'sale', 'timeout', null, '0200', null],
    ]);
  });

  it('refuses a message carrying a card number in field 2 or 35, without repeating it', async () => {
    const pan = '6222021234567894';
    const r = await report('cards.hex', [hex({ mti: '0210', fields: { ...sale, 2: pan, 11: '000701', 39: '00' } }), hex({ mti: '0210', fields: { ...sale, 11: '000702', 35: `${pan}=2512101` , 39: '00' } })].join('\n'));
    expect(r).toMatchObject({ stored: 0, refused: 2 });
    expect(r.problems.map((p) => [p.field, p.code])).toEqual([
      ['field 2', 'payments.card_data'],
      ['field 35', 'payments.card_data'],
    ]);
    expect(JSON.stringify(r)).not.toContain(pan);
  });

  it('refuses a line that is not hex, a message that is not a payment, a reply with a missing field', async () => {
    const { 22: _mode, ...withoutEntryMode } = sale;
    const r = await report('bad.hex', ['zz-not-hex', hex({ mti: '0800', fields: { 7: '0302013000', 11: '000801', 70: '001' } }), hex({ mti: '0210', fields: { ...withoutEntryMode, 11: '000802', 39: '00' } })].join('\n'), { format: 'iso8583' });
    expect(r.problems.map((p) => [p.line, p.field, p.code])).toEqual([
      [1, null, 'payments.iso_not_hex'],
      [2, 'MTI', 'payments.iso_not_payment'],
      [3, 'field 22', 'payments.iso_field_missing'],
    ]);
  });

  const vectors = join(process.cwd(), '../shared/testdata/iso8583/moov-io');
  const MALFORMED = ['error_message.dat', 'iso_reversal_message_error_date.dat', 'iso_reversal_message_advice_missing_field.dat', 'iso_reversal_message_advice_unexpected_field.dat', 'message_with_error_indicate_numeric.dat', 'network_management_message_with_error_track.dat'];
  if (!existsSync(vectors)) it.skip('malformed ISO 8583 vectors: ../shared/testdata/iso8583/moov-io not found, skipped', () => {});
  else
    it('refuses every malformed vector of ../shared/testdata/iso8583 with a clear error and stores nothing', async () => {
      expect(readdirSync(vectors)).toEqual(expect.arrayContaining(MALFORMED));
      const before = (await hostRows()).length;
      for (const name of MALFORMED) {
        const body = readFileSync(join(vectors, name)).toString('hex');
        for (const lang of ['en-US', 'zh-CN']) {
          const r = await report(name.replace('.dat', '.hex'), body, { lang });
          expect(r, name).toMatchObject({ totalRows: 1, accepted: 0, stored: 0, refused: 1 });
          const p = r.problems[0]!;
          expect(['payments.iso_invalid', 'payments.card_data', 'payments.iso_not_payment'], name).toContain(p.code);
          expect(p.message.length, name).toBeGreaterThan(10);
          if (lang === 'zh-CN') expect(p.message, name).toMatch(/[\u4e00-\u9fff]/);
        }
      }
      expect(await hostRows()).toHaveLength(before);
    });
});

describe.runIf(dbKind === 'postgres')('the same host log imported twice at once', () => {
  it('stores each record once', async () => {
    const file = jsonl(...Array.from({ length: 200 }, (_, i) => rec({ id: `P-${i}`, stan: String(900_000 + i), at: new Date(Date.UTC(2026, 2, 2, 3, 0, i)).toISOString() })));
    const reports = await atOnce(2, () => report('twice.jsonl', file));
    expect(reports.map((r) => r.stored).reduce((a, b) => a + b, 0)).toBe(200);
    expect(reports.map((r) => r.duplicates).reduce((a, b) => a + b, 0)).toBe(200);
    expect(await hostRows(`AND id LIKE 'P-%'`)).toHaveLength(200);
  });
});
