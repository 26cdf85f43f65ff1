/**
 * The alert engine: streaming rule evaluation per terminal, group conditions (site, host, version,
 * card), and the noise control around them (fingerprints, grouping, inhibition, flapping, silences,
 * maintenance windows, escalation). It owns no timers and does no I/O: callers feed it samples,
 * payments and clock ticks, and drain the changes to persist and notify. Same inputs → same changes.
 * docs/alerts.md explains the semantics.
 */
import type { AlertCondition, AlertRuleDefinition, AlertSeverity, Comparator } from '@poscare/contracts';
import { metricIndex, type Features, type TxnFeatures } from './metrics.js';
import {
  DEFAULT_FLAP,
  type AlertChange,
  type AlertState,
  type FlapPolicy,
  type Maintenance,
  type RuleVersion,
  type Silence,
  type Suppression,
  type TerminalInfo,
} from './state.js';
import { TradingBaseline } from './trading.js';
import { Trend } from './trend.js';
import { compareVersions } from './versions.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Terminals silent for longer than this are no longer counted in site or version figures. */
const MONITOR_MS = 24 * HOUR;
/** Buckets (minutes) kept for host and version windows: the longest window a rule can use. */
const BUCKETS = 240;
/** Messages further apart than this mean the terminal was away in between (reboot, power, link). */
const GAP_MS = 3 * MIN;
/** A terminal counts as online for trade absence while its last message is this recent. */
const ONLINE_MS = 5 * MIN;
/** Samples with reader attempts kept per reader: ratio windows are at most this many samples long. */
const READ_RING = 128;
/** A terminal saying the host is unreachable this long counts towards a host outage. */
const UNREACHABLE_MS = 2 * MIN;
/** Resolved alerts that inhibit others are remembered this long (their end still explains alerts). */
const INHIBITOR_MEMORY_MS = 24 * HOUR;
/** A reader failure-rate point needs this many attempts: fewer, and one failed read looks like a trend. */
const READER_BUCKET_ATTEMPTS = 20;
/** An alert that began this long before an outage alert may still be explained by it. */
const INHIBIT_LEAD_MS = 15 * MIN;

type Kind = AlertCondition['kind'];
type Of<K extends Kind> = Extract<AlertCondition, { kind: K }>;

interface Compiled {
  def: AlertRuleDefinition;
  version: number;
  index: number;
  /** The metric slot a threshold or trend reads, or -1. */
  slot: number;
  whenSlot: number;
  /** Reader (0 chip, 1 contactless, 2 magstripe) a ratio or trend reads, or -1. */
  reader: number;
  forMs: number;
  sumMs: number;
  resolveMs: number;
}

interface OrgRules {
  all: Compiled[];
  telemetry: Compiled[];
  txn: Compiled[];
  ticking: Compiled[];
  cards: Compiled[];
  byCode: Map<string, Compiled>;
  txnRing: number;
  /** Readers some ratio rule reads (only those keep a ring of attempts). */
  readerRings: boolean[];
  receiptsAtLow: number;
}

/** A terminal's condition for one rule. */
interface Cond {
  since: number | null;
  active: boolean;
  trend: Trend | null;
  /** sumMinutes: [at, value, at, value, …] of the non-zero samples in the window. */
  sum: number[] | null;
}

interface ReadRing {
  attempts: Uint16Array;
  failures: Uint16Array;
  head: number;
  n: number;
}

interface TerminalRuntime {
  info: TerminalInfo;
  lastSeen: number;
  /** First message this engine saw from it: trade absence counts from here at the earliest. */
  watchedSince: number | null;
  lastApproved: number;
  /** The newest moment it was known to be offline (a sample saying so, or the end of a silent gap). */
  offlineAt: number;
  conds: (Cond | undefined)[];
  reads: (ReadRing | null)[] | null;
  /** Per txn source (host, terminal, fallback): ring of 0/1 outcomes. */
  txn: Uint8Array | null;
  txnHead: number;
  txnCount: number;
  trading: TradingBaseline | null;
  paper: { left: number; since: number } | null;
  /** Latest sample with network figures, and since when it has said the host is unreachable. */
  netAt: number;
  unreachableSince: number | null;
  /** Open alerts it is a member of. */
  alerts: Set<AlertState>;
}

class VersionStats {
  readonly minute = new Int32Array(BUCKETS).fill(-1);
  readonly crashes = new Float64Array(BUCKETS);
  readonly anrs = new Float64Array(BUCKETS);
  readonly reboots = new Float64Array(BUCKETS);
  readonly terminalErrors = new Float64Array(BUCKETS);
  readonly samples = new Float64Array(BUCKETS);
  readonly terminals = new Map<string, number>();
  /** Per metric: terminals that showed it, by last time. */
  readonly offenders = { crashes: new Map<string, number>(), anrs: new Map<string, number>(), reboots: new Map<string, number>(), terminalErrors: new Map<string, number>(), samples: new Map<string, number>() };

  add(at: number, field: 'crashes' | 'anrs' | 'reboots' | 'terminalErrors' | 'samples', n: number, offender: string | null): void {
    const m = Math.floor(at / MIN);
    const i = m % BUCKETS;
    if (this.minute[i] !== m) {
      if (this.minute[i]! > m) return;
      this.minute[i] = m;
      this.crashes[i] = this.anrs[i] = this.reboots[i] = this.terminalErrors[i] = this.samples[i] = 0;
    }
    this[field][i]! += n;
    if (offender) this.offenders[field].set(offender, at);
  }

  /** Sum of a field over the minutes [from, to]. */
  sum(field: 'crashes' | 'anrs' | 'reboots' | 'terminalErrors' | 'samples', from: number, to: number): number {
    let n = 0;
    for (let m = Math.max(from, to - BUCKETS + 1); m <= to; m++) if (this.minute[m % BUCKETS] === m) n += this[field][m % BUCKETS]!;
    return n;
  }
}

class SiteTxnStats {
  readonly minute = new Int32Array(BUCKETS).fill(-1);
  readonly errors = new Float64Array(BUCKETS);
  readonly total = new Float64Array(BUCKETS);
  constructor(public host: string) {}

  add(at: number, error: boolean): void {
    const m = Math.floor(at / MIN);
    const i = m % BUCKETS;
    if (this.minute[i] !== m) {
      if (this.minute[i]! > m) return;
      this.minute[i] = m;
      this.errors[i] = this.total[i] = 0;
    }
    this.total[i]!++;
    if (error) this.errors[i]!++;
  }
}

export interface EngineOptions {
  newId: () => string;
  flap?: FlapPolicy;
}

const TXN_SOURCES = ['txn.host_error', 'txn.terminal_error', 'txn.fallback'] as const;
const READER_SOURCES = ['reader.chip', 'reader.contactless', 'reader.magstripe'] as const;
const TICKING: readonly Kind[] = ['absence', 'trade_absence', 'site_offline', 'host_outage', 'fleet_version', 'card_failures'];
const CONNECTED = metricIndex('network.connected');
const HOST_REACHABLE = metricIndex('network.hostReachable');
const PAPER_LOW = metricIndex('printer.paperLow');
const PAPER_OUT = metricIndex('printer.paperOut');
const CRASHES = metricIndex('app.crashes');
const ANRS = metricIndex('app.anrs');
const REBOOTS = metricIndex('os.reboots');

export class AlertEngine {
  private readonly rules = new Map<string, OrgRules>();
  private readonly terminals = new Map<string, TerminalRuntime>();
  private readonly byOrg = new Map<string, Map<string, TerminalRuntime>>();
  /** Open (firing or acknowledged) alerts by org + fingerprint. */
  private readonly open = new Map<string, AlertState>();
  private readonly byId = new Map<string, AlertState>();
  /** Recently resolved alerts of rules that inhibit others: what they explained stays explained. */
  private endedInhibitors: AlertState[] = [];
  private readonly firings = new Map<string, number[]>();
  private readonly versions = new Map<string, Map<string, VersionStats>>();
  private readonly siteTxns = new Map<string, Map<string, SiteTxnStats>>();
  /** Per org and card rule: each card's recent matching failures. */
  private readonly cardFailures = new Map<string, Map<string, { at: number; terminalId: string }[]>>();
  private silences: Silence[] = [];
  private maintenance: Maintenance[] = [];
  private outbox: AlertChange[] = [];
  private readonly flap: FlapPolicy;
  /** The latest tick: "now" for changes that come without a time (a terminal removed). */
  private now = 0;

  constructor(private readonly opts: EngineOptions) {
    this.flap = opts.flap ?? DEFAULT_FLAP;
  }

  // ---- configuration ------------------------------------------------------------------------

  setRules(orgId: string, rules: readonly RuleVersion[]): void {
    const before = this.rules.get(orgId);
    const all = rules.map((r, index): Compiled => {
      const c = r.definition.condition;
      const trendMetric = c.kind === 'trend' ? c.metric : '';
      const plainTrend = c.kind === 'trend' && !trendMetric.startsWith('reader.') && !trendMetric.startsWith('paper.');
      return {
        def: r.definition,
        version: r.version,
        index,
        slot: c.kind === 'threshold' ? metricIndex(c.metric) : plainTrend ? metricIndex(trendMetric as never) : -1,
        whenSlot: c.kind === 'trend' && c.when ? metricIndex(c.when.metric) : -1,
        reader:
          c.kind === 'ratio' ? READER_SOURCES.indexOf(c.source as never) : trendMetric.startsWith('reader.') ? READER_SOURCES.indexOf(trendMetric.replace('.failureRate', '') as never) : -1,
        forMs: c.kind === 'threshold' || c.kind === 'trend' ? (c.forMinutes ?? 0) * MIN : 0,
        sumMs: c.kind === 'threshold' && c.sumMinutes ? c.sumMinutes * MIN : 0,
        resolveMs: r.definition.resolveAfterMinutes * MIN,
      };
    });
    const enabled = all.filter((c) => c.def.enabled);
    const kind = (c: Compiled) => c.def.condition.kind;
    const ratioSource = (c: Compiled) => (c.def.condition.kind === 'ratio' ? c.def.condition.source : '');
    const isPaper = (c: Compiled) => c.def.condition.kind === 'trend' && c.def.condition.metric === 'paper.receiptsLeft';
    const paperRule = enabled.find(isPaper)?.def.condition;
    const org: OrgRules = {
      all,
      // The paper forecast is judged on samples (paper low, replaced) and on payments (receipts printed).
      telemetry: enabled.filter((c) => kind(c) === 'threshold' || kind(c) === 'trend' || (kind(c) === 'ratio' && ratioSource(c).startsWith('reader.'))),
      txn: enabled.filter((c) => (kind(c) === 'ratio' && ratioSource(c).startsWith('txn.')) || isPaper(c)),
      ticking: enabled.filter((c) => TICKING.includes(kind(c))),
      cards: enabled.filter((c) => kind(c) === 'card_failures'),
      byCode: new Map(all.map((c) => [c.def.code, c])),
      txnRing: Math.max(0, ...enabled.filter((c) => ratioSource(c).startsWith('txn.')).map((c) => (c.def.condition as Of<'ratio'>).attempts)),
      readerRings: READER_SOURCES.map((_, i) => enabled.some((c) => kind(c) === 'ratio' && c.reader === i)),
      receiptsAtLow: (paperRule?.kind === 'trend' && paperRule.receiptsAtLow) || 40,
    };
    this.rules.set(orgId, org);

    // An alert whose rule now groups differently would never gather the same members again: it ends.
    for (const a of [...this.open.values()]) {
      if (a.orgId !== orgId) continue;
      const r = org.byCode.get(a.ruleCode);
      const prev = before?.byCode.get(a.ruleCode);
      if (r && prev && r.def.groupBy !== prev.def.groupBy) this.resolve(a, Math.max(this.now, a.lastChangeAt), { reason: 'rule_changed' });
    }
    // Conditions carry over for rules whose condition is unchanged; for changed ones they restart,
    // except that a terminal in an open alert stays in it until the new condition says otherwise.
    for (const t of this.orgTerminals(orgId).values()) {
      const old = t.conds;
      t.conds = [];
      if (t.txn && before?.txnRing !== org.txnRing) (t.txn = null), (t.txnCount = 0), (t.txnHead = 0);
      for (const r of all) {
        const prev = before?.byCode.get(r.def.code);
        if (prev && sameCondition(prev.def, r.def)) t.conds[r.index] = old[prev.index];
        else {
          const a = this.alertOf(t, r.def.code);
          const m = a?.members.get(t.info.id);
          if (m?.active) t.conds[r.index] = { since: m.since, active: true, trend: null, sum: null };
        }
      }
    }
  }

  ruleOf(orgId: string, code: string): AlertRuleDefinition | null {
    return this.rules.get(orgId)?.byCode.get(code)?.def ?? null;
  }

  /** Adds a terminal or updates what the engine knows of it (site, version, host). */
  upsertTerminal(info: TerminalInfo, lastSeen?: number): void {
    const t = this.terminals.get(info.id);
    if (t) {
      if (t.info.orgId !== info.orgId) {
        this.orgTerminals(t.info.orgId).delete(info.id);
        this.orgTerminals(info.orgId).set(info.id, t);
        t.conds = [];
      }
      t.info = info;
      if (lastSeen !== undefined && lastSeen > t.lastSeen) t.lastSeen = lastSeen;
      return;
    }
    const rt: TerminalRuntime = {
      info,
      lastSeen: lastSeen ?? -Infinity,
      watchedSince: null,
      lastApproved: -Infinity,
      offlineAt: -Infinity,
      conds: [],
      reads: null,
      txn: null,
      txnHead: 0,
      txnCount: 0,
      trading: null,
      paper: null,
      netAt: -Infinity,
      unreachableSince: null,
      alerts: new Set(),
    };
    this.terminals.set(info.id, rt);
    this.orgTerminals(info.orgId).set(info.id, rt);
    // Alerts taken over before the terminal was known: it is a member of them.
    for (const a of this.open.values()) if (a.members.has(info.id)) rt.alerts.add(a);
  }

  /** Forgets a terminal; it leaves the alerts it was in (they resolve if nobody else is in them). */
  removeTerminal(id: string): void {
    const t = this.terminals.get(id);
    if (!t) return;
    for (const a of [...t.alerts]) this.clearMember(a, id, Math.max(this.now, a.lastChangeAt));
    this.terminals.delete(id);
    this.orgTerminals(t.info.orgId).delete(id);
  }

  hasTerminal(id: string): boolean {
    return this.terminals.has(id);
  }

  /**
   * Lets go of an organization without a change: its rules, terminals, open alerts and windows are
   * dropped, nothing resolves (another evaluator takes the organization over from the stored alerts).
   * Changes already in the outbox stay there to be stored.
   */
  forgetOrg(orgId: string): void {
    this.rules.delete(orgId);
    for (const id of this.orgTerminals(orgId).keys()) this.terminals.delete(id);
    this.byOrg.delete(orgId);
    for (const [k, a] of this.open) {
      if (a.orgId !== orgId) continue;
      this.open.delete(k);
      this.byId.delete(a.id);
    }
    this.endedInhibitors = this.endedInhibitors.filter((a) => a.orgId !== orgId);
    const prefix = `${orgId}|`;
    for (const k of [...this.firings.keys()]) if (k.startsWith(prefix)) this.firings.delete(k);
    for (const k of [...this.cardFailures.keys()]) if (k.startsWith(prefix)) this.cardFailures.delete(k);
    this.versions.delete(orgId);
    this.siteTxns.delete(orgId);
  }

  setSilences(s: Silence[]): void {
    this.silences = s;
  }

  setMaintenance(m: Maintenance[]): void {
    this.maintenance = m;
  }

  /** Seeds a terminal's trading history (payments approved in one hour), e.g. from the database at start. */
  seedTrading(terminalId: string, hourStartMs: number, approved: number): void {
    const t = this.terminals.get(terminalId);
    if (!t) return;
    t.trading ??= new TradingBaseline(t.info.utcOffsetMinutes ?? 480);
    t.trading.add(hourStartMs, approved);
  }

  /**
   * Takes over alerts that were open before a restart. Members stay as they were stored: a member
   * that met its condition keeps meeting it until a sample (or, for group rules, the next tick) says
   * otherwise, so a restart neither resolves nor re-fires anything by itself.
   */
  restore(alerts: AlertState[], now: number): void {
    if (now > this.now) this.now = now;
    for (const a of alerts) {
      const org = this.rules.get(a.orgId);
      const rule = org?.byCode.get(a.ruleCode);
      if (rule) a.rule = rule.def;
      let active = false;
      for (const [id, m] of a.members) {
        const t = this.terminals.get(id);
        t?.alerts.add(a);
        if (!m.active) continue;
        active = true;
        if (t && rule && t.info.orgId === a.orgId) t.conds[rule.index] = { since: m.since, active: true, trend: null, sum: null };
      }
      a.clearSince = active ? null : (a.clearSince ?? now);
      this.open.set(key(a.orgId, a.fingerprint), a);
      this.byId.set(a.id, a);
    }
  }

  // ---- input ----------------------------------------------------------------------------------

  /** Any message from the terminal: it is alive. */
  observeSeen(terminalId: string, at: number): void {
    const t = this.terminals.get(terminalId);
    if (t) this.touch(t, at);
  }

  observeTelemetry(terminalId: string, at: number, f: Features, appVersion?: string | null): void {
    const t = this.terminals.get(terminalId);
    if (!t) return;
    this.touch(t, at);
    if (appVersion && appVersion !== t.info.appVersion) t.info = { ...t.info, appVersion };
    const org = this.rules.get(t.info.orgId);
    if (!org) return;
    this.trackNetwork(t, f, at);
    this.pushReads(t, org, f.reads);
    this.trackPaper(t, org, f, at);
    this.trackVersion(t, f, at);
    for (const r of org.telemetry) this.evaluateSample(t, r, f, at);
    this.resolveDue(at, t);
  }

  observeTxn(terminalId: string, at: number, x: TxnFeatures): void {
    const t = this.terminals.get(terminalId);
    if (!t) return;
    this.touch(t, at);
    const org = this.rules.get(t.info.orgId);
    if (!org) return;
    if (x.approved) {
      if (at > t.lastApproved) t.lastApproved = at;
      t.trading ??= new TradingBaseline(t.info.utcOffsetMinutes ?? 480);
      t.trading.count(at);
      if (t.paper) t.paper.left = Math.max(0, t.paper.left - 1);
    }
    if (org.txnRing) {
      const n = org.txnRing;
      t.txn ??= new Uint8Array(n * 3);
      const i = t.txnHead;
      t.txn[i * 3] = x.hostError ? 1 : 0;
      t.txn[i * 3 + 1] = x.terminalError ? 1 : 0;
      t.txn[i * 3 + 2] = x.fallback ? 1 : 0;
      t.txnHead = (i + 1) % n;
      t.txnCount = Math.min(n, t.txnCount + 1);
    }
    this.trackSiteTxn(t, at, x);
    if (x.terminalError) this.versionStats(t)?.add(at, 'terminalErrors', 1, t.info.id);
    if (x.cardToken) for (const r of org.cards) this.trackCard(t, r, r.def.condition as Of<'card_failures'>, x, at);
    for (const r of org.txn) {
      const c = r.def.condition;
      if (c.kind === 'ratio') {
        const v = this.txnRatio(t, org, c);
        this.setCondition(t, r, v === null ? null : compare(v, c.op, c.value), at, v === null ? null : round(v), null);
      } else if (c.kind === 'trend' && t.paper) {
        this.evaluatePaper(t, r, c, at);
      }
    }
    this.resolveDue(at, t);
  }

  acknowledge(alertId: string, by: string, at: number, comment?: string): AlertState | null {
    const a = this.byId.get(alertId);
    if (!a || a.status !== 'firing') return a ?? null;
    a.status = 'acknowledged';
    a.acknowledgedAt = at;
    a.acknowledgedBy = by;
    a.lastChangeAt = at;
    this.emit('acknowledged', a, at, comment ? { comment } : undefined, by);
    return a;
  }

  /**
   * Gives an alert the id its fingerprint is stored under: another process (one that died, say) stored
   * an open alert for it that this engine never restored, and that stored alert is the one that goes on.
   */
  adoptId(alertId: string, storedId: string): void {
    const a = this.byId.get(alertId);
    if (!a || alertId === storedId) return;
    this.byId.delete(alertId);
    a.id = storedId;
    this.byId.set(storedId, a);
  }

  linkTicket(alertId: string, ticketId: string): void {
    const a = this.byId.get(alertId);
    if (a) a.ticketId = ticketId;
  }

  getOpen(alertId: string): AlertState | null {
    return this.byId.get(alertId) ?? null;
  }

  openAlerts(): AlertState[] {
    return [...this.open.values()];
  }

  /** Time-driven work: absence, group conditions, resolution, suppression, escalation. */
  tick(now: number): void {
    if (now > this.now) this.now = now;
    for (const [orgId, org] of this.rules) {
      if (!org.ticking.length) continue;
      const terms = this.orgTerminals(orgId);
      for (const r of org.ticking) {
        const c = r.def.condition;
        if (c.kind === 'absence') for (const t of terms.values()) this.evaluateAbsence(t, r, c, now);
        else if (c.kind === 'trade_absence') for (const t of terms.values()) this.evaluateTradeAbsence(t, r, c, now);
        else if (c.kind === 'site_offline') this.evaluateSites(orgId, terms, r, c, now);
        else if (c.kind === 'host_outage') this.evaluateHosts(orgId, terms, r, c, now);
        else if (c.kind === 'fleet_version') this.evaluateVersions(orgId, r, c, now);
        else if (c.kind === 'card_failures') this.evaluateCards(orgId, r, c, now);
      }
    }
    this.resolveDue(now);
    this.applySuppression(now);
    this.escalate(now);
  }

  /** The changes since the last drain, in order. */
  drain(): AlertChange[] {
    const out = this.outbox;
    this.outbox = [];
    return out;
  }

  // ---- per-sample conditions ---------------------------------------------------------------------

  private touch(t: TerminalRuntime, at: number): void {
    t.watchedSince ??= at;
    if (at <= t.lastSeen) return;
    if (at - t.lastSeen > GAP_MS && t.lastSeen !== -Infinity && at > t.offlineAt) t.offlineAt = at;
    t.lastSeen = at;
  }

  private trackNetwork(t: TerminalRuntime, f: Features, at: number): void {
    const connected = f.metrics[CONNECTED]!;
    if (connected !== connected) return;
    if (at < t.netAt) return;
    t.netAt = at;
    if (connected === 0) {
      if (at > t.offlineAt) t.offlineAt = at;
      t.unreachableSince = null;
      return;
    }
    const reachable = f.metrics[HOST_REACHABLE]!;
    if (reachable === 0) t.unreachableSince ??= at;
    else if (reachable === 1) t.unreachableSince = null;
  }

  private evaluateSample(t: TerminalRuntime, r: Compiled, f: Features, at: number): void {
    const c = r.def.condition;
    if (c.kind === 'threshold') {
      let v = f.metrics[r.slot]!;
      if (v !== v) return;
      if (r.sumMs) v = this.windowSum(this.cond(t, r), at, v, r.sumMs);
      this.setCondition(t, r, compare(v, c.op, c.value), at, v, null);
    } else if (c.kind === 'ratio') {
      // Judged over attempts: a sample without any leaves the verdict as it was.
      if (!(f.reads[2 * r.reader]! > 0)) return;
      const v = this.readRatio(t, r.reader, c.attempts, c.minAttempts);
      this.setCondition(t, r, v === null ? null : compare(v, c.op, c.value), at, v === null ? null : round(v), null);
    } else if (c.kind === 'trend') {
      if (c.metric === 'paper.receiptsLeft') return this.evaluatePaper(t, r, c, at);
      const cond = this.cond(t, r);
      cond.trend ??= new Trend(c.windowMinutes * MIN, (c.minSpanMinutes ?? c.windowMinutes / 4) * MIN, READER_BUCKET_ATTEMPTS);
      if (r.whenSlot >= 0) {
        const w = f.metrics[r.whenSlot]!;
        if (w !== w) return;
        if (w !== c.when!.value) {
          if (cond.trend.points) cond.trend.reset();
          return this.setCondition(t, r, false, at, null, null);
        }
      }
      if (r.reader >= 0) {
        const a = f.reads[2 * r.reader]!;
        if (!(a > 0)) return;
        if (!cond.trend.addCounts(at, a, f.reads[2 * r.reader + 1]!)) return;
      } else {
        const v = f.metrics[r.slot]!;
        if (v !== v) return;
        cond.trend.add(at, v);
      }
      this.judgeTrend(t, r, c, cond.trend, at);
    }
  }

  /** Adds a sample to a rule's window of non-zero values; returns the window's sum. */
  private windowSum(cond: Cond, at: number, v: number, windowMs: number): number {
    const s = (cond.sum ??= []);
    if (v !== 0) s.push(at, v);
    let drop = 0;
    while (drop < s.length && s[drop]! <= at - windowMs) drop += 2;
    if (drop) s.splice(0, drop);
    let total = 0;
    for (let i = 1; i < s.length; i += 2) total += s[i]!;
    return total;
  }

  private evaluatePaper(t: TerminalRuntime, r: Compiled, c: Of<'trend'>, at: number): void {
    if (!t.paper) {
      const cond = t.conds[r.index];
      if (cond?.trend?.points) cond.trend.reset();
      return this.setCondition(t, r, false, at, null, null);
    }
    const cond = this.cond(t, r);
    cond.trend ??= new Trend(c.windowMinutes * MIN, (c.minSpanMinutes ?? c.windowMinutes / 4) * MIN);
    cond.trend.add(at, t.paper.left);
    this.judgeTrend(t, r, c, cond.trend, at);
  }

  private judgeTrend(t: TerminalRuntime, r: Compiled, c: Of<'trend'>, trend: Trend, at: number): void {
    const f = trend.forecast(at, c.threshold, c.direction, c.minPoints);
    // Too few points to tell: the verdict stands (after a restart, an alert is neither dropped nor re-fired).
    if (!f) return;
    const armed = c.armAt === undefined || (c.direction === 'rising' ? f.now >= c.armAt : f.now <= c.armAt);
    const within = armed && f.crossAt - at <= c.horizonMinutes * MIN;
    this.setCondition(t, r, within, at, round(f.now), within ? Math.round(f.crossAt) : null);
  }

  private trackPaper(t: TerminalRuntime, org: OrgRules, f: Features, at: number): void {
    const low = f.metrics[PAPER_LOW]!;
    const out = f.metrics[PAPER_OUT]!;
    if (low !== low && out !== out) return;
    if (out === 1) {
      if (t.paper) t.paper.left = 0;
      else t.paper = { left: 0, since: at };
    } else if (low === 1) {
      t.paper ??= { left: org.receiptsAtLow, since: at };
    } else if (low === 0 && out === 0) t.paper = null;
  }

  private pushReads(t: TerminalRuntime, org: OrgRules, reads: Float64Array): void {
    for (let i = 0; i < 3; i++) {
      const a = reads[2 * i]!;
      if (!(a > 0) || !org.readerRings[i]) continue;
      t.reads ??= [null, null, null];
      const ring = (t.reads[i] ??= { attempts: new Uint16Array(READ_RING), failures: new Uint16Array(READ_RING), head: 0, n: 0 });
      ring.attempts[ring.head] = Math.min(65_535, a);
      ring.failures[ring.head] = Math.min(65_535, reads[2 * i + 1]!);
      ring.head = (ring.head + 1) % READ_RING;
      ring.n = Math.min(READ_RING, ring.n + 1);
    }
  }

  /** failures / attempts over the newest samples holding at least `attempts` attempts. */
  private readRatio(t: TerminalRuntime, reader: number, attempts: number, minAttempts: number): number | null {
    const ring = t.reads?.[reader];
    if (!ring) return null;
    let a = 0;
    let fl = 0;
    for (let k = 1; k <= ring.n && a < attempts; k++) {
      const i = (ring.head - k + READ_RING) % READ_RING;
      a += ring.attempts[i]!;
      fl += ring.failures[i]!;
    }
    return a >= minAttempts ? fl / a : null;
  }

  private txnRatio(t: TerminalRuntime, org: OrgRules, c: Of<'ratio'>): number | null {
    const n = org.txnRing;
    if (!t.txn || t.txnCount < c.minAttempts) return null;
    const col = TXN_SOURCES.indexOf(c.source as never);
    const take = Math.min(c.attempts, t.txnCount);
    let hits = 0;
    for (let k = 1; k <= take; k++) hits += t.txn[((t.txnHead - k + n) % n) * 3 + col]!;
    return hits / take;
  }

  // ---- time-driven conditions ---------------------------------------------------------------------

  private evaluateAbsence(t: TerminalRuntime, r: Compiled, c: Of<'absence'>, now: number): void {
    if (t.lastSeen === -Infinity || now - t.lastSeen > MONITOR_MS * 7) return this.setCondition(t, r, false, now, null, null);
    const silentMin = (now - t.lastSeen) / MIN;
    this.setCondition(t, r, silentMin >= c.minutes, now, Math.round(silentMin), null);
  }

  private evaluateTradeAbsence(t: TerminalRuntime, r: Compiled, c: Of<'trade_absence'>, now: number): void {
    const windowMs = c.minutes * MIN;
    const online = now - t.lastSeen < ONLINE_MS && now - t.offlineAt >= windowMs;
    const idleSince = Math.max(t.lastApproved, t.watchedSince ?? now);
    const expected = online && !!t.trading && now - idleSince >= windowMs && t.trading.expectedOver(now - windowMs, now, c.minPerHour, c.minWeeks);
    this.setCondition(t, r, expected, now, expected ? Math.round((now - idleSince) / MIN) : null, null);
  }

  private evaluateSites(orgId: string, terms: Map<string, TerminalRuntime>, r: Compiled, c: Of<'site_offline'>, now: number): void {
    const bySite = new Map<string, { total: number; off: TerminalRuntime[] }>();
    const silentMs = c.minutes * MIN;
    for (const t of terms.values()) {
      if (!t.info.siteId || t.lastSeen === -Infinity || now - t.lastSeen > MONITOR_MS) continue;
      let s = bySite.get(t.info.siteId);
      if (!s) bySite.set(t.info.siteId, (s = { total: 0, off: [] }));
      s.total++;
      if (now - t.lastSeen >= silentMs) s.off.push(t);
    }
    const active = new Map<string, TerminalRuntime[]>();
    for (const [site, s] of bySite) {
      if (s.off.length >= c.minTerminals && s.off.length / s.total >= c.share) active.set(site, s.off);
      else if (c.together) {
        const cluster = silentTogether(s.off, c.together.withinMinutes * MIN);
        const small = c.together.smallSite && s.total <= c.together.smallSite.upTo;
        if (cluster.length >= (small ? c.together.smallSite!.minTerminals : c.together.minTerminals)) active.set(site, cluster);
      }
    }
    this.setGroup(orgId, r, 'site', active, now, (site) => bySite.get(site)!.off.length);
  }

  private evaluateHosts(orgId: string, terms: Map<string, TerminalRuntime>, r: Compiled, c: Of<'host_outage'>, now: number): void {
    const to = Math.floor(now / MIN);
    const from = to - Math.ceil(c.windowMinutes) + 1;
    const failing = new Map<string, Set<string>>();
    const add = (host: string, site: string) => {
      let set = failing.get(host);
      if (!set) failing.set(host, (set = new Set()));
      set.add(site);
    };
    const perSite = c.minPayments / c.minSites;
    const byPayments = new Map<string, number>();
    for (const [site, s] of this.siteTxns.get(orgId) ?? []) {
      let errors = 0;
      let total = 0;
      for (let m = from; m <= to; m++) {
        const i = m % BUCKETS;
        if (s.minute[i] === m) (errors += s.errors[i]!), (total += s.total[i]!);
      }
      if (total >= perSite && errors / total >= c.value) add(s.host, site);
    }
    for (const [host, sites] of failing) byPayments.set(host, sites.size);
    for (const [host, n] of byPayments) if (n < c.minSites) failing.delete(host);
    if (c.unreachableSites) {
      // Terminals that say the host is unreachable, per host and site: [reporting, unreachable].
      const seen = new Map<string, Map<string, [number, number]>>();
      for (const t of terms.values()) {
        const host = t.info.host;
        const site = t.info.siteId;
        if (!host || !site || now - t.netAt > 3 * MIN) continue;
        let sites = seen.get(host);
        if (!sites) seen.set(host, (sites = new Map()));
        let n = sites.get(site);
        if (!n) sites.set(site, (n = [0, 0]));
        n[0]++;
        if (t.unreachableSince !== null && now - t.unreachableSince >= UNREACHABLE_MS) n[1]++;
      }
      for (const [host, sites] of seen) {
        const down = [...sites].filter(([, [n, u]]) => u > 0 && u * 2 >= n).map(([s]) => s);
        if (down.length >= c.unreachableSites) for (const s of down) add(host, s);
      }
    }
    const active = new Map<string, TerminalRuntime[]>();
    for (const [host, sites] of failing) {
      const members: TerminalRuntime[] = [];
      for (const t of terms.values()) if (t.info.host === host && t.info.siteId !== null && sites.has(t.info.siteId)) members.push(t);
      active.set(host, members);
    }
    this.setGroup(orgId, r, 'host', active, now, (host) => failing.get(host)?.size ?? 0);
  }

  private evaluateVersions(orgId: string, r: Compiled, c: Of<'fleet_version'>, now: number): void {
    const stats = this.versions.get(orgId);
    if (!stats) return;
    const to = Math.floor(now / MIN);
    const from = to - Math.ceil(c.windowMinutes) + 1;
    const field = ({ 'app.crashes': 'crashes', 'app.anrs': 'anrs', 'os.reboots': 'reboots', 'txn.terminal_error': 'terminalErrors' } as const)[c.metric];
    const rates = new Map<string, { rate: number; terminals: number }>();
    for (const [v, s] of stats) {
      const samples = s.sum('samples', from, to);
      let terminals = 0;
      for (const seen of s.terminals.values()) if (seen >= from * MIN) terminals++;
      if (samples > 0) rates.set(v, { rate: s.sum(field, from, to) / (samples / 60), terminals });
    }
    const ordered = [...rates.keys()].filter((v) => rates.get(v)!.terminals >= c.minTerminals).sort(compareVersions);
    const active = new Map<string, TerminalRuntime[]>();
    const values = new Map<string, number>();
    // Each version against the newest older version that enough terminals run.
    for (let i = 1; i < ordered.length; i++) {
      const v = ordered[i]!;
      const cur = rates.get(v)!;
      const prev = rates.get(ordered[i - 1]!)!;
      if (cur.rate >= c.minRate && cur.rate >= c.factor * Math.max(prev.rate, 0.01)) {
        const offenders = [...stats.get(v)!.offenders[field]].filter(([, at]) => at >= from * MIN).map(([id]) => this.terminals.get(id)).filter((t): t is TerminalRuntime => !!t && t.info.appVersion === v);
        if (offenders.length && offenders.length >= (c.minAffected ?? 1)) active.set(v, offenders);
        values.set(v, round(cur.rate));
      }
    }
    this.setGroup(orgId, r, 'version', active, now, (v) => values.get(v) ?? 0);
  }

  private trackCard(t: TerminalRuntime, r: Compiled, c: Of<'card_failures'>, x: TxnFeatures, at: number): void {
    const hit =
      (x.outcome !== 'approved' && (c.outcomes as string[]).includes(x.outcome)) || (x.responseCode !== null && c.responseCodes.includes(x.responseCode)) || (c.fallback === true && x.fallback);
    if (!hit) return;
    const k = `${t.info.orgId}|${r.def.code}`;
    let cards = this.cardFailures.get(k);
    if (!cards) this.cardFailures.set(k, (cards = new Map()));
    const from = at - c.minutes * MIN;
    const list = (cards.get(x.cardToken!) ?? []).filter((e) => e.at >= from);
    list.push({ at, terminalId: t.info.id });
    cards.set(x.cardToken!, list);
    const ids = [...new Set(list.map((e) => e.terminalId))];
    if (list.length < c.count || ids.length < (c.minTerminals ?? 1)) return;
    const a = this.alertFor(r, t.info.orgId, 'card', x.cardToken!, x.cardToken!, null, at, ids);
    a.value = list.length;
    for (const id of ids) this.addMember(a, id, at);
  }

  private evaluateCards(orgId: string, r: Compiled, c: Of<'card_failures'>, now: number): void {
    const cards = this.cardFailures.get(`${orgId}|${r.def.code}`);
    const active = new Map<string, TerminalRuntime[]>();
    const counts = new Map<string, number>();
    if (cards) {
      const from = now - c.minutes * MIN;
      for (const [token, list] of cards) {
        const recent = list.filter((e) => e.at >= from);
        if (!recent.length) {
          cards.delete(token);
          continue;
        }
        if (recent.length !== list.length) cards.set(token, recent);
        const ids = new Set(recent.map((e) => e.terminalId));
        if (recent.length < c.count || ids.size < (c.minTerminals ?? 1)) continue;
        active.set(token, [...ids].map((id) => this.terminals.get(id)).filter((x): x is TerminalRuntime => !!x));
        counts.set(token, recent.length);
      }
    }
    this.setGroup(orgId, r, 'card', active, now, (k) => counts.get(k) ?? 0);
  }

  private trackVersion(t: TerminalRuntime, f: Features, at: number): void {
    const s = this.versionStats(t);
    if (!s) return;
    s.add(at, 'samples', 1, null);
    s.terminals.set(t.info.id, at);
    const crashes = f.metrics[CRASHES]!;
    const anrs = f.metrics[ANRS]!;
    const reboots = f.metrics[REBOOTS]!;
    if (crashes > 0) s.add(at, 'crashes', crashes, t.info.id);
    if (anrs > 0) s.add(at, 'anrs', anrs, t.info.id);
    if (reboots > 0) s.add(at, 'reboots', reboots, t.info.id);
  }

  private versionStats(t: TerminalRuntime): VersionStats | null {
    const v = t.info.appVersion;
    if (!v) return null;
    let org = this.versions.get(t.info.orgId);
    if (!org) this.versions.set(t.info.orgId, (org = new Map()));
    let s = org.get(v);
    if (!s) org.set(v, (s = new VersionStats()));
    return s;
  }

  private trackSiteTxn(t: TerminalRuntime, at: number, x: TxnFeatures): void {
    if (!t.info.siteId || !t.info.host) return;
    let org = this.siteTxns.get(t.info.orgId);
    if (!org) this.siteTxns.set(t.info.orgId, (org = new Map()));
    let s = org.get(t.info.siteId);
    if (!s) org.set(t.info.siteId, (s = new SiteTxnStats(t.info.host)));
    s.host = t.info.host;
    s.add(at, x.hostError);
  }

  // ---- alerts -----------------------------------------------------------------------------------

  private orgTerminals(orgId: string): Map<string, TerminalRuntime> {
    let m = this.byOrg.get(orgId);
    if (!m) this.byOrg.set(orgId, (m = new Map()));
    return m;
  }

  private cond(t: TerminalRuntime, r: Compiled): Cond {
    let c = t.conds[r.index];
    if (!c) t.conds[r.index] = c = { since: null, active: false, trend: null, sum: null };
    return c;
  }

  /** The open alert of a rule this terminal is a member of. */
  private alertOf(t: TerminalRuntime, code: string): AlertState | undefined {
    for (const a of t.alerts) if (a.ruleCode === code) return a;
    return undefined;
  }

  /** Feeds one terminal's condition for one rule: true (holds), false (clear) or null (unknown). */
  private setCondition(t: TerminalRuntime, r: Compiled, holds: boolean | null, at: number, value: number | null, predictedAt: number | null): void {
    if (holds === null) return;
    const cond = t.conds[r.index] ?? (holds ? this.cond(t, r) : undefined);
    if (!cond) return;
    if (holds) {
      cond.since ??= at;
      if (!cond.active && at - cond.since >= r.forMs) {
        cond.active = true;
        this.memberOn(r, t, at, value, predictedAt);
      } else if (cond.active) this.memberUpdate(r, t, at, value, predictedAt);
    } else {
      cond.since = null;
      if (cond.active) {
        cond.active = false;
        const a = this.alertOf(t, r.def.code);
        if (a) this.clearMember(a, t.info.id, at);
      }
    }
  }

  private groupKey(r: Compiled, t: TerminalInfo): { key: string; label: string } {
    switch (r.def.groupBy) {
      case 'site':
        if (t.siteId) return { key: t.siteId, label: t.siteLabel ?? t.siteId };
        break;
      case 'merchant':
        if (t.merchantId) return { key: t.merchantId, label: t.merchantLabel ?? t.merchantId };
        break;
      case 'version':
        if (t.appVersion) return { key: t.appVersion, label: t.appVersion };
        break;
      case 'host':
        if (t.host) return { key: t.host, label: t.host };
        break;
      default:
        break;
    }
    return { key: t.id, label: t.serial };
  }

  private memberOn(r: Compiled, t: TerminalRuntime, at: number, value: number | null, predictedAt: number | null): void {
    const g = this.groupKey(r, t.info);
    const existing = this.open.get(key(t.info.orgId, fingerprint(r.def.code, g.key)));
    const a = existing ?? this.alertFor(r, t.info.orgId, r.def.groupBy, g.key, g.label, t.info, at, [t.info.id], value, predictedAt);
    this.addMember(a, t.info.id, at);
    if (value !== null) a.value = value;
    if (predictedAt !== null) a.predictedAt = predictedAt;
  }

  private memberUpdate(r: Compiled, t: TerminalRuntime, at: number, value: number | null, predictedAt: number | null): void {
    const a = this.alertOf(t, r.def.code);
    if (!a) return;
    if (value !== null) a.value = value;
    // Once the predicted moment has come and the metric crossed, the prediction stays as it was made.
    if (predictedAt !== null && !(predictedAt <= at && a.predictedAt !== null && a.predictedAt <= at)) a.predictedAt = predictedAt;
  }

  /** Group conditions: `active` maps each group in trouble to its members; every other open alert of the rule clears. */
  private setGroup(orgId: string, r: Compiled, groupBy: AlertState['groupBy'], active: Map<string, TerminalRuntime[]>, now: number, valueOf: (k: string) => number): void {
    for (const [k, members] of active) {
      const first = members[0]?.info;
      const label = groupBy === 'site' ? (first?.siteLabel ?? k) : k;
      const ids = new Set(members.map((m) => m.info.id));
      const a = this.open.get(key(orgId, fingerprint(r.def.code, k))) ?? this.alertFor(r, orgId, groupBy, k, label, first ?? null, now, [...ids], valueOf(k));
      a.value = valueOf(k);
      for (const id of ids) this.addMember(a, id, now);
      for (const [id, m] of a.members) if (m.active && !ids.has(id)) this.clearMember(a, id, now);
      // A group whose members all left (or were never known) still counts as clearing.
      if (!ids.size && a.clearSince === null) a.clearSince = now;
    }
    for (const a of this.open.values()) {
      if (a.orgId !== orgId || a.ruleCode !== r.def.code || active.has(a.scopeKey)) continue;
      for (const [id, m] of a.members) if (m.active) this.clearMember(a, id, now);
      if (a.clearSince === null) a.clearSince = now;
    }
  }

  /** A new alert with its first members; suppression is judged with them, before anyone hears of it. */
  private alertFor(
    r: Compiled,
    orgId: string,
    groupBy: AlertState['groupBy'],
    scopeKey: string,
    scopeLabel: string,
    t: TerminalInfo | null,
    at: number,
    memberIds: readonly string[],
    value: number | null = null,
    predictedAt: number | null = null,
  ): AlertState {
    const fp = fingerprint(r.def.code, scopeKey);
    const a: AlertState = {
      id: this.opts.newId(),
      orgId,
      fingerprint: fp,
      ruleCode: r.def.code,
      ruleVersion: r.version,
      rule: r.def,
      groupBy,
      scopeKey,
      scopeLabel,
      terminalId: groupBy === 'terminal' ? scopeKey : null,
      siteId: groupBy === 'terminal' || groupBy === 'site' ? (t?.siteId ?? null) : null,
      merchantId: groupBy === 'version' || groupBy === 'host' || groupBy === 'card' ? null : (t?.merchantId ?? null),
      severity: r.def.severity,
      status: 'firing',
      flapping: false,
      suppressed: null,
      members: new Map(),
      value,
      threshold: thresholdOf(r.def.condition),
      predictedAt,
      startedAt: at,
      lastChangeAt: at,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      escalationLevel: 0,
      clearSince: null,
      ticketId: null,
    };
    this.open.set(key(orgId, fp), a);
    this.byId.set(a.id, a);
    for (const id of memberIds) {
      a.members.set(id, { since: at, active: true, clearedAt: null });
      this.terminals.get(id)?.alerts.add(a);
    }
    a.suppressed = this.suppressionOf(a, at);
    const flapping = this.countFiring(a, at);
    this.emit('fired', a, at);
    if (flapping) {
      a.flapping = true;
      this.emit('flapping', a, at, { firings: this.firings.get(key(orgId, fp))?.length ?? 0 });
    }
    return a;
  }

  private addMember(a: AlertState, terminalId: string, at: number): void {
    const m = a.members.get(terminalId);
    const wasClear = a.clearSince !== null;
    if (!m) {
      a.members.set(terminalId, { since: at, active: true, clearedAt: null });
      this.terminals.get(terminalId)?.alerts.add(a);
      if (a.members.size > 1) this.emit('member_added', a, at, { terminalId });
    } else if (!m.active) {
      m.active = true;
      m.clearedAt = null;
      if (a.members.size > 1) this.emit('member_added', a, at, { terminalId });
    } else return;
    a.clearSince = null;
    a.lastChangeAt = Math.max(a.lastChangeAt, at);
    if (wasClear && this.countFiring(a, at) && !a.flapping) {
      a.flapping = true;
      this.emit('flapping', a, at, { firings: this.firings.get(key(a.orgId, a.fingerprint))?.length ?? 0 });
    }
  }

  private clearMember(a: AlertState, terminalId: string, at: number): void {
    const m = a.members.get(terminalId);
    if (!m || !m.active) return;
    m.active = false;
    m.clearedAt = at;
    a.lastChangeAt = Math.max(a.lastChangeAt, at);
    if (a.members.size > 1) this.emit('member_cleared', a, at, { terminalId });
    for (const x of a.members.values()) if (x.active) return;
    a.clearSince = at;
  }

  /** Records a firing; true when the fingerprint now fires often enough to be flapping. */
  private countFiring(a: AlertState, at: number): boolean {
    const k = key(a.orgId, a.fingerprint);
    const from = at - this.flap.windowMinutes * MIN;
    const list = (this.firings.get(k) ?? []).filter((x) => x >= from);
    list.push(at);
    this.firings.set(k, list);
    return list.length >= this.flap.firings;
  }

  private resolveDue(now: number, only?: TerminalRuntime): void {
    if (only && !only.alerts.size) return;
    for (const a of only ? [...only.alerts] : [...this.open.values()]) {
      const rule = this.rules.get(a.orgId)?.byCode.get(a.ruleCode);
      // A rule removed or switched off: its alerts end now.
      if (!rule || !rule.def.enabled) {
        a.clearSince ??= now;
        this.resolve(a, now, { reason: 'rule_disabled' });
        continue;
      }
      if (a.clearSince === null) continue;
      const wait = a.flapping ? Math.max(this.flap.stableMinutes * MIN, rule.resolveMs) : rule.resolveMs;
      if (now - a.clearSince >= wait) this.resolve(a, now);
    }
  }

  private resolve(a: AlertState, at: number, detail?: Record<string, unknown>): void {
    a.status = 'resolved';
    a.resolvedAt = at;
    a.lastChangeAt = Math.max(a.lastChangeAt, at);
    this.open.delete(key(a.orgId, a.fingerprint));
    this.byId.delete(a.id);
    for (const id of a.members.keys()) this.terminals.get(id)?.alerts.delete(a);
    if (a.rule?.inhibits) this.endedInhibitors.push(a);
    this.emit('resolved', a, at, detail);
  }

  private applySuppression(now: number): void {
    if (this.endedInhibitors.length) this.endedInhibitors = this.endedInhibitors.filter((a) => now - (a.resolvedAt ?? now) < INHIBITOR_MEMORY_MS);
    for (const a of this.open.values()) {
      const s = this.suppressionOf(a, now);
      const before = a.suppressed;
      if (sameSuppression(before, s)) continue;
      a.suppressed = s;
      a.lastChangeAt = now;
      if (s) this.emit('suppressed', a, now, { kind: s.kind, id: s.id });
      else {
        // Escalation counts the time people could see it.
        a.escalateFrom = now;
        this.emit('unsuppressed', a, now, { was: before?.kind });
      }
    }
  }

  /**
   * Maintenance first (planned work explains everything), then silences, then inhibition by another
   * alert: while a site or host outage alert holds, it suppresses the alerts it lists in its terminals'
   * site (host, merchant); and an alert that began during the outage stays explained by it until it
   * resolves, even after the outage alert itself cleared (late data, terminals coming back one by one).
   */
  private suppressionOf(a: AlertState, now: number): Suppression | null {
    const ids = a.members.size ? [...a.members.keys()] : a.terminalId ? [a.terminalId] : [];
    const infos: TerminalInfo[] = [];
    for (const id of ids) {
      const info = this.terminals.get(id)?.info;
      if (info) infos.push(info);
    }
    if (infos.length) {
      const windows = this.maintenance.filter((m) => m.orgId === a.orgId && m.startsAt <= now && now < m.endsAt);
      if (windows.length) {
        const covering = (t: TerminalInfo) => windows.find((m) => m.terminalId === t.id || (m.siteId !== null && m.siteId === t.siteId));
        const hits = infos.map(covering);
        if (hits.every((h) => h)) return { kind: 'maintenance', id: hits[0]!.id, until: Math.max(...hits.map((h) => h!.endsAt)) };
      }
    }
    for (const s of this.silences) {
      if (s.orgId !== a.orgId || s.startsAt > now || now >= s.endsAt) continue;
      if (matchesSilence(s, a, infos)) return { kind: 'silence', id: s.id, until: s.endsAt };
    }
    if (!infos.length) return null;
    for (const src of this.inhibitors()) {
      const inh = src.rule?.inhibits;
      if (src === a || src.orgId !== a.orgId || !inh || !inh.rules.includes(a.ruleCode) || src.suppressed?.kind === 'inhibited') continue;
      const holding = src.status !== 'resolved' && src.clearSince === null;
      const end = holding ? Infinity : (src.clearSince ?? src.resolvedAt ?? now);
      const scope = new Set<string>();
      for (const [id, m] of src.members) {
        if (holding && !m.active) continue;
        const info = this.terminals.get(id)?.info;
        const v = info ? scopeValue(info, inh.within) : null;
        if (v) scope.add(v);
      }
      // A host outage covers every terminal routed to the host, whichever sites it was seen at.
      if (inh.within === 'host' && src.groupBy === 'host') scope.add(src.scopeKey);
      if (!infos.every((t) => scope.has(scopeValue(t, inh.within) ?? '\u0000'))) continue;
      if (holding) return { kind: 'inhibited', id: src.id, until: null };
      // Over: it still explains what began while it held, or what looks back into that time.
      const back = lookBackMs(a.rule?.condition);
      const explained = [...a.members.values()].every((m) => m.since >= src.startedAt - INHIBIT_LEAD_MS && m.since - back <= end);
      if (explained && a.members.size) return { kind: 'inhibited', id: src.id, until: null };
    }
    return null;
  }

  private *inhibitors(): Iterable<AlertState> {
    for (const a of this.open.values()) if (a.rule?.inhibits) yield a;
    yield* this.endedInhibitors;
  }

  private escalate(now: number): void {
    for (const a of this.open.values()) {
      if (a.status !== 'firing' || a.suppressed) continue;
      const steps = a.rule?.escalation ?? [];
      const from = a.escalateFrom ?? a.startedAt;
      while (a.escalationLevel < steps.length && now - from >= steps[a.escalationLevel]!.afterMinutes * MIN) {
        const step = steps[a.escalationLevel]!;
        a.escalationLevel++;
        if (step.raiseSeverity) a.severity = raise(a.severity);
        a.lastChangeAt = now;
        this.outbox.push({ type: 'escalated', alert: a, at: now, detail: { level: a.escalationLevel, roles: step.notifyRoles, severity: a.severity }, roles: step.notifyRoles });
      }
    }
  }

  private emit(type: AlertChange['type'], a: AlertState, at: number, detail?: Record<string, unknown>, actor?: string): void {
    this.outbox.push({ type, alert: a, at, ...(detail || actor ? { detail: { ...(detail ?? {}), ...(actor ? { actor } : {}) } } : {}) });
  }
}

const key = (orgId: string, fp: string) => `${orgId}|${fp}`;
export const fingerprint = (ruleCode: string, scopeKey: string) => `${ruleCode}:${scopeKey}`;

export function compare(v: number, op: Comparator, x: number): boolean {
  switch (op) {
    case '>':
      return v > x;
    case '>=':
      return v >= x;
    case '<':
      return v < x;
    case '<=':
      return v <= x;
    case '==':
      return v === x;
    case '!=':
      return v !== x;
  }
}

function sameCondition(a: AlertRuleDefinition, b: AlertRuleDefinition): boolean {
  return a.groupBy === b.groupBy && a.enabled === b.enabled && JSON.stringify(a.condition) === JSON.stringify(b.condition);
}

/** How far back a condition's evidence reaches when it becomes true. */
function lookBackMs(c: AlertCondition | undefined): number {
  if (!c) return 0;
  switch (c.kind) {
    case 'absence':
    case 'trade_absence':
      return c.minutes * MIN;
    case 'threshold':
      return Math.max(c.forMinutes, c.sumMinutes ?? 0) * MIN;
    case 'trend':
      return (c.forMinutes ?? 0) * MIN;
    default:
      return 0;
  }
}

function thresholdOf(c: AlertCondition): number | null {
  switch (c.kind) {
    case 'threshold':
    case 'ratio':
    case 'host_outage':
      return c.value;
    case 'trend':
      return c.threshold;
    case 'absence':
    case 'trade_absence':
    case 'site_offline':
      return c.minutes;
    case 'fleet_version':
      return c.factor;
    case 'card_failures':
      return c.count;
  }
}

/**
 * The largest set of terminals whose last messages fall within `withinMs` of each other (the latest
 * such set on a tie): terminals that went quiet together share a cause, a terminal switched off hours
 * earlier does not.
 */
export function silentTogether<T extends { lastSeen: number }>(off: readonly T[], withinMs: number): T[] {
  const sorted = [...off].sort((a, b) => a.lastSeen - b.lastSeen);
  let best: [number, number] = [0, 0];
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]!.lastSeen - sorted[i]!.lastSeen > withinMs) i++;
    if (j - i + 1 >= best[1] - best[0]) best = [i, j + 1];
  }
  return sorted.slice(best[0], best[1]);
}

const SEVERITY_ORDER: AlertSeverity[] = ['info', 'warning', 'critical'];
const raise = (s: AlertSeverity): AlertSeverity => SEVERITY_ORDER[Math.min(2, SEVERITY_ORDER.indexOf(s) + 1)]!;
const round = (v: number) => Math.round(v * 1000) / 1000;

function scopeValue(t: TerminalInfo, within: 'site' | 'merchant' | 'host'): string | null {
  return within === 'site' ? t.siteId : within === 'merchant' ? t.merchantId : t.host;
}

function matchesSilence(s: Silence, a: AlertState, infos: TerminalInfo[]): boolean {
  const m = s.matchers;
  if (m.rule && m.rule !== a.ruleCode) return false;
  if (m.severity && m.severity !== a.severity) return false;
  if (m.terminalId && !(a.terminalId === m.terminalId || (infos.length > 0 && infos.every((t) => t.id === m.terminalId)))) return false;
  if (m.siteId && !(a.siteId === m.siteId || (infos.length > 0 && infos.every((t) => t.siteId === m.siteId)))) return false;
  if (m.merchantId && !(a.merchantId === m.merchantId || (infos.length > 0 && infos.every((t) => t.merchantId === m.merchantId)))) return false;
  return true;
}

function sameSuppression(a: Suppression | null, b: Suppression | null): boolean {
  return a === b || (!!a && !!b && a.kind === b.kind && a.id === b.id && a.until === b.until);
}
