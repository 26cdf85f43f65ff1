/**
 * Reads an import file row by row as a stream, with every limit enforced while reading: the rows
 * (by the file's own row numbers, so a sheet whose only row is number 1,048,576 is refused at once),
 * the columns, the bytes of one CSV record, and for XLSX the bytes the zip unpacks to, counted by
 * inflating each entry before the workbook is read at all. It runs in the import thread
 * (parseWorker.ts), never on the server's main thread; no cell value ever goes into an error.
 */
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';

export interface ReadLimits {
  /** Data rows after the header, counted by row number (blank rows keep their place). */
  maxRows: number;
  /** What an XLSX zip may unpack to, all entries together. */
  maxUnpackedBytes: number;
}

/** Columns beyond this with a value in them make the file unusable: the import has ten. */
export const MAX_COLUMNS = 256;
/** One CSV record, in bytes; a terminal's row is well under 1 KiB. */
export const MAX_CSV_RECORD_BYTES = 1024 * 1024;
/** Zip entries in a workbook; Excel writes about a dozen. */
const MAX_ZIP_ENTRIES = 1000;
/** Under this many unpacked bytes a workbook the streaming reader cannot follow is loaded whole. */
const WHOLE_LOAD_MAX_BYTES = 16 * 1024 * 1024;

/** A file refused for its size: `id` is a message id, params fill it (never a cell value). */
export class Refused extends Error {
  constructor(
    readonly id: 'import.too_many_rows' | 'import.unpacked_too_large' | 'import.too_many_columns' | 'import.row_too_large',
    readonly params: Record<string, string | number>,
  ) {
    super(id);
  }
}

/** The file is not what it claims or is damaged; `reason` is ours, never the file's content. */
export class Unreadable extends Error {}

/** Called with each row's 1-based row number in the file and its cells as text. */
export type OnRow = (rowNo: number, cells: string[]) => void | Promise<void>;

const MiB = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

function checkRowNo(rowNo: number, limits: ReadLimits) {
  if (rowNo - 1 > limits.maxRows) throw new Refused('import.too_many_rows', { max: limits.maxRows });
}

function checkColumns(cells: string[]) {
  if (cells.length <= MAX_COLUMNS) return cells;
  if (cells.slice(MAX_COLUMNS).some((c) => c !== '')) throw new Refused('import.too_many_columns', { max: MAX_COLUMNS });
  return cells.slice(0, MAX_COLUMNS);
}

/** Chunks of the buffer, so the parser can stop early instead of holding every record at once. */
function chunks(bytes: Uint8Array, size = 64 * 1024): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (at >= bytes.length) return void this.push(null);
      this.push(bytes.subarray(at, at + size));
      at += size;
    },
  });
}

export async function readCsvRows(bytes: Uint8Array, limits: ReadLimits, onRow: OnRow): Promise<void> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: false, trim: false, max_record_size: MAX_CSV_RECORD_BYTES });
  const input = chunks(bytes);
  input.pipe(parser);
  let rowNo = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNo++;
      checkRowNo(rowNo, limits);
      await onRow(rowNo, checkColumns(record));
    }
  } catch (e) {
    if (e instanceof Refused) throw e;
    if ((e as { code?: string }).code === 'CSV_MAX_RECORD_SIZE') throw new Refused('import.row_too_large', { limit: MiB(MAX_CSV_RECORD_BYTES) });
    // csv-parse's messages name positions, not content, so they are safe to show.
    throw new Unreadable((e as Error).message);
  } finally {
    input.destroy();
    parser.destroy();
  }
}

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  offset: number;
}

/**
 * Checks that the zip is laid out as every spreadsheet program writes it (entries one after the
 * other from the first byte up to the central directory, no gaps, no overlaps, no ZIP64), so the
 * entries counted here are exactly those a sequential reader sees; then inflates every entry,
 * counting bytes and discarding them, and stops as soon as the total passes the limit.
 */
export async function checkZip(bytes: Uint8Array, maxUnpackedBytes: number): Promise<number> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = centralDirectory(buf);
  let total = 0;
  for (const e of entries) {
    const nameLen = buf.readUInt16LE(e.offset + 26);
    const extraLen = buf.readUInt16LE(e.offset + 28);
    const start = e.offset + 30 + nameLen + extraLen;
    const data = buf.subarray(start, start + e.compressedSize);
    if (e.method === 0) {
      total += data.length;
      if (total > maxUnpackedBytes) throw new Refused('import.unpacked_too_large', { limit: MiB(maxUnpackedBytes) });
      continue;
    }
    const inflate = createInflateRaw();
    const counting = (async () => {
      for await (const chunk of inflate as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > maxUnpackedBytes) throw new Refused('import.unpacked_too_large', { limit: MiB(maxUnpackedBytes) });
      }
    })();
    try {
      chunks(data).pipe(inflate);
      await counting;
    } catch (err) {
      if (err instanceof Refused) throw err;
      throw new Unreadable('the workbook is damaged');
    } finally {
      inflate.destroy();
    }
  }
  return total;
}

function centralDirectory(buf: Buffer): ZipEntry[] {
  const bad = (why: string) => new Unreadable(`not an XLSX workbook (${why})`);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('no zip directory');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw bad('ZIP64');
  if (count > MAX_ZIP_ENTRIES) throw bad('too many entries');
  if (cdOffset + cdSize > eocd) throw bad('directory out of bounds');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== 0x02014b50) throw bad('damaged directory');
    const nameLen = buf.readUInt16LE(p + 28);
    const entry: ZipEntry = {
      flags: buf.readUInt16LE(p + 8),
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      offset: buf.readUInt32LE(p + 42),
      name: buf.toString('latin1', p + 46, p + 46 + nameLen),
    };
    if (entry.compressedSize === 0xffffffff || entry.offset === 0xffffffff) throw bad('ZIP64');
    if (entry.method !== 0 && entry.method !== 8) throw bad('unknown compression');
    if (entry.flags & 1) throw bad('encrypted');
    entries.push(entry);
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  entries.sort((a, b) => a.offset - b.offset);
  let pos = 0;
  for (const e of entries) {
    if (e.offset !== pos) throw bad('entries overlap or leave gaps');
    if (e.offset + 30 > cdOffset || buf.readUInt32LE(e.offset) !== 0x04034b50) throw bad('damaged entry');
    const nameLen = buf.readUInt16LE(e.offset + 26);
    if (buf.toString('latin1', e.offset + 30, e.offset + 30 + nameLen) !== e.name) throw bad('entry names differ');
    const end = e.offset + 30 + nameLen + buf.readUInt16LE(e.offset + 28) + e.compressedSize;
    if (end > cdOffset) throw bad('entry out of bounds');
    pos = end;
    // A data descriptor (sizes written after the data) follows when flag bit 3 is set: 12 or 20 bytes, 4 more with its signature.
    if (e.flags & 8) {
      const next = entries.find((x) => x.offset > e.offset)?.offset ?? cdOffset;
      if (![12, 16, 20, 24].includes(next - end)) throw bad('damaged data descriptor');
      pos = next;
    }
  }
  if (pos !== cdOffset) throw bad('data after the last entry');
  return entries;
}

type Row = { number: number; cellCount: number; getCell(c: number): { text?: string } };
type SheetReader = AsyncIterable<Row> & { name: string };

export async function readXlsxRows(bytes: Uint8Array, limits: ReadLimits, onRow: OnRow): Promise<void> {
  const unpacked = await checkZip(bytes, limits.maxUnpackedBytes);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cellsOf = (row: Row) => {
    if (row.cellCount > MAX_COLUMNS) {
      for (let c = MAX_COLUMNS + 1; c <= row.cellCount; c++)
        if ((row.getCell(c).text ?? '') !== '') throw new Refused('import.too_many_columns', { max: MAX_COLUMNS });
    }
    const cells: string[] = [];
    for (let c = 1; c <= Math.min(row.cellCount, MAX_COLUMNS); c++) cells.push(row.getCell(c).text ?? '');
    return cells;
  };
  let found = false;
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buf]), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache', // dates are numbers with a date format: without styles they would come out as numbers
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    const book = reader as unknown as AsyncIterable<SheetReader> & { model?: { sheets?: { name: string }[] } };
    for await (const sheet of book) {
      // The first tab, as the workbook lists its sheets; the zip may hold the sheets in another order.
      const first = book.model?.sheets?.[0]?.name;
      if (first !== undefined && sheet.name !== first) {
        for await (const _ of sheet) void _;
        continue;
      }
      found = true;
      for await (const row of sheet) {
        checkRowNo(row.number, limits);
        await onRow(row.number, cellsOf(row));
      }
      break;
    }
  } catch (e) {
    if (e instanceof Refused) throw e;
    throw new Unreadable(`the workbook is damaged`);
  }
  if (found) return;
  // Some writers name sheets other than xl/worksheets/sheetN.xml, which only the whole-file loader
  // follows; the zip has been measured, so a small workbook is safe to load whole.
  if (unpacked > WHOLE_LOAD_MAX_BYTES) throw new Unreadable('the workbook has no sheet');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw new Unreadable('the workbook is damaged');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new Unreadable('the workbook has no sheet');
  const rows: Row[] = [];
  ws.eachRow({ includeEmpty: true }, (row) => rows.push(row as unknown as Row));
  for (const row of rows) {
    checkRowNo(row.number, limits);
    await onRow(row.number, cellsOf(row));
  }
}
