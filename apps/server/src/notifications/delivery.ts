/**
 * Sends the queued e-mails and webhook calls (the `deliveries` rows notifyAlert and "send test"
 * write), retrying with exponential back-off. Runs in the worker role; any number of worker
 * processes may run it against one PostgreSQL (claims use SKIP LOCKED plus a lease, see repository.ts).
 * Delivery is at least once: a receiver deduplicates on X-PosCare-Delivery.
 */
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { AppContext } from '../platform/context.js';
import { claimDue, recordOutcome, type ClaimedDelivery, type Outcome } from './repository.js';

/** Minutes to wait after failed attempt 1, 2, 3…; the attempt after the last of them is the final one. */
export const BACKOFF_MINUTES = [1, 2, 4, 8, 16] as const;
export const MAX_ATTEMPTS = BACKOFF_MINUTES.length + 1;
const ERROR_MAX = 500;

/** The slice of a nodemailer transport the worker uses, so a test or another transport can stand in. */
export interface Mailer {
  sendMail(m: { from: string; to: string; subject: string; text: string; headers?: Record<string, string> }): Promise<unknown>;
  close(): void;
}

export interface DeliveryWorkerOptions {
  /** Overrides SMTP_URL from the configuration. */
  smtpUrl?: string | undefined;
  /** Overrides SMTP_FROM from the configuration. */
  smtpFrom?: string | undefined;
  /** A ready transport; takes precedence over any SMTP URL. */
  mailer?: Mailer;
  /** How often start()'s loop looks for due deliveries. */
  intervalMs?: number;
  /** Deliveries claimed (and sent concurrently) at a time. */
  batchSize?: number;
  /** A webhook call that has not answered by then counts as failed. */
  timeoutMs?: number;
  /** How long a claimed delivery is hidden from other workers while this one sends it. */
  leaseMs?: number;
}

export interface RunResult {
  sent: number;
  retrying: number;
  failed: number;
}

/** `sha256=<hex>` over `${timestamp}.${body}`: the timestamp is signed so an old call cannot be replayed as new. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** After `attempts` failed attempts: when to try again, or null when that was the last one. */
export function nextAttemptAt(attempts: number, now: Date): Date | null {
  const minutes = BACKOFF_MINUTES[attempts - 1];
  return attempts < MAX_ATTEMPTS && minutes !== undefined ? new Date(now.getTime() + minutes * 60_000) : null;
}

/** A failure that retrying cannot fix (nothing to send with): the row fails at once instead of waiting. */
class PermanentFailure extends Error {}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`HTTP ${status}${detail ? `: ${detail}` : ''}`);
  }
}

export class DeliveryWorker {
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;
  private readonly from: string;
  private readonly mailer: Mailer | null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private ctx: AppContext,
    opts: DeliveryWorkerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 2_000;
    this.batchSize = opts.batchSize ?? 20;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.from = opts.smtpFrom ?? ctx.config.SMTP_FROM;
    const url = opts.smtpUrl ?? ctx.config.SMTP_URL;
    // The URL (with its password) stays inside the transport; it is never logged or stored.
    this.mailer = opts.mailer ?? (url ? nodemailer.createTransport({ url, pool: true, maxConnections: 3, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }) : null);
  }

  /** Sends everything due at `now`; tests drive it with a fake clock. */
  async runDue(now: Date = this.ctx.clock.now()): Promise<RunResult> {
    const result: RunResult = { sent: 0, retrying: 0, failed: 0 };
    for (;;) {
      const batch = await this.ctx.db.rawTransaction((tx) => claimDue(tx, now, this.leaseMs, this.batchSize));
      const outcomes = await Promise.all(batch.map((d) => this.deliver(d, now)));
      for (const kind of outcomes) result[kind]++;
      // Claimed rows move past `now`, so a full batch means there may be more due, never the same ones.
      if (batch.length < this.batchSize) return result;
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // A slow round (receivers timing out) is not overlapped by the next one.
      if (this.running) return;
      this.running = this.runDue()
        .catch((err: unknown) => this.ctx.log.warn({ err }, 'notification deliveries failed to run'))
        .finally(() => (this.running = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    this.mailer?.close();
  }

  private async deliver(d: ClaimedDelivery, now: Date): Promise<Outcome['kind']> {
    const attempts = d.attempts + 1;
    let outcome: Outcome;
    try {
      const responseStatus = d.channel === 'email' ? await this.sendEmail(d) : await this.sendWebhook(d, now);
      outcome = { kind: 'sent', responseStatus };
    } catch (err) {
      const error = describe(err).slice(0, ERROR_MAX);
      const responseStatus = err instanceof HttpFailure ? err.status : null;
      const next = err instanceof PermanentFailure ? null : nextAttemptAt(attempts, now);
      outcome = next ? { kind: 'retrying', nextAttemptAt: next, error, responseStatus } : { kind: 'failed', error, responseStatus };
      // Ids and the error only: targets may be personal (e-mail) and URLs may carry tokens.
      this.ctx.log.warn({ deliveryId: d.id, channel: d.channel, attempts, status: outcome.kind, error }, 'notification delivery failed');
    }
    await recordOutcome(this.ctx.db.orm, d.id, attempts, outcome, now);
    return outcome.kind;
  }

  private async sendEmail(d: ClaimedDelivery): Promise<null> {
    if (!this.mailer) throw new PermanentFailure('SMTP not configured (set SMTP_URL)');
    const p = d.payload as { subject?: string; text?: string };
    await this.mailer.sendMail({ from: this.from, to: d.target, subject: p.subject ?? '', text: p.text ?? '', headers: { 'X-PosCare-Delivery': d.id } });
    return null;
  }

  private async sendWebhook(d: ClaimedDelivery, now: Date): Promise<number> {
    if (!d.secret) throw new PermanentFailure('webhook no longer exists');
    // sentAt is the time of this attempt, so a receiver can tell a late retry from a fresh event.
    const body = JSON.stringify({ ...d.payload, sentAt: now.toISOString() });
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const res = await fetch(d.target, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'PosCare-Webhook/1',
        'X-PosCare-Event': d.event,
        'X-PosCare-Delivery': d.id,
        'X-PosCare-Timestamp': timestamp,
        'X-PosCare-Signature': signWebhook(d.secret, timestamp, body),
      },
      body,
      // A redirect is not followed: the signed call goes only where the admin said.
      redirect: 'manual',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text().catch(() => '');
    if (res.status < 200 || res.status > 299) throw new HttpFailure(res.status, text.slice(0, 200));
    return res.status;
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'timed out';
  // fetch reports "fetch failed" and keeps the useful part (ECONNREFUSED, a DNS error…) in `cause`.
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause ? `${err.message}: ${cause.code ?? cause.message ?? ''}` : err.message;
}
