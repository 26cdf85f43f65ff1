import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { count, eq } from 'drizzle-orm';
import { terminals } from '../src/db/schema.js';
import { looksLikeCardNumber } from '../src/imports/validate.js';
import { createTestApp, type TestApp } from './harness.js';
import { multipartFile } from './multipart.js';
import { xlsxOfRows, zipBombXlsx } from './xlsxFiles.js';

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

/** Runs `fn` with some configuration changed, as if the server had been started with it. */
async function withConfig<T>(over: Partial<TestApp['ctx']['config']>, fn: () => Promise<T>): Promise<T> {
  const config = t.ctx.config as Record<string, unknown>;
  const saved = Object.fromEntries(Object.keys(over).map((k) => [k, config[k]]));
  Object.assign(config, over);
  try {
    return await fn();
  } finally {
    Object.assign(config, saved);
  }
}

/**
 * Asks the health route every 20 ms until stopped and watches the event loop: what a load balancer
 * and the MQTT broker, which share the main thread, would see while an import runs.
 */
function watchResponsiveness() {
  const latencies: number[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let stopped = false;
  const probing = (async () => {
    while (!stopped) {
      const started = performance.now();
      const r = await t.app.inject({ url: '/api/v1/health' });
      expect(r.statusCode).toBe(200);
      latencies.push(performance.now() - started);
      await sleep(20);
    }
  })();
  return async () => {
    stopped = true;
    await probing;
    loop.disable();
    return { answers: latencies.length, slowestHealthMs: Math.max(...latencies), maxLoopDelayMs: loop.max / 1e6 };
  };
}

const fleetRows = (n: number, prefix: string) => {
  const rows = [['serial_number', 'vendor', 'model']];
  for (let i = 0; i < n; i++) rows.push([`${prefix}-${i}`, 'PAX', 'A920']);
  return rows;
};

describe('files that must not take the server down', () => {
  it('refuses an XLSX with more rows than MAX_IMPORT_ROWS with 413 while reading it, and health checks answer within 200 ms meanwhile', async () => {
    const bytes = xlsxOfRows(fleetRows(60_000, 'BIG'));
    // A first small file, so the measured import does not include starting the import thread.
    expect((await upload('warm.csv', csv(['W-1,PAX,A920,1,,in_stock,wifi']), 'dry_run')).statusCode).toBe(200);
    await withConfig({ MAX_IMPORT_ROWS: 50_000 }, async () => {
      const stop = watchResponsiveness();
      const started = performance.now();
      const r = await upload('fleet.xlsx', bytes, 'dry_run', 'zh-CN');
      const tookMs = performance.now() - started;
      const seen = await stop();
      expect(r.statusCode, r.body).toBe(413);
      expect(r.json().error).toMatchObject({ id: 'import.too_many_rows', message: '文件超过 50000 行（单次导入上限），请拆分为多个文件。' });
      expect(tookMs).toBeLessThan(15_000);
      expect(seen.answers).toBeGreaterThanOrEqual(3);
      expect(seen.slowestHealthMs).toBeLessThan(200);
      expect(seen.maxLoopDelayMs).toBeLessThan(200);
    });
  });

  it('refuses a zip bomb (a small XLSX whose sheet unpacks to 300 MiB) with 413 naming the unpacked-size limit', async () => {
    const bomb = await zipBombXlsx(300);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const stop = watchResponsiveness();
    const r = await upload('fleet.xlsx', bomb, 'dry_run');
    const seen = await stop();
    expect(r.statusCode, r.body).toBe(413);
    expect(r.json().error).toMatchObject({
      id: 'import.unpacked_too_large',
      message: 'The workbook unpacks to more than 256 MiB (the limit of one import). Split it into smaller files.',
    });
    expect(seen.slowestHealthMs).toBeLessThan(200);
    const zh = await withConfig({ MAX_IMPORT_UNPACKED_MB: 64 }, () => upload('fleet.xlsx', bomb, 'dry_run', 'zh-CN'));
    expect(zh.json().error.message).toBe('该工作簿解压后超过 64 MiB（单次导入上限），请拆分为多个文件。');
  });

  it('refuses a CSV with more rows than MAX_IMPORT_ROWS with 413 naming the limit', async () => {
    const file = csv(fleetRows(1_500, 'CSV').slice(1).map((r) => `${r.join(',')},,,,`));
    const r = await withConfig({ MAX_IMPORT_ROWS: 1_000 }, () => upload('fleet.csv', file, 'dry_run'));
    expect(r.statusCode, r.body).toBe(413);
    expect(r.json().error).toMatchObject({ id: 'import.too_many_rows', message: 'The file has more than 1000 rows (the limit of one import). Split it into smaller files.' });
    // Exactly the cap is fine.
    const atCap = await withConfig({ MAX_IMPORT_ROWS: 1_500 }, () => upload('fleet.csv', file, 'dry_run'));
    expect(atCap.json()).toMatchObject({ totalRows: 1_500, validRows: 1_500 });
  });

  it('counts an XLSX sheet by its row numbers: a sheet whose only data row is row 1,048,576 is refused at once', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('s');
    ws.addRow(['serial_number', 'vendor', 'model']);
    ws.getRow(1_048_576).values = ['FAR-1', 'PAX', 'A920'];
    const r = await upload('fleet.xlsx', Buffer.from(await wb.xlsx.writeBuffer()), 'dry_run');
    expect(r.statusCode, r.body).toBe(413);
    expect(r.json().error.id).toBe('import.too_many_rows');
  });

  it('imports a large valid XLSX the same as a CSV of the same rows', async () => {
    const rows = fleetRows(5_000, 'SAME');
    const x = await upload('fleet.xlsx', xlsxOfRows(rows), 'dry_run');
    const c = await upload('fleet.csv', rows.map((r) => r.join(',')).join('\n'), 'dry_run');
    expect(x.json()).toEqual(c.json());
    expect(x.json()).toMatchObject({ totalRows: 5_000, validRows: 5_000, invalidRows: 0 });
  });
});

describe('upload limits', () => {
  it('a file over MAX_UPLOAD_MB is refused naming MAX_UPLOAD_MB, not the 1 MiB body limit', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024 + 1024, 0x41);
    const r = await upload('fleet.csv', big, 'dry_run');
    expect(r.statusCode).toBe(413);
    expect(r.json().error).toMatchObject({ id: 'validation.payload_too_large', message: 'The request is too large (limit 50 MiB).' });
    const zh = await withConfig({ MAX_UPLOAD_MB: 2 }, () => upload('fleet.csv', Buffer.alloc(3 * 1024 * 1024, 0x41), 'dry_run', 'zh-CN'));
    expect(zh.json().error.message).toBe('请求内容过大（上限 2 MiB）。');
  });

  it('a JSON body over the body limit is refused naming that limit', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { cookie, 'accept-language': 'en-US', 'content-type': 'application/json' },
      payload: JSON.stringify({ title: 'x', description: 'a'.repeat(1024 * 1024 + 10) }),
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().error).toMatchObject({ id: 'validation.payload_too_large', message: 'The request is too large (limit 1 MiB).' });
  });
});

describe('what an imported cell may hold', () => {
  it('refuses a text field of the upload form that holds a card number, by name and without repeating it, before or after the file', async () => {
    for (const order of ['before', 'after'] as const) {
      const boundary = `----poscare${order}`;
      const field = `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\ncard 4111 1111 1111 1111\r\n`;
      const file = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.csv"\r\nContent-Type: text/csv\r\n\r\n${csv(['IMP-7001,PAX,A920,1,,in_stock,wifi'])}\r\n`;
      const payload = (order === 'before' ? field + file : file + field) + `--${boundary}--\r\n`;
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/terminal-imports?mode=valid_only',
        payload,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie, 'accept-language': 'en-US' },
      });
      expect(r.statusCode, `${order}: ${r.body}`).toBe(400);
      expect(r.json().error.id).toBe('validation.card_data');
      expect(r.json().error.details[0].path).toBe('body.note');
      expect(r.body).not.toContain('4111');
    }
    const stored = await t.db.orm.select().from(terminals).where(eq(terminals.serialNumber, 'IMP-7001'));
    expect(stored).toEqual([]);
  });

  it('refuses rows whose cells hide a card number (full-width digits, odd separators), in CSV and XLSX, without echoing them', async () => {
    const disguised = ['４１１１ １１１１ １１１１ １１１１', '4111\u20131111\u20131111\u20131111', '5555.5555.5555.4444'];
    const rows = disguised.map((d, i) => `IMP-80${i},PAX,A920,${d},,in_stock,wifi`);
    const r = await upload('fleet.csv', csv([...rows, 'IMP-809,PAX,A920,1,,in_stock,wifi']), 'dry_run');
    expect(r.json()).toMatchObject({ totalRows: 4, validRows: 1, problems: disguised.map((_, i) => ({ row: i + 2, column: null, code: 'row.card_data' })) });
    for (const d of [...disguised, '4111', '１１１１', '4444']) expect(r.body).not.toContain(d);
    const x = await upload('fleet.xlsx', xlsxOfRows([['serial_number', 'vendor', 'model', 'tid'], ['IMP-811', 'PAX', 'A920', disguised[0]!]]), 'dry_run');
    expect(x.json().problems).toEqual([{ row: 2, column: null, code: 'row.card_data', message: 'This row looks like it contains a card number; it was rejected and not stored.' }]);
  });

  it('refuses a row with a NUL character with a clear problem, and never writes it', async () => {
    const r = await upload('fleet.csv', csv(['IMP-9001,PAX,A9\u000020,1,,in_stock,wifi', 'IMP-9002,PAX,A920,1,,in_stock,wifi']), 'valid_only', 'zh-CN');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ imported: 1, problems: [{ row: 2, column: null, code: 'row.nul_byte', message: '该行含有无法保存的空字符（\\u0000），已拒绝。' }] });
    expect(await t.db.orm.select().from(terminals).where(eq(terminals.serialNumber, 'IMP-9001'))).toEqual([]);
  });
});
