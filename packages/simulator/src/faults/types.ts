/**
 * How a fault is described (an injection: what, where, when, how bad) and how it is implemented (a
 * definition: which terminals it reaches and when, what it does to their conditions each minute, and
 * what a terminal records when it starts and ends).
 */
import type { Conditions } from '../conditions.js';
import type { Fleet, FleetTerminal } from '../fleet.js';
import type { Rng } from '../random.js';
import type { Minute } from '../terminal/minute.js';
import type { FaultId } from './ids.js';

export type FaultScope =
  | { kind: 'terminal'; terminalId: string }
  /** A site, or a segment of it (`terminalIds`: the terminals behind one switch, on one power circuit). */
  | { kind: 'site'; siteId: string; terminalIds?: string[] }
  /** A fleet segment: every terminal matching all the given filters; `share` takes a random part of them. */
  | { kind: 'fleet'; vendor?: string; model?: string; appVersion?: string; merchantId?: string; share?: number }
  | { kind: 'host'; hostId: string }
  /** One card, presented at several terminals; by default a few terminals of one city are picked. */
  | { kind: 'card'; cardToken?: string; terminalIds?: string[]; visits?: number };

export type ScopeKind = FaultScope['kind'];

export interface FaultParams {
  /** sw.update.regression: the bad version (default: the next patch of the newest release). */
  toVersion?: string;
  /** sw.update.regression: terminals take the update spread over this many minutes (default 60). */
  rolloutMinutes?: number;
  /** Reader faults, battery wear, overheating: minutes to reach full severity (default 240). */
  rampMinutes?: number;
  /** net.site.outage: also cut cellular terminals (a power cut rather than a router failure). Default false. */
  includeCellular?: boolean;
  /** hw.power.adapter: the lead is pulled or the adapter dead, not just the charging: a countertop unit (no battery) goes dark at once. */
  unplugged?: boolean;
}

export interface FaultInjection {
  fault: FaultId;
  scope: FaultScope;
  startAt: Date;
  /** When the cause goes away (repair, recovery); open-ended if absent. */
  endAt?: Date;
  /** 0 (barely) … 1 (as bad as it gets); default 0.8. */
  severity?: number;
  params?: FaultParams;
}

/** When one terminal is affected by one injection. */
export interface TerminalPlan {
  terminal: FleetTerminal;
  fromMs: number;
  /** Null while open-ended. */
  toMs: number | null;
  /** Card faults: the moments the card is presented here, and which try of the card each is (from 1, across all terminals). */
  visits?: { atMs: number; attempt: number }[];
  cardToken?: string;
}

export interface PlanContext {
  fleet: Fleet;
  injection: Required<Pick<FaultInjection, 'fault' | 'scope' | 'severity'>> & FaultInjection;
  /** Terminals the scope selects that the fault can reach (`affects`). */
  affected: FleetTerminal[];
  startMs: number;
  endMs: number | null;
  rng: Rng;
}

export interface ApplyContext {
  minute: Minute;
  cond: Conditions;
  severity: number;
  params: FaultParams;
  plan: TerminalPlan;
  /** Minutes since the fault reached this terminal (0 in its first minute). */
  elapsedMin: number;
}

export interface FaultDefinition {
  id: FaultId;
  scopes: readonly ScopeKind[];
  /** Which terminals in scope it can reach (e.g. weak signal needs a wireless link). Default: all. */
  affects?(t: FleetTerminal, injection: FaultInjection): boolean;
  /** Which terminals are affected when. Default: every affected terminal from start to end. */
  plan?(ctx: PlanContext): TerminalPlan[];
  /** The moment it reaches a terminal (an update installs, a case is opened). */
  begin?(ctx: ApplyContext, atMs: number): void;
  /** Each minute it is active on a terminal. */
  apply?(ctx: ApplyContext): void;
  /** The moment it leaves a terminal (repair, recovery). */
  end?(ctx: ApplyContext, atMs: number): void;
}

/** 0 at onset, 1 after `rampMinutes` (default 240): how far a creeping fault has progressed. */
export const ramp = (ctx: ApplyContext) => Math.min(1, ctx.elapsedMin / (ctx.params.rampMinutes ?? 240));
