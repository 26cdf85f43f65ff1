/**
 * Drives the alert engine with the fleet simulator: every message a simulated terminal sends is fed
 * to the engine at its own time, and the engine ticks every simulated minute. Used by the tests and by
 * `npm run eval:alerts`.
 */
import { createFleet, Simulator, type FaultInjection, type Fleet } from '@poscare/simulator';
import type { AlertRuleDefinition } from '@poscare/contracts';
import { AlertEngine } from '../engine.js';
import { featuresOf, txnFeaturesOf, type Features } from '../metrics.js';
import type { AlertChange } from '../state.js';

export const ORG = '00000000-0000-4000-8000-000000000001';
const MIN = 60_000;
const HOUR = 60 * MIN;

export interface SimRun {
  fleet: Fleet;
  sim: Simulator;
  engine: AlertEngine;
  changes: AlertChange[];
  /** When each change was drained (the end of its simulated minute): when people would hear of it. */
  drainedAt: Map<AlertChange, number>;
}

/** Approved payments per terminal and hour (start of the hour, ms): the trading baseline's history. */
export type TradingHistory = Map<string, Map<number, number>>;

export interface StartOptions {
  seed: number;
  terminals: number;
  merchants?: number;
  startAt: Date;
  rules: readonly AlertRuleDefinition[];
  /** An existing fleet (then seed, terminals and merchants are not used). */
  fleet?: Fleet;
  /** Seeds the engine's trading baseline (history before `startAt`). */
  trading?: TradingHistory;
}

export function scenarioFleet(seed: number, terminals: number, startAt: Date, merchants?: number): Fleet {
  return createFleet({ seed, terminals, merchants: merchants ?? Math.max(1, Math.ceil(terminals / 8)), sitesPerMerchant: [1, 3], startAt });
}

export function startSim(opts: StartOptions): SimRun {
  const fleet = opts.fleet ?? scenarioFleet(opts.seed, opts.terminals, opts.startAt, opts.merchants);
  const sim = new Simulator(fleet, { startAt: opts.startAt });
  return { fleet, sim, engine: watchFleet(fleet, opts.rules, opts.trading, opts.startAt.getTime()), changes: [], drainedAt: new Map() };
}

/** An engine that knows the fleet's terminals, sites, merchants and hosts. */
export function watchFleet(fleet: Fleet, rules: readonly AlertRuleDefinition[], trading?: TradingHistory, before = Infinity): AlertEngine {
  let n = 0;
  const engine = new AlertEngine({ newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` });
  engine.setRules(ORG, rules.map((definition) => ({ definition, version: 1 })));
  const sites = new Map(fleet.sites.map((s) => [s.id, s]));
  const merchants = new Map(fleet.merchants.map((m) => [m.id, m]));
  for (const t of fleet.terminals) {
    const site = sites.get(t.siteId)!;
    const merchant = merchants.get(site.merchantId)!;
    engine.upsertTerminal({
      id: t.id,
      orgId: ORG,
      serial: t.serialNumber,
      siteId: site.id,
      siteLabel: site.name,
      merchantId: merchant.id,
      merchantLabel: merchant.name,
      host: merchant.hostId,
      appVersion: t.appVersion,
      utcOffsetMinutes: site.utcOffsetMinutes,
    });
    for (const [hour, count] of trading?.get(t.id) ?? []) if (hour + HOUR <= before) engine.seedTrading(t.id, hour, count);
  }
  return engine;
}

export interface RunHooks {
  /** Each telemetry sample as the engine saw it. */
  onSample?: (terminalId: string, at: number, f: Features) => void;
  /** The changes of each simulated minute, after the tick. */
  onChanges?: (changes: AlertChange[], at: number) => void;
}

/** Runs the simulation minute by minute until `until`, feeding the engine; returns the changes of this stretch. */
export function runUntil(run: SimRun, until: Date, inject: FaultInjection[] = [], hooks: RunHooks = {}): AlertChange[] {
  for (const i of inject) run.sim.inject(i);
  const out: AlertChange[] = [];
  let cursor = run.sim.now.getTime();
  const end = until.getTime();
  const { engine } = run;
  while (cursor < end) {
    const next = Math.min(end, cursor + MIN);
    run.sim.stepInto(new Date(next), (d) => {
      const at = Date.parse(d.message.at);
      const m = d.message;
      if (m.kind === 'telemetry') {
        const f = featuresOf(m.data);
        engine.observeTelemetry(d.terminalId, at, f, m.data.app?.version ?? null);
        hooks.onSample?.(d.terminalId, at, f);
      } else if (m.kind === 'txn') engine.observeTxn(d.terminalId, at, txnFeaturesOf(m.data));
      else engine.observeSeen(d.terminalId, at);
    });
    engine.tick(next);
    const changes = engine.drain();
    for (const c of changes) {
      out.push(c);
      run.drainedAt.set(c, next);
    }
    if (changes.length) hooks.onChanges?.(changes, next);
    cursor = next;
  }
  run.changes.push(...out);
  return out;
}

/**
 * Simulates the fleet from `from` to `to` without an engine and counts approved payments per
 * terminal and hour: a warm-up that gives the trading baseline the past weeks it learns from.
 * With `sim`, that simulator goes on (so a run can continue where the warm-up ended).
 */
export function warmUpTrading(fleet: Fleet, from: Date, to: Date, sim = new Simulator(fleet, { startAt: from })): TradingHistory {
  const out: TradingHistory = new Map();
  for (const t of fleet.terminals) out.set(t.id, new Map());
  sim.stepInto(to, (d) => {
    const m = d.message;
    if (m.kind !== 'txn' || m.data.outcome !== 'approved') return;
    const at = Date.parse(m.at);
    const hour = at - (at % HOUR);
    const hours = out.get(d.terminalId)!;
    hours.set(hour, (hours.get(hour) ?? 0) + 1);
  });
  return out;
}
