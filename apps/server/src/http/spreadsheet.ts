/**
 * Lists and reports as files people open in a spreadsheet: CSV (UTF-8 with a BOM so Excel reads Chinese,
 * every text cell made safe with `csvSafe`) or XLSX (text written as text, never as a formula), with
 * headers in the reader's language and a download name.
 */
import type { FastifyReply } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { csvSafe, type Language } from '@poscare/contracts';

export type Cell = string | number | null;
export interface Sheet {
  title: string;
  header: string[];
  rows: Cell[][];
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Every text cell through `csvSafe`: a merchant named `=HYPERLINK(...)` is shown, never run; numbers stay numbers. */
export function sheetToCsv(sheet: Pick<Sheet, 'header' | 'rows'>): Buffer {
  const text = stringify([sheet.header.map(csvSafe), ...sheet.rows.map((row) => row.map((c) => (c === null ? '' : csvSafe(c))))], { record_delimiter: '\r\n' });
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

export async function sheetsToXlsx(sheets: Sheet[], lang: Language, title: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'PosCare';
  wb.title = title;
  const used = new Set<string>();
  for (const t of sheets) {
    // Sheet names: at most 31 characters, none of []:*?/\ and unique.
    let name = t.title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);
    while (used.has(name)) name = `${name.slice(0, 28)} ${used.size}`;
    used.add(name);
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(t.header).font = { bold: true };
    // Text is written as text (exceljs writes a formula only when given { formula }), so no cell here can run.
    for (const row of t.rows) ws.addRow(row.map((c) => (c === null ? null : c)));
    ws.columns.forEach((col, i) => {
      const longest = Math.max(...[t.header[i] ?? '', ...t.rows.slice(0, 500).map((r) => r[i] ?? '')].map((v) => String(v).length));
      col.width = Math.min(48, Math.max(10, longest * (lang === 'zh-CN' ? 2 : 1.2) + 2));
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Sends one sheet as the asked format with a download name (ASCII and UTF-8 forms). */
export async function sendSheet(reply: FastifyReply, sheet: Sheet, format: 'csv' | 'xlsx', lang: Language, baseName: string): Promise<FastifyReply> {
  const name = `${baseName}.${format}`;
  reply.header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  reply.header('cache-control', 'no-store');
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(sheetToCsv(sheet));
  return reply.type(XLSX_TYPE).send(await sheetsToXlsx([sheet], lang, sheet.title));
}
