/**
 * The alert engine at work in the server (worker role). It is fed every record the ingest pipeline
 * commits in this process, ticks on the clock for time-driven rules, and turns the engine's changes
 * into stored alerts and events, notifications and diagnoses. State the engine needs from elsewhere
 * (terminals and their sites, rules, silences, maintenance, acknowledgements made by other processes,
 * when terminals were last seen) is reloaded on timers, and at once when another process signals a
 * change of rules or suppressions (`listen`).
 *
 * With several worker processes on PostgreSQL, each evaluates the organizations of the alert partitions
 * it holds (`owns`, alerts/partitions.ts): `takeOrgs` and `dropOrgs` move them in and out.
 */
import { randomUUID } from 'node:crypto';
import { AlertEngine, type AlertChange, type AlertState } from '@poscare/alerts';
import type { AlertRuleDefinition } from '@poscare/contracts';
import type { AppContext } from '../platform/context.js';
import type { Signals } from '../platform/signals.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { Accepted } from '../ingest/store.js';
import {
  activeMaintenance,
  activeSilences,
  effectiveRules,
  lastSeen,
  monitoredTerminals,
  openAlerts,
  orgIds,
  persistChanges,
  reader,
  recordEvent,
  storeAlertDiagnosis,
  tradingHistory,
} from './repository.js';

/** What the notification side is told; see notifications/types.ts. */
export interface AlertNotice {
  alertId: string;
  orgId: string;
  event: 'fired' | 'escalated' | 'resolved' | 'flapping';
  severity: 'info' | 'warning' | 'critical';
  ruleCode: string;
  ruleName: { 'zh-CN': string; 'en-US': string };
  scopeLabel: string;
  merchantId: string | null;
  siteId: string | null;
  terminalId: string | null;
  memberCount: number;
  value: number | null;
  threshold: number | null;
  predictedAt: string | null;
  startedAt: string;
  roles?: string[];
  escalationLevel?: number;
}

export interface AlertNotifier {
  notifyAlert(notice: AlertNotice, now: Date): Promise<unknown>;
}

export type AlertDiagnoser = (alert: AlertState) => Promise<{ scope: string; causes: { code: string; confidence: number }[] } | null>;

/** What a durable diagnosis job needs of a fired alert (jobs/registry.ts `alert.diagnose`). */
export interface DiagnosisRequest {
  alertId: string;
  orgId: string;
  terminalId: string | null;
}

/** The terminal an alert is diagnosed on: its own, else the first member still active, else the first. */
export function diagnosisRequest(a: AlertState): DiagnosisRequest {
  const active = [...a.members].filter(([, m]) => m.active).map(([id]) => id);
  return { alertId: a.id, orgId: a.orgId, terminalId: a.terminalId ?? active[0] ?? [...a.members.keys()][0] ?? null };
}

/** Opens (or finds) the ticket for an alert whose rule asks for one; returns its id. */
export type AlertTicketOpener = (alert: AlertState) => Promise<string | null>;

export interface RuntimeOptions {
  openTicket?: AlertTicketOpener;
  notifier?: AlertNotifier;
  diagnose?: AlertDiagnoser;
  /**
   * Hands a fired alert's diagnosis to the durable job queue (the worker role does): it survives a
   * restart, is retried, and nothing is dropped under a storm. Without it, `diagnose` runs in this process.
   */
  enqueueDiagnosis?: (req: DiagnosisRequest) => Promise<unknown>;
  /** How often time-driven rules are evaluated. */
  tickMs?: number;
  /** Whether this process ingests (then last-seen times come with the records, not from the database). */
  localIngest?: boolean;
  /**
   * The organizations this engine evaluates (several worker processes share them out by alert partition);
   * all when absent. One that is not owned at start is loaded by `takeOrgs` when it comes to this process.
   */
  owns?: (orgId: string) => boolean;
}

/** Firing-to-stored latency is what a person waits for: changes are written as soon as the previous write ends. */
export class AlertRuntime {
  readonly engine: AlertEngine;
  private timers: NodeJS.Timeout[] = [];
  private writing: Promise<void> | null = null;
  private again = false;
  private unknown = new Set<string>();
  /** Records of terminals the engine did not know yet: fed once they are loaded. */
  private waiting: Accepted[] = [];
  private notified = new Set<string>();
  /** Acknowledged in another process: the event is already stored. */
  private ackedElsewhere = new Set<string>();
  private diagnosisQueue: AlertState[] = [];
  private diagnosing = false;
  private started = false;
  private readonly orgs = new Set<string>();
  /** With several evaluators: each terminal's newest sample judged so far. */
  private readonly newest: Map<string, number> | null;
  private readonly q;
  /** Since when committed records wait for their changes to be stored (the alert evaluation lag /metrics reports). */
  private pendingSince: number | null = null;
  private readonly lagListeners: ((ms: number) => void)[] = [];
  /** When each stored change was written (for the benchmark): alert id → ms. */
  onStored: ((changes: AlertChange[], storedAt: number) => void) | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: RuntimeOptions = {},
  ) {
    this.engine = new AlertEngine({ newId: randomUUID });
    this.newest = opts.owns ? new Map() : null;
    this.q = reader(ctx.db);
  }

  setNotifier(n: AlertNotifier): void {
    this.opts.notifier = n;
  }

  setDiagnoser(d: AlertDiagnoser): void {
    this.opts.diagnose = d;
  }

  async start(): Promise<void> {
    const now = this.ctx.clock.now();
    const db = this.q;
    const mine = (await orgIds(db)).filter((id) => this.owns(id));
    for (const orgId of mine) await this.loadOrg(orgId, now);
    this.engine.restore(await openAlerts(db, this.opts.owns ? mine : undefined), now.getTime());
    for (const a of this.engine.openAlerts()) if (!a.suppressed) this.notified.add(a.id);
    await this.reloadSuppressions();
    this.started = true;
    const every = (ms: number, fn: () => Promise<void> | void) => {
      const t = setInterval(() => {
        Promise.resolve(fn()).catch((err: unknown) => this.ctx.log.warn({ err }, 'alert runtime job failed'));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.tickMs ?? 5_000, () => this.tick());
    every(30_000, () => this.reloadSuppressions());
    every(60_000, () => this.reloadRules());
    every(300_000, () => this.reloadTerminals());
    if (!this.opts.localIngest) every(30_000, () => this.refreshLastSeen());
  }

  private owns(orgId: string): boolean {
    return this.opts.owns ? this.opts.owns(orgId) : true;
  }

  /**
   * Takes organizations over (their alert partition came to this process): rules, terminals, trading
   * history, and their open alerts as stored, so nothing open fires again.
   */
  async takeOrgs(ids: readonly string[]): Promise<void> {
    const fresh = ids.filter((id) => !this.orgs.has(id));
    if (!fresh.length) return;
    const now = this.ctx.clock.now();
    for (const id of fresh) await this.loadOrg(id, now);
    const restored = await openAlerts(this.q, fresh);
    this.engine.restore(restored, now.getTime());
    for (const a of restored) if (!a.suppressed) this.notified.add(a.id);
  }

  /** Lets organizations go (their partition moves to another process) after storing what changed so far. */
  async dropOrgs(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if (!this.orgs.delete(id)) continue;
      for (const a of this.engine.openAlerts()) if (a.orgId === id) this.notified.delete(a.id);
      this.engine.forgetOrg(id);
    }
    this.write();
    await this.settled();
  }

  /** The organizations this engine evaluates now. */
  heldOrgs(): string[] {
    return [...this.orgs];
  }

  /**
   * Hears the changes other processes make (platform/signals.ts): rules saved and silences or
   * maintenance windows changed reload at once; after a lost signal connection, everything reloads.
   */
  listen(signals: Signals): () => void {
    const fail = (err: unknown) => this.ctx.log.warn({ err }, 'alert runtime could not reload after a signal');
    const offConfig = signals.subscribe('alert.config', async (p) => {
      if (!this.started) return;
      if (p.what === 'rules') {
        if (this.owns(p.orgId)) await this.reloadRules(p.orgId).catch(fail);
      } else {
        await this.reloadSuppressions().catch(fail);
        await this.tick().catch(fail);
      }
    });
    const offResync = signals.onResync(() => {
      if (!this.started) return;
      void this.reloadRules().catch(fail);
      void this.reloadSuppressions().catch(fail);
    });
    return () => {
      offConfig();
      offResync();
    };
  }

  private async loadOrg(orgId: string, now: Date): Promise<void> {
    const db = this.q;
    this.orgs.add(orgId);
    this.engine.setRules(orgId, await effectiveRules(db, orgId));
    for (const t of await monitoredTerminals(db, orgId)) this.engine.upsertTerminal(t.info, t.lastSeen ?? undefined);
    for (const h of await tradingHistory(db, orgId, now)) this.engine.seedTrading(h.terminalId, h.hour, h.n);
  }

  attach(pipeline: IngestPipeline): void {
    pipeline.onCommitted((batch, stored) => this.feed(batch, stored));
  }

  /** Records the pipeline committed; only new ones (a re-delivery was seen already). */
  feed(batch: readonly Accepted[], stored: readonly boolean[]): void {
    if (!this.started) return;
    const e = this.engine;
    for (let i = 0; i < batch.length; i++) {
      if (!stored[i]) continue;
      const { terminalId, rec } = batch[i]!;
      if (!e.hasTerminal(terminalId)) {
        // Another process evaluates that organization (its partition moved away meanwhile).
        if (!this.owns(batch[i]!.orgId)) continue;
        this.unknown.add(terminalId);
        if (this.waiting.length < 100_000) this.waiting.push(batch[i]!);
        continue;
      }
      if (rec.kind === 'telemetry') {
        if (this.newest) {
          // Shared out (several ingest processes): a terminal's samples may come out of order; an older one
          // than already judged would undo the newer verdict (a condition's start), so it is left out.
          const seen = this.newest.get(terminalId);
          if (seen !== undefined && rec.atMs < seen) continue;
          this.newest.set(terminalId, rec.atMs);
        }
        e.observeTelemetry(terminalId, rec.atMs, rec.features, rec.appVersion);
      }
      else if (rec.kind === 'txn' && rec.txn) e.observeTxn(terminalId, rec.atMs, rec.txn);
      else e.observeSeen(terminalId, rec.atMs);
    }
    this.pendingSince ??= Date.now();
    if (this.unknown.size) void this.loadUnknown();
    this.write();
  }

  /** Called with the lag of each evaluation: from the records reaching the engine to their changes stored. */
  onLag(fn: (ms: number) => void): void {
    this.lagListeners.push(fn);
  }

  private reportLag(since: number | null): void {
    if (since === null) return;
    const ms = Date.now() - since;
    for (const l of this.lagListeners) l(ms);
  }

  /** Evaluates time-driven rules now (tests call it with an injected clock). */
  async tick(): Promise<void> {
    if (!this.started) return;
    await this.syncAcknowledgements();
    this.engine.tick(this.ctx.clock.now().getTime());
    this.write();
    await this.settled();
  }

  /** Acknowledges an alert this process evaluates; false if the engine does not hold it open. */
  acknowledge(alertId: string, by: string, comment?: string): AlertState | null {
    const a = this.engine.getOpen(alertId);
    if (!a) return null;
    this.engine.acknowledge(alertId, by, this.ctx.clock.now().getTime(), comment);
    this.write();
    return a;
  }

  /** Waits until every change so far is stored (and notifications handed over). */
  async settled(): Promise<void> {
    while (this.writing || this.loadingUnknown) {
      if (this.loadingUnknown) await this.loadingUnknown;
      if (this.writing) await this.writing;
    }
  }

  async reloadRules(orgId?: string): Promise<void> {
    const ids = (orgId ? [orgId] : await orgIds(this.q)).filter((id) => this.owns(id));
    for (const id of ids) {
      if (!this.orgs.has(id)) await this.loadOrg(id, this.ctx.clock.now());
      else this.engine.setRules(id, await effectiveRules(this.q, id));
    }
  }

  async reloadSuppressions(): Promise<void> {
    const now = this.ctx.clock.now();
    this.engine.setSilences(await activeSilences(this.q, now));
    this.engine.setMaintenance(await activeMaintenance(this.q, now));
  }

  async reloadTerminals(): Promise<void> {
    for (const t of await monitoredTerminals(this.q)) if (this.orgs.has(t.info.orgId)) this.engine.upsertTerminal(t.info, t.lastSeen ?? undefined);
  }

  private loadingUnknown: Promise<void> | null = null;

  private loadUnknown(): Promise<void> {
    this.loadingUnknown ??= (async () => {
      try {
        while (this.unknown.size) {
          const ids = [...this.unknown];
          this.unknown.clear();
          for (const t of await monitoredTerminals(this.q, undefined, ids)) {
            if (!this.owns(t.info.orgId)) continue;
            // A terminal of an organization created since the last reload: its rules come first.
            if (!this.orgs.has(t.info.orgId)) await this.loadOrg(t.info.orgId, this.ctx.clock.now());
            this.engine.upsertTerminal(t.info, t.lastSeen ?? undefined);
          }
          const waiting = this.waiting.filter((r) => this.engine.hasTerminal(r.terminalId));
          this.waiting = this.waiting.filter((r) => !this.engine.hasTerminal(r.terminalId) && this.unknown.has(r.terminalId));
          if (waiting.length) this.feed(waiting, waiting.map(() => true));
        }
      } finally {
        this.loadingUnknown = null;
      }
    })();
    return this.loadingUnknown;
  }

  private async refreshLastSeen(): Promise<void> {
    for (const r of await lastSeen(this.q)) this.engine.observeSeen(r.id, r.at);
  }

  private async syncAcknowledgements(): Promise<void> {
    const open = this.engine.openAlerts().filter((a) => a.status === 'firing');
    if (!open.length) return;
    const rows = await this.ctx.db.rawTransaction((tx) =>
      tx.query<{ id: string; acknowledged_at: string; acknowledged_by: string }>(`SELECT id, acknowledged_at, acknowledged_by FROM alerts WHERE id = ANY($1::uuid[]) AND status = 'acknowledged'`, [open.map((a) => a.id)]),
    );
    for (const r of rows) {
      this.ackedElsewhere.add(r.id);
      this.engine.acknowledge(r.id, r.acknowledged_by, new Date(r.acknowledged_at).getTime());
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Starts a write of what the engine changed, or asks the running one to go again when done. */
  private write(): void {
    if (this.writing) {
      this.again = true;
      return;
    }
    const changes = this.engine.drain();
    const since = this.pendingSince;
    this.pendingSince = null;
    if (!changes.length) return this.reportLag(since);
    this.writing = this.store(changes)
      .catch((err: unknown) => this.ctx.log.error({ err, changes: changes.length }, 'storing alert changes failed'))
      .finally(() => {
        this.reportLag(since);
        this.writing = null;
        if (this.again) {
          this.again = false;
          this.write();
        }
      });
  }

  private async store(changes: AlertChange[]): Promise<void> {
    const adopted = await persistChanges(this.ctx.db, changes, (c) => c.type === 'acknowledged' && this.ackedElsewhere.delete(c.alert.id));
    for (const [id, storedId] of adopted) {
      this.ctx.log.warn({ alertId: id, storedId }, 'an open alert of this fingerprint was stored already; the stored alert goes on');
      this.engine.adoptId(id, storedId);
      for (const c of changes) if (c.alert.id === id) c.alert.id = storedId;
    }
    this.onStored?.(changes, Date.now());
    const now = this.ctx.clock.now();
    for (const c of changes) {
      const notice = this.noticeFor(c);
      if (notice && this.opts.notifier) {
        await this.opts.notifier.notifyAlert(notice, now).catch((err: unknown) => this.ctx.log.warn({ err, alertId: c.alert.id }, 'alert notification failed'));
      }
      if (c.type === 'fired' && this.opts.enqueueDiagnosis) await this.enqueueDiagnosis(c.alert);
      else if (c.type === 'fired' && this.opts.diagnose) this.queueDiagnosis(c.alert);
      if ((c.type === 'fired' || c.type === 'unsuppressed') && c.alert.rule.autoTicket && !c.alert.suppressed && !c.alert.ticketId && this.opts.openTicket) await this.ticketFor(c.alert);
    }
  }

  /** Who hears about a change: firing (unless suppressed), a suppression lifted, escalation, flapping, resolution of what was told. */
  private noticeFor(c: AlertChange): AlertNotice | null {
    const a = c.alert;
    let event: AlertNotice['event'] | null = null;
    if ((c.type === 'fired' || c.type === 'unsuppressed') && !a.suppressed && a.status === 'firing' && !this.notified.has(a.id)) {
      this.notified.add(a.id);
      event = 'fired';
    } else if (c.type === 'escalated') event = 'escalated';
    else if (c.type === 'flapping' && !a.suppressed) event = 'flapping';
    else if (c.type === 'resolved' && this.notified.delete(a.id)) event = 'resolved';
    if (!event) return null;
    return {
      alertId: a.id,
      orgId: a.orgId,
      event,
      severity: a.severity,
      ruleCode: a.ruleCode,
      ruleName: a.rule.name,
      scopeLabel: a.scopeLabel,
      merchantId: a.merchantId,
      siteId: a.siteId,
      terminalId: a.terminalId,
      memberCount: a.members.size,
      value: a.value,
      threshold: a.threshold,
      predictedAt: a.predictedAt === null ? null : new Date(a.predictedAt).toISOString(),
      startedAt: new Date(a.startedAt).toISOString(),
      ...(c.roles ? { roles: c.roles, escalationLevel: a.escalationLevel } : {}),
    };
  }

  private async ticketFor(a: AlertState): Promise<void> {
    try {
      const id = await this.opts.openTicket!(a);
      if (!id) return;
      this.engine.linkTicket(a.id, id);
      a.ticketId = id;
      await this.ctx.db.rawTransaction(async (tx) => {
        await tx.query('UPDATE alerts SET ticket_id = $2 WHERE id = $1', [a.id, id]);
        await recordEvent(tx, a.id, a.orgId, this.ctx.clock.now(), 'ticket_opened', null, { ticketId: id });
      });
    } catch (err) {
      this.ctx.log.warn({ err, alertId: a.id }, 'opening a ticket for an alert failed');
    }
  }

  private async enqueueDiagnosis(a: AlertState): Promise<void> {
    try {
      await this.opts.enqueueDiagnosis!(diagnosisRequest(a));
    } catch (err) {
      // The queue's database is the alerts' database: if it refused, diagnose here rather than lose it.
      this.ctx.log.warn({ err, alertId: a.id }, 'queueing an alert diagnosis failed; diagnosing in this process');
      if (this.opts.diagnose) this.queueDiagnosis(a);
    }
  }

  /** In-process diagnoses (no job queue: tests, benchmarks): one at a time, every one of them. */
  private queueDiagnosis(a: AlertState): void {
    this.diagnosisQueue.push(a);
    if (!this.diagnosing) void this.diagnoseNext();
  }

  private async diagnoseNext(): Promise<void> {
    this.diagnosing = true;
    try {
      for (let a = this.diagnosisQueue.shift(); a; a = this.diagnosisQueue.shift()) {
        try {
          const summary = await this.opts.diagnose!(a);
          if (summary) await this.storeDiagnosis(a, summary);
        } catch (err) {
          this.ctx.log.warn({ err, alertId: a.id }, 'alert diagnosis failed');
        }
      }
    } finally {
      this.diagnosing = false;
    }
  }

  private async storeDiagnosis(a: AlertState, summary: { scope: string; causes: { code: string; confidence: number }[] }): Promise<void> {
    await this.ctx.db.rawTransaction((tx) => storeAlertDiagnosis(tx, a.id, a.orgId, this.ctx.clock.now(), null, summary));
  }

  /** The rule definition in force for an org and code (for presenting alerts). */
  ruleOf(orgId: string, code: string): AlertRuleDefinition | null {
    return this.engine.ruleOf(orgId, code);
  }
}
