/**
 * MQTT channel: one persistent session per terminal (stable client id, clean: false), QoS 1 publishes
 * to `poscare/v1/{org}/{terminal}/{kind}`, commands on `.../cmd`. MQTT 5 is asked for first; a broker
 * that only speaks 3.1.1 (the embedded aedes broker does) is retried with 3.1.1.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { topicFor, type DeviceMessage } from '@poscare/contracts';
import { NetworkError, UnauthenticatedError } from '../errors.js';
import type { DeliveryReport, Transport, TransportEvents } from './transport.js';

export interface MqttTransportOptions {
  url: string;
  orgId: string;
  terminalId: string;
  secret: string;
  /** Defaults to `poscare-<terminalId>`: the same id every time, so the broker keeps the session. */
  clientId?: string;
  protocolVersion?: 4 | 5;
  /** How long the broker keeps the session (and queued commands) while the terminal is away. MQTT 5 only. */
  sessionExpirySeconds?: number;
  reconnectPeriodMs?: number;
  /** How long `connect()` waits for the first connection; the transport keeps trying afterwards. */
  connectTimeoutMs?: number;
  keepaliveSeconds?: number;
  /** Most unacknowledged publishes at a time. */
  maxInFlight?: number;
}

/** CONNACK codes meaning "these credentials will never work" (3.1.1: 4, 5; MQTT 5: 0x86, 0x87). */
const REFUSED_CREDENTIALS = new Set([4, 5, 134, 135]);
/** CONNACK codes meaning "I do not speak this protocol version" (3.1.1: 1; MQTT 5: 0x84). */
const UNSUPPORTED_VERSION = new Set([1, 132]);

export class MqttTransport implements Transport {
  readonly name = 'mqtt';
  readonly maxBatch: number;
  private client: MqttClient | null = null;
  private events: TransportEvents | null = null;
  private version: 4 | 5;
  private closed = false;
  private readonly commandTopic: string;

  constructor(private readonly opts: MqttTransportOptions) {
    this.version = opts.protocolVersion ?? 5;
    this.maxBatch = opts.maxInFlight ?? 100;
    this.commandTopic = topicFor(opts.orgId, opts.terminalId, 'cmd');
  }

  get online(): boolean {
    return this.client?.connected === true;
  }

  /** The protocol version in use (after any fallback). */
  get protocolVersion(): 4 | 5 {
    return this.version;
  }

  setEvents(events: TransportEvents): void {
    this.events = events;
  }

  connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(
        () => settle(new NetworkError(`no MQTT connection to ${this.opts.url} after ${this.opts.connectTimeoutMs ?? 10_000} ms; still trying in the background`)),
        this.opts.connectTimeoutMs ?? 10_000,
      );
      this.start(settle);
    });
  }

  private start(settle: (err?: Error) => void): void {
    const options: IClientOptions = {
      clientId: this.opts.clientId ?? `poscare-${this.opts.terminalId}`,
      username: this.opts.terminalId,
      password: this.opts.secret,
      protocolVersion: this.version,
      clean: false,
      keepalive: this.opts.keepaliveSeconds ?? 60,
      reconnectPeriod: this.opts.reconnectPeriodMs ?? 2_000,
      reconnectOnConnackError: true,
      connectTimeout: this.opts.connectTimeoutMs ?? 10_000,
      // Our own outbox buffers while offline; mqtt.js must not keep a second, unbounded one.
      queueQoSZero: false,
      ...(this.version === 5 ? { properties: { sessionExpiryInterval: this.opts.sessionExpirySeconds ?? 7 * 24 * 3600 } } : {}),
    };
    const client = mqtt.connect(this.opts.url, options);
    this.client = client;

    client.on('connect', () => {
      client
        .subscribeAsync(this.commandTopic, { qos: 1 })
        .catch((err: unknown) => this.events?.error(new NetworkError(`could not subscribe to commands: ${(err as Error).message}`, err)));
      settle();
      this.events?.online();
    });
    client.on('offline', () => this.events?.offline('MQTT connection lost'));
    client.on('message', (topic, payload) => {
      if (topic !== this.commandTopic) return;
      const text = payload.toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Left as text: the client reports it as an invalid command.
      }
      this.events?.command(body);
    });
    client.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'number') return; // socket trouble: mqtt.js reconnects by itself
      if (UNSUPPORTED_VERSION.has(code) && this.version === 5) {
        client.end(true);
        this.version = 4;
        if (!this.closed) this.start(settle);
        return;
      }
      if (REFUSED_CREDENTIALS.has(code)) {
        client.end(true);
        const refused = new UnauthenticatedError(`MQTT broker refused terminal ${this.opts.terminalId}'s credential (code ${code})`);
        settle(refused);
        this.events?.error(refused);
      }
    });
  }

  async send(messages: readonly DeviceMessage[]): Promise<DeliveryReport> {
    const client = this.client;
    if (!client?.connected) throw new NetworkError('MQTT not connected');
    try {
      await Promise.all(messages.map((m) => client.publishAsync(topicFor(this.opts.orgId, this.opts.terminalId, m.kind), JSON.stringify(m), { qos: 1 })));
    } catch (err) {
      throw new NetworkError(`MQTT publish failed: ${(err as Error).message}`, err);
    }
    return { accepted: messages.length, duplicates: 0, rejected: [] };
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    if (!client) return;
    // A graceful end waits for outstanding acknowledgements, which never come if the broker is gone.
    await Promise.race([client.endAsync(false), new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]);
    if (!client.disconnected) await client.endAsync(true);
  }
}
