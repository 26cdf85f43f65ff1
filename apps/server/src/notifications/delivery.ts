/**
 * Sends the queued e-mails and webhook calls (the `deliveries` rows notifyAlert and "send test"
 * write), retrying with exponential back-off. Runs in the worker role; any number of worker
 * processes may run it against one PostgreSQL (claims use SKIP LOCKED plus a lease, see repository.ts).
 * Delivery is at least once: a receiver deduplicates on X-PosCare-Delivery.
 */
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { AppContext } from '../platform/context.js';
import { translate } from '../i18n/messages.js';
import { ChannelRefused, isRobot, sendGroupMessage, sendSms, type ChannelKind, type ChannelMessage, type RobotCredentials, type SmsCredentials, type SmsMessage } from './channels/index.js';
import { openCredentials } from './channels/credentials.js';
import { claimDue, claimSiblings, recordOutcome, reserveSends, type ClaimedDelivery, type Outcome } from './repository.js';

/** Minutes to wait after failed attempt 1, 2, 3…; the attempt after the last of them is the final one. */
export const BACKOFF_MINUTES = [1, 2, 4, 8, 16] as const;
export const MAX_ATTEMPTS = BACKOFF_MINUTES.length + 1;
/** Group robots refuse more than 20 messages a minute (WeCom, DingTalk and Feishu alike). */
export const ROBOT_PER_MINUTE = 20;
/** Lines of a summary before "and N more". */
const SUMMARY_LINES = 30;
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
      // Rows that share a digest key (quiet hours' morning summary) go out as one message.
      const groups = new Map<string, ClaimedDelivery[]>();
      const single: ClaimedDelivery[] = [];
      for (const d of batch) {
        if (!d.digestKey) single.push(d);
        else groups.set(d.digestKey, [...(groups.get(d.digestKey) ?? []), d]);
      }
      for (const [key, rows] of groups) {
        rows.push(...(await this.ctx.db.rawTransaction((tx) => claimSiblings(tx, key, rows.map((r) => r.id), now, this.leaseMs))));
      }
      // A robot's rows are sent together so its per-minute limit is kept (and the overflow summarised).
      const robots = new Map<string, ClaimedDelivery[][]>();
      const plain: ClaimedDelivery[][] = [];
      for (const g of [...single.map((d) => [d]), ...groups.values()]) {
        const ch = g[0]!.notifyChannel;
        if (ch && isRobot(ch.kind)) robots.set(ch.id, [...(robots.get(ch.id) ?? []), g]);
        else plain.push(g);
      }
      const outcomes = (
        await Promise.all([...plain.map((g) => this.deliverGroup(g, now)), ...[...robots.entries()].map(([id, gs]) => this.deliverRobot(id, gs, now))])
      ).flat();
      for (const kind of outcomes) if (kind !== 'waiting') result[kind]++;
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

  /**
   * A robot's due groups: as many as its minute allows go one by one; when more are due than that,
   * the last free send carries a summary of the rest (nothing is dropped); with no send free, they
   * wait for the minute to make room (no attempt is counted).
   */
  private async deliverRobot(channelId: string, groups: ClaimedDelivery[][], now: Date): Promise<Outcome['kind'][]> {
    const { granted, nextRoomAt } = await this.ctx.db.rawTransaction((tx) => reserveSends(tx, channelId, groups.length, ROBOT_PER_MINUTE, now));
    if (granted === 0) {
      await Promise.all(groups.flat().map((d) => recordOutcome(this.ctx.db.orm, d.id, d.attempts, { kind: 'waiting', nextAttemptAt: nextRoomAt }, now)));
      return groups.flat().map(() => 'waiting' as const);
    }
    if (groups.length <= granted) return (await Promise.all(groups.map((g) => this.deliverGroup(g, now)))).flat();
    const alone = groups.slice(0, granted - 1);
    const rest = groups.slice(granted - 1).flat();
    return (await Promise.all([...alone.map((g) => this.deliverGroup(g, now)), this.deliverGroup(rest, now)])).flat();
  }

  /**
   * Sends one message for the rows of `group` (one row: its own message; more: a summary carried by
   * the first row, the others marked sent inside it once it went out; a failure retries them all).
   */
  private async deliverGroup(group: ClaimedDelivery[], now: Date): Promise<Outcome['kind'][]> {
    const d = group[0]!;
    const attempts = d.attempts + 1;
    let outcome: Outcome;
    try {
      const responseStatus = await this.send(d, group, now);
      outcome = { kind: 'sent', responseStatus };
    } catch (err) {
      const error = describe(err).slice(0, ERROR_MAX);
      const responseStatus = err instanceof HttpFailure || err instanceof ChannelRefused ? err.status : null;
      // A provider's refusal (bad signature, keyword missing, unknown template) stays refused: retrying cannot fix it.
      const permanent = err instanceof PermanentFailure || (err instanceof ChannelRefused && !err.retry);
      const next = permanent ? null : nextAttemptAt(attempts, now);
      outcome = next ? { kind: 'retrying', nextAttemptAt: next, error, responseStatus } : { kind: 'failed', error, responseStatus };
      // Ids and the error only: targets may be personal (e-mail, mobile) and URLs may carry tokens.
      this.ctx.log.warn({ deliveryId: d.id, channel: d.channel, attempts, status: outcome.kind, error }, 'notification delivery failed');
    }
    await recordOutcome(this.ctx.db.orm, d.id, attempts, outcome, now);
    const others = group.slice(1);
    await Promise.all(
      others.map((o) =>
        recordOutcome(this.ctx.db.orm, o.id, o.attempts + 1, outcome.kind === 'sent' ? { kind: 'sent', responseStatus: outcome.responseStatus, batchedInto: d.id } : outcome, now),
      ),
    );
    return [outcome.kind, ...others.map(() => outcome.kind)];
  }

  private async send(d: ClaimedDelivery, group: ClaimedDelivery[], now: Date): Promise<number | null> {
    if (d.channel === 'email') return this.sendEmail(d, group);
    if (d.channel === 'webhook') return this.sendWebhook(d, now);
    const ch = d.notifyChannel;
    if (!ch) throw new PermanentFailure('channel no longer exists');
    const stored = { kind: ch.kind as ChannelKind, language: ch.language, settings: ch.settings };
    if (d.channel === 'sms') {
      const creds = openCredentials<SmsCredentials>(this.ctx.config, ch.id, ch.credentials);
      return (await sendSms(stored, creds, d.payload as unknown as SmsMessage, now, this.timeoutMs)).status;
    }
    const creds = openCredentials<RobotCredentials>(this.ctx.config, ch.id, ch.credentials);
    const messages = group.map((g) => (g.payload as { message: ChannelMessage }).message);
    const message = messages.length === 1 ? messages[0]! : summarise(messages, ch.language);
    return (await sendGroupMessage(stored, creds, message, now, this.timeoutMs)).status;
  }

  private async sendEmail(d: ClaimedDelivery, group: ClaimedDelivery[] = [d]): Promise<null> {
    if (!this.mailer) throw new PermanentFailure('SMTP not configured (set SMTP_URL)');
    const p = group.length === 1 ? (d.payload as { subject?: string; text?: string }) : digestEmail(group);
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

/** One group message for many: each title on a line (the first few), then how many more, the on-call person and mentions kept. */
export function summarise(messages: ChannelMessage[], lang: import('@poscare/contracts').Language): ChannelMessage {
  const lines = messages.slice(0, SUMMARY_LINES).map((m) => (m.link ? `${m.title} — ${m.link.url}` : m.title));
  if (messages.length > SUMMARY_LINES) lines.push(translate(lang, 'notify.summary.more', { count: messages.length - SUMMARY_LINES }));
  const mentions = [...new Map(messages.flatMap((m) => m.mentions).map((p) => [p.mobile ?? p.name, p])).values()];
  const onCall = messages.find((m) => m.onCall)?.onCall;
  return { title: translate(lang, 'notify.summary.title', { count: messages.length }), lines, mentions, ...(onCall ? { onCall, mentionText: onCall } : {}) };
}

/** The morning summary of what quiet hours held: one e-mail, each held message in full. */
function digestEmail(group: ClaimedDelivery[]): { subject: string; text: string } {
  const lang = ((group[0]!.payload as { language?: string }).language ?? 'zh-CN') as import('@poscare/contracts').Language;
  const parts = group.map((g) => {
    const p = g.payload as { subject?: string; text?: string };
    return `== ${p.subject ?? ''} ==\n${(p.text ?? '').split('\n-- \n')[0]}`;
  });
  return { subject: translate(lang, 'notify.digest.subject', { count: group.length }), text: `${translate(lang, 'notify.digest.lead', { count: group.length })}\n\n${parts.join('\n\n')}\n\n-- \n${translate(lang, 'notify.email.footer')}\n` };
}
