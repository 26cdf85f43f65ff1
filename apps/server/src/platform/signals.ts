/**
 * Signals between processes: when PosCare runs as several processes against one PostgreSQL (`--roles api`
 * and `--roles ingest,worker`), what one process changes that others keep in memory is told to them at
 * once: a revoked or re-enrolled device credential, a command to push to a terminal.
 *
 * PostgreSQL: NOTIFY through the pool, LISTEN on one dedicated connection per process that reconnects
 * with back-off; after a reconnect, `onResync` handlers run (a signal sent during the gap is lost, so a
 * cache is dropped whole). The embedded store (PGlite) serves one process (its data folder is locked):
 * the signals go through an emitter in that process, shared by everything opened on the same Database.
 *
 * Every signal reaches every subscriber, the sending process's own included; a payload says who sent it
 * when a receiver must tell its own signals apart. Signals are best effort and come after the commit:
 * the tables stay the truth (a cache that missed one still expires, an HTTPS terminal still gets its
 * commands with its next batch).
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DeviceCommand } from '@poscare/contracts';
import type { Database } from '../db/client.js';

/** The channels and what each carries (JSON). */
export interface SignalPayloads {
  /** A terminal's credential changed (revoked, or enrolled again): drop it from every cache. */
  'device.credential': { terminalId: string; orgId: string; revoked: boolean };
  /**
   * A command was stored: the processes holding an MQTT connection push it. `from` is the sender; `pushed` says
   * whether the sender pushed it itself (then a process on the same external broker does not push it again).
   */
  'command.push': { orgId: string; terminalId: string; command: DeviceCommand; from: string; pushed: boolean };
  /** Samples were handed off to the evaluator of these alert partitions (alerts/partitions.ts); sent by the commit. */
  'alert.handoff': { partitions: number[] };
  /** An organization's alert rules, or the silences and maintenance windows, changed: evaluators reload them. */
  'alert.config': { orgId: string; what: 'rules' | 'suppressions' };
  /** An evaluator joined or left: the others share the alert partitions out again. */
  'alert.partitions': { from: string };
  /** Who an API token acts as changed (token revoked, its holder's role or factor, the organization's policy): drop it from the token caches (access/tokenCache.ts). */
  'access.changed': { tokenId: string } | { userId: string } | { orgId: string };
  /** The block list or the open fraud cases of an organization changed: `risk/decide` reloads it (risk/service.ts). `from` is the sender. */
  'risk.changed': { orgId: string; from: string };
}
export type SignalChannel = keyof SignalPayloads;

/** PostgreSQL's NOTIFY refuses payloads of 8000 bytes or more. */
export const MAX_SIGNAL_BYTES = 7999;

/** PostgreSQL channel name of each signal (the channels are per database). */
const PG_CHANNELS: Record<SignalChannel, string> = {
  'device.credential': 'poscare_device_credential',
  'command.push': 'poscare_command_push',
  'alert.handoff': 'poscare_alert_handoff',
  'alert.config': 'poscare_alert_config',
  'alert.partitions': 'poscare_alert_partitions',
  'access.changed': 'poscare_access_changed',
  'risk.changed': 'poscare_risk_changed',
};

/**
 * The statement and parameters that send a signal from inside a transaction: PostgreSQL delivers it
 * when (and only if) the transaction commits.
 */
export function notifyStatement<C extends SignalChannel>(channel: C, payload: SignalPayloads[C]): [string, unknown[]] {
  return ['SELECT pg_notify($1, $2)', [PG_CHANNELS[channel], encode(channel, payload)]];
}

export interface Signals {
  readonly kind: 'memory' | 'postgres';
  /** Sends a signal to every process (this one included). Refuses payloads over MAX_SIGNAL_BYTES. */
  publish<C extends SignalChannel>(channel: C, payload: SignalPayloads[C]): Promise<void>;
  /** Returns the function that unsubscribes. A handler's error is logged, never thrown at the sender. */
  subscribe<C extends SignalChannel>(channel: C, handler: (payload: SignalPayloads[C]) => void | Promise<void>): () => void;
  /** Runs after the listening connection was lost and is back: signals sent meanwhile were missed. */
  onResync(handler: () => void): () => void;
  close(): Promise<void>;
}

export interface SignalOptions {
  db: Database;
  /** postgres://… for the dedicated LISTEN connection; required when db is PostgreSQL. */
  databaseUrl?: string | undefined;
  log: Logger;
  /** First and longest wait between reconnect attempts (ms). */
  retryMs?: { first: number; max: number };
}

function encode(channel: SignalChannel, payload: unknown): string {
  const text = JSON.stringify(payload);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SIGNAL_BYTES) throw new Error(`signal ${channel} too large: ${bytes} bytes > ${MAX_SIGNAL_BYTES}`);
  return text;
}

/** Subscribers of one process, by channel; shared by both kinds. */
class Handlers {
  private readonly emitter = new EventEmitter();
  private readonly resync = new Set<() => void>();
  constructor(private log: Logger) {
    this.emitter.setMaxListeners(0);
  }
  subscribe(channel: SignalChannel, handler: (p: unknown) => void | Promise<void>): () => void {
    const wrapped = (p: unknown) => {
      try {
        Promise.resolve(handler(p)).catch((err: unknown) => this.log.warn({ err, channel }, 'signal handler failed'));
      } catch (err) {
        this.log.warn({ err, channel }, 'signal handler failed');
      }
    };
    this.emitter.on(channel, wrapped);
    return () => void this.emitter.off(channel, wrapped);
  }
  deliver(channel: SignalChannel, payload: unknown) {
    this.emitter.emit(channel, payload);
  }
  onResync(h: () => void): () => void {
    this.resync.add(h);
    return () => void this.resync.delete(h);
  }
  resynced() {
    for (const h of this.resync) {
      try {
        h();
      } catch (err) {
        this.log.warn({ err }, 'signal resync handler failed');
      }
    }
  }
  clear() {
    this.emitter.removeAllListeners();
    this.resync.clear();
  }
}

/** One emitter per embedded Database: everything opened on it in this process hears the same signals. */
const buses = new WeakMap<Database, EventEmitter>();

export async function openSignals(opts: SignalOptions): Promise<Signals> {
  if (opts.db.kind === 'postgres') {
    if (!opts.databaseUrl) throw new Error('signals on PostgreSQL need the database URL for their LISTEN connection');
    return openPostgresSignals(opts.db, opts.databaseUrl, opts.log, opts.retryMs ?? { first: 250, max: 10_000 });
  }
  return openMemorySignals(opts.db, opts.log);
}

function openMemorySignals(db: Database, log: Logger): Signals {
  let bus = buses.get(db);
  if (!bus) {
    bus = new EventEmitter();
    bus.setMaxListeners(0);
    buses.set(db, bus);
  }
  const shared = bus;
  const handlers = new Handlers(log);
  const onAny = (channel: SignalChannel, text: string) => handlers.deliver(channel, JSON.parse(text));
  shared.on('signal', onAny);
  return {
    kind: 'memory',
    async publish(channel, payload) {
      const text = encode(channel, payload);
      // Asynchronous as NOTIFY is: the sender's own code runs on before any handler.
      setImmediate(() => shared.emit('signal', channel, text));
    },
    subscribe: (channel, handler) => handlers.subscribe(channel, handler as (p: unknown) => void),
    onResync: (h) => handlers.onResync(h),
    async close() {
      shared.off('signal', onAny);
      handlers.clear();
    },
  };
}

async function openPostgresSignals(db: Database, url: string, log: Logger, retry: { first: number; max: number }): Promise<Signals> {
  const handlers = new Handlers(log);
  const byPgName = new Map(Object.entries(PG_CHANNELS).map(([k, v]) => [v, k as SignalChannel]));
  let client: pg.Client | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let wait = retry.first;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: url, application_name: 'poscare-signals' });
    c.on('notification', (msg) => {
      const channel = byPgName.get(msg.channel);
      if (!channel || !msg.payload) return;
      try {
        handlers.deliver(channel, JSON.parse(msg.payload));
      } catch (err) {
        log.warn({ err, channel }, 'signal payload unreadable');
      }
    });
    // A lost connection (server restart, failover, terminated backend) comes back by itself.
    c.on('error', (err) => {
      log.warn({ err: err.message }, 'signals connection lost; reconnecting');
      lost(c);
    });
    c.on('end', () => lost(c));
    try {
      await c.connect();
      for (const name of Object.values(PG_CHANNELS)) await c.query(`LISTEN ${name}`);
    } catch (err) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
      throw err;
    }
    client = c;
    wait = retry.first;
  }

  function lost(c: pg.Client) {
    if (client !== c) return;
    client = null;
    c.end().catch(() => undefined);
    schedule();
  }

  function schedule() {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      if (closed) return;
      connect().then(
        () => {
          log.info('signals connection back; caches resynchronised');
          handlers.resynced();
        },
        (err: unknown) => {
          log.warn({ err: (err as Error).message, retryInMs: wait }, 'signals connection not back yet');
          wait = Math.min(wait * 2, retry.max);
          schedule();
        },
      );
    }, wait);
    timer.unref?.();
  }

  await connect();
  return {
    kind: 'postgres',
    async publish(channel, payload) {
      await db.executeSql('SELECT pg_notify($1, $2)', [PG_CHANNELS[channel], encode(channel, payload)]);
    },
    subscribe: (channel, handler) => handlers.subscribe(channel, handler as (p: unknown) => void),
    onResync: (h) => handlers.onResync(h),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      handlers.clear();
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => undefined);
      }
    },
  };
}
