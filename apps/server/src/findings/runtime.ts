/**
 * The live findings engine (worker role): one TxnAnalyzer per organization, fed the payment records
 * this process commits (PaymentFeed) and, for records another process ingested, a catch-up from the
 * tables by arrival time every few seconds (re-deliveries are ignored by record id, so a record seen
 * both ways counts once). What the analyzers open is stored in `txn_findings` (idempotent by
 * organization and key: two workers, a restart or a replay give one row); what they resolve is closed
 * with reason 'explained'. New findings are then told to the people concerned (notify.ts), once.
 *
 * Memory is bounded by time: an analyzer holds the records of its window (the thresholds' longest
 * lookback plus a margin) and is rebuilt from the tables once a day, dropping older ones. A finding is
 * stored only when the analyzer held everything before it that could change it (`trusted`), so a
 * warm-up or a rebuild never reports a refund "with no purchase behind it" whose purchase lies just
 * before the window.
 */
import { TxnAnalyzer, type TxnDelta, type TxnThresholdOverrides, type TxnThresholds } from '@poscare/txn';
import type { TxnFinding, TxnFindingCode, TxnRecord } from '@poscare/contracts';
import type { AppContext } from '../platform/context.js';
import { thresholdsChangedNote } from './wording.js';
import type { PaymentFeed } from '../payments/feed.js';
import { loadRecords } from '../payments/records.js';
import {
  arrivedSince,
  findingKey,
  growFinding,
  newestArrival,
  newestThresholds,
  newestThresholdVersions,
  openKeysSince,
  addSystemNotes,
  organizationIds,
  resolveKeys,
  storeOpened,
} from './repository.js';

const HOUR = 3_600_000;
const REBUILD_SLICE = 5_000;
const DAY = 24 * HOUR;

/** How far back a finding of this code can look: records before `firstAt − lookback` may change it. */
export function lookbackMs(th: TxnThresholds, code: TxnFindingCode): number {
  switch (code) {
    case 'dup.double_submit':
      return th.doubleSubmit.gapMs;
    case 'dup.timeout_retry':
    case 'dup.missing_reversal':
      return th.timeoutRetry.windowMs;
    case 'risk.card_testing':
      return th.cardTesting.spanMs;
    case 'risk.card_velocity':
      return th.cardVelocity.spanMs;
    case 'risk.fallback_abuse':
      return th.fallbackAbuse.spanMs + th.fallbackAbuse.explainedWithinMs;
    case 'risk.split_sale':
      return th.splitSale.gapMs;
    case 'risk.off_hours':
      return Math.max(th.offHours.lookbackMs, th.offHours.minHistoryMs);
    case 'risk.refund_abuse':
      return th.refundAbuse.lookbackMs;
  }
}

const CODES: TxnFindingCode[] = ['dup.double_submit', 'dup.timeout_retry', 'dup.missing_reversal', 'risk.card_testing', 'risk.card_velocity', 'risk.fallback_abuse', 'risk.split_sale', 'risk.off_hours', 'risk.refund_abuse'];
export const longestLookbackMs = (th: TxnThresholds) => Math.max(...CODES.map((c) => lookbackMs(th, c)));

export interface FindingNotifier {
  /** Tells the people concerned about newly stored findings (guarded: once per finding). */
  notifyFindings(orgId: string, ids: string[]): Promise<unknown>;
}

export interface FindingsRuntimeOptions {
  feed?: PaymentFeed;
  notifier?: FindingNotifier;
  /** Fraud findings of an organization opened or closed (stored): `risk/decide` reloads its index at once. */
  onRiskChanged?: (orgId: string) => void;
  /** Catch up from the tables (records another process ingested); off when this process ingests everything itself. */
  catchUp?: boolean;
  catchUpMs?: number;
  /** Arrival times are re-read this far back, for transactions that committed out of order. */
  catchUpOverlapMs?: number;
  /** Kept beyond the longest lookback. */
  marginMs?: number;
  /** How often an analyzer is rebuilt to drop records older than its window. */
  compactEveryMs?: number;
  /** How often the thresholds' newest versions are compared (reloadThresholds is immediate). */
  thresholdCheckMs?: number;
}

interface OrgState {
  analyzer: TxnAnalyzer | null;
  version: number | null;
  /** Epoch ms: the analyzer holds every record from here on. */
  horizon: number;
  /** Records that arrived while the analyzer was being (re)built. */
  building: TxnRecord[] | null;
  rebuild: Promise<void> | null;
  /** Writes of this organization, one after the other. */
  chain: Promise<void>;
  records: number;
}

export class FindingsRuntime {
  private readonly orgs = new Map<string, OrgState>();
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  private cursor: Date | null = null;
  private catchingUp: Promise<void> | null = null;
  private stopped = false;
  /** When each finding was stored (for tests and the benchmark). */
  onStored: ((orgId: string, opened: TxnFinding[], storedAt: number) => void) | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: FindingsRuntimeOptions = {},
  ) {}

  setNotifier(n: FindingNotifier): void {
    this.opts.notifier = n;
  }

  async start(): Promise<void> {
    // The cursor is taken before the warm-up reads, so nothing committed in between is missed.
    this.cursor = await this.ctx.db.rawTransaction((tx) => newestArrival(tx));
    if (this.opts.feed) this.unsubscribe = this.opts.feed.subscribe((orgId, records) => this.ingest(orgId, records));
    const orgIds = await this.ctx.db.rawTransaction((tx) => organizationIds(tx));
    for (const orgId of orgIds) await this.rebuild(orgId);
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => {
        fn().catch((err: unknown) => this.ctx.log.warn({ err }, 'findings runtime job failed'));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    if (this.opts.catchUp !== false) every(this.opts.catchUpMs ?? 3_000, () => this.catchUp());
    every(this.opts.thresholdCheckMs ?? 30_000, () => this.checkThresholds());
    every(Math.min(this.opts.compactEveryMs ?? DAY, HOUR), () => this.compact());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.unsubscribe?.();
    await this.settled().catch(() => undefined);
  }

  /** Committed records of an organization (the feed, the catch-up, or a test). */
  ingest(orgId: string, records: readonly TxnRecord[]): void {
    if (this.stopped || !records.length) return;
    let org = this.orgs.get(orgId);
    if (!org) {
      org = this.state(orgId);
      org.building = [...records];
      void this.rebuild(orgId);
      return;
    }
    org.building?.push(...records);
    const a = org.analyzer;
    if (!a) return;
    const fresh = records.filter((r) => Date.parse(r.at) >= org.horizon);
    if (!fresh.length) return;
    org.records += fresh.length;
    const delta = a.addMany(fresh);
    if (delta.opened.length || delta.resolved.length) this.write(orgId, org, a, delta, org.version);
  }

  /** Re-reads the organization's newest thresholds and rebuilds its analyzer with them (the threshold editor calls this after a save). */
  reloadThresholds(orgId: string): Promise<void> {
    return this.rebuild(orgId);
  }

  /** Resolves when every build and write started so far has finished. */
  async settled(): Promise<void> {
    for (;;) {
      const before = this.pendingWork();
      await Promise.all(before);
      const after = this.pendingWork();
      if (after.length === before.length && after.every((p, i) => p === before[i])) return;
    }
  }

  private pendingWork(): Promise<unknown>[] {
    const out: Promise<unknown>[] = [];
    if (this.catchingUp) out.push(this.catchingUp);
    for (const o of this.orgs.values()) {
      if (o.rebuild) out.push(o.rebuild);
      out.push(o.chain);
    }
    return out;
  }

  /** What the engine holds, for the memory figure: records per organization. */
  stats(): { orgs: number; records: number } {
    let records = 0;
    for (const o of this.orgs.values()) records += o.records;
    return { orgs: this.orgs.size, records };
  }

  /** Reads what arrived since the cursor (any process) and feeds it; the analyzer drops what it already has. */
  catchUp(): Promise<void> {
    if (this.catchingUp) return this.catchingUp;
    this.catchingUp = (async () => {
      const overlap = this.opts.catchUpOverlapMs ?? 10_000;
      const after = this.cursor ? new Date(this.cursor.getTime() - overlap) : new Date(0);
      const got = await this.ctx.db.rawTransaction((tx) => arrivedSince(tx, after, 50_000));
      if (got.newest && (!this.cursor || got.newest > this.cursor)) this.cursor = got.newest;
      for (const [orgId, records] of got.byOrg) this.ingest(orgId, records);
    })().finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  private state(orgId: string): OrgState {
    const s: OrgState = { analyzer: null, version: null, horizon: Infinity, building: null, rebuild: null, chain: Promise.resolve(), records: 0 };
    this.orgs.set(orgId, s);
    return s;
  }

  private async checkThresholds(): Promise<void> {
    const newest = await this.ctx.db.rawTransaction((tx) => newestThresholdVersions(tx));
    for (const [orgId, org] of this.orgs) if ((newest.get(orgId) ?? null) !== org.version && !org.rebuild) await this.rebuild(orgId);
  }

  private async compact(): Promise<void> {
    const now = this.ctx.clock.now().getTime();
    const every = this.opts.compactEveryMs ?? DAY;
    for (const [orgId, org] of this.orgs) {
      if (!org.analyzer || org.rebuild) continue;
      const window = longestLookbackMs(org.analyzer.thresholds) + (this.opts.marginMs ?? DAY);
      if (now - org.horizon > window + every) await this.rebuild(orgId);
    }
  }

  /**
   * Builds the organization's analyzer from the tables (its window, its newest thresholds), then stores
   * what it finds standing and closes open findings of the same thresholds it no longer finds (a refund
   * that arrived while no worker ran). Records arriving meanwhile go to the old analyzer (if any) and
   * into the new one before it takes over.
   */
  private rebuild(orgId: string): Promise<void> {
    const org = this.orgs.get(orgId) ?? this.state(orgId);
    if (org.rebuild) return org.rebuild.then(() => this.rebuild(orgId));
    org.building ??= [];
    const run = (async () => {
      const now = this.ctx.clock.now();
      const th = await this.ctx.db.rawTransaction((tx) => newestThresholds(tx, orgId));
      const a = new TxnAnalyzer({ thresholds: (th?.overrides ?? {}) as TxnThresholdOverrides });
      const horizon = now.getTime() - longestLookbackMs(a.thresholds) - (this.opts.marginMs ?? DAY);
      const records = await this.ctx.db.rawTransaction((tx) => loadRecords(tx, orgId, new Date(horizon), new Date(now.getTime() + DAY)));
      // In slices, giving way between them: a large organization's month must not stall the process.
      for (let i = 0; i < records.length; i += REBUILD_SLICE) {
        a.addMany(records.slice(i, i + REBUILD_SLICE));
        if (i + REBUILD_SLICE < records.length) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const meanwhile = (org.building ?? []).filter((r) => Date.parse(r.at) >= horizon);
      a.addMany(meanwhile);
      // Nothing awaited since `meanwhile` was read: the new analyzer takes over with everything.
      org.analyzer = a;
      org.version = th?.version ?? null;
      org.horizon = horizon;
      org.building = null;
      org.records = records.length + meanwhile.length;
      const standing = a.findings();
      this.write(orgId, org, a, { opened: standing, resolved: [] }, org.version, true);
    })();
    org.rebuild = run.finally(() => {
      org.rebuild = null;
    });
    return org.rebuild;
  }

  /** Stored only when the analyzer held every record that could change it. */
  private trusted(org: OrgState, th: TxnThresholds, f: TxnFinding): boolean {
    return Date.parse(f.firstAt) - lookbackMs(th, f.code) >= org.horizon;
  }

  private write(orgId: string, org: OrgState, a: TxnAnalyzer, delta: TxnDelta, version: number | null, reconcile = false): void {
    const currency = (f: TxnFinding) => a.record(f.txnIds[0]!)?.currency ?? null;
    const opened = delta.opened.filter((f) => this.trusted(org, a.thresholds, f));
    const resolved = delta.resolved;
    const horizon = org.horizon;
    org.chain = org.chain
      .then(async () => {
        const now = this.ctx.clock.now();
        let riskClosed = false;
        const created = await this.ctx.db.rawTransaction(async (tx) => {
          const toStore: TxnFinding[] = [];
          const grown = new Set<string>();
          for (const f of opened) {
            // A finding that grew (the same code, sharing a payment with one it replaces) keeps its row.
            const was = resolved.find((r) => r.code === f.code && !grown.has(findingKey(r)) && r.txnIds.some((id) => f.txnIds.includes(id)));
            if (was && (await growFinding(tx, orgId, findingKey(was), f, currency(f), version, now))) grown.add(findingKey(was));
            else toStore.push(f);
          }
          const made = await storeOpened(tx, orgId, toStore.map((f) => ({ finding: f, currency: currency(f) })), version, now);
          await resolveKeys(tx, orgId, resolved.map(findingKey).filter((k) => !grown.has(k)), 'explained', now);
          if (reconcile) {
            // Open findings the rebuilt analyzer could judge in full (same thresholds) and no longer finds.
            const standing = new Set(delta.opened.map(findingKey));
            const earliest = new Date(horizon + longestLookbackMs(a.thresholds));
            const open = await openKeysSince(tx, orgId, earliest);
            const gone = open.filter((r) => (r.thresholds_version ?? null) === version && !standing.has(r.key)).map((r) => r.key);
            await resolveKeys(tx, orgId, gone, 'explained', now);
            // Fraud findings raised under another thresholds version: those the new version still finds stay open
            // with the version they came from; those it no longer finds are closed, with a note saying why. Duplicate
            // charges stay open whatever the thresholds: the customer was charged twice until a refund says otherwise.
            const raisedUnder = new Map(open.map((r) => [r.key, r.thresholds_version ?? null]));
            const superseded = open.filter((r) => (r.thresholds_version ?? null) !== version && r.code.startsWith('risk.') && !standing.has(r.key)).map((r) => r.key);
            const closed = await resolveKeys(tx, orgId, superseded, 'thresholds_changed', now);
            await addSystemNotes(tx, orgId, closed.map((c) => ({ findingId: c.id, body: thresholdsChangedNote(version, raisedUnder.get(c.key) ?? null) })), now);
            if (closed.length) riskClosed = true;
          }
          return made;
        });
        this.onStored?.(orgId, opened, Date.now());
        if (riskClosed || [...opened, ...resolved].some((f) => f.code.startsWith('risk.'))) this.opts.onRiskChanged?.(orgId);
        if (created.length && this.opts.notifier) await this.opts.notifier.notifyFindings(orgId, created.map((c) => c.id));
      })
      .catch((err: unknown) => this.ctx.log.warn({ err, orgId }, 'storing findings failed'));
  }
}
