/**
 * The import thread: reads one uploaded file (sheetReader.ts), screens every row (screen.ts) and sends
 * the rows to the main thread in batches, so the main thread only ever copies small messages while
 * health checks, MQTT and other requests keep their turn. A thread reads one file at a time and is
 * kept for the next; parse.ts hands out the threads, bounds their memory and time, and ends one that
 * passes its budget.
 */
import { parentPort } from 'node:worker_threads';
import { readCsvRows, readXlsxRows, Refused, Unreadable, type ReadLimits } from './sheetReader.js';
import { screenRow, type RowFlag } from './screen.js';
import type { FileKind } from './parse.js';

export interface ParseJob {
  id: number;
  kind: FileKind;
  bytes: Uint8Array;
  limits: ReadLimits;
}

export type ParseMessage = { id: number } & (
  | { t: 'rows'; rows: string[][]; flags: (RowFlag | null)[] }
  | { t: 'done'; nonEmpty: number }
  | { t: 'refused'; refusal: Refused['id']; params: Record<string, string | number> }
  | { t: 'unreadable'; reason: string }
);

const BATCH = 1000;
const port = parentPort!;

/** One file, start to end; the thread reads one file at a time (parse.ts hands out the threads). */
async function run(job: ParseJob): Promise<void> {
  const send = (m: ParseMessage) => port.postMessage(m);
  let rows: string[][] = [];
  let flags: (RowFlag | null)[] = [];
  let next = 1;
  let nonEmpty = 0;
  const flush = () => {
    if (!rows.length) return;
    send({ id: job.id, t: 'rows', rows, flags });
    rows = [];
    flags = [];
  };
  const push = (cells: string[], flag: RowFlag | null) => {
    rows.push(cells);
    flags.push(flag);
    if (rows.length >= BATCH) flush();
  };
  const onRow = (rowNo: number, cells: string[]) => {
    // Rows the file skips (XLSX) keep their numbers: they arrive as blank rows.
    for (; next < rowNo; next++) push([], null);
    next = rowNo + 1;
    if (cells.some((c) => c.trim() !== '')) nonEmpty++;
    const flag = screenRow(cells);
    push(flag ? [] : cells, flag);
  };
  try {
    await (job.kind === 'csv' ? readCsvRows : readXlsxRows)(job.bytes, job.limits, onRow);
    flush();
    send({ id: job.id, t: 'done', nonEmpty });
  } catch (e) {
    if (e instanceof Refused) send({ id: job.id, t: 'refused', refusal: e.id, params: e.params });
    else if (e instanceof Unreadable) send({ id: job.id, t: 'unreadable', reason: e.message });
    else throw e;
  }
}

port.on('message', (job: ParseJob) => void run(job).catch((e: unknown) => setImmediate(() => { throw e; })));
port.postMessage('ready');
