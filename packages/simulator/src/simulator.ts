/**
 * The simulation engine. It owns no timers and does no I/O: `step(until)` advances simulated time a
 * whole minute at a time and returns what the fleet sent (or hands it to a sink), so tests, the server's
 * demo and the network runner can all drive it at any speed. Same fleet, same injections, same steps
 * → the same messages, byte for byte.
 */
import { DeviceCommand, type DeviceMessage } from '@poscare/contracts';
import { healthyConditions } from './conditions.js';
import { localTime } from './curves.js';
import type { Fleet, FleetTerminal } from './fleet.js';
import { Rng } from './random.js';
import { faultDefinition } from './faults/registry.js';
import type { FaultId } from './faults/ids.js';
import { resolveScope } from './faults/scope.js';
import type { ApplyContext, FaultDefinition, FaultInjection, ScopeKind, TerminalPlan } from './faults/types.js';
import { Minute } from './terminal/minute.js';
import { runMinute } from './terminal/model.js';
import { initialState, type TerminalState } from './terminal/state.js';
import type { CommandOutcome, ReleaseDefect } from './terminal/commands.js';

export interface SimDelivery {
  terminalId: string;
  /** When the terminal transmitted it: the message's own time, or later if it waited for the link. */
  sentAt: Date;
  message: DeviceMessage;
}

export interface GroundTruthEntry {
  injectionId: string;
  fault: FaultId;
  category: string;
  scope: ScopeKind;
  severity: number;
  terminalId: string;
  serialNumber: string;
  siteId: string;
  merchantId: string;
  hostId: string;
  /** When the fault reached this terminal (for a release: when it installed; for a card: its first try here). */
  from: Date;
  /** When it left this terminal; null while it lasts. */
  to: Date | null;
  /** What ended it: the injection's end time, or a remote command that fixed it. */
  endedBy: 'schedule' | 'repair' | `command:${string}` | null;
  cardToken?: string;
  appVersion?: string;
}

/** A log bundle a terminal produced for upload_logs; whoever drives the simulator uploads it (over HTTPS). */
export interface LogUpload {
  terminalId: string;
  commandId: string;
  at: Date;
  filename: string;
  content: string;
}

export interface SimulatorOptions {
  /** Defaults to the fleet's start. */
  startAt?: Date;
}

interface Injection {
  id: string;
  spec: FaultInjection & { severity: number };
  def: FaultDefinition;
  plans: LivePlan[];
}

interface LivePlan extends TerminalPlan {
  injection: Injection;
  began: boolean;
  ended: boolean;
  endedBy: GroundTruthEntry['endedBy'];
}

const CATEGORY: Record<string, string> = { hw: 'hardware', sw: 'software', net: 'network', op: 'operation', env: 'environment', ext: 'external', sec: 'security' };

export class Simulator {
  readonly fleet: Fleet;
  private cursorMs: number;
  private readonly states: TerminalState[];
  private readonly byId: Map<string, number>;
  private readonly plansByTerminal: LivePlan[][];
  private readonly injections: Injection[] = [];
  private readonly releases = new Map<string, ReleaseDefect>();
  private readonly uploads: LogUpload[] = [];

  constructor(fleet: Fleet, opts: SimulatorOptions = {}) {
    this.fleet = fleet;
    this.cursorMs = (opts.startAt ?? fleet.startAt).getTime();
    const sites = new Map(fleet.sites.map((s) => [s.id, s]));
    const merchants = new Map(fleet.merchants.map((m) => [m.id, m]));
    this.states = fleet.terminals.map((t) => initialState(t, sites.get(t.siteId)!, merchants.get(t.merchantId)!, fleet.seed, this.cursorMs));
    this.byId = new Map(fleet.terminals.map((t, i) => [t.id, i]));
    this.plansByTerminal = fleet.terminals.map(() => []);
  }

  /** Simulated time: everything before it has been generated. */
  get now(): Date {
    return new Date(this.cursorMs);
  }

  /**
   * Adds a fault; returns its injection id. A start in the past begins at `now`. Throws if the fault
   * does not take that kind of scope or reaches no terminal in it (e.g. weak signal on a wired terminal).
   */
  inject(injection: FaultInjection): string {
    const def = faultDefinition(injection.fault);
    if (!def.scopes.includes(injection.scope.kind)) throw new Error(`${injection.fault} cannot be scoped to a ${injection.scope.kind}; it takes ${def.scopes.join(' or ')}`);
    const severity = Math.min(1, Math.max(0, injection.severity ?? 0.8));
    const id = `inj-${this.injections.length + 1}`;
    const startMs = Math.max(this.cursorMs, injection.startAt.getTime());
    const endMs = injection.endAt ? injection.endAt.getTime() : null;
    if (endMs !== null && endMs <= startMs) throw new Error(`${injection.fault} ends before it starts`);
    const rng = Rng.derive(this.fleet.seed, 'fault', id, injection.fault);
    const spec = { ...injection, severity };
    const affected = resolveScope(this.fleet, injection.scope, rng).filter((t) => def.affects?.(t, spec) ?? true);
    const plans = def.plan ? def.plan({ fleet: this.fleet, injection: spec, affected, startMs, endMs, rng }) : affected.map((terminal) => ({ terminal, fromMs: startMs, toMs: endMs }));
    if (plans.length === 0) throw new Error(`${injection.fault} reaches no terminal in ${JSON.stringify(injection.scope)}`);
    const inj: Injection = { id, spec, def, plans: [] };
    for (const p of plans) {
      const live: LivePlan = { ...p, injection: inj, began: false, ended: false, endedBy: null };
      inj.plans.push(live);
      this.plansByTerminal[this.indexOf(p.terminal.id)]!.push(live);
    }
    this.injections.push(inj);
    return id;
  }

  /** Ends a fault everywhere it still lasts, at `at` (default: now). */
  endFault(injectionId: string, at: Date = this.now): void {
    const inj = this.injections.find((i) => i.id === injectionId);
    if (!inj) throw new Error(`unknown injection ${injectionId}`);
    const atMs = Math.max(this.cursorMs, at.getTime());
    for (const p of inj.plans) {
      if (p.ended || (p.toMs !== null && p.toMs <= atMs)) continue;
      p.toMs = Math.max(atMs, p.fromMs);
    }
  }

  /**
   * A repair on site (a work order completed): the faults of this one terminal that a visit fixes —
   * its hardware, software, environment and own link, injected for that terminal — end at `at`. Faults
   * of a whole site, host, release or card are not the terminal's to fix and go on. Returns the fault ids ended.
   */
  repair(terminalId: string, at: Date = this.now): FaultId[] {
    const i = this.indexOf(terminalId);
    const atMs = Math.max(this.cursorMs, at.getTime());
    const ended: FaultId[] = [];
    for (const p of this.plansByTerminal[i] ?? []) {
      if (p.injection.spec.scope.kind !== 'terminal' || p.ended || (p.toMs !== null && p.toMs <= atMs)) continue;
      p.toMs = Math.max(atMs, p.fromMs);
      p.endedBy = 'repair';
      ended.push(p.injection.spec.fault);
    }
    return ended;
  }

  /**
   * Hands a remote command to a terminal. It is carried out in the next simulated minute in which the
   * terminal is up and connected; the result comes back as cmd_ack messages in the stream.
   */
  command(terminalId: string, command: DeviceCommand): void {
    const i = this.indexOf(terminalId);
    const cmd = DeviceCommand.parse(command);
    this.states[i]!.pendingCommands.push({ commandId: cmd.commandId, name: cmd.name, args: cmd.args });
  }

  /**
   * Says what an app version does wrong (a bad release): terminals running it crash `crashFactor` times
   * as often, fail contactless reads on the listed models, or refuse to install it. Installing or
   * rolling back by command (or a fault) moves a terminal onto or off it.
   */
  defineRelease(version: string, defect: ReleaseDefect): void {
    this.releases.set(version, defect);
  }

  /** Log bundles terminals produced for upload_logs since the last call, oldest first. */
  takeUploads(): LogUpload[] {
    return this.uploads.splice(0, this.uploads.length);
  }

  /** Generates every whole minute up to `until`; returns the deliveries in the order they were sent. */
  step(until: Date): SimDelivery[] {
    const out: SimDelivery[] = [];
    this.stepInto(until, (d) => out.push(d));
    return out;
  }

  /** Like `step`, but hands each delivery to `sink` as soon as its minute is done (for long runs). Returns how many. */
  stepInto(until: Date, sink: (d: SimDelivery) => void, opts: { ackReceived?: boolean } = {}): number {
    let count = 0;
    const ackReceived = opts.ackReceived ?? true;
    while (this.cursorMs + 60_000 <= until.getTime()) {
      const minute = this.runMinute(this.cursorMs, ackReceived);
      for (const d of minute) sink(d);
      count += minute.length;
      this.cursorMs += 60_000;
    }
    return count;
  }

  /** Which fault was active on which terminal when, for scoring diagnoses and alerts. */
  groundTruth(): GroundTruthEntry[] {
    const out: GroundTruthEntry[] = [];
    for (const inj of this.injections) {
      for (const p of inj.plans) {
        if ((p.fromMs > this.cursorMs && !p.began) || (p.toMs !== null && p.toMs <= p.fromMs)) continue;
        const t = p.terminal;
        const to = p.toMs !== null && p.toMs <= this.cursorMs ? new Date(p.toMs) : null;
        out.push({
          injectionId: inj.id,
          fault: inj.spec.fault,
          category: CATEGORY[inj.spec.fault.split('.')[0]!] ?? 'unknown',
          scope: inj.spec.scope.kind,
          severity: inj.spec.severity,
          terminalId: t.id,
          serialNumber: t.serialNumber,
          siteId: t.siteId,
          merchantId: t.merchantId,
          hostId: t.hostId,
          from: new Date(p.fromMs),
          to,
          endedBy: to ? (p.endedBy ?? 'schedule') : null,
          ...(p.cardToken ? { cardToken: p.cardToken } : {}),
          ...(inj.spec.fault === 'sw.update.regression' ? { appVersion: inj.spec.params?.toVersion ?? this.states[t.index]!.appVersion } : {}),
        });
      }
    }
    return out;
  }

  /** The terminals an injection reaches (or will reach), in the order it reaches them. */
  affectedTerminals(injectionId: string): string[] {
    const inj = this.injections.find((i) => i.id === injectionId);
    if (!inj) throw new Error(`unknown injection ${injectionId}`);
    return [...inj.plans].sort((a, b) => a.fromMs - b.fromMs).map((p) => p.terminal.id);
  }

  /**
   * When an injection reaches (or will reach) each of its terminals, planned times included: a card's
   * later stops, a release's staggered installs. For building cases around the moment a fault arrives.
   */
  affectedWindows(injectionId: string): { terminalId: string; from: Date; to: Date | null }[] {
    const inj = this.injections.find((i) => i.id === injectionId);
    if (!inj) throw new Error(`unknown injection ${injectionId}`);
    return [...inj.plans].sort((a, b) => a.fromMs - b.fromMs).map((p) => ({ terminalId: p.terminal.id, from: new Date(p.fromMs), to: p.toMs === null ? null : new Date(p.toMs) }));
  }

  /** A terminal's current state in brief, for demos and tests. */
  snapshot(terminalId: string) {
    const s = this.states[this.indexOf(terminalId)]!;
    return {
      appVersion: s.appVersion,
      linkUp: s.linkUp,
      poweredOff: s.off,
      batteryPct: s.battery ? Math.round(s.battery.pct) : null,
      osVersion: s.osVersion,
      firmwareVersion: s.firmwareVersion,
      locked: s.locked,
      params: { ...s.params },
      paperLeft: s.paper.left,
      batchCount: s.batch.count,
      signedIn: s.signedIn,
      tamper: s.tamper,
      buffered: s.outbox.length,
      bufferedDropped: s.outboxDropped,
    };
  }

  private indexOf(terminalId: string): number {
    const i = this.byId.get(terminalId);
    if (i === undefined) throw new Error(`unknown terminal ${terminalId}`);
    return i;
  }

  private runMinute(startMs: number, ackReceived: boolean): SimDelivery[] {
    const endMs = startMs + 60_000;
    const out: SimDelivery[] = [];
    for (let i = 0; i < this.states.length; i++) {
      const s = this.states[i]!;
      const terminal = s.terminal;
      const m = new Minute(s, healthyConditions(), startMs, localTime(startMs, s.site.utcOffsetMinutes));
      this.applyFaults(m, this.plansByTerminal[i]!, endMs);
      runMinute(
        m,
        (message, sentAtMs) => out.push({ terminalId: terminal.id, sentAt: new Date(sentAtMs), message }),
        (cmd, outcome, atMs) => {
          if (outcome.upload) this.uploads.push({ terminalId: terminal.id, commandId: cmd.commandId, at: new Date(atMs), ...outcome.upload });
          this.commandDone(terminal, cmd.name, outcome, atMs);
        },
        { ackReceived, releases: this.releases },
      );
    }
    return out.sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
  }

  private applyFaults(m: Minute, plans: readonly LivePlan[], endMs: number): void {
    for (const p of plans) {
      if (p.ended || p.fromMs >= endMs) continue;
      // Ended (endFault) before it ever began: nothing to do, nothing to record.
      if (p.toMs !== null && p.toMs <= p.fromMs) {
        p.ended = true;
        continue;
      }
      const spec = p.injection.spec;
      const ctx: ApplyContext = { minute: m, cond: m.c, severity: spec.severity, params: spec.params ?? {}, plan: p, elapsedMin: Math.max(0, (m.startMs - p.fromMs) / 60_000) };
      const def = p.injection.def;
      if (!p.began) {
        p.began = true;
        def.begin?.(ctx, Math.max(p.fromMs, m.startMs));
      }
      const endsNow = p.toMs !== null && p.toMs < endMs;
      // A fault that ends part-way through the minute still shapes it; the terminal then records the end.
      if (!endsNow || p.toMs! > m.startMs) def.apply?.(ctx);
      if (endsNow) {
        p.ended = true;
        def.end?.(ctx, Math.max(p.toMs!, m.startMs));
      }
    }
  }

  private commandDone(terminal: FleetTerminal, name: string, outcome: CommandOutcome, atMs: number): void {
    if (outcome.cures.length === 0) return;
    for (const p of this.plansByTerminal[this.indexOf(terminal.id)]!) {
      if (!p.began || p.ended || !outcome.cures.includes(p.injection.spec.fault)) continue;
      p.toMs = atMs;
      p.ended = true;
      p.endedBy = `command:${name}`;
    }
  }
}
