/**
 * Every fault the simulator can inject, staged the way it happens: on a terminal that can have it, a
 * site's network, a fleet segment that takes a bad release, an acquirer host, one card going from shop
 * to shop. Each case names the rules that must fire and how soon (minutes after the fault begins,
 * counted to the simulated minute in which the change was drained, i.e. when people would hear of it).
 * `npm run eval:alerts` runs them all; the alerts tests run a few.
 */
import { FAULTS, MERCHANT_KINDS, Simulator, isOpen, localTime, type FaultId, type FaultInjection, type FaultParams, type FaultScope, type Fleet, type FleetTerminal } from '@poscare/simulator';
import type { AlertRuleDefinition } from '@poscare/contracts';
import { metricIndex } from '../metrics.js';
import type { AlertChange, AlertState } from '../state.js';
import { runUntil, startSim, type TradingHistory } from './simulate.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Monday 2 November 2026, 00:00 China time: fleets start here; warm-up weeks follow. */
export const FLEET_START = new Date('2026-11-01T16:00:00Z');
/** The engine watches this long before a fault begins. */
const LEAD_MINUTES = 180;

export interface Expectation {
  rule: string;
  withinMinutes: number;
}

export interface FaultCase {
  id: string;
  fault: FaultId;
  /** Why this scope, in a few words (shown in the eval output). */
  scope: string;
  pick: (fleet: Fleet) => FaultScope;
  severity?: number;
  params?: FaultParams;
  /** Local time the fault begins in the case week: day 0 = Monday. */
  at: { day: number; hour: number };
  /** The fault ends (repaired) after this long; open-ended when absent. */
  lastsMinutes?: number;
  expect: Expectation[];
  /** Watch this long after the start (default: the longest expectation + 30 min). */
  watchMinutes?: number;
  /** Forecast cases: when the fault's model crosses the rule's threshold (for faults whose metric is too noisy to see it). */
  trueCrossingMinutes?: number;
  /** Needs the trading baseline (past weeks). */
  needsTrading?: boolean;
  note?: string;
}

const definition = (id: FaultId) => FAULTS.get(id)!;
const probe = (fault: FaultId, scope: FaultScope, params?: FaultParams): FaultInjection => ({ fault, scope, startAt: FLEET_START, ...(params ? { params } : {}) });

/** Expected payments a minute at the day's peak: how busy a terminal is. */
function busyness(fleet: Fleet, t: FleetTerminal): number {
  const site = fleet.sites.find((s) => s.id === t.siteId)!;
  const kind = fleet.merchants.find((m) => m.id === t.merchantId)!.kind;
  return MERCHANT_KINDS.find((k) => k.kind === kind)!.peakPerMinute * site.volumeFactor;
}

/**
 * A terminal the fault can reach, open at the fault's hour: a typical one (the median by volume) or,
 * for faults that need a trading history, the busiest.
 */
function terminal(fault: FaultId, opts: { where?: (t: FleetTerminal) => boolean; busiest?: boolean; hour?: number; params?: FaultParams } = {}) {
  return (fleet: Fleet): FaultScope => {
    const def = definition(fault);
    const hourMs = FLEET_START.getTime() + (opts.hour ?? 10) * HOUR + DAY;
    const kindOf = (t: FleetTerminal) => fleet.merchants.find((m) => m.id === t.merchantId)!.kind;
    const candidates = fleet.terminals
      .filter((t) => (opts.where?.(t) ?? true) && (def.affects?.(t, probe(fault, { kind: 'terminal', terminalId: t.id }, opts.params)) ?? true))
      .filter((t) => isOpen(kindOf(t), localTime(hourMs, fleet.utcOffsetMinutes)))
      .sort((a, b) => busyness(fleet, b) - busyness(fleet, a) || a.index - b.index);
    if (!candidates.length) throw new Error(`no terminal in the fleet can have ${fault}`);
    const t = opts.busiest ? candidates[0]! : candidates[Math.floor(candidates.length / 2)]!;
    return { kind: 'terminal', terminalId: t.id };
  };
}

/** The site with the most terminals on its own network (wired or Wi-Fi), at least two. */
function siteNetwork(fleet: Fleet): FaultScope {
  const onLan = new Map<string, number>();
  for (const t of fleet.terminals) if (t.networkType !== 'cellular') onLan.set(t.siteId, (onLan.get(t.siteId) ?? 0) + 1);
  const [siteId, n] = [...onLan].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (!siteId || n! < 2) throw new Error('no site with two terminals on its network');
  return { kind: 'site', siteId };
}

/**
 * A segment of the largest site (a switch, a power circuit): `size` of its terminals on the site's
 * network, fewer than half the site; the rest of the site keeps reporting.
 */
function siteSegment(size: number) {
  return (fleet: Fleet): FaultScope => {
    const bySite = new Map<string, FleetTerminal[]>();
    for (const t of fleet.terminals) (bySite.get(t.siteId) ?? bySite.set(t.siteId, []).get(t.siteId)!).push(t);
    const [siteId, all] = [...bySite].sort((a, b) => b[1].length - a[1].length)[0]!;
    const lan = all.filter((t) => t.networkType !== 'cellular');
    if (lan.length < size || size * 2 >= all.length) throw new Error(`the largest site (${all.length} terminals, ${lan.length} on its network) cannot lose a minority segment of ${size}`);
    return { kind: 'site', siteId, terminalIds: lan.slice(0, size).map((t) => t.id) };
  };
}

/** The acquirer host that serves the most sites. */
function busiestHost(fleet: Fleet): FaultScope {
  const sites = new Map<string, Set<string>>();
  for (const t of fleet.terminals) (sites.get(t.hostId) ?? sites.set(t.hostId, new Set()).get(t.hostId)!).add(t.siteId);
  return { kind: 'host', hostId: [...sites].sort((a, b) => b[1].size - a[1].size)[0]![0] };
}

/** A bad release for half of the most common model, like a staged rollout. */
function rolloutSegment(fleet: Fleet): FaultScope {
  const counts = new Map<string, number>();
  for (const t of fleet.terminals) counts.set(t.model, (counts.get(t.model) ?? 0) + 1);
  return { kind: 'fleet', model: [...counts].sort((a, b) => b[1] - a[1])[0]![0], share: 0.5 };
}

/** One card's holder going from shop to shop: four terminals at different sites of the busiest city, open at 10:00. */
function card(fleet: Fleet): FaultScope {
  const region = (t: FleetTerminal) => fleet.sites.find((s) => s.id === t.siteId)!.region;
  const at = localTime(FLEET_START.getTime() + DAY + 10 * HOUR, fleet.utcOffsetMinutes);
  const open = fleet.terminals.filter((t) => isOpen(fleet.merchants.find((m) => m.id === t.merchantId)!.kind, at));
  const counts = new Map<string, number>();
  for (const t of open) counts.set(region(t), (counts.get(region(t)) ?? 0) + 1);
  const city = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const stops: string[] = [];
  const sites = new Set<string>();
  for (const t of open) {
    if (region(t) !== city || sites.has(t.siteId)) continue;
    stops.push(t.id);
    sites.add(t.siteId);
    if (stops.length === 4) break;
  }
  return { kind: 'card', terminalIds: stops };
}
const TUE = 1;
const READER_WEAR_CROSSING = Math.round(((0.2 - 0.04) / (0.86 * 0.8)) * 21 * 1440);

export const FAULT_CASES: readonly FaultCase[] = [
  { id: 'hw.reader.chip', fault: 'hw.reader.chip', scope: 'a typical terminal with a chip reader', pick: terminal('hw.reader.chip'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'reader.chip.failing', withinMinutes: 240 }] },
  {
    id: 'hw.reader.chip/wear',
    fault: 'hw.reader.chip',
    scope: 'a typical terminal, reader wearing out over three weeks',
    pick: terminal('hw.reader.chip', { hour: 9 }),
    params: { rampMinutes: 21 * 1440 },
    at: { day: 0, hour: 9 },
    // Before the failure rate really reaches 20 % (0.04 + 0.86 × 0.8 × t / ramp = 0.2 at 4.9 days).
    expect: [{ rule: 'reader.chip.rising', withinMinutes: READER_WEAR_CROSSING }],
    watchMinutes: 5 * 1440,
    trueCrossingMinutes: READER_WEAR_CROSSING,
    note: 'a forecast before the failure rate reaches 20 %, saying when it will; the 30-attempt ratio (reader.chip.failing) may trip earlier by chance once the true rate is near 15 %',
  },
  { id: 'hw.reader.contactless', fault: 'hw.reader.contactless', scope: 'a typical terminal with contactless', pick: terminal('hw.reader.contactless'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'reader.contactless.failing', withinMinutes: 240 }] },
  {
    id: 'hw.reader.magstripe',
    fault: 'hw.reader.magstripe',
    scope: 'a typical terminal (few swipes: slow to judge)',
    pick: terminal('hw.reader.magstripe'),
    at: { day: TUE, hour: 10 },
    expect: [{ rule: 'reader.magstripe.failing', withinMinutes: 2 * 1440 }],
  },
  {
    id: 'hw.printer.paper_out',
    fault: 'hw.printer.paper_out',
    scope: 'a typical terminal; nobody changes the roll',
    pick: terminal('hw.printer.paper_out'),
    at: { day: TUE, hour: 10 },
    expect: [
      { rule: 'printer.paper_forecast', withinMinutes: 480 },
      { rule: 'printer.paper_out', withinMinutes: 720 },
    ],
  },
  { id: 'hw.printer.jam', fault: 'hw.printer.jam', scope: 'a typical terminal', pick: terminal('hw.printer.jam'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'printer.jam', withinMinutes: 60 }] },
  { id: 'hw.printer.fault', fault: 'hw.printer.fault', scope: 'a typical terminal', pick: terminal('hw.printer.fault'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'printer.fault', withinMinutes: 30 }] },
  {
    id: 'hw.battery.degraded',
    fault: 'hw.battery.degraded',
    scope: 'a typical hand-held terminal, fast wear (4 h)',
    pick: terminal('hw.battery.degraded'),
    at: { day: TUE, hour: 10 },
    expect: [{ rule: 'battery.worn', withinMinutes: 300 }],
  },
  {
    id: 'hw.battery.degraded/wear',
    fault: 'hw.battery.degraded',
    scope: 'a typical hand-held terminal, battery wearing over a week',
    pick: terminal('hw.battery.degraded', { hour: 9 }),
    params: { rampMinutes: 7 * 1440 },
    at: { day: 0, hour: 9 },
    expect: [{ rule: 'battery.wear_forecast', withinMinutes: 1440 }],
    watchMinutes: 7 * 1440,
    note: 'forecasts when health will pass 60 %, days before battery.worn',
  },
  {
    id: 'hw.battery.depleted',
    fault: 'hw.battery.depleted',
    scope: 'a typical hand-held terminal not charged overnight, its base missing from 07:00',
    pick: terminal('hw.battery.depleted'),
    at: { day: TUE, hour: 7 },
    expect: [
      { rule: 'battery.flat_forecast', withinMinutes: 300 },
      { rule: 'battery.low', withinMinutes: 360 },
    ],
  },
  { id: 'hw.power.adapter', fault: 'hw.power.adapter', scope: 'a typical hand-held terminal', pick: terminal('hw.power.adapter'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'power.adapter', withinMinutes: 16 * 60 }], note: 'shows once the terminal sits on its base (low battery or closing time)' },
  { id: 'env.temperature', fault: 'env.temperature', scope: 'a typical terminal in the sun', pick: terminal('env.temperature'), at: { day: TUE, hour: 12 }, expect: [{ rule: 'env.overheat', withinMinutes: 60 }] },
  { id: 'env.humidity', fault: 'env.humidity', scope: 'a typical terminal', pick: terminal('env.humidity'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'env.humidity', withinMinutes: 75 }] },
  { id: 'env.power.unstable', fault: 'env.power.unstable', scope: 'a countertop terminal on mains', pick: terminal('env.power.unstable', { where: (t) => !t.portable }), at: { day: TUE, hour: 10 }, expect: [{ rule: 'power.unstable', withinMinutes: 30 }] },
  { id: 'net.signal.weak', fault: 'net.signal.weak', scope: 'a typical terminal on 4G', pick: terminal('net.signal.weak', { where: (t) => t.networkType === 'cellular' }), at: { day: TUE, hour: 10 }, expect: [{ rule: 'net.signal_weak', withinMinutes: 30 }] },
  {
    id: 'net.signal.weak/wifi',
    fault: 'net.signal.weak',
    scope: 'a typical terminal on Wi-Fi (−90 dBm is weak Wi-Fi but normal 4G: seen as latency)',
    pick: terminal('net.signal.weak', { where: (t) => t.networkType === 'wifi' }),
    at: { day: TUE, hour: 10 },
    expect: [{ rule: 'net.latency', withinMinutes: 30 }],
  },
  {
    id: 'net.site.outage',
    fault: 'net.site.outage',
    scope: 'the site with the most terminals on its LAN, router down for 2 h',
    pick: siteNetwork,
    at: { day: TUE, hour: 11 },
    lastsMinutes: 120,
    expect: [{ rule: 'site.offline', withinMinutes: 8 }],
    watchMinutes: 200,
    note: "one alert lists the site's terminals; their terminal.offline alerts are inhibited",
  },
  {
    id: 'net.site.outage/segment',
    fault: 'net.site.outage',
    scope: 'three terminals behind one switch at the largest site (well under half of it), for 2 h',
    pick: siteSegment(3),
    at: { day: TUE, hour: 11 },
    lastsMinutes: 120,
    expect: [{ rule: 'site.offline', withinMinutes: 8 }],
    watchMinutes: 200,
    note: 'one site alert whatever share of the site went dark; the three terminal.offline alerts are inhibited',
  },
  {
    id: 'hw.power.adapter/unplugged',
    fault: 'hw.power.adapter',
    scope: 'a typical countertop terminal pulled from its socket',
    pick: terminal('hw.power.adapter', { where: (t) => !t.portable, params: { unplugged: true } }),
    params: { unplugged: true },
    at: { day: TUE, hour: 10 },
    expect: [{ rule: 'terminal.offline', withinMinutes: 15 }],
    note: 'one terminal silent alone: its own offline alert, no site alert',
  },
  { id: 'net.dns', fault: 'net.dns', scope: "a site's DNS", pick: siteNetwork, at: { day: TUE, hour: 10 }, lastsMinutes: 180, expect: [{ rule: 'net.dns', withinMinutes: 10 }] },
  {
    id: 'net.firewall',
    fault: 'net.firewall',
    scope: "a site's firewall",
    pick: siteNetwork,
    at: { day: TUE, hour: 10 },
    lastsMinutes: 180,
    expect: [
      { rule: 'net.host_unreachable', withinMinutes: 15 },
      { rule: 'txn.host_errors', withinMinutes: 120 },
    ],
  },
  { id: 'net.latency', fault: 'net.latency', scope: 'a typical terminal', pick: terminal('net.latency'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'net.latency', withinMinutes: 20 }] },
  {
    id: 'net.sim',
    fault: 'net.sim',
    scope: 'a typical 4G terminal whose data plan ran out (no link at all)',
    pick: terminal('net.sim'),
    at: { day: TUE, hour: 10 },
    expect: [{ rule: 'terminal.offline', withinMinutes: 15 }],
    note: 'nothing reaches the platform: the generic absence rule covers it',
  },
  {
    id: 'net.sim/loose',
    fault: 'net.sim',
    scope: 'a typical 4G terminal with a loose SIM (drops out, reports when back)',
    pick: terminal('net.sim'),
    severity: 0.3,
    at: { day: TUE, hour: 10 },
    expect: [{ rule: 'net.sim', withinMinutes: 60 }],
  },
  { id: 'net.ip_conflict', fault: 'net.ip_conflict', scope: 'a typical terminal on the site LAN', pick: terminal('net.ip_conflict'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'net.ip_conflict', withinMinutes: 20 }] },
  { id: 'sw.app.crash', fault: 'sw.app.crash', scope: 'a typical terminal', pick: terminal('sw.app.crash'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'app.crash_loop', withinMinutes: 30 }] },
  {
    id: 'sw.update.regression',
    fault: 'sw.update.regression',
    scope: 'half of the most common model takes the next release over an hour',
    pick: rolloutSegment,
    at: { day: TUE, hour: 10 },
    expect: [{ rule: 'version.regression', withinMinutes: 90 }],
    note: 'one alert for the version, listing the terminals that crashed on it',
  },
  { id: 'sw.keys.missing', fault: 'sw.keys.missing', scope: 'a typical terminal', pick: terminal('sw.keys.missing'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'keys.missing', withinMinutes: 5 }] },
  { id: 'sw.clock.skew', fault: 'sw.clock.skew', scope: 'a typical terminal', pick: terminal('sw.clock.skew'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'clock.skew', withinMinutes: 20 }] },
  { id: 'sw.storage.full', fault: 'sw.storage.full', scope: 'a typical terminal', pick: terminal('sw.storage.full'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'storage.full', withinMinutes: 20 }] },
  {
    id: 'ext.host.outage',
    fault: 'ext.host.outage',
    scope: 'the acquirer host serving the most sites, 90 min at lunchtime',
    pick: busiestHost,
    at: { day: TUE, hour: 12 },
    lastsMinutes: 90,
    expect: [{ rule: 'host.outage', withinMinutes: 8 }],
    watchMinutes: 150,
    note: 'one alert for the host; per-terminal host-unreachable, payment-error and trade-silence alerts are inhibited',
  },
  {
    id: 'ext.host.outage/night',
    fault: 'ext.host.outage',
    scope: 'the same host at 02:00, when almost nobody pays',
    pick: busiestHost,
    at: { day: TUE, hour: 2 },
    lastsMinutes: 90,
    expect: [{ rule: 'host.outage', withinMinutes: 8 }],
    watchMinutes: 150,
    note: 'seen from terminals reporting the host unreachable, not from payments',
  },
  { id: 'ext.card.expired', fault: 'ext.card.expired', scope: 'one card tried at four shops in a city', pick: card, at: { day: TUE, hour: 10 }, expect: [{ rule: 'card.expired', withinMinutes: 300 }] },
  { id: 'ext.card.damaged', fault: 'ext.card.damaged', scope: 'one card tried at four shops in a city', pick: card, at: { day: TUE, hour: 10 }, expect: [{ rule: 'card.unreadable', withinMinutes: 300 }] },
  { id: 'ext.issuer.decline', fault: 'ext.issuer.decline', scope: 'one card tried at four shops in a city', pick: card, at: { day: TUE, hour: 10 }, expect: [{ rule: 'card.declined', withinMinutes: 300 }] },
  { id: 'op.pin.wrong', fault: 'op.pin.wrong', scope: 'one card tried at four shops in a city', pick: card, at: { day: TUE, hour: 10 }, expect: [{ rule: 'card.wrong_pin', withinMinutes: 300 }] },
  {
    id: 'op.not_signed_in',
    fault: 'op.not_signed_in',
    scope: 'the busiest terminal, at its busy hour',
    pick: terminal('op.not_signed_in', { busiest: true, hour: 11 }),
    at: { day: TUE, hour: 11 },
    expect: [
      { rule: 'op.not_signed_in', withinMinutes: 35 },
      { rule: 'trade.silent', withinMinutes: 75 },
    ],
    needsTrading: true,
    note: 'trade.silent is the generic rule for a terminal that is online but sells nothing',
  },
  { id: 'op.settlement.overdue', fault: 'op.settlement.overdue', scope: 'a typical terminal', pick: terminal('op.settlement.overdue'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'op.batch_full', withinMinutes: 5 }] },
  { id: 'sec.tamper', fault: 'sec.tamper', scope: 'a typical terminal', pick: terminal('sec.tamper'), at: { day: TUE, hour: 10 }, expect: [{ rule: 'sec.tamper', withinMinutes: 5 }] },
];

export interface FiredRule {
  rule: string;
  delayMinutes: number | null;
  withinMinutes: number;
  pass: boolean;
  suppressed: string | null;
  members: number;
  /** Forecast rules: the predicted crossing, and when the metric really crossed (if it did while watched). */
  predictedInMinutes?: number | null;
  crossedInMinutes?: number | null;
}

export interface CaseResult {
  id: string;
  fault: FaultId;
  scope: string;
  seed: number;
  startAt: string;
  expected: FiredRule[];
  /** Other rules that fired on the terminals the fault reached (true, just not this case's subject), and how many of those were suppressed. */
  alsoOnAffected: Record<string, { fired: number; suppressed: number }>;
  /** Alerts on terminals the fault did not reach: false alerts during the case. */
  elsewhere: { rule: string; scope: string; atMinutes: number }[];
  pass: boolean;
}

export interface CaseContext {
  fleet: Fleet;
  seed: number;
  rules: readonly AlertRuleDefinition[];
  trading?: TradingHistory;
  /** Start of the case week (two weeks after FLEET_START by default, after the warm-up). */
  weekStart?: Date;
}

export function runFaultCase(fc: FaultCase, ctx: CaseContext): CaseResult {
  // FLEET_START is a Monday midnight in the fleet's time zone, so case days count from there.
  const weekStart = ctx.weekStart ?? new Date(FLEET_START.getTime() + 14 * DAY);
  const start = new Date(weekStart.getTime() + fc.at.day * DAY + fc.at.hour * HOUR);
  const watch = fc.watchMinutes ?? Math.max(...fc.expect.map((e) => e.withinMinutes)) + 30;
  const run = startSim({ seed: ctx.seed, terminals: ctx.fleet.terminals.length, fleet: ctx.fleet, startAt: new Date(start.getTime() - LEAD_MINUTES * MIN), rules: ctx.rules, ...(ctx.trading ? { trading: ctx.trading } : {}) });
  runUntil(run, start);
  const before = run.changes.length;
  const scope = fc.pick(ctx.fleet);
  const injection = run.sim.inject({
    fault: fc.fault,
    scope,
    startAt: start,
    ...(fc.severity !== undefined ? { severity: fc.severity } : {}),
    ...(fc.params ? { params: fc.params } : {}),
    ...(fc.lastsMinutes ? { endAt: new Date(start.getTime() + fc.lastsMinutes * MIN) } : {}),
  });
  const affected = new Set(run.sim.affectedWindows(injection).map((w) => w.terminalId));

  // Forecast alerts: watch their metric on their terminal to see when it really crosses.
  const forecasts = new Map<AlertState, { predictedAt: number | null; crossedAt: number | null }>();
  const crossing = (a: AlertState, terminalId: string, at: number, metrics: Float64Array) => {
    const c = a.rule.condition;
    if (c.kind !== 'trend' || a.terminalId !== terminalId) return false;
    if (c.metric === 'paper.receiptsLeft') return metrics[metricIndex('printer.paperOut')] === 1;
    if (c.metric.startsWith('reader.')) return false;
    const v = metrics[metricIndex(c.metric as never)]!;
    return c.direction === 'falling' ? v <= c.threshold : v >= c.threshold;
  };
  runUntil(run, new Date(start.getTime() + watch * MIN), [], {
    onSample(terminalId, at, f) {
      for (const [a, w] of forecasts) if (w.crossedAt === null && crossing(a, terminalId, at, f.metrics)) w.crossedAt = at;
    },
    onChanges(changes) {
      for (const c of changes) if (c.type === 'fired' && c.alert.rule.condition.kind === 'trend' && !forecasts.has(c.alert)) forecasts.set(c.alert, { predictedAt: c.alert.predictedAt, crossedAt: null });
    },
  });
  const changes = run.changes.slice(before);
  const fired = changes.filter((c) => c.type === 'fired');
  const memberIds = (a: AlertState) => [...a.members.keys()];
  const onAffected = (a: AlertState) => memberIds(a).some((id) => affected.has(id)) || (a.groupBy === 'host' && scope.kind === 'host' && a.scopeKey === scope.hostId);
  const at = (c: AlertChange) => Math.round(((run.drainedAt.get(c) ?? c.at) - start.getTime()) / MIN);

  const expected = fc.expect.map((e): FiredRule => {
    const c = fired.find((x) => x.alert.ruleCode === e.rule && onAffected(x.alert));
    const delay = c ? at(c) : null;
    const out: FiredRule = { rule: e.rule, delayMinutes: delay, withinMinutes: e.withinMinutes, pass: delay !== null && delay <= e.withinMinutes, suppressed: c?.alert.suppressed?.kind ?? null, members: c?.alert.members.size ?? 0 };
    if (c && c.alert.rule.condition.kind === 'trend') {
      const w = forecasts.get(c.alert);
      const rel = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.round((ms - start.getTime()) / MIN));
      out.predictedInMinutes = rel(w?.predictedAt);
      out.crossedInMinutes = fc.trueCrossingMinutes ?? rel(w?.crossedAt);
    }
    return out;
  });
  const alsoOnAffected: CaseResult['alsoOnAffected'] = {};
  const elsewhere: CaseResult['elsewhere'] = [];
  for (const c of fired) {
    if (fc.expect.some((e) => e.rule === c.alert.ruleCode) && onAffected(c.alert)) continue;
    if (onAffected(c.alert)) {
      const n = (alsoOnAffected[c.alert.ruleCode] ??= { fired: 0, suppressed: 0 });
      n.fired++;
      // Suppressed for its whole life (as the run ended, or when it resolved).
      if (c.alert.suppressed || changes.some((x) => x.alert === c.alert && x.type === 'suppressed')) n.suppressed++;
    }
    else elsewhere.push({ rule: c.alert.ruleCode, scope: c.alert.scopeLabel, atMinutes: at(c) });
  }
  return { id: fc.id, fault: fc.fault, scope: fc.scope, seed: ctx.seed, startAt: start.toISOString(), expected, alsoOnAffected, elsewhere, pass: expected.every((e) => e.pass) };
}

/** A simulator of the case fleet from FLEET_START, for warm-ups. */
export const warmUpSimulator = (fleet: Fleet) => new Simulator(fleet, { startAt: FLEET_START });
