/**
 * Alert evaluation shared out among worker processes on PostgreSQL (docs/operations.md, "Alert partitions").
 *
 * Organizations are split into ALERT_PARTITIONS partitions by a hash of their id: every group rule (a site
 * offline, a host outage, a fleet version, a card failing at several terminals, alerts grouped by site or
 * merchant) is about one organization, so the process holding a partition sees all it needs and each rule
 * runs once. A worker process holds partitions by PostgreSQL advisory locks on one dedicated connection
 * (`application_name` `poscare-alerts`): a process that dies loses its connection, PostgreSQL frees its
 * locks at once, and the others take its partitions over at their next share-out (every 2 s, or at once
 * when told). Each takes its share, ceil(partitions / evaluators): the evaluators are counted by a shared
 * advisory lock each holds while alive.
 *
 * Every process that ingests (MQTT or HTTPS) routes each committed record: to its own engine when it
 * holds the organization's partition, else into `alert_handoff`, written in the ingest transaction itself
 * (the record is stored and handed off, or neither), with a NOTIFY the commit delivers. The holder reads
 * its partitions' rows (on the signal, and every second in case one was missed), feeds its engine, and
 * deletes the rows once their alert changes are stored. A holder that dies before deleting leaves them to
 * the next holder, which evaluates them again: storing alerts is idempotent per fingerprint, so a fault
 * still makes one alert.
 *
 * On the embedded store (PGlite: one process) none of this runs: the engine is fed directly, as before.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Features, TxnFeatures } from '@poscare/alerts';
import type { Database, RawTx } from '../db/client.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { Accepted, Prepared } from '../ingest/store.js';
import { notifyStatement, type Signals } from '../platform/signals.js';
import type { AlertRuntime } from './runtime.js';

export const ALERT_PARTITIONS = 16;

/** An organization's alert partition: FNV-1a of its id. */
export function partitionOf(orgId: string, partitions = ALERT_PARTITIONS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < orgId.length; i++) {
    h ^= orgId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/** Advisory lock keys: (LOCK_CLASS, partition) for a partition, (LOCK_CLASS, MEMBER) shared by every evaluator. */
const LOCK_CLASS = 0x504f5341; // 'POSA'
const MEMBER = 65_535;

// ---- the hand-off's wire format --------------------------------------------------------------------------

/** One record as handed off: terminal, organization, kind (t telemetry, x payment, s seen), time, what the rules read. */
type Wire = [string, string, 't' | 'x' | 's', number, unknown];

const nums = (a: Float64Array) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));
const floats = (a: (number | null)[]) => Float64Array.from(a, (v) => (v === null ? NaN : v));

export function toWire(a: Accepted): Wire {
  const r = a.rec;
  if (r.kind === 'telemetry') return [a.terminalId, a.orgId, 't', r.atMs, { m: nums(r.features.metrics), r: nums(r.features.reads), v: r.appVersion }];
  if (r.kind === 'txn' && r.txn) return [a.terminalId, a.orgId, 'x', r.atMs, r.txn];
  return [a.terminalId, a.orgId, 's', r.atMs, null];
}

/** A handed-off record as the engine's feed takes it (only the fields the runtime reads). */
export function fromWire(w: Wire): Accepted {
  const [terminalId, orgId, k, atMs, x] = w;
  let rec: Partial<Prepared> & { kind: Prepared['kind']; atMs: number };
  if (k === 't') {
    const t = x as { m: (number | null)[]; r: (number | null)[]; v: string | null };
    const features: Features = { metrics: floats(t.m), reads: floats(t.r) };
    rec = { kind: 'telemetry', atMs, features, appVersion: t.v };
  } else if (k === 'x') rec = { kind: 'txn', atMs, txn: x as TxnFeatures };
  else rec = { kind: 'event', atMs };
  return { terminalId, orgId, rec: rec as Prepared };
}

// ---- leases ----------------------------------------------------------------------------------------------

export interface LeaseEvents {
  /** The partitions just locked: load their organizations (they count as held once this resolves). */
  acquire(partitions: number[]): Promise<void>;
  /** The partitions no longer held (already: records go to the hand-off): let their organizations go. */
  release(partitions: number[]): Promise<void>;
}

export interface LeaseOptions {
  databaseUrl: string;
  log: Logger;
  events: LeaseEvents;
  signals?: Signals | null;
  partitions?: number;
  /** How often the share-out is checked (ms). */
  everyMs?: number;
}

/** The partitions this process evaluates, held by advisory locks on a connection of its own. */
export class PartitionLeases {
  readonly id = randomUUID();
  private client: pg.Client | null = null;
  private readonly held = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private unsubscribe: (() => void) | null = null;
  readonly partitions: number;

  constructor(private readonly opts: LeaseOptions) {
    this.partitions = opts.partitions ?? ALERT_PARTITIONS;
  }

  owns(partition: number): boolean {
    return this.held.has(partition);
  }

  owned(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** Joins the evaluators and takes a first share (the first process takes every partition). */
  async start(): Promise<void> {
    await this.connect();
    this.unsubscribe =
      this.opts.signals?.subscribe('alert.partitions', (p) => {
        if (p.from !== this.id) this.rebalanceSoon();
      }) ?? null;
    await this.rebalance();
    this.announce();
    this.timer = setInterval(() => this.rebalanceSoon(), this.opts.everyMs ?? 2_000);
    this.timer.unref();
  }

  private announce(): void {
    this.opts.signals?.publish('alert.partitions', { from: this.id }).catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const c = new pg.Client({ connectionString: this.opts.databaseUrl, application_name: 'poscare-alerts' });
    c.on('error', (err) => {
      this.opts.log.warn({ err: err.message }, 'alert partitions connection lost; its partitions go to other processes');
      this.lost(c);
    });
    c.on('end', () => this.lost(c));
    await c.connect();
    await c.query('SELECT pg_advisory_lock_shared($1, $2)', [LOCK_CLASS, MEMBER]);
    this.client = c;
  }

  /** The locks went with the connection: every partition is someone else's from now on. */
  private lost(c: pg.Client): void {
    if (this.client !== c) return;
    this.client = null;
    c.end().catch(() => undefined);
    const gone = this.owned();
    this.held.clear();
    if (gone.length) this.opts.events.release(gone).catch((err: unknown) => this.opts.log.warn({ err }, 'letting alert partitions go failed'));
  }

  rebalanceSoon(): void {
    if (this.closed) return;
    this.rebalance().catch((err: unknown) => this.opts.log.warn({ err: (err as Error).message }, 'sharing out alert partitions failed; trying again'));
  }

  /** One share-out at a time; asked again while one runs, it runs once more after. */
  rebalance(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.shareOut();
        } while (this.again && !this.closed);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async shareOut(): Promise<void> {
    if (this.closed) return;
    if (!this.client) {
      await this.connect();
      this.announce();
    }
    const c = this.client!;
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2 AND objsubid = 2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [LOCK_CLASS, MEMBER],
    );
    const members = Math.max(1, rows[0]?.n ?? 1);
    const target = Math.ceil(this.partitions / members);
    if (this.held.size > target) {
      const give = this.owned().slice(target);
      for (const p of give) this.held.delete(p);
      try {
        await this.opts.events.release(give);
      } finally {
        for (const p of give) await c.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, p]);
      }
      this.opts.log.info({ released: give, held: this.owned(), evaluators: members }, 'alert partitions handed to other processes');
      this.announce();
      return;
    }
    if (this.held.size >= target) return;
    const got: number[] = [];
    // Each process tries from its own starting point, so two starting at once do not race for the same ones.
    const from = Number.parseInt(this.id.slice(0, 8), 16) % this.partitions;
    for (let i = 0; i < this.partitions && this.held.size + got.length < target; i++) {
      const p = (from + i) % this.partitions;
      if (this.held.has(p)) continue;
      const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, p]);
      if (r.rows[0]?.ok) got.push(p);
    }
    if (!got.length) return;
    try {
      await this.opts.events.acquire(got);
    } catch (err) {
      for (const p of got) await c.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, p]).catch(() => undefined);
      throw err;
    }
    if (this.client !== c) return; // lost meanwhile: the locks are gone with the connection
    for (const p of got) this.held.add(p);
    this.opts.log.info({ taken: got, held: this.owned(), evaluators: members }, 'alert partitions taken');
  }

  /** Lets every partition go (after their organizations' changes are stored) and leaves the evaluators. */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running?.catch(() => undefined);
    const gone = this.owned();
    this.held.clear();
    if (gone.length) await this.opts.events.release(gone).catch((err: unknown) => this.opts.log.warn({ err }, 'letting alert partitions go failed'));
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
    }
    // The others take the partitions over at once.
    this.announce();
  }
}

// ---- routing and the hand-off ----------------------------------------------------------------------------

export interface SharingOptions {
  db: Database;
  databaseUrl: string;
  log: Logger;
  signals: Signals;
  /** This process's ingest pipeline (every process has one: MQTT for ingest, HTTPS for api). */
  pipeline: IngestPipeline;
  partitions?: number;
  rebalanceMs?: number;
  /** How often the hand-off is read without a signal (ms). */
  pollMs?: number;
}

const DRAIN_ROWS = 200;

/**
 * Routes this process's committed records to the evaluator of their organization, and (worker role)
 * holds partitions and evaluates what other processes hand off to them.
 */
export class AlertSharing {
  leases: PartitionLeases | null = null;
  private runtime: AlertRuntime | null = null;
  private readonly local = new WeakMap<readonly Accepted[], boolean[]>();
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private timer: NodeJS.Timeout | null = null;
  private offs: (() => void)[] = [];
  private closed = false;
  /** Records handed off by this process, and read from the hand-off and evaluated here (tests and logs). */
  readonly stats = { handedOff: 0, taken: 0 };
  private readonly n: number;

  /** Routes every record this process commits from now on (until `evaluate`, all of them to the hand-off). */
  constructor(private readonly opts: SharingOptions) {
    this.n = opts.partitions ?? ALERT_PARTITIONS;
    opts.pipeline.beforeCommit((tx, batch, stored) => this.route(tx, batch, stored));
    opts.pipeline.onCommitted((batch, stored) => this.feedLocal(batch, stored));
  }

  /** Whether this process evaluates the organization now. */
  owns(orgId: string): boolean {
    return this.leases?.owns(partitionOf(orgId, this.n)) ?? false;
  }

  /** The worker role: joins the evaluators, takes a share of the partitions and reads what is handed off to them. */
  async evaluate(runtime: AlertRuntime): Promise<void> {
    const opts = this.opts;
    this.runtime = runtime;
    this.leases = new PartitionLeases({
          databaseUrl: opts.databaseUrl,
          log: opts.log,
          signals: opts.signals,
          partitions: this.n,
          everyMs: opts.rebalanceMs ?? 2_000,
          events: {
            acquire: async (ps) => {
              const set = new Set(ps);
              const { rows } = await opts.db.executeSql('SELECT id FROM organizations');
              await runtime.takeOrgs(rows.map((r) => r.id as string).filter((id) => set.has(partitionOf(id, this.n))));
              // What was handed off to them meanwhile is read now.
              setImmediate(() => this.drainSoon());
            },
            release: async (ps) => {
              const set = new Set(ps);
              await runtime.dropOrgs(runtime.heldOrgs().filter((id) => set.has(partitionOf(id, this.n))));
            },
          },
        });
    await this.leases.start();
    this.offs.push(
      this.opts.signals.subscribe('alert.handoff', (p) => {
        if (p.partitions.some((x) => this.leases!.owns(x))) this.drainSoon();
      }),
      this.opts.signals.onResync(() => this.drainSoon()),
    );
    this.timer = setInterval(() => this.drainSoon(), this.opts.pollMs ?? 1_000);
    this.timer.unref();
    this.drainSoon();
  }

  /** In the ingest transaction: records of partitions held elsewhere go to the hand-off, with their signal. */
  private async route(tx: RawTx, batch: readonly Accepted[], stored: readonly boolean[]): Promise<void> {
    const local: boolean[] = new Array(batch.length).fill(false);
    const away = new Map<number, Wire[]>();
    for (let i = 0; i < batch.length; i++) {
      if (!stored[i]) continue;
      const a = batch[i]!;
      const p = partitionOf(a.orgId, this.n);
      if (this.leases?.owns(p)) local[i] = true;
      else {
        let list = away.get(p);
        if (!list) away.set(p, (list = []));
        list.push(toWire(a));
      }
    }
    this.local.set(batch, local);
    if (away.size) await handOff(tx, away);
  }

  /** After the commit: the records this process evaluates; any whose partition left meanwhile are handed off now. */
  private feedLocal(batch: readonly Accepted[], stored: readonly boolean[]): void {
    const local = this.local.get(batch);
    if (!local) return;
    this.local.delete(batch);
    const mine: Accepted[] = [];
    const late = new Map<number, Wire[]>();
    for (let i = 0; i < batch.length; i++) {
      if (!stored[i]) continue;
      if (!local[i]) {
        this.stats.handedOff++;
        continue;
      }
      const a = batch[i]!;
      const p = partitionOf(a.orgId, this.n);
      if (this.leases?.owns(p)) mine.push(a);
      else {
        let list = late.get(p);
        if (!list) late.set(p, (list = []));
        list.push(toWire(a));
      }
    }
    let n = 0;
    for (const l of late.values()) n += l.length;
    this.stats.handedOff += n;
    if (mine.length) this.runtime?.feed(mine, mine.map(() => true));
    if (late.size) {
      this.opts.db
        .rawTransaction((tx) => handOff(tx, late))
        .catch((err: unknown) => this.opts.log.warn({ err, records: n }, 'handing records off to another alert evaluator failed; they are stored but not evaluated'));
    }
  }

  drainSoon(): void {
    if (this.closed || !this.leases) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drain()
      .catch((err: unknown) => this.opts.log.warn({ err }, 'reading the alert hand-off failed; trying again'))
      .finally(() => {
        this.draining = null;
        if (this.drainAgain) {
          this.drainAgain = false;
          this.drainSoon();
        }
      });
  }

  /** Evaluates what was handed off to the partitions held here, then deletes it. */
  private async drain(): Promise<void> {
    const runtime = this.runtime!;
    for (;;) {
      const held = this.leases!.owned();
      if (!held.length || this.closed) return;
      const { rows } = await this.opts.db.executeSql(`SELECT id, partition, records FROM alert_handoff WHERE partition = ANY($1::int[]) ORDER BY id LIMIT ${DRAIN_ROWS}`, [held]);
      if (!rows.length) return;
      const done: string[] = [];
      const feed: Accepted[] = [];
      for (const r of rows) {
        // A partition that left meanwhile: its rows stay for the next holder.
        if (!this.leases!.owns(Number(r.partition))) continue;
        done.push(String(r.id));
        const records = (typeof r.records === 'string' ? JSON.parse(r.records) : r.records) as Wire[];
        for (const w of records) feed.push(fromWire(w));
      }
      if (feed.length) {
        runtime.feed(feed, feed.map(() => true));
        await runtime.settled();
        this.stats.taken += feed.length;
      }
      if (done.length) await this.opts.db.executeSql('DELETE FROM alert_handoff WHERE id = ANY($1::bigint[])', [done]);
      if (rows.length < DRAIN_ROWS) return;
    }
  }

  async stop(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const off of this.offs) off();
    await this.draining?.catch(() => undefined);
    await this.leases?.stop();
  }
}

/** Writes records for other evaluators in the caller's transaction; the signal goes out when it commits. */
async function handOff(tx: RawTx, away: Map<number, Wire[]>): Promise<void> {
  const parts = [...away.keys()];
  await tx.query(`INSERT INTO alert_handoff (partition, records) SELECT (e->>0)::smallint, e->1 FROM jsonb_array_elements($1::jsonb) e`, [JSON.stringify(parts.map((p) => [p, away.get(p)]))]);
  const [sql, params] = notifyStatement('alert.handoff', { partitions: parts });
  await tx.query(sql, params);
}
