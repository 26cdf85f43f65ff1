/**
 * Decoding on a thread of its own. Checking and preparing a telemetry message (JSON, the contract's
 * checks, the raw row) costs about as much CPU as writing it; on the main thread it competes with the
 * broker and, on PGlite, with the database itself, which runs in the same thread. So once MQTT traffic
 * is heavy, the pipeline hands payloads to this thread in batches (whatever arrived in one turn of the
 * event loop) and gets back what the writer needs. The answers are the same as on the main thread:
 * the same functions run here.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { METRIC_COUNT, READERS } from '@poscare/alerts';
import type { Decoded } from './decode.js';
import { Signal } from './rollups.js';
import type { PreparedOther, PreparedTelemetry, Prepared } from './store.js';

export interface DecodeRequest {
  batch: number;
  data: ArrayBuffer;
  offsets: Uint32Array;
  orgIds: string[];
  terminalIds: string[];
  received: string[];
}

/** Numbers per telemetry record in a reply's `numbers`: chart signals, alert metrics, reader attempts and failures. */
const READ_COUNT = READERS.length * 2;
export const NUMBERS_STRIDE = Signal.Count + METRIC_COUNT + READ_COUNT;

/**
 * A prepared record as it crosses threads: strings and plain numbers only. A telemetry record's line is
 * an index into the reply's `lines`, and its numbers are the same index's stretch of `numbers`.
 */
export type DecodeResult =
  | Exclude<Decoded, { ok: true }>
  | { ok: true; rec: (Omit<PreparedTelemetry, 'line' | 'signals' | 'features'> & { line: number }) | PreparedOther };

export interface DecodeReply {
  batch: number;
  results: DecodeResult[];
  lines: ArrayBuffer;
  lineOffsets: Uint32Array;
  /** NUMBERS_STRIDE numbers per telemetry record, in the order of `lines`. */
  numbers: ArrayBuffer;
}

/** The thread could not answer a batch: its messages are decoded on the main thread. */
export interface DecodeFailed {
  batch: number;
  failed: string;
}

export type Outcome = Exclude<Decoded, { ok: true }> | { ok: true; rec: Prepared };

/** The worker is TypeScript, like the rest of the server: it registers tsx, then loads decodeWorker.ts. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
// Compiled (dist/, decision 010), the worker is JavaScript next to this file and needs no tsx.
const WORKER_BOOT = import.meta.url.endsWith('.js')
  ? `import(${JSON.stringify(new URL('./decodeWorker.js', import.meta.url).href)})`
  : `import(${JSON.stringify(TSX)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./decodeWorker.ts', import.meta.url).href)}); })`;

interface Waiting {
  resolve: (o: Outcome) => void;
  reject: (e: unknown) => void;
}

export class DecodeThread {
  private worker: Worker;
  private queued: { payload: Buffer; orgId: string; terminalId: string; received: string; waiting: Waiting }[] = [];
  private inFlight = new Map<number, Waiting[]>();
  private nextBatch = 1;
  private scheduled = false;
  private failed: Error | null = null;
  private started = false;

  constructor(private log: Logger) {
    this.worker = new Worker(WORKER_BOOT, { eval: true });
    this.worker.unref();
    this.worker.on('message', (reply: DecodeReply | DecodeFailed | 'ready') => {
      if (reply === 'ready') this.started = true;
      else if ('failed' in reply) this.onFailed(reply);
      else {
        try {
          this.onReply(reply);
        } catch (err) {
          // A promise already settled ignores this; the others are decoded on the main thread.
          this.log.error({ err }, 'a decode thread reply could not be read; decoding its messages on the main thread');
          for (const w of this.settling) w.reject(err);
          this.settling = [];
        }
      }
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`decode thread exited (${code})`)));
  }

  get broken(): boolean {
    return this.failed !== null;
  }

  /** Loaded and working. Loading takes a moment, in which messages wait for it. */
  get ready(): boolean {
    return this.started && this.failed === null;
  }

  decode(payload: Buffer, orgId: string, terminalId: string, received: string): Promise<Outcome> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queued.push({ payload, orgId, terminalId, received, waiting: { resolve, reject } });
      if (!this.scheduled) {
        this.scheduled = true;
        // Everything that arrives in this turn of the event loop goes in one message.
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.scheduled = false;
    const items = this.queued.splice(0);
    if (!items.length) return;
    const offsets = new Uint32Array(items.length + 1);
    for (let i = 0; i < items.length; i++) offsets[i + 1] = offsets[i]! + items[i]!.payload.length;
    const data = new Uint8Array(offsets[items.length]!);
    for (let i = 0; i < items.length; i++) data.set(items[i]!.payload, offsets[i]);
    const batch = this.nextBatch++;
    this.inFlight.set(batch, items.map((x) => x.waiting));
    const req: DecodeRequest = { batch, data: data.buffer, offsets, orgIds: items.map((x) => x.orgId), terminalIds: items.map((x) => x.terminalId), received: items.map((x) => x.received) };
    this.worker.postMessage(req, [data.buffer]);
  }

  private onFailed(reply: DecodeFailed): void {
    const waiting = this.inFlight.get(reply.batch);
    if (!waiting) return;
    this.inFlight.delete(reply.batch);
    this.log.error({ err: reply.failed, messages: waiting.length }, 'decode thread could not answer a batch; decoding it on the main thread');
    const err = new Error(`decode thread: ${reply.failed}`);
    for (const w of waiting) w.reject(err);
  }

  /** The batch whose reply is being handed out, for the case that fails halfway. */
  private settling: Waiting[] = [];

  private onReply(reply: DecodeReply): void {
    const waiting = this.inFlight.get(reply.batch);
    if (!waiting) return;
    this.inFlight.delete(reply.batch);
    this.settling = waiting;
    const lines = Buffer.from(reply.lines);
    const numbers = new Float64Array(reply.numbers);
    for (let i = 0; i < reply.results.length; i++) {
      const r = reply.results[i]!;
      if (r.ok && r.rec.kind === 'telemetry') {
        // The record is this thread's own copy: its indexes become views of the reply's arrays.
        const k = r.rec.line;
        const rec = r.rec as unknown as PreparedTelemetry;
        rec.line = lines.subarray(reply.lineOffsets[k], reply.lineOffsets[k + 1]);
        const at = k * NUMBERS_STRIDE;
        rec.signals = numbers.subarray(at, at + Signal.Count);
        rec.features = {
          metrics: numbers.subarray(at + Signal.Count, at + Signal.Count + METRIC_COUNT),
          reads: numbers.subarray(at + Signal.Count + METRIC_COUNT, at + NUMBERS_STRIDE),
        };
      }
      waiting[i]!.resolve(r as Outcome);
    }
    this.settling = [];
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.log.error({ err }, 'decode thread failed; decoding on the main thread from now on');
    for (const waiting of this.inFlight.values()) for (const w of waiting) w.reject(err);
    this.inFlight.clear();
    for (const q of this.queued.splice(0)) q.waiting.reject(err);
  }

  async close(): Promise<void> {
    this.failed ??= new Error('decode thread closed');
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
