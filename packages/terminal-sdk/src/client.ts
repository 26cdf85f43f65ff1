/**
 * TerminalClient: what a terminal needs to talk to PosCare. Every message is checked before it is
 * queued (so a bad call fails at the caller, with the field named), kept in a bounded outbox while the
 * channel is down, and sent in batches once it is up. Commands arrive through `onCommand`.
 */
import { DeviceCommand, type DeviceMessage, type DeviceMessageKind } from '@poscare/contracts';
import { ClientClosedError, CommandInvalidError, ConfigError, TerminalSdkError, UnauthenticatedError } from './errors.js';
import { MessageIdFactory, type RandomSource } from './messageIds.js';
import { buildMessage, checkOutgoing, zodIssues, type AckStatus, type EventData, type MessageData, type MessageOf, type TelemetryData, type TransactionData } from './messages.js';
import { BoundedQueue } from './queue.js';
import { backoffDelay, DEFAULT_RETRY, isRetryable, withRetry, type RetryPolicy } from './retry.js';
import { HttpsTransport } from './transports/https.js';
import { MqttTransport, type MqttTransportOptions } from './transports/mqtt.js';
import type { DeliveryReport, Transport } from './transports/transport.js';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface TerminalClientOptions {
  orgId: string;
  terminalId: string;
  secret: string;
  /** 'mqtt', 'https', or a Transport of your own. */
  transport: 'mqtt' | 'https' | Transport;
  mqttUrl?: string;
  httpBaseUrl?: string;
  /** Stamps messages sent without an explicit time. */
  clock?: Clock;
  /** Outbox size in messages; the oldest go first when it is full. */
  queueLimit?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * Send queued messages by themselves, `flushDelayMs` after the first one is queued (so a burst goes
   * out as one batch), and keep retrying while the channel is down. Set false to send only on `flush()`,
   * as a runner driving thousands of clients from one timer does.
   */
  autoFlush?: boolean;
  flushDelayMs?: number;
  /** Random source for message ids; the default is the operating system's. */
  random?: RandomSource;
  mqtt?: Omit<MqttTransportOptions, 'url' | 'orgId' | 'terminalId' | 'secret'>;
  fetch?: typeof fetch;
}

export type CommandResult = { status: Exclude<AckStatus, 'received'>; detail?: string; /** A checklist, a position… (protocol 1 addition). */ result?: Record<string, unknown> };
/**
 * Gets each valid command once (the client has already acknowledged it as `received`). Return a result
 * (or a promise of one) and the client acknowledges it; return nothing and call `ack()` yourself.
 * A handler that throws is acknowledged as `failed` with the error's message.
 */
export type CommandHandler = (command: DeviceCommand) => CommandResult | void | Promise<CommandResult | void>;

export interface ClientStats {
  /** Messages waiting in the outbox. */
  queued: number;
  /** Messages the server took. */
  sent: number;
  duplicates: number;
  /** Messages the server refused one by one (see the error handler for reasons). */
  rejected: number;
  /** Messages given up on because the server refused the whole batch (4xx). */
  failed: number;
  /** Messages dropped because the outbox was full. */
  dropped: number;
  retries: number;
}

export interface FlushResult {
  sent: number;
  pending: number;
  dropped: number;
}

type State = 'new' | 'connecting' | 'online' | 'offline' | 'closed';

export class TerminalClient {
  readonly terminalId: string;
  readonly orgId: string;
  private readonly transport: Transport;
  private readonly queue: BoundedQueue<DeviceMessage>;
  private readonly ids: MessageIdFactory;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly autoFlush: boolean;
  private readonly flushDelayMs: number;
  private readonly commandHandlers = new Set<CommandHandler>();
  private readonly errorHandlers = new Set<(err: TerminalSdkError) => void>();
  private readonly recentCommands: string[] = [];
  private readonly counts = { sent: 0, duplicates: 0, rejected: 0, failed: 0, retries: 0 };
  private status: State = 'new';
  private flushing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private reconnectAttempt = 0;

  constructor(opts: TerminalClientOptions) {
    if (!opts.orgId || !opts.terminalId || !opts.secret) throw new ConfigError('orgId, terminalId and secret are required');
    this.terminalId = opts.terminalId;
    this.orgId = opts.orgId;
    this.clock = opts.clock ?? systemClock;
    this.queue = new BoundedQueue(opts.queueLimit ?? 10_000);
    this.ids = new MessageIdFactory(opts.terminalId, opts.random);
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.autoFlush = opts.autoFlush ?? true;
    this.transport = this.createTransport(opts);
    this.flushDelayMs = opts.flushDelayMs ?? (this.transport.name === 'https' ? 200 : 0);
    this.transport.setEvents({
      online: () => {
        if (this.isClosed) return;
        this.status = 'online';
        this.reconnectAttempt = 0;
        if (this.autoFlush && this.queue.size) this.scheduleFlush(0);
      },
      offline: () => {
        if (!this.isClosed) this.status = 'offline';
      },
      command: (payload) => this.receiveCommand(payload),
      error: (err) => this.report(err instanceof TerminalSdkError ? err : new TerminalSdkError('network', err.message, { cause: err })),
    });
  }

  get state(): State {
    return this.status;
  }

  /** A getter, not a field comparison: the state changes across awaits, which TypeScript's narrowing does not see. */
  private get isClosed(): boolean {
    return this.status === 'closed';
  }

  get stats(): ClientStats {
    return { queued: this.queue.size, dropped: this.queue.dropped, ...this.counts };
  }

  /** Opens the channel. Messages sent before or while it is down are buffered and go out once it is up. */
  async connect(): Promise<void> {
    if (this.isClosed) throw new ClientClosedError();
    this.status = 'connecting';
    try {
      await this.transport.connect();
      if (this.status === 'connecting') this.status = this.transport.online ? 'online' : 'offline';
    } catch (err) {
      if (!this.isClosed) this.status = 'offline';
      throw err;
    }
    if (this.autoFlush && this.queue.size) this.scheduleFlush(0);
  }

  sendTelemetry(data: TelemetryData, at?: Date): MessageOf<'telemetry'> {
    return this.send('telemetry', data, at);
  }

  sendEvent(data: EventData, at?: Date): MessageOf<'event'> {
    return this.send('event', data, at);
  }

  sendTransaction(data: TransactionData, at?: Date): MessageOf<'txn'> {
    return this.send('txn', data, at);
  }

  ack(commandId: string, status: AckStatus, detail?: string, at?: Date, result?: Record<string, unknown>): MessageOf<'cmd_ack'> {
    return this.send('cmd_ack', { commandId, status, ...(detail === undefined ? {} : { detail: detail.slice(0, 500) }), ...(result ? { result } : {}) }, at);
  }

  /**
   * Checks the message and queues it; returns it as it will be sent. Throws CardDataError,
   * MessageValidationError or MessageTooLargeError, and queues nothing, if the message may not be sent.
   */
  send<K extends DeviceMessageKind>(kind: K, data: MessageData<K>, at: Date = this.clock.now()): MessageOf<K> {
    if (this.isClosed) throw new ClientClosedError();
    const message = checkOutgoing(buildMessage(kind, data, at, this.ids.next(at))) as MessageOf<K>;
    this.queue.push(message);
    if (this.autoFlush) this.scheduleFlush(this.flushDelayMs);
    return message;
  }

  /** Registers a command handler; returns a function that removes it. */
  onCommand(handler: CommandHandler): () => void {
    this.commandHandlers.add(handler);
    return () => this.commandHandlers.delete(handler);
  }

  /** Errors that no call could throw: batches refused by the server, invalid commands, credentials refused. */
  onError(handler: (err: TerminalSdkError) => void): () => void {
    this.errorHandlers.add(handler);
    return () => this.errorHandlers.delete(handler);
  }

  /**
   * Sends everything queued, in order, in batches. Retryable failures are retried with back-off; if the
   * channel stays down, the rest stays queued (see `pending`). Batches the server refuses outright (4xx)
   * are dropped and reported through `onError`.
   */
  async flush(): Promise<FlushResult> {
    const before = this.counts.sent;
    while (this.flushing) await this.flushing;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
    return { sent: this.counts.sent - before, pending: this.queue.size, dropped: this.queue.dropped };
  }

  /** Tries to send what is queued (when `flush` is true, the default), then closes the channel. */
  async close(opts: { flush?: boolean } = {}): Promise<void> {
    if (this.isClosed) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (opts.flush !== false && this.queue.size && this.transport.online) await this.flush().catch(() => undefined);
    this.status = 'closed';
    await this.transport.close();
  }

  private createTransport(opts: TerminalClientOptions): Transport {
    if (typeof opts.transport === 'object') return opts.transport;
    if (opts.transport === 'https') {
      if (!opts.httpBaseUrl) throw new ConfigError('httpBaseUrl is required for the https transport');
      return new HttpsTransport({ baseUrl: opts.httpBaseUrl, terminalId: opts.terminalId, secret: opts.secret, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
    }
    if (opts.transport === 'mqtt') {
      if (!opts.mqttUrl) throw new ConfigError('mqttUrl is required for the mqtt transport');
      return new MqttTransport({ ...opts.mqtt, url: opts.mqttUrl, orgId: opts.orgId, terminalId: opts.terminalId, secret: opts.secret });
    }
    throw new ConfigError(`unknown transport ${String(opts.transport)}`);
  }

  private async drain(): Promise<void> {
    while (this.queue.size && this.transport.online && !this.isClosed) {
      const batch = this.queue.take(this.transport.maxBatch);
      try {
        this.record(batch, await withRetry(() => this.transport.send(batch), this.retry, () => this.counts.retries++));
        this.reconnectAttempt = 0;
      } catch (err) {
        if (isRetryable(err)) {
          // The channel is down: keep the batch, try again later.
          this.queue.returnToFront(batch);
          if (!this.isClosed) this.status = 'offline';
          if (this.autoFlush) this.scheduleFlush(backoffDelay(this.retry, ++this.reconnectAttempt));
          return;
        }
        this.counts.failed += batch.length;
        this.report(err instanceof TerminalSdkError ? err : new TerminalSdkError('network', String(err), { cause: err }));
        // Wrong credentials will not fix themselves: stop instead of failing every batch in turn.
        if (err instanceof UnauthenticatedError) return;
      }
    }
  }

  private record(batch: readonly DeviceMessage[], report: DeliveryReport): void {
    this.counts.sent += report.accepted;
    this.counts.duplicates += report.duplicates;
    this.counts.rejected += report.rejected.length;
    for (const r of report.rejected) {
      const m = batch[r.index];
      this.report(new TerminalSdkError('message_invalid', `server rejected ${m ? `${m.kind} ${m.msgId}` : `message #${r.index}`}: ${r.reason}${r.detail ? ` (${r.detail})` : ''}`));
    }
  }

  private scheduleFlush(delayMs: number): void {
    if (this.flushTimer || this.isClosed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush().catch((err: unknown) => this.report(err instanceof TerminalSdkError ? err : new TerminalSdkError('network', String(err))));
    }, delayMs);
    this.flushTimer.unref?.();
  }

  private receiveCommand(payload: unknown): void {
    const parsed = DeviceCommand.safeParse(payload);
    if (!parsed.success) {
      this.report(new CommandInvalidError(zodIssues(parsed.error.issues)));
      return;
    }
    const command = parsed.data;
    // QoS 1 may deliver a command twice; act on it once.
    if (this.recentCommands.includes(command.commandId)) return;
    this.recentCommands.push(command.commandId);
    if (this.recentCommands.length > 200) this.recentCommands.shift();
    this.ack(command.commandId, 'received');
    for (const handler of this.commandHandlers) void this.runHandler(handler, command);
  }

  private async runHandler(handler: CommandHandler, command: DeviceCommand): Promise<void> {
    try {
      const result = await handler(command);
      if (result && !this.isClosed) this.ack(command.commandId, result.status, result.detail, undefined, result.result);
    } catch (err) {
      if (!this.isClosed) this.ack(command.commandId, 'failed', err instanceof Error ? err.message : String(err));
    }
  }

  private report(err: TerminalSdkError): void {
    for (const h of this.errorHandlers) h(err);
  }
}
