/** Reads an uploaded CSV or XLSX file into a header and string cells, whatever the spreadsheet produced. */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { errors } from '../errors/errors.js';

export interface Sheet {
  header: string[];
  /** Data rows; rows[i] is file row i + 2 (the header is row 1). */
  rows: string[][];
}

export type FileKind = 'csv' | 'xlsx';

export function detectKind(filename: string | undefined, bytes: Buffer): FileKind {
  const isZip = bytes.length > 3 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const ext = filename?.toLowerCase().split('.').pop();
  if (isZip || ext === 'xlsx') {
    if (!isZip) throw errors.importUnreadable('not an XLSX workbook');
    return 'xlsx';
  }
  if (ext && !['csv', 'txt'].includes(ext)) throw errors.importUnsupported();
  if (bytes.includes(0)) throw errors.importUnsupported();
  return 'csv';
}

export async function readSheet(kind: FileKind, bytes: Buffer): Promise<Sheet> {
  const table = kind === 'csv' ? readCsv(bytes) : await readXlsx(bytes);
  const nonEmpty = table.filter((r) => r.some((c) => c.trim() !== ''));
  const [header, ...rest] = table;
  if (!header || nonEmpty.length === 0) throw errors.importUnreadable('the file is empty');
  // Keep row numbering true to the file: blank lines keep their place but are not data.
  return { header: header.map((h) => h.trim()), rows: rest };
}

function readCsv(bytes: Buffer): string[][] {
  try {
    return parse(bytes, { bom: true, relax_column_count: true, skip_empty_lines: false, trim: false }) as string[][];
  } catch (e) {
    throw errors.importUnreadable((e as Error).message);
  }
}

async function readXlsx(bytes: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw errors.importUnreadable((e as Error).message);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw errors.importUnreadable('the workbook has no sheet');
  const out: string[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    for (let c = 1; c <= ws.columnCount; c++) cells.push(row.getCell(c).text ?? '');
    out[n - 1] = cells;
  });
  for (let i = 0; i < out.length; i++) out[i] ??= [];
  return out;
}
