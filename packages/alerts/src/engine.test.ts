/** The engine over time: rules reloaded or changed, terminals removed, a restart taking over open alerts. */
import { describe, expect, it } from 'vitest';
import { AlertEngine } from './engine.js';
import type { AlertState } from './state.js';
import { HOUR, MIN, ORG, T0, buildRule, buildTerminal, everyMinute, sample, testEngine } from './testing/factories.js';

const jam = buildRule({ code: 'printer.jam', condition: { kind: 'threshold', metric: 'printer.jam', op: '==', value: 1, forMinutes: 5 }, resolveAfterMinutes: 5 });
const jammed = (on: boolean) => sample({ metrics: { 'printer.jam': on ? 1 : 0 } });
const rules = (...defs: (typeof jam)[]) => defs.map((definition) => ({ definition, version: 1 }));

describe('rules as data, reloaded', () => {
  it('reloading the same rules keeps open alerts, which still resolve when the condition clears', () => {
    const t = testEngine([jam]);
    everyMinute(t, ['t1'], T0, T0 + 10 * MIN, () => jammed(true));
    t.engine.setRules(ORG, rules(jam));
    everyMinute(t, ['t1'], T0 + 10 * MIN, T0 + 30 * MIN, () => jammed(false));
    expect(t.changes.map((c) => c.type)).toEqual(['fired', 'resolved']);
  });

  it('a changed condition re-judges its open alert: it stays while the new condition holds and resolves when it does not', () => {
    const t = testEngine([jam]);
    everyMinute(t, ['t1'], T0, T0 + 10 * MIN, () => jammed(true));
    t.engine.setRules(ORG, rules({ ...jam, condition: { ...jam.condition, forMinutes: 15 } as typeof jam.condition }));
    everyMinute(t, ['t1'], T0 + 10 * MIN, T0 + 20 * MIN, () => jammed(true));
    expect(t.changes.map((c) => c.type)).toEqual(['fired']);
    everyMinute(t, ['t1'], T0 + 20 * MIN, T0 + 30 * MIN, () => jammed(false));
    expect(t.changes.map((c) => c.type)).toEqual(['fired', 'resolved']);
  });

  it("a rule switched off or removed: its alerts resolve at the next tick, with the reason", () => {
    const t = testEngine([jam]);
    everyMinute(t, ['t1'], T0, T0 + 10 * MIN, () => jammed(true));
    t.engine.setRules(ORG, rules({ ...jam, enabled: false }));
    const [resolved] = t.tick(T0 + 11 * MIN);
    expect(resolved).toMatchObject({ type: 'resolved', detail: { reason: 'rule_disabled' } });
  });

  it('each organization has its own rules', () => {
    const t = testEngine([jam], [buildTerminal(1), buildTerminal(2, { orgId: 'org-2' })]);
    t.engine.setRules('org-2', rules({ ...jam, condition: { ...jam.condition, forMinutes: 30 } as typeof jam.condition }));
    everyMinute(t, ['t1', 't2'], T0, T0 + 10 * MIN, () => jammed(true));
    expect(t.fired().map((c) => c.alert.orgId)).toEqual([ORG]);
    expect(t.engine.ruleOf('org-2', 'printer.jam')!.condition).toMatchObject({ forMinutes: 30 });
  });
});

describe('terminals', () => {
  it('a terminal removed leaves its alerts, which then resolve', () => {
    const t = testEngine([jam]);
    everyMinute(t, ['t1'], T0, T0 + 10 * MIN, () => jammed(true));
    t.engine.removeTerminal('t1');
    t.tick(T0 + 11 * MIN);
    t.tick(T0 + 20 * MIN);
    expect(t.changes.map((c) => c.type)).toEqual(['fired', 'resolved']);
    expect(t.engine.hasTerminal('t1')).toBe(false);
  });

  it('a terminal that reports a new app version is counted under it', () => {
    const t = testEngine([jam]);
    t.engine.observeTelemetry('t1', T0, jammed(false), '3.9.2');
    everyMinute(t, ['t1'], T0 + MIN, T0 + 10 * MIN, () => jammed(true));
    expect(t.fired()[0]!.alert.scopeLabel).toBe('SN0001');
  });
});

describe('restart', () => {
  /** What the server stores and loads back: the alert without the engine's rule object. */
  const stored = (a: AlertState): AlertState => ({ ...a, rule: null as unknown as AlertState['rule'], members: new Map([...a.members].map(([k, m]) => [k, { ...m }])), clearSince: null });

  it('an alert taken over after a restart is neither resolved nor fired again while its condition holds', () => {
    const before = testEngine([jam]);
    everyMinute(before, ['t1'], T0, T0 + 10 * MIN, () => jammed(true));
    const open = before.engine.openAlerts().map(stored);

    let n = 0;
    const engine = new AlertEngine({ newId: () => `new-${++n}` });
    engine.setRules(ORG, rules(jam));
    engine.upsertTerminal(buildTerminal(1), T0 + 10 * MIN);
    engine.restore(open, T0 + 20 * MIN);
    for (let at = T0 + 20 * MIN; at < T0 + 40 * MIN; at += MIN) {
      engine.observeTelemetry('t1', at, jammed(true));
      engine.tick(at + MIN - 1);
    }
    expect(engine.drain()).toEqual([]);
    expect(engine.openAlerts()[0]!.rule.code).toBe('printer.jam');
    for (let at = T0 + 40 * MIN; at < T0 + HOUR; at += MIN) {
      engine.observeTelemetry('t1', at, jammed(false));
      engine.tick(at + MIN - 1);
    }
    expect(engine.drain().map((c) => [c.type, c.alert.id])).toEqual([['resolved', open[0]!.id]]);
  });

  it('an alert of a rule that no longer exists resolves at the first tick after a restart', () => {
    const before = testEngine([jam]);
    everyMinute(before, ['t1'], T0, T0 + 10 * MIN, () => jammed(true));
    const engine = new AlertEngine({ newId: () => 'x' });
    engine.setRules(ORG, []);
    engine.upsertTerminal(buildTerminal(1));
    engine.restore(before.engine.openAlerts().map(stored), T0 + 20 * MIN);
    engine.observeTelemetry('t1', T0 + 20 * MIN, jammed(true));
    engine.tick(T0 + 21 * MIN);
    expect(engine.drain().map((c) => c.type)).toEqual(['resolved']);
  });
});
