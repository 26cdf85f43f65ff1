/**
 * The ingest pipeline: every device message, from MQTT or HTTPS, is checked here and written in
 * batches. A message's promise settles only after its batch has committed, so a QoS 1 PUBACK or an
 * HTTPS 200 means "stored". Re-deliveries are recognised by their key and stored once. Bad messages
 * are answered, counted and logged with a reason, and never hold up the good ones.
 *
 * Messages are spread over writer lanes by terminal. Each lane writes one batch at a time, in its
 * own transaction, while the next batch gathers; on PostgreSQL several lanes write in parallel, each
 * on its own connection. A terminal always goes to the same lane, so two concurrent transactions of
 * one process never touch the same terminal's live state or roll-ups: no lock waits between lanes,
 * and a terminal's messages are written in the order they came.
 *
 * Under heavy MQTT traffic, checking and preparing messages moves to a thread of its own
 * (decodeThread.ts), leaving this thread the broker and the writes.
 */
import { RETRYABLE_SQLSTATES } from '../db/retry.js';
import type { RejectionReason } from '@poscare/contracts';
import { csvRows, type RawTx } from '../db/client.js';
import type { AppContext } from '../platform/context.js';
import { decodeMessage, type Decoded } from './decode.js';
import { DecodeThread } from './decodeThread.js';
import { DayPartitions, TelemetryPartitions } from './partitions.js';
import { prepare, writeBatch, type Accepted, type Prepared } from './store.js';

export type RejectReason = RejectionReason;
export type IngestOutcome = { status: 'stored' | 'duplicate' } | { status: 'rejected'; reason: RejectReason; detail?: string };

export interface Source {
  /** `simulator` is the demo fleet inside the process. */
  channel: 'mqtt' | 'https' | 'simulator';
  orgId: string | null;
  terminalId: string | null;
  topic?: string | undefined;
}

interface Pending extends Accepted {
  resolve: (o: IngestOutcome) => void;
  reject: (e: unknown) => void;
  source: Source;
}

interface Rejection {
  source: Source;
  reason: RejectReason;
  detail: string | null;
  size: number;
  sample: string | null;
  at: Date;
}

export interface PipelineOptions {
  /** Largest batch written in one transaction. */
  maxBatch?: number;
  /** How long the first message of a batch may wait for company when its lane is idle. */
  maxDelayMs?: number;
  /** Writer lanes (parallel transactions). Default: 1 on PGlite (one connection), 3 on PostgreSQL. */
  writers?: number;
  /**
   * Where MQTT payloads are checked and prepared: `auto` (default) moves them to a thread of their own
   * once more than DECODE_THREAD_AT arrive within a second; `always`, `never`.
   */
  decodeThread?: 'auto' | 'always' | 'never';
}

/** MQTT messages per second from which decoding moves to its own thread (when `decodeThread` is `auto`). */
export const DECODE_THREAD_AT = 2_000;

export interface IngestStats {
  stored: number;
  duplicates: number;
  rejected: Record<string, number>;
  batches: number;
  /** Batches written again in the careful mode because some row was already stored. */
  carefulBatches: number;
}

interface Lane {
  queue: Pending[];
  busy: boolean;
  timer: NodeJS.Timeout | null;
}

const DATA_ERROR = /^2[23]/;

export class IngestPipeline {
  private lanes: Lane[];
  private thread: DecodeThread | null = null;
  private readonly threadMode: 'auto' | 'always' | 'never';
  private rate = { since: 0, count: 0 };
  /** Messages handed to the decode thread and not yet queued or refused. */
  private decoding = 0;
  private rejections: Rejection[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  readonly stats: IngestStats = { stored: 0, duplicates: 0, rejected: {}, batches: 0, carefulBatches: 0 };
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  readonly partitions: TelemetryPartitions;
  /** Day partitions of transactions, kept as long as roll-ups (ROLLUP_RETENTION_DAYS). */
  readonly txnPartitions: DayPartitions;
  private committedListeners: ((batch: readonly Accepted[], stored: readonly boolean[]) => void)[] = [];
  private commitHooks: ((tx: RawTx, batch: readonly Accepted[], stored: readonly boolean[]) => Promise<void>)[] = [];

  constructor(
    private ctx: AppContext,
    opts: PipelineOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 5_000;
    this.maxDelayMs = opts.maxDelayMs ?? 25;
    const writers = opts.writers ?? (ctx.db.kind === 'postgres' ? 3 : 1);
    this.lanes = Array.from({ length: writers }, () => ({ queue: [], busy: false, timer: null }));
    this.partitions = new TelemetryPartitions(ctx.db, () => ctx.config.TELEMETRY_RETENTION_DAYS);
    this.txnPartitions = new DayPartitions(ctx.db, () => ctx.config.ROLLUP_RETENTION_DAYS, 'transactions');
    this.threadMode = opts.decodeThread ?? 'auto';
  }

  /** Messages waiting to be written or being decoded: the ingest queue depth /metrics reports. */
  get depth(): number {
    return this.decoding + this.lanes.reduce((n, l) => n + l.queue.length, 0);
  }

  /** Called after each batch commits, with the records and which of them were new (alerts evaluate them). */
  onCommitted(fn: (batch: readonly Accepted[], stored: readonly boolean[]) => void): void {
    this.committedListeners.push(fn);
  }

  /**
   * Runs in each batch's transaction, after its rows are written, with which of them are new: what it
   * writes commits with the batch or not at all (alerts/partitions.ts hands samples off this way).
   */
  beforeCommit(fn: (tx: RawTx, batch: readonly Accepted[], stored: readonly boolean[]) => Promise<void>): void {
    this.commitHooks.push(fn);
  }

  /**
   * Checks one message and queues it; resolves once it is stored (or known to be a duplicate, or refused).
   * It rejects only when the message could not be stored (database trouble; the sender should re-send),
   * never because of what the message holds: a message that makes any check fail is refused and logged.
   */
  submit(source: Source, payload: Buffer | string | unknown): Promise<IngestOutcome> {
    try {
      return this.check(source, payload);
    } catch (err) {
      return Promise.resolve(this.failedCheck(source, err));
    }
  }

  private check(source: Source, payload: Buffer | string | unknown): Promise<IngestOutcome> {
    if (!source.terminalId || !source.orgId) {
      const text = Buffer.isBuffer(payload) || typeof payload === 'string' ? payload.toString() : null;
      this.refuse(source, 'unauthenticated', null, text === null ? 0 : Buffer.byteLength(text), text?.slice(0, 500) ?? null);
      return Promise.resolve({ status: 'rejected', reason: 'unauthenticated' });
    }
    const received = this.receivedAt();
    if (Buffer.isBuffer(payload) && this.useThread()) {
      if (this.closed) return Promise.reject(new Error('ingest pipeline is closed'));
      this.decoding++;
      return this.thread!.decode(payload, source.orgId, source.terminalId, received).then(
        (d) => {
          this.decoding--;
          let outcome: Promise<IngestOutcome>;
          try {
            outcome = d.ok ? this.enqueue(source, d.rec) : this.refuseDecoded(source, d);
          } catch (err) {
            outcome = Promise.resolve(this.failedCheck(source, err));
          }
          this.notifyIdle();
          return outcome;
        },
        // The thread failed (it logged why): this message, like the next ones, is decoded here.
        () => {
          this.decoding--;
          let outcome: Promise<IngestOutcome>;
          try {
            outcome = this.decodeHere(source, payload, received);
          } catch (err) {
            outcome = Promise.resolve(this.failedCheck(source, err));
          }
          this.notifyIdle();
          return outcome;
        },
      );
    }
    return this.decodeHere(source, payload, received);
  }

  /** A check that threw: a defect of ours, answered as a refusal of this message alone. */
  private failedCheck(source: Source, err: unknown): IngestOutcome {
    this.ctx.log.error({ err, channel: source.channel, terminalId: source.terminalId }, 'checking a device message failed; the message is refused');
    const detail = 'could not be checked';
    this.refuse(source, 'invalid', detail, 0, null);
    return { status: 'rejected', reason: 'invalid', detail };
  }

  private decodeHere(source: Source, payload: unknown, received: string): Promise<IngestOutcome> {
    const d = decodeMessage(payload);
    if (!d.ok) return this.refuseDecoded(source, d);
    if (this.closed) return Promise.reject(new Error('ingest pipeline is closed'));
    return this.enqueue(source, prepare(d.msg, source.orgId!, source.terminalId!, received));
  }

  private refuseDecoded(source: Source, d: Exclude<Decoded, { ok: true }>): Promise<IngestOutcome> {
    this.refuse(source, d.reason, d.detail ?? null, d.size, d.sample);
    return Promise.resolve({ status: 'rejected', reason: d.reason, ...(d.detail ? { detail: d.detail } : {}) });
  }

  /** Queues a prepared message for its lane; also after close() began, for what was being decoded then. */
  private enqueue(source: Source, rec: Prepared): Promise<IngestOutcome> {
    const lane = this.lanes[laneOf(source.terminalId!, this.lanes.length)]!;
    return new Promise<IngestOutcome>((resolve, reject) => {
      lane.queue.push({ orgId: source.orgId!, terminalId: source.terminalId!, rec, source, resolve, reject });
      this.schedule(lane);
    });
  }

  private useThread(): boolean {
    // `auto` decodes here until the thread has loaded, so that switching never stalls the stream.
    if (this.thread) return this.threadMode === 'always' ? !this.thread.broken : this.thread.ready;
    if (this.threadMode === 'never') return false;
    if (this.threadMode === 'auto') {
      const now = Date.now();
      if (now - this.rate.since > 1_000) this.rate = { since: now, count: 0 };
      if (++this.rate.count <= DECODE_THREAD_AT) return false;
    }
    this.thread = new DecodeThread(this.ctx.log);
    return this.threadMode === 'always';
  }

  private lastReceived = { ms: NaN, iso: '' };
  /** Now, as stored in received_at; one string per millisecond however many messages arrive in it. */
  private receivedAt(): string {
    const ms = this.ctx.clock.now().getTime();
    if (ms !== this.lastReceived.ms) this.lastReceived = { ms, iso: new Date(ms).toISOString() };
    return this.lastReceived.iso;
  }

  /** Records a refusal decided elsewhere (authentication, topic checks). */
  refuse(source: Source, reason: RejectReason, detail: string | null, size: number, sample: string | null): void {
    this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1;
    this.ctx.log.warn({ channel: source.channel, terminalId: source.terminalId, topic: source.topic, reason, detail }, 'device message rejected');
    // Everything here may come from outside and goes into one COPY with other refusals: each field is
    // made storable (no NUL, which PostgreSQL text cannot hold; ids only when they are UUIDs), so one
    // refusal can never fail the log of the others.
    const entry: Rejection = {
      source: { channel: source.channel, orgId: uuidOrNull(source.orgId), terminalId: uuidOrNull(source.terminalId), topic: storable(source.topic ?? null, 300) ?? undefined },
      reason,
      detail: storable(detail, 1000),
      size: Number.isSafeInteger(size) && size >= 0 && size < 2 ** 31 ? size : 0,
      sample: storable(sample, 500),
      at: this.ctx.clock.now(),
    };
    if (this.rejections.length < 10_000) this.rejections.push(entry);
    this.schedule(this.lanes[0]!);
  }

  private schedule(lane: Lane): void {
    // A busy lane takes everything queued as soon as its write is done.
    if (lane.busy) return;
    if (lane.queue.length >= this.maxBatch) this.start(lane);
    else if (!lane.timer) lane.timer = setTimeout(() => this.start(lane), this.maxDelayMs);
  }

  private start(lane: Lane): void {
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = null;
    }
    if (lane.busy) return;
    const rejections = lane === this.lanes[0] || this.lanes[0]!.busy ? this.rejections.splice(0) : [];
    if (lane.queue.length === 0 && rejections.length === 0) return this.notifyIdle();
    lane.busy = true;
    const batch = lane.queue.splice(0, this.maxBatch);
    void this.write(batch, rejections).finally(() => {
      lane.busy = false;
      // What gathered meanwhile has waited long enough: write it at once.
      if (lane.queue.length || (lane === this.lanes[0] && this.rejections.length)) this.start(lane);
      else this.notifyIdle();
    });
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters.splice(0);
    for (const w of waiters) w();
  }

  private isIdle(): boolean {
    return this.decoding === 0 && this.rejections.length === 0 && this.lanes.every((l) => !l.busy && l.queue.length === 0);
  }

  /** Writes everything queued so far and waits until it is written. */
  async flush(): Promise<void> {
    for (const lane of this.lanes) this.start(lane);
    while (!this.isIdle()) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        for (const lane of this.lanes) if (!lane.busy) this.start(lane);
      });
    }
  }

  private async write(batch: Pending[], rejections: Rejection[], careful = false, attempt = 0): Promise<void> {
    const now = this.ctx.clock.now();
    try {
      const ats: number[] = [];
      const txnAts: number[] = [];
      for (const p of batch) {
        if (p.rec.kind === 'telemetry') ats.push(p.rec.atMs);
        else if (p.rec.kind === 'txn') txnAts.push(p.rec.atMs);
      }
      if (ats.length) await this.partitions.ensure(ats, now.getTime());
      if (txnAts.length) await this.txnPartitions.ensure(txnAts, now.getTime());
      const stored = await this.ctx.db.rawTransaction(async (tx) => {
        const s = batch.length ? await writeBatch(tx, batch, careful) : [];
        if (rejections.length) await writeRejections(tx, rejections);
        for (const hook of this.commitHooks) if (batch.length) await hook(tx, batch, s);
        return s;
      });
      this.stats.batches++;
      if (careful) this.stats.carefulBatches++;
      for (let i = 0; i < batch.length; i++) {
        if (stored[i]) this.stats.stored++;
        else this.stats.duplicates++;
        batch[i]!.resolve({ status: stored[i] ? 'stored' : 'duplicate' });
      }
      for (const fn of this.committedListeners) {
        try {
          fn(batch, stored);
        } catch (err) {
          this.ctx.log.error({ err }, 'a listener of committed ingest batches failed');
        }
      }
    } catch (err) {
      const code = String((err as { code?: string }).code ?? '');
      // Some row was stored before (a re-delivery): write the batch again, finding out which rows are new.
      if (code === '23505' && !careful) return this.write(batch, rejections, true, attempt);
      // Another ingest process held rows this batch needed: try again.
      if (RETRYABLE_SQLSTATES.has(code) && attempt < 5) return this.write(batch, rejections, careful, attempt + 1);
      // A data error (SQLSTATE class 22/23) comes from some message of the batch: halve the batch until
      // that message stands alone and is refused, so it cannot hold the others hostage.
      if (DATA_ERROR.test(code) && batch.length > 1) {
        const mid = Math.ceil(batch.length / 2);
        await this.write(batch.slice(0, mid), [], careful);
        await this.write(batch.slice(mid), [], careful);
        if (rejections.length) this.ctx.log.warn({ dropped: rejections.length }, 'rejection log entries dropped after a data error');
        return;
      }
      if (batch.length === 1 && DATA_ERROR.test(code)) {
        const p = batch[0]!;
        this.refuse(p.source, 'invalid', `not storable: ${(err as Error).message}`, 0, null);
        p.resolve({ status: 'rejected', reason: 'invalid', detail: 'not storable' });
        return;
      }
      // Nothing of this batch was committed: every sender is told, and re-sends (QoS 1 does so by itself).
      this.ctx.log.error({ err, size: batch.length }, 'ingest batch failed');
      for (const p of batch) p.reject(err);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.thread?.close();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrNull = (id: string | null) => (id !== null && UUID.test(id) ? id : null);
/** Text PostgreSQL can store (no NUL), cut to `max` characters. */
const storable = (text: string | null, max: number) => (text === null ? null : text.slice(0, max).replace(/\u0000/g, ''));

/** A terminal's lane: a small string hash of its id. */
function laneOf(terminalId: string, lanes: number): number {
  if (lanes === 1) return 0;
  let h = 0;
  for (let i = 0; i < terminalId.length; i++) h = (h * 31 + terminalId.charCodeAt(i)) | 0;
  return (h >>> 0) % lanes;
}

async function writeRejections(tx: RawTx, rs: Rejection[]) {
  await tx.copyIn(
    'rejected_messages',
    ['org_id', 'terminal_id', 'channel', 'topic', 'reason', 'detail', 'size_bytes', 'sample', 'received_at'],
    csvRows(rs.map((r) => [r.source.orgId, r.source.terminalId, r.source.channel, r.source.topic ?? null, r.reason, r.detail, r.size, r.sample, r.at])),
  );
}
