/**
 * The ingest pipeline: every device message, from MQTT or HTTPS, is checked here and written in
 * batches. A message's promise settles only after its batch has committed, so a QoS 1 PUBACK or an
 * HTTPS 200 means "stored". Re-deliveries are recognised by (terminal, msgId) and stored once.
 * Bad messages are answered, counted and logged with a reason, and never hold up the good ones.
 */
import { containsCardData, DeviceMessage, MAX_MESSAGE_BYTES, type RejectionReason, type Telemetry } from '@poscare/contracts';
import { csvRows, type RawTx } from '../db/client.js';
import { assessHealth } from '../fleet/health.js';
import type { AppContext } from '../platform/context.js';

export type RejectReason = RejectionReason;
export type IngestOutcome = { status: 'stored' | 'duplicate' } | { status: 'rejected'; reason: RejectReason; detail?: string };

export interface Source {
  /** `simulator` is the demo fleet inside the process. */
  channel: 'mqtt' | 'https' | 'simulator';
  orgId: string | null;
  terminalId: string | null;
  topic?: string | undefined;
}

interface Pending {
  source: Source & { orgId: string; terminalId: string };
  msg: DeviceMessage;
  resolve: (o: IngestOutcome) => void;
  reject: (e: unknown) => void;
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
  /** How long the first message of a batch may wait for company. */
  maxDelayMs?: number;
}

export interface IngestStats {
  stored: number;
  duplicates: number;
  rejected: Record<string, number>;
  batches: number;
}

export class IngestPipeline {
  private queue: Pending[] = [];
  private rejections: Rejection[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;
  readonly stats: IngestStats = { stored: 0, duplicates: 0, rejected: {}, batches: 0 };
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;

  constructor(
    private ctx: AppContext,
    opts: PipelineOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 5_000;
    this.maxDelayMs = opts.maxDelayMs ?? 25;
  }

  /** Checks one message and queues it; resolves once it is stored (or known to be a duplicate, or refused). */
  submit(source: Source, payload: Buffer | string | unknown): Promise<IngestOutcome> {
    const size = Buffer.isBuffer(payload) ? payload.length : typeof payload === 'string' ? Buffer.byteLength(payload) : Buffer.byteLength(JSON.stringify(payload) ?? '');
    const refuse = (reason: RejectReason, detail?: string, keepSample = true): Promise<IngestOutcome> => {
      const sample = keepSample ? (Buffer.isBuffer(payload) ? payload.toString('utf8') : typeof payload === 'string' ? payload : JSON.stringify(payload)).slice(0, 500) : null;
      this.refuse(source, reason, detail ?? null, size, sample);
      return Promise.resolve({ status: 'rejected', reason, ...(detail ? { detail } : {}) });
    };
    if (!source.terminalId || !source.orgId) return refuse('unauthenticated');
    if (size > MAX_MESSAGE_BYTES) return refuse('oversized', `${size} bytes > ${MAX_MESSAGE_BYTES}`, false);
    const text = Buffer.isBuffer(payload) || typeof payload === 'string' ? payload.toString() : JSON.stringify(payload);
    // PostgreSQL cannot store NUL in text or jsonb; such a message would fail its whole batch.
    if (text.includes('\\u0000') || text.includes('\u0000')) return refuse('invalid', 'NUL character in message', false);
    let body: unknown = payload;
    if (Buffer.isBuffer(payload) || typeof payload === 'string') {
      try {
        body = JSON.parse(text);
      } catch (e) {
        return refuse('malformed_json', (e as Error).message);
      }
    }
    // Checked before validation so that not even a rejected sample keeps a card number. The envelope
    // (msgId, at) is the terminal's own bookkeeping and is not searched: a numeric msgId is no card.
    const content = body && typeof body === 'object' && 'data' in body ? (body as { data: unknown }).data : body;
    if (containsCardData(content)) return refuse('card_data', 'full card number or track data', false);
    const parsed = DeviceMessage.safeParse(body);
    if (!parsed.success) {
      const detail = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
      return refuse('invalid', detail);
    }
    if (this.closed) return Promise.reject(new Error('ingest pipeline is closed'));
    return new Promise<IngestOutcome>((resolve, reject) => {
      this.queue.push({ source: source as Pending['source'], msg: parsed.data, resolve, reject });
      this.schedule();
    });
  }

  /** Records a refusal decided elsewhere (authentication, topic checks). */
  refuse(source: Source, reason: RejectReason, detail: string | null, size: number, sample: string | null): void {
    this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1;
    this.ctx.log.warn({ channel: source.channel, terminalId: source.terminalId, topic: source.topic, reason, detail }, 'device message rejected');
    if (this.rejections.length < 10_000) this.rejections.push({ source, reason, detail, size, sample, at: this.ctx.clock.now() });
    this.schedule();
  }

  private schedule(): void {
    if (this.queue.length >= this.maxBatch) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.maxDelayMs);
  }

  /** Writes everything queued so far. Batches are written one at a time, in order. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0 && this.rejections.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    const rejections = this.rejections.splice(0);
    this.flushing = this.write(batch, rejections).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
    if (this.queue.length || this.rejections.length) this.schedule();
  }

  private async write(batch: Pending[], rejections: Rejection[]): Promise<void> {
    const now = this.ctx.clock.now();
    for (const r of rejections) if (r.sample) r.sample = r.sample.replace(/\u0000/g, '');
    try {
      const inserted = await this.ctx.db.rawTransaction(async (tx) => {
        const keys = batch.length ? await writeMessages(tx, batch, now) : new Set<string>();
        if (rejections.length) await writeRejections(tx, rejections);
        return keys;
      });
      this.stats.batches++;
      for (const p of batch) {
        const stored = inserted.has(`${p.source.terminalId}/${p.msg.msgId}`);
        if (stored) this.stats.stored++;
        else this.stats.duplicates++;
        p.resolve({ status: stored ? 'stored' : 'duplicate' });
      }
    } catch (err) {
      const code = String((err as { code?: string }).code ?? '');
      // A data error (SQLSTATE class 22/23) comes from some message of the batch: halve the batch until
      // that message stands alone and is refused, so it cannot hold the others hostage.
      if ((code.startsWith('22') || code.startsWith('23')) && batch.length > 1) {
        const mid = Math.ceil(batch.length / 2);
        await this.write(batch.slice(0, mid), []);
        await this.write(batch.slice(mid), []);
        if (rejections.length) this.ctx.log.warn({ dropped: rejections.length }, 'rejection log entries dropped after a data error');
        return;
      }
      if (batch.length === 1 && (code.startsWith('22') || code.startsWith('23'))) {
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
    while (this.flushing) await this.flushing;
  }
}

const TELEMETRY_STAGE = ['org_id', 'terminal_id', 'msg_id', 'at', 'received_at', 'data', 'health', 'reasons', 'app_version', 'os_version'] as const;

/** Writes one batch; returns the `terminal/msgId` keys that were new. */
async function writeMessages(tx: RawTx, batch: Pending[], now: Date): Promise<Set<string>> {
  const tel: unknown[][] = [];
  const evt: unknown[][] = [];
  const txn: unknown[][] = [];
  const ack: unknown[][] = [];
  const seen: unknown[][] = [];
  for (const { source: s, msg: m } of batch) {
    const at = new Date(m.at);
    seen.push([s.terminalId, s.orgId, at]);
    switch (m.kind) {
      case 'telemetry': {
        const h = assessHealth(m.data as Telemetry);
        tel.push([s.orgId, s.terminalId, m.msgId, at, now, m.data, h.health, h.reasons, m.data.app?.version ?? null, m.data.os?.version ?? null]);
        break;
      }
      case 'event':
        evt.push([s.orgId, s.terminalId, m.msgId, at, now, m.data.type, m.data.code ?? null, m.data.message ?? null]);
        break;
      case 'txn': {
        const d = m.data;
        txn.push([s.orgId, s.terminalId, m.msgId, at, now, d.id ?? null, d.stan ?? null, d.rrn ?? null, d.amountMinor ?? null, d.currency ?? null, d.entryMode, d.outcome, d.responseCode ?? null, d.tvr?.toUpperCase() ?? null, d.tsi?.toUpperCase() ?? null, d.cardToken ?? null, d.durationMs ?? null]);
        break;
      }
      case 'cmd_ack':
        ack.push([s.orgId, s.terminalId, m.msgId, at, now, m.data.commandId, m.data.status, m.data.detail ?? null]);
        break;
    }
  }
  const inserted = new Set<string>();
  const collect = (rows: { terminal_id: string; msg_id: string }[]) => rows.forEach((r) => inserted.add(`${r.terminal_id}/${r.msg_id}`));

  if (tel.length) {
    await tx.query(`CREATE TEMP TABLE IF NOT EXISTS stage_telemetry (
      org_id uuid, terminal_id uuid, msg_id text, at timestamptz, received_at timestamptz, data jsonb,
      health text, reasons jsonb, app_version text, os_version text) ON COMMIT DELETE ROWS`);
    await tx.copyIn('stage_telemetry', TELEMETRY_STAGE, csvRows(tel));
    collect(await tx.query(TELEMETRY_SQL));
  }
  if (evt.length) {
    collect(await stageAndInsert(tx, 'device_events', ['org_id', 'terminal_id', 'msg_id', 'at', 'received_at', 'type', 'code', 'message'], evt));
  }
  if (txn.length) {
    collect(
      await stageAndInsert(
        tx,
        'transactions',
        ['org_id', 'terminal_id', 'msg_id', 'at', 'received_at', 'txn_id', 'stan', 'rrn', 'amount_minor', 'currency', 'entry_mode', 'outcome', 'response_code', 'tvr', 'tsi', 'card_token', 'duration_ms'],
        txn,
      ),
    );
  }
  if (ack.length) {
    collect(await stageAndInsert(tx, 'command_acks', ['org_id', 'terminal_id', 'msg_id', 'at', 'received_at', 'command_id', 'status', 'detail'], ack));
  }
  // Any message, of any kind, is a sign of life.
  await tx.query(`CREATE TEMP TABLE IF NOT EXISTS stage_seen (terminal_id uuid, org_id uuid, at timestamptz) ON COMMIT DELETE ROWS`);
  await tx.copyIn('stage_seen', ['terminal_id', 'org_id', 'at'], csvRows(seen));
  await tx.query(`
    INSERT INTO terminal_live (terminal_id, org_id, last_seen_at)
    SELECT terminal_id, min(org_id::text)::uuid, max(at) FROM stage_seen GROUP BY terminal_id
    ON CONFLICT (terminal_id) DO UPDATE SET last_seen_at = greatest(terminal_live.last_seen_at, excluded.last_seen_at)`);
  return inserted;
}

async function stageAndInsert(tx: RawTx, table: string, columns: readonly string[], rows: unknown[][]) {
  await tx.query(`CREATE TEMP TABLE IF NOT EXISTS stage_${table} (LIKE ${table}) ON COMMIT DELETE ROWS`);
  await tx.copyIn(`stage_${table}`, columns, csvRows(rows));
  return tx.query<{ terminal_id: string; msg_id: string }>(
    `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM stage_${table} ON CONFLICT DO NOTHING RETURNING terminal_id, msg_id`,
  );
}

const num = (path: string) => `(data #>> '{${path}}')::float8`;
const rollup = (table: string, bucket: string) => `
  ${table} AS (
    INSERT INTO ${table} (org_id, terminal_id, bucket, samples, battery_sum, battery_n, temp_sum, temp_max, temp_n, signal_sum, signal_n,
      latency_sum, latency_n, loss_sum, loss_n, chip_attempts, chip_failures, ctls_attempts, ctls_failures, mag_attempts, mag_failures)
    SELECT org_id, terminal_id, date_trunc('${bucket}', at), count(*),
      coalesce(sum(${num('battery,pct')}), 0), count(${num('battery,pct')}),
      coalesce(sum(${num('tempC')}), 0), max(${num('tempC')}), count(${num('tempC')}),
      coalesce(sum(${num('network,signalDbm')}), 0), count(${num('network,signalDbm')}),
      coalesce(sum(${num('network,latencyMs')}), 0), count(${num('network,latencyMs')}),
      coalesce(sum(${num('network,lossPct')}), 0), count(${num('network,lossPct')}),
      coalesce(sum(${num('reader,chip,attempts')}), 0), coalesce(sum(${num('reader,chip,failures')}), 0),
      coalesce(sum(${num('reader,contactless,attempts')}), 0), coalesce(sum(${num('reader,contactless,failures')}), 0),
      coalesce(sum(${num('reader,magstripe,attempts')}), 0), coalesce(sum(${num('reader,magstripe,failures')}), 0)
    FROM ins GROUP BY org_id, terminal_id, date_trunc('${bucket}', at)
    ON CONFLICT (terminal_id, bucket) DO UPDATE SET
      samples = ${table}.samples + excluded.samples,
      battery_sum = ${table}.battery_sum + excluded.battery_sum, battery_n = ${table}.battery_n + excluded.battery_n,
      temp_sum = ${table}.temp_sum + excluded.temp_sum, temp_n = ${table}.temp_n + excluded.temp_n,
      temp_max = greatest(${table}.temp_max, excluded.temp_max),
      signal_sum = ${table}.signal_sum + excluded.signal_sum, signal_n = ${table}.signal_n + excluded.signal_n,
      latency_sum = ${table}.latency_sum + excluded.latency_sum, latency_n = ${table}.latency_n + excluded.latency_n,
      loss_sum = ${table}.loss_sum + excluded.loss_sum, loss_n = ${table}.loss_n + excluded.loss_n,
      chip_attempts = ${table}.chip_attempts + excluded.chip_attempts, chip_failures = ${table}.chip_failures + excluded.chip_failures,
      ctls_attempts = ${table}.ctls_attempts + excluded.ctls_attempts, ctls_failures = ${table}.ctls_failures + excluded.ctls_failures,
      mag_attempts = ${table}.mag_attempts + excluded.mag_attempts, mag_failures = ${table}.mag_failures + excluded.mag_failures
    RETURNING 1
  )`;

/**
 * One statement: new samples into the raw table, their roll-ups merged into the minute and hour
 * tables, and the newest sample of each terminal into its live state (older, late-arriving samples
 * never overwrite a newer state).
 */
const TELEMETRY_SQL = `
  WITH ins AS (
    INSERT INTO telemetry_raw (org_id, terminal_id, msg_id, at, received_at, data)
    SELECT org_id, terminal_id, msg_id, at, received_at, data FROM stage_telemetry
    ON CONFLICT DO NOTHING
    RETURNING org_id, terminal_id, msg_id, at, data
  ),
  ${rollup('telemetry_minute', 'minute')},
  ${rollup('telemetry_hour', 'hour')},
  latest AS (
    SELECT DISTINCT ON (terminal_id) terminal_id, org_id, at, data, health, reasons, app_version, os_version
    FROM stage_telemetry ORDER BY terminal_id, at DESC
  ),
  live AS (
    INSERT INTO terminal_live (terminal_id, org_id, last_seen_at, last_telemetry_at, telemetry, health, health_reasons, app_version, os_version)
    SELECT terminal_id, org_id, at, at, data, health, reasons, app_version, os_version FROM latest
    ON CONFLICT (terminal_id) DO UPDATE SET
      last_seen_at = greatest(terminal_live.last_seen_at, excluded.last_seen_at),
      last_telemetry_at = excluded.last_telemetry_at, telemetry = excluded.telemetry, health = excluded.health,
      health_reasons = excluded.health_reasons,
      app_version = coalesce(excluded.app_version, terminal_live.app_version),
      os_version = coalesce(excluded.os_version, terminal_live.os_version)
    WHERE terminal_live.last_telemetry_at IS NULL OR excluded.last_telemetry_at >= terminal_live.last_telemetry_at
    RETURNING 1
  )
  SELECT terminal_id, msg_id FROM ins`;

async function writeRejections(tx: RawTx, rs: Rejection[]) {
  await tx.copyIn(
    'rejected_messages',
    ['org_id', 'terminal_id', 'channel', 'topic', 'reason', 'detail', 'size_bytes', 'sample', 'received_at'],
    csvRows(rs.map((r) => [r.source.orgId, r.source.terminalId, r.source.channel, r.source.topic ?? null, r.reason, r.detail, r.size, r.sample, r.at])),
  );
}
