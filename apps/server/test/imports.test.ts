import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { count, eq } from 'drizzle-orm';
import { terminals } from '../src/db/schema.js';
import { looksLikeCardNumber } from '../src/imports/validate.js';
import { createTestApp, type TestApp } from './harness.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  cookie = await t.login(A.admin.email);
});
afterAll(async () => t?.close());

async function upload(filename: string, content: Buffer | string, mode: string, lang = 'en-US') {
  const mp = multipartFile(filename, content);
  return t.app.inject({ method: 'POST', url: `/api/v1/terminal-imports?mode=${mode}`, payload: mp.payload, headers: { ...mp.headers, cookie, 'accept-language': lang } });
}
const terminalCount = async () => (await t.db.orm.select({ n: count() }).from(terminals).where(eq(terminals.orgId, A.org.id)))[0]!.n;

const csv = (rows: string[]) => ['serial_number,vendor,model,app_version,site_code,lifecycle_state,connectivity', ...rows].join('\n');

describe('terminal import', () => {
  it('a dry run reports each bad row with its row number and column, and writes nothing', async () => {
    const before = await terminalCount();
    const file = csv([
      `IMP-0001,PAX,A920,3.9.1,${A.site.code},installed,cellular_4g`,
      'IMP-0002,,A920,3.9.1,,in_stock,wifi',
      `IMP-0003,PAX,A920,3.9.1,${B.site.code},installed,wifi`,
      'IMP-0001,PAX,A920,3.9.1,,in_stock,wifi',
      'IMP-0005,PAX,A920,3.9.1,,flying,wifi',
      'IMP-0006,PAX,A920,3.9.1,,in_stock,pigeon',
    ]);
    const r = await upload('fleet.csv', file, 'dry_run');
    expect(r.statusCode, r.body).toBe(200);
    const rep = r.json();
    expect(rep).toMatchObject({ mode: 'dry_run', totalRows: 6, validRows: 1, invalidRows: 5, imported: 0 });
    expect(rep.problems.map((p: { row: number; column: string; code: string }) => [p.row, p.column, p.code])).toEqual([
      [3, 'vendor', 'row.required'],
      [4, 'site_code', 'row.unknown_site'], // B's site code is unknown inside A
      [5, 'serial_number', 'row.duplicate_in_file'],
      [6, 'lifecycle_state', 'row.bad_state'],
      [7, 'connectivity', 'row.bad_connectivity'],
    ]);
    expect(rep.problems[2].message).toBe('Serial number "IMP-0001" appears more than once in the file (first on row 2).');
    expect(await terminalCount()).toBe(before);
  });

  it('reports problems in Chinese for a Chinese user', async () => {
    const r = await upload('fleet.csv', csv(['IMP-1001,,A920,1,,in_stock,wifi']), 'dry_run', 'zh-CN');
    expect(r.json().problems[0].message).toBe('此项为必填。');
  });

  it('all-or-nothing writes nothing when any row is invalid', async () => {
    const before = await terminalCount();
    const r = await upload('fleet.csv', csv(['IMP-2001,PAX,A920,1,,in_stock,wifi', 'IMP-2002,,A920,1,,in_stock,wifi']), 'all_or_nothing');
    expect(r.statusCode).toBe(422);
    expect(r.json().error.message).toBe('1 rows are invalid; nothing was imported. Fix them or import the valid rows only.');
    expect(await terminalCount()).toBe(before);
  });

  it('valid-only writes the good rows with site, merchant, state and history, and skips the bad', async () => {
    const before = await terminalCount();
    const r = await upload('fleet.csv', csv([`IMP-3001,PAX,A920,3.9.1,${A.site.code},installed,cellular_4g`, 'IMP-3002,,A920,1,,in_stock,wifi', 'IMP-3003,Newland,N910,,,,']), 'valid_only');
    expect(r.json()).toMatchObject({ imported: 2, invalidRows: 1 });
    expect(await terminalCount()).toBe(before + 2);
    const [row] = await t.db.orm.select().from(terminals).where(eq(terminals.serialNumber, 'IMP-3001'));
    expect(row).toMatchObject({ siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'installed', connectivity: 'cellular_4g', appVersion: '3.9.1' });
    const detail = await t.app.inject({ url: `/api/v1/terminals/${row!.id}`, headers: { cookie } });
    expect(detail.json().history[0]).toMatchObject({ toState: 'installed', reason: 'imported', actorName: A.admin.name });
    const again = await upload('fleet.csv', csv(['IMP-3001,PAX,A920,1,,in_stock,wifi']), 'dry_run');
    expect(again.json().problems[0].code).toBe('row.already_exists');
  });

  it('reads XLSX workbooks, including Chinese column headers', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('终端');
    ws.addRow(['序列号', '厂商', '型号', '网点编码']);
    ws.addRow(['XLS-0001', 'Sunmi', 'P2', A.site.code]);
    ws.addRow(['XLS-0002', 'Sunmi', '', '']);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await upload('fleet.xlsx', bytes, 'valid_only');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ totalRows: 2, imported: 1, problems: [{ row: 3, column: 'model', code: 'row.required' }] });
  });

  it('rejects a row that contains a card number and never stores it', async () => {
    const r = await upload('fleet.csv', csv(['IMP-4001,PAX,A920,4111 1111 1111 1111,,in_stock,wifi', 'IMP-4002,PAX,A920,1,,in_stock,wifi']), 'valid_only');
    expect(r.json()).toMatchObject({ imported: 1, problems: [{ row: 2, column: null, code: 'row.card_data' }] });
    expect(r.body).not.toContain('4111');
    const all = await t.db.orm.select().from(terminals);
    expect(JSON.stringify(all)).not.toContain('4111');
    expect(looksLikeCardNumber('4111111111111112')).toBe(false); // fails the Luhn check
    expect(looksLikeCardNumber('2026-11-22 10:00')).toBe(false);
    expect(looksLikeCardNumber('5555555555554444')).toBe(true);
  });

  it('explains files it cannot use: missing columns, wrong type, empty, no file', async () => {
    const missing = await upload('fleet.csv', 'serial_number,model\nX-1,A920', 'dry_run');
    expect(missing.json().error).toMatchObject({ id: 'import.missing_columns', message: 'Required columns are missing: vendor.' });
    expect((await upload('fleet.pdf', '%PDF-1.4', 'dry_run')).json().error.id).toBe('import.unsupported_type');
    expect((await upload('fleet.csv', '', 'dry_run')).json().error.id).toBe('import.unreadable');
    expect((await upload('fleet.xlsx', 'not a zip', 'dry_run')).json().error.id).toBe('import.unreadable');
    expect((await upload('fleet.csv', 'a,"b\n', 'dry_run')).json().error.id).toBe('import.unreadable');
    const none = await t.app.inject({ method: 'POST', url: '/api/v1/terminal-imports', headers: { cookie, 'accept-language': 'en' }, payload: {} });
    expect(none.json().error.id).toBe('import.file_required');
  });

  it('is refused to roles that may not import', async () => {
    const eng = await t.login((await t.f.user(A.org.id, 'engineer')).email);
    const mp = multipartFile('f.csv', csv(['IMP-5001,PAX,A920,1,,in_stock,wifi']));
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/terminal-imports?mode=valid_only', payload: mp.payload, headers: { ...mp.headers, cookie: eng } });
    expect(r.statusCode).toBe(403);
  });
});

describe('card number detection', () => {
  it('finds card numbers as written on cards and receipts, and leaves ids, dates and phone numbers alone', () => {
    for (const pan of ['4111111111111111', '4111 1111 1111 1111', '4111-1111-1111-1111', '3782 822463 10005', 'card=5555555555554444;'])
      expect(looksLikeCardNumber(pan), pan).toBe(true);
    for (const other of ['12345678-1234-1234-1234-123456789012', '2026-11-22T10:00:00Z', '+86 138 0013 8000', '4111111111111112', 'tok_4111111111111111x'.replace('4111111111111111', 'abc')])
      expect(looksLikeCardNumber(other), other).toBe(false);
  });
});
