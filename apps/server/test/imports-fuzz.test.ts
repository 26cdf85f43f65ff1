/**
 * Property tests of the terminal import with a fixed budget (runs and seconds per property, the whole
 * file well under 20 s on two cores): whatever CSV text or small XLSX workbook arrives, the answer is
 * a row report or a clear 4xx in the caller's language, never a 5xx, never a hang, never a card number
 * echoed; and a workbook is read exactly as the whole-file reader of earlier versions read it.
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, ImportReport } from '@poscare/contracts';
import { AppError } from '../src/errors/errors.js';
import { readSheet } from '../src/imports/parse.js';
import { createTestApp, type TestApp } from './harness.js';
import { multipartFile } from './multipart.js';

let t: TestApp;
let cookie: string;
let siteCode: string;
beforeAll(async () => {
  t = await createTestApp();
  const A = await t.tenant();
  siteCode = A.site.code;
  cookie = await t.login(A.admin.email);
  // Start the import thread before the clock of any property starts.
  await upload('warm.csv', 'serial_number,vendor,model\nW-1,PAX,A920');
});
afterAll(async () => t?.close());

const PAN = '4111 1111 1111 1111';
const CLEAR_4XX = [400, 413, 415, 422];
/** Per property: at most this many runs and this many seconds, and no single file may take longer than PER_FILE_MS. */
const budget = (numRuns: number, seconds: number) => ({ numRuns, interruptAfterTimeLimit: seconds * 1000, markInterruptAsFailure: false, timeout: PER_FILE_MS, seed: 20261207 });
const PER_FILE_MS = 5_000;

async function upload(filename: string, content: Buffer | string) {
  const mp = multipartFile(filename, content);
  return t.app.inject({ method: 'POST', url: '/api/v1/terminal-imports?mode=dry_run', payload: mp.payload, headers: { ...mp.headers, cookie, 'accept-language': 'en-US' } });
}

/** A report that matches the contract, or a clear refusal with a message; never a 5xx or a card number. */
function expectReportOrClear4xx(r: Awaited<ReturnType<typeof upload>>) {
  expect(r.statusCode === 200 || CLEAR_4XX.includes(r.statusCode), `${r.statusCode} ${r.body.slice(0, 300)}`).toBe(true);
  if (r.statusCode === 200) expect(() => ImportReport.parse(r.json())).not.toThrow();
  else expect(ErrorBody.parse(r.json()).error.message.length).toBeGreaterThan(0);
  expect(r.body).not.toContain(PAN);
  expect(r.body).not.toContain(PAN.replace(/ /g, ''));
}

const cellText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 3, arbitrary: fc.constantFrom('serial_number', 'vendor', 'model', 'site_code', 'lifecycle_state', 'connectivity', 'PAX', 'A920', 'installed', 'wifi', '序列号', '厂商', '型号') },
  { weight: 2, arbitrary: fc.constantFrom('"', '""', ',', '\n', '\r\n', '\r', '\u0000', '\uFEFF', '=1+1', '-2', PAN, '4111111111111111', '４１１１ １１１１ １１１１ １１１１', 'x'.repeat(5000)) },
);

describe('import fuzzing', () => {
  it('arbitrary CSV text gets a row report or a clear 4xx', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc
        .tuple(fc.array(fc.array(cellText, { maxLength: 8 }), { maxLength: 12 }), fc.constantFrom('\n', '\r\n', '\r'))
        .map(([rows, eol]) => rows.map((r) => r.join(',')).join(eol)),
      fc.array(fc.array(cellText, { maxLength: 6 }), { maxLength: 10 }).map((rows) => ['serial_number,vendor,model,site_code,tid', ...rows.map((r) => r.join(','))].join('\n')),
    );
    await fc.assert(
      fc.asyncProperty(text, async (csv) => expectReportOrClear4xx(await upload('fleet.csv', csv))),
      budget(60, 4),
    );
  });

  const cellValue = fc.oneof(
    { weight: 5, arbitrary: cellText },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true })) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.date({ min: new Date('1901-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: cellText.map((text) => ({ richText: [{ text }, { text: '!', font: { bold: true } }] })) },
    { weight: 1, arbitrary: cellText.map((text) => ({ text, hyperlink: 'https://example.com/' })) },
    { weight: 1, arbitrary: fc.integer().map((result) => ({ formula: 'A1+1', result })) },
  );
  const workbook = fc.record({
    header: fc.oneof(fc.constant<string[]>(['serial_number', 'vendor', 'model', 'site_code']), fc.array(cellText, { maxLength: 5 })),
    rows: fc.array(fc.record({ at: fc.integer({ min: 2, max: 40 }), cells: fc.array(cellValue, { maxLength: 6 }) }), { maxLength: 8 }),
    extraSheet: fc.boolean(),
  });
  const build = async (w: { header: readonly string[]; rows: { at: number; cells: unknown[] }[]; extraSheet: boolean }) => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('终端');
    ws.getRow(1).values = [...w.header];
    for (const r of w.rows) ws.getRow(r.at).values = r.cells as ExcelJS.CellValue[];
    // A second tab, which must be ignored (it holds a card number that must never come back).
    if (w.extraSheet) wb.addWorksheet('notes').getCell('A1').value = PAN;
    return Buffer.from(await wb.xlsx.writeBuffer());
  };

  it('arbitrary small XLSX workbooks get a row report or a clear 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(workbook, async (w) => expectReportOrClear4xx(await upload('fleet.xlsx', await build(w)))),
      budget(40, 4),
    );
  });

  it('a workbook is read cell for cell as the whole-file reader read it before', async () => {
    const limits = { maxRows: 200_000, maxUnpackedBytes: 256 * 1024 * 1024 };
    await fc.assert(
      fc.asyncProperty(workbook, async (w) => {
        const bytes = await build(w);
        const before = await wholeFileReader(bytes);
        const now = await readSheet('xlsx', bytes, limits).catch((e: AppError) => e);
        if (before instanceof AppError || now instanceof AppError) {
          expect((now as AppError).id).toBe((before as AppError).id);
          return;
        }
        const trim = (cells: string[]) => {
          const out = [...cells];
          while (out.length && out[out.length - 1] === '') out.pop();
          return out;
        };
        expect(trim(now.header)).toEqual(trim(before.header));
        expect(now.rows.length).toBe(before.rows.length);
        now.rows.forEach((cells, i) => {
          // A refused row's cells never leave the import thread.
          if (now.flags?.[i]) expect(cells).toEqual([]);
          else expect(trim(cells), `row ${i + 2}`).toEqual(trim(before.rows[i]!));
        });
      }),
      budget(40, 4),
    );
  });

  it('damaged and truncated workbooks get a clear 4xx', async () => {
    const base = await build({ header: ['serial_number', 'vendor', 'model'], rows: [{ at: 2, cells: ['SN-1', 'PAX', 'A920'] }], extraSheet: false });
    const damage = fc.oneof(
      fc.integer({ min: 0, max: base.length - 1 }).map((n) => base.subarray(0, n)),
      fc.array(fc.record({ at: fc.integer({ min: 0, max: base.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }).map((edits) => {
        const b = Buffer.from(base);
        for (const e of edits) b[e.at] = e.byte;
        return b;
      }),
    );
    await fc.assert(
      fc.asyncProperty(damage, async (bytes) => {
        const r = await upload('fleet.xlsx', bytes);
        expectReportOrClear4xx(r);
      }),
      budget(40, 3),
    );
  });
});

/** How versions before the import thread read a workbook: all of it, on the main thread. */
async function wholeFileReader(bytes: Buffer): Promise<{ header: string[]; rows: string[][] } | AppError> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const out: string[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    for (let c = 1; c <= ws.columnCount; c++) cells.push(row.getCell(c).text ?? '');
    out[n - 1] = cells;
  });
  for (let i = 0; i < out.length; i++) out[i] ??= [];
  const [header, ...rows] = out;
  if (!header || !out.some((r) => r.some((c) => c.trim() !== ''))) return new AppError('import.unreadable', 400, {});
  return { header: header.map((h) => h.trim()), rows };
}
