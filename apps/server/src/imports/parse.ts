/**
 * Reads an uploaded CSV or XLSX file into a header and string cells, whatever the spreadsheet produced.
 * The reading happens on a thread of its own (parseWorker.ts), streamed, with the row cap and the
 * unpacked-size cap enforced while reading, inside a memory and time budget: a hostile file costs
 * that thread, never the main thread that answers health checks, MQTT and every other request.
 * At most PARALLEL_READS threads exist; they are kept warm between files and ended when over budget.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errors } from '../errors/errors.js';
import type { ParseJob, ParseMessage } from './parseWorker.js';
import type { RowFlag } from './screen.js';
import type { ReadLimits } from './sheetReader.js';

export interface Sheet {
  header: string[];
  /** Data rows; rows[i] is file row i + 2 (the header is row 1). A refused row (flags[i]) has no cells. */
  rows: string[][];
  /** Why rows[i] was refused where it was read (card data, NUL, a cell too long), if it was. */
  flags?: (RowFlag | null)[];
}

export type FileKind = 'csv' | 'xlsx';
export type { ReadLimits };

/** Memory of one import thread; past it the thread is ended and the file refused. */
export const READ_MEMORY_MB = 512;
/** Time one file may take to read. */
export const READ_TIMEOUT_MS = 120_000;
/** Files read at once; more wait their turn, so concurrent uploads cannot multiply the memory. */
const PARALLEL_READS = 2;

export function detectKind(filename: string | undefined, bytes: Buffer): FileKind {
  const isZip = bytes.length > 3 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const ext = filename?.toLowerCase().split('.').pop();
  if (isZip || ext === 'xlsx') {
    if (!isZip) throw errors.importUnreadable('not an XLSX workbook');
    return 'xlsx';
  }
  if (ext && !['csv', 'txt'].includes(ext)) throw errors.importUnsupported();
  if (looksBinary(bytes)) throw errors.importUnsupported();
  return 'csv';
}

/** UTF-16 text and binary files are full of NUL bytes; a stray NUL inside a cell is a row problem instead. */
function looksBinary(bytes: Buffer): boolean {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return true;
  const head = bytes.subarray(0, 1024);
  let nul = 0;
  for (const b of head) if (b === 0) nul++;
  return nul > 0 && nul * 10 >= head.length;
}

/** The import thread is TypeScript, like the rest of the server: it registers tsx, then loads parseWorker.ts. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
// Compiled (dist/, decision 010), the worker is JavaScript next to this file and needs no tsx.
const WORKER_BOOT = import.meta.url.endsWith('.js')
  ? `import(${JSON.stringify(new URL('./parseWorker.js', import.meta.url).href)})`
  : `import(${JSON.stringify(TSX)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./parseWorker.ts', import.meta.url).href)}); })`;

type Listener = (m: ParseMessage) => void;

/**
 * One import thread, kept after its file for the next one: starting a thread (tsx, exceljs) costs far
 * more than reading a small file. A thread that passed its budget, or failed, is ended, never reused.
 */
class ImportThread {
  private readonly worker: Worker;
  private listener: Listener | null = null;
  private failure: ((err: Error) => void) | null = null;
  dead = false;

  constructor() {
    this.worker = new Worker(WORKER_BOOT, { eval: true, resourceLimits: { maxOldGenerationSizeMb: READ_MEMORY_MB } });
    this.worker.unref();
    this.worker.on('message', (m: ParseMessage | 'ready') => m !== 'ready' && this.listener?.(m));
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('exit', (code) => this.die(new Error(`import thread exited (${code})`)));
  }

  private die(err: Error) {
    if (this.dead) return;
    this.dead = true;
    this.failure?.(err);
  }

  run(job: ParseJob, listener: Listener, failure: (err: Error) => void) {
    this.listener = listener;
    this.failure = failure;
    // Held while it works (the CLI must not exit under it), let go while it waits for the next file.
    this.worker.ref();
    this.worker.postMessage(job, [job.bytes.buffer as ArrayBuffer]);
  }

  idle() {
    this.listener = null;
    this.failure = null;
    this.worker.unref();
  }

  end() {
    this.dead = true;
    void this.worker.terminate();
  }
}

const idle: ImportThread[] = [];
const queue: ((t: ImportThread) => void)[] = [];
let threads = 0;
let nextJob = 1;

async function acquire(): Promise<ImportThread> {
  const warm = idle.pop();
  if (warm) return warm;
  if (threads < PARALLEL_READS) {
    threads++;
    return new ImportThread();
  }
  return new Promise((resolve) => queue.push(resolve));
}

function release(t: ImportThread) {
  if (t.dead) {
    threads--;
    const waiter = queue.shift();
    if (waiter) {
      threads++;
      waiter(new ImportThread());
    }
    return;
  }
  t.idle();
  const waiter = queue.shift();
  if (waiter) waiter(t);
  else idle.push(t);
}

export async function readSheet(kind: FileKind, bytes: Buffer, limits: ReadLimits): Promise<Sheet> {
  const thread = await acquire();
  try {
    const { table, flags, nonEmpty } = await readInThread(thread, kind, bytes, limits);
    if (table.length === 0 || nonEmpty === 0) throw errors.importUnreadable('the file is empty');
    // Keep row numbering true to the file: blank lines keep their place but are not data.
    return { header: table[0]!.map((h) => h.trim()), rows: table.slice(1), flags: flags.slice(1) };
  } finally {
    release(thread);
  }
}

type Read = { table: string[][]; flags: (RowFlag | null)[]; nonEmpty: number };

function readInThread(thread: ImportThread, kind: FileKind, bytes: Buffer, limits: ReadLimits): Promise<Read> {
  // The thread gets its own copy of the bytes, handed over without a second copy.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const job: ParseJob = { id: nextJob++, kind, bytes: copy, limits };
  const table: string[][] = [];
  const flags: (RowFlag | null)[] = [];
  return new Promise<Read>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void, endThread = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (endThread) thread.end();
      fn();
    };
    const timer = setTimeout(() => settle(() => reject(errors.importReadLimit(`${READ_TIMEOUT_MS / 1000} s`)), true), READ_TIMEOUT_MS);
    thread.run(
      job,
      (m) => {
        if (settled || m.id !== job.id) return;
        switch (m.t) {
          case 'rows':
            for (let i = 0; i < m.rows.length; i++) {
              table.push(m.rows[i]!);
              flags.push(m.flags[i]!);
            }
            return;
          case 'done':
            return settle(() => resolve({ table, flags, nonEmpty: m.nonEmpty }));
          case 'refused':
            return settle(() => reject(errors.importRefused(m.refusal, m.params)));
          case 'unreadable':
            return settle(() => reject(errors.importUnreadable(m.reason)));
        }
      },
      (err: Error & { code?: string }) =>
        settle(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? errors.importReadLimit(`${READ_MEMORY_MB} MiB`) : err), true),
    );
  });
}
