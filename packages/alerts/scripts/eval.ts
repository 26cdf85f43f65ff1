/**
 * npm run eval:alerts — how the default rules do against the fleet simulator, as JSON on stdout
 * (progress on stderr).
 *
 * 1. Faults: every case in src/testing/faultCases.ts (each fault the simulator can inject, in a
 *    realistic scope) on fleets of 80 terminals, one fleet per seed. Per case: the rules that must
 *    fire, their delay from the fault's start per seed, the expected delay, pass / fail; other rules
 *    that fired on the affected terminals (and whether they were suppressed); alerts elsewhere.
 * 2. Healthy fleet: 1,000 terminals, no faults, for a simulated week, with the alert counts per rule.
 *    The trade-absence baseline needs past weeks: the same simulator first runs two weeks without the
 *    engine, counting approved payments per terminal and hour; the engine is seeded with those counts
 *    (engine.seedTrading, as the server seeds it from stored payments) and watches the third week.
 *
 * Options: --seeds 7,11  --fleet 80  --cases <id prefix>[,…]  --terminals 1000  --days 7
 *          --healthy-seed 42  --no-faults  --no-healthy
 */
import { DEFAULT_RULES, DEFAULT_RULES_VERSION } from '../src/index.js';
import { FAULT_CASES, FLEET_START, runFaultCase, warmUpSimulator, type CaseResult, type FaultCase } from '../src/testing/faultCases.js';
import { runUntil, scenarioFleet, warmUpTrading, watchFleet, type SimRun, type TradingHistory } from '../src/testing/simulate.js';
import type { AlertChange } from '../src/state.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const WARM_UP_DAYS = 14;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const progress = (msg: string) => process.stderr.write(`${msg}\n`);
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

const t0 = performance.now();
const report: Record<string, unknown> = {
  command: 'npm run eval:alerts',
  rules: { version: DEFAULT_RULES_VERSION, count: DEFAULT_RULES.length },
};

if (!flag('no-faults')) report.faults = evaluateFaults();
if (!flag('no-healthy')) report.healthy = evaluateHealthy();
report.runSeconds = seconds(t0);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

function evaluateFaults() {
  const started = performance.now();
  const seeds = (option('seeds') ?? '7,11').split(',').map(Number);
  const size = Number(option('fleet') ?? 80);
  const only = option('cases')?.split(',');
  const cases = FAULT_CASES.filter((c) => !only || only.some((p) => c.id.startsWith(p)));
  const results = new Map<string, CaseResult[]>();
  for (const seed of seeds) {
    const fleet = scenarioFleet(seed, size, FLEET_START);
    let trading: TradingHistory | undefined;
    if (cases.some((c) => c.needsTrading)) {
      const w = performance.now();
      trading = warmUpTrading(fleet, FLEET_START, new Date(FLEET_START.getTime() + WARM_UP_DAYS * DAY), warmUpSimulator(fleet));
      progress(`seed ${seed}: trading warm-up (${WARM_UP_DAYS} days, ${size} terminals) ${seconds(w)} s`);
    }
    for (const fc of cases) {
      const c0 = performance.now();
      const r = runFaultCase(fc, { fleet, seed, rules: DEFAULT_RULES, ...(trading ? { trading } : {}) });
      (results.get(fc.id) ?? results.set(fc.id, []).get(fc.id)!).push(r);
      progress(`seed ${seed}: ${r.pass ? 'pass' : 'FAIL'} ${fc.id} ${r.expected.map((e) => `${e.rule} ${e.delayMinutes ?? '—'}/${e.withinMinutes} min`).join(', ')} (${seconds(c0)} s)`);
    }
  }
  const rows = cases.map((fc) => caseRow(fc, results.get(fc.id)!));
  const covered = new Set(rows.flatMap((r) => r.expect.filter((e) => e.pass).map((e) => e.rule)));
  return {
    fleet: { terminals: size, seeds, start: 'fault at the local time shown, in the third week after the fleet start; the engine watches from 3 h before' },
    tradingBaseline: `cases that need it are seeded with ${WARM_UP_DAYS} simulated days of the same fleet before the case week`,
    cases: rows,
    passed: rows.filter((r) => r.pass).length,
    of: rows.length,
    falseAlertsDuringCases: rows.reduce((n, r) => n + r.falseAlerts.length, 0),
    rulesFiringOnTheirFault: covered.size,
    rulesNotCovered: DEFAULT_RULES.map((r) => r.code).filter((c) => !covered.has(c)),
    runSeconds: seconds(started),
  };
}

function caseRow(fc: FaultCase, results: CaseResult[]) {
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const also: Record<string, { fired: number; suppressed: number }> = {};
  for (const r of results) {
    for (const [rule, n] of Object.entries(r.alsoOnAffected)) {
      const a = (also[rule] ??= { fired: 0, suppressed: 0 });
      a.fired += n.fired;
      a.suppressed += n.suppressed;
    }
  }
  return {
    case: fc.id,
    fault: fc.fault,
    scope: fc.scope,
    at: `${days[fc.at.day]} ${String(fc.at.hour).padStart(2, '0')}:00${fc.lastsMinutes ? `, lasts ${fc.lastsMinutes} min` : ''}${fc.severity !== undefined ? `, severity ${fc.severity}` : ''}`,
    expect: fc.expect.map((e) => {
      const per = results.map((r) => ({ seed: r.seed, e: r.expected.find((x) => x.rule === e.rule)! }));
      const forecast = per.some((p) => p.e.predictedInMinutes !== undefined);
      return {
        rule: e.rule,
        withinMinutes: e.withinMinutes,
        delayMinutes: Object.fromEntries(per.map((p) => [p.seed, p.e.delayMinutes])),
        ...(per.some((p) => p.e.suppressed) ? { suppressed: Object.fromEntries(per.map((p) => [p.seed, p.e.suppressed])) } : {}),
        ...(forecast
          ? {
              predictedCrossingMinutes: Object.fromEntries(per.map((p) => [p.seed, p.e.predictedInMinutes ?? null])),
              actualCrossingMinutes: Object.fromEntries(per.map((p) => [p.seed, p.e.crossedInMinutes ?? null])),
            }
          : {}),
        pass: per.every((p) => p.e.pass),
      };
    }),
    pass: results.every((r) => r.pass),
    alsoOnAffected: also,
    falseAlerts: results.flatMap((r) => r.elsewhere.map((x) => ({ seed: r.seed, ...x }))),
    ...(fc.note ? { note: fc.note } : {}),
  };
}

function evaluateHealthy() {
  const terminals = Number(option('terminals') ?? 1000);
  const days = Number(option('days') ?? 7);
  const seed = Number(option('healthy-seed') ?? 42);
  const fleet = scenarioFleet(seed, terminals, FLEET_START);
  const sim = warmUpSimulator(fleet);
  const weekStart = new Date(FLEET_START.getTime() + WARM_UP_DAYS * DAY);
  const w = performance.now();
  const trading = warmUpTrading(fleet, FLEET_START, weekStart, sim);
  const warmUpSeconds = seconds(w);
  progress(`healthy: warm-up ${WARM_UP_DAYS} days × ${terminals} terminals in ${warmUpSeconds} s`);
  const run: SimRun = { fleet, sim, engine: watchFleet(fleet, DEFAULT_RULES, trading, weekStart.getTime()), changes: [], drainedAt: new Map() };
  const r0 = performance.now();
  let samples = 0;
  for (let d = 1; d <= days; d++) {
    runUntil(run, new Date(weekStart.getTime() + d * DAY), [], { onSample: () => void samples++ });
    progress(`healthy: day ${d}/${days}, ${run.changes.filter((c) => c.type === 'fired').length} alerts so far (${seconds(r0)} s)`);
  }
  const runSeconds = seconds(r0);
  const fired = run.changes.filter((c) => c.type === 'fired');
  const suppressedAll = (c: AlertChange) => !!c.alert.suppressed;
  const byRule: Record<string, number> = {};
  for (const c of fired) byRule[c.alert.ruleCode] = (byRule[c.alert.ruleCode] ?? 0) + 1;
  return {
    terminals,
    sites: fleet.sites.length,
    days,
    seed,
    from: weekStart.toISOString(),
    to: new Date(weekStart.getTime() + days * DAY).toISOString(),
    tradingBaseline: `${WARM_UP_DAYS} days of the same simulation before the measured week, without the engine; approved payments per terminal and hour seeded with engine.seedTrading`,
    telemetrySamples: samples,
    falseAlerts: {
      total: fired.length,
      visible: fired.filter((c) => !suppressedAll(c)).length,
      byRule,
      flapping: run.changes.filter((c) => c.type === 'flapping').length,
    },
    examples: fired.slice(0, 10).map((c) => ({ at: new Date(c.at).toISOString(), rule: c.alert.ruleCode, scope: c.alert.scopeLabel, value: c.alert.value })),
    warmUpSeconds,
    runSeconds,
    terminalMinutesPerSecond: Math.round((terminals * days * 1440) / runSeconds),
  };
}
