/**
 * Noise control: one alert per fingerprint, grouping, resolution, inhibition, flapping, silences,
 * maintenance windows and escalation; all with an injected clock.
 */
import { describe, expect, it } from 'vitest';
import { HOUR, MIN, ORG, T0, buildRule, buildTerminal, everyMinute, sample, testEngine } from './testing/factories.js';

const jam = buildRule({ code: 'printer.jam', condition: { kind: 'threshold', metric: 'printer.jam', op: '==', value: 1, forMinutes: 0 }, resolveAfterMinutes: 5 });
const jammed = (on: boolean) => sample({ metrics: { 'printer.jam': on ? 1 : 0 } });

describe('lifecycle', () => {
  it('a condition that holds on many samples is one alert (one fingerprint: rule and scope)', () => {
    const t = testEngine([jam], [buildTerminal(1), buildTerminal(2)]);
    everyMinute(t, ['t1', 't2'], T0, T0 + HOUR, () => jammed(true));
    const fired = t.fired();
    expect(fired.map((c) => c.alert.fingerprint).sort()).toEqual(['printer.jam:t1', 'printer.jam:t2']);
  });

  it('an alert resolves only after resolveAfterMinutes clear', () => {
    const t = testEngine([jam]);
    everyMinute(t, ['t1'], T0, T0 + 10 * MIN, () => jammed(true));
    everyMinute(t, ['t1'], T0 + 10 * MIN, T0 + 14 * MIN, () => jammed(false));
    expect(t.changes.filter((c) => c.type === 'resolved')).toHaveLength(0);
    expect(t.engine.openAlerts()[0]!.clearSince).toBe(T0 + 10 * MIN);
    everyMinute(t, ['t1'], T0 + 14 * MIN, T0 + 16 * MIN, () => jammed(false));
    const resolved = t.changes.filter((c) => c.type === 'resolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.at).toBe(T0 + 15 * MIN);
    expect(resolved[0]!.alert.status).toBe('resolved');
  });

  it('firing → acknowledged → resolved by itself once the condition clears', () => {
    const t = testEngine([jam]);
    everyMinute(t, ['t1'], T0, T0 + 5 * MIN, () => jammed(true));
    const a = t.engine.openAlerts()[0]!;
    t.engine.acknowledge(a.id, 'agent-1', T0 + 6 * MIN, 'on my way');
    expect(t.take().map((c) => [c.type, c.detail])).toEqual([['acknowledged', { comment: 'on my way', actor: 'agent-1' }]]);
    expect(a.status).toBe('acknowledged');
    everyMinute(t, ['t1'], T0 + 6 * MIN, T0 + 20 * MIN, () => jammed(false));
    expect(a.status).toBe('resolved');
    expect(t.engine.getOpen(a.id)).toBeNull();
  });

  it('site grouping: terminals join and leave one alert, which resolves when the last one is clear', () => {
    const siteJam = buildRule({ ...jam, groupBy: 'site' });
    const t = testEngine([siteJam], [buildTerminal(1), buildTerminal(2)]);
    everyMinute(t, ['t1', 't2'], T0, T0 + 10 * MIN, (at, id) => jammed(id === 't1' || at >= T0 + 5 * MIN));
    everyMinute(t, ['t1', 't2'], T0 + 10 * MIN, T0 + 30 * MIN, (at, id) => jammed(id === 't2' && at < T0 + 20 * MIN));
    expect(t.changes.map((c) => c.type)).toEqual(['fired', 'member_added', 'member_cleared', 'member_cleared', 'resolved']);
    expect(t.changes[0]!.alert.scopeKey).toBe('site-a');
    expect(t.changes.at(-1)!.at).toBe(T0 + 25 * MIN);
  });
});

describe('flapping', () => {
  it('a condition toggling every few minutes yields one flapping alert', () => {
    const t = testEngine([jam]);
    // Jammed 2 minutes, clear 3 minutes, for an hour: twelve times.
    everyMinute(t, ['t1'], T0, T0 + HOUR, (at) => jammed((at - T0) % (5 * MIN) < 2 * MIN));
    const types = t.changes.map((c) => c.type);
    expect(types.filter((x) => x === 'fired')).toHaveLength(1);
    expect(types.filter((x) => x === 'flapping')).toHaveLength(1);
    expect(types).not.toContain('resolved');
    expect(t.engine.openAlerts()[0]!.flapping).toBe(true);
  });

  it('a flapping alert resolves only after stableMinutes clear, not resolveAfterMinutes', () => {
    const t = testEngine([jam]);
    everyMinute(t, ['t1'], T0, T0 + 30 * MIN, (at) => jammed((at - T0) % (5 * MIN) < 2 * MIN));
    const lastJam = T0 + 26 * MIN;
    everyMinute(t, ['t1'], T0 + 30 * MIN, T0 + 2 * HOUR, () => jammed(false));
    const resolved = t.changes.find((c) => c.type === 'resolved')!;
    expect(resolved.at).toBe(lastJam + 1 * MIN + 30 * MIN);
  });

  it('toggling slower than resolveAfterMinutes: no more than `firings` alerts before the last one holds as flapping', () => {
    const t = testEngine([jam]);
    // Jammed 2 minutes, clear 10 minutes (longer than the 5 minutes it takes to resolve).
    everyMinute(t, ['t1'], T0, T0 + 2 * HOUR, (at) => jammed((at - T0) % (12 * MIN) < 2 * MIN));
    const fired = t.changes.filter((c) => c.type === 'fired');
    expect(fired).toHaveLength(3);
    expect(fired[2]!.alert.flapping).toBe(true);
    expect(t.engine.openAlerts()).toHaveLength(1);
  });
});

describe('inhibition', () => {
  const siteOffline = buildRule({
    code: 'site.offline',
    groupBy: 'site',
    resolveAfterMinutes: 3,
    condition: { kind: 'site_offline', minutes: 5, minTerminals: 2, share: 0.5 },
    inhibits: { rules: ['terminal.offline', 'net.host_unreachable'], within: 'site' },
  });
  const offline = buildRule({ code: 'terminal.offline', condition: { kind: 'absence', minutes: 10 }, resolveAfterMinutes: 0 });
  const unreachable = buildRule({ code: 'net.host_unreachable', groupBy: 'site', condition: { kind: 'threshold', metric: 'network.hostReachable', op: '==', value: 0, forMinutes: 5 } });
  const siteA = Array.from({ length: 4 }, (_, i) => buildTerminal(i));
  const siteB = [buildTerminal(10, { siteId: 'site-b' }), buildTerminal(11, { siteId: 'site-b' }), buildTerminal(12, { siteId: 'site-b' })];
  const all = [...siteA, ...siteB];

  it('the site outage suppresses the per-terminal offline alerts of that site and not those of another site', () => {
    const t = testEngine([siteOffline, offline], all);
    // Site A goes dark at T0 + 10; one terminal of site B (of three) dies at the same time.
    const stillUp = new Set(['t11', 't12']);
    everyMinute(t, all.map((x) => x.id), T0, T0 + 40 * MIN, (at, id) => (at < T0 + 10 * MIN || stillUp.has(id) ? sample() : null));
    const perTerminal = t.fired('terminal.offline');
    expect(perTerminal).toHaveLength(5);
    const bySuppression = Object.fromEntries(perTerminal.map((c) => [c.alert.terminalId, c.alert.suppressed?.kind ?? null]));
    expect(bySuppression).toEqual({ t0: 'inhibited', t1: 'inhibited', t2: 'inhibited', t3: 'inhibited', t10: null });
    expect(t.fired('site.offline')).toHaveLength(1);
    expect(t.fired('site.offline')[0]!.alert.members.size).toBe(4);
  });

  it('an alert that began during a site outage stays inhibited after the outage alert clears (a backlog arriving late)', () => {
    const t = testEngine([siteOffline, offline, unreachable], all);
    everyMinute(t, all.map((x) => x.id), T0, T0 + 10 * MIN, () => sample({ metrics: { 'network.connected': 1, 'network.hostReachable': 1 } }));
    // Site A is dark for 30 minutes…
    everyMinute(t, siteB.map((x) => x.id), T0 + 10 * MIN, T0 + 40 * MIN, () => sample({ metrics: { 'network.connected': 1, 'network.hostReachable': 1 } }));
    // …then its terminals send what they recorded meanwhile, and are fine again.
    for (const term of siteA) for (let at = T0 + 10 * MIN; at < T0 + 40 * MIN; at += MIN) t.engine.observeTelemetry(term.id, at, sample({ metrics: { 'network.connected': 1, 'network.hostReachable': 0 } }));
    everyMinute(t, all.map((x) => x.id), T0 + 40 * MIN, T0 + 90 * MIN, () => sample({ metrics: { 'network.connected': 1, 'network.hostReachable': 1 } }));
    const late = t.fired('net.host_unreachable');
    expect(late).toHaveLength(1);
    expect(t.changes.filter((c) => c.alert === late[0]!.alert).map((c) => c.type)).not.toContain('unsuppressed');
    expect(t.changes.filter((c) => c.type === 'unsuppressed')).toHaveLength(0);
  });

  it('a host outage suppresses what it explains at every site of the host', () => {
    const host = buildRule({ code: 'host.outage', groupBy: 'host', condition: { kind: 'host_outage', unreachableSites: 2 }, inhibits: { rules: ['net.host_unreachable'], within: 'host' } });
    const slow = buildRule({ ...unreachable, condition: { kind: 'threshold', metric: 'network.hostReachable', op: '==', value: 0, forMinutes: 10 } });
    const terms = [...siteA, ...siteB, buildTerminal(20, { siteId: 'site-c', host: 'acq-north' })];
    const t = testEngine([host, slow], terms);
    everyMinute(t, terms.map((x) => x.id), T0, T0 + 30 * MIN, (at, id) => sample({ metrics: { 'network.connected': 1, 'network.hostReachable': at >= T0 + 5 * MIN ? 0 : 1 } }));
    const perSite = t.fired('net.host_unreachable');
    expect(Object.fromEntries(perSite.map((c) => [c.alert.scopeKey, c.alert.suppressed?.kind ?? null]))).toEqual({ 'site-a': 'inhibited', 'site-b': 'inhibited', 'site-c': null });
  });
});

describe('silences and maintenance', () => {
  it('a silence expires and the still-firing alert is unsuppressed', () => {
    const t = testEngine([jam]);
    t.engine.setSilences([{ id: 's1', orgId: ORG, matchers: { rule: 'printer.jam', siteId: 'site-a' }, startsAt: T0 - HOUR, endsAt: T0 + 30 * MIN }]);
    everyMinute(t, ['t1'], T0, T0 + 40 * MIN, () => jammed(true));
    const [fired] = t.fired();
    expect(t.changes.filter((c) => c.alert === fired!.alert).map((c) => [c.type, c.at])).toEqual([
      ['fired', T0],
      ['unsuppressed', T0 + 30 * MIN - 1 + MIN],
    ]);
    expect(fired!.alert.suppressed).toBeNull();
  });

  it('a silence matches only what all its matchers name', () => {
    const t = testEngine([jam], [buildTerminal(1), buildTerminal(2, { siteId: 'site-b' })]);
    t.engine.setSilences([{ id: 's1', orgId: ORG, matchers: { rule: 'printer.jam', siteId: 'site-a' }, startsAt: T0 - HOUR, endsAt: T0 + HOUR }]);
    everyMinute(t, ['t1', 't2'], T0, T0 + 5 * MIN, () => jammed(true));
    expect(Object.fromEntries(t.fired().map((c) => [c.alert.terminalId, c.alert.suppressed?.kind ?? null]))).toEqual({ t1: 'silence', t2: null });
  });

  it('maintenance window on a site suppresses its alerts only while it lasts', () => {
    const t = testEngine([jam], [buildTerminal(1), buildTerminal(2, { siteId: 'site-b' })]);
    t.engine.setMaintenance([{ id: 'mw1', orgId: ORG, siteId: 'site-a', terminalId: null, startsAt: T0, endsAt: T0 + HOUR }]);
    everyMinute(t, ['t1', 't2'], T0 + 10 * MIN, T0 + 70 * MIN, () => jammed(true));
    const byTerminal = Object.fromEntries(t.fired().map((c) => [c.alert.terminalId, c.alert]));
    expect(t.changes.find((c) => c.type === 'fired' && c.alert.terminalId === 't1')!.alert.suppressed).toBeNull(); // now, after the window
    expect(t.changes.filter((c) => c.alert === byTerminal.t1).map((c) => c.type)).toEqual(['fired', 'unsuppressed']);
    expect(t.changes.find((c) => c.alert === byTerminal.t1 && c.type === 'unsuppressed')!.at).toBeGreaterThanOrEqual(T0 + HOUR);
    expect(t.changes.filter((c) => c.alert === byTerminal.t2).map((c) => c.type)).toEqual(['fired']);
  });
});

describe('escalation', () => {
  const escalating = buildRule({
    code: 'site.offline',
    severity: 'warning',
    condition: { kind: 'threshold', metric: 'printer.jam', op: '==', value: 1 },
    escalation: [
      { afterMinutes: 30, notifyRoles: ['agent'] },
      { afterMinutes: 120, notifyRoles: ['admin'], raiseSeverity: true },
    ],
  });

  it('escalation notifies step 1 after 30 min and step 2 after 120 min unless acknowledged; acknowledging stops it', () => {
    const t = testEngine([escalating], [buildTerminal(1), buildTerminal(2)]);
    everyMinute(t, ['t1', 't2'], T0, T0 + 3 * HOUR, (at) => {
      if (at === T0 + 40 * MIN) t.engine.acknowledge(t.engine.openAlerts().find((a) => a.terminalId === 't2')!.id, 'agent-2', at);
      return jammed(true);
    });
    const esc = t.changes.filter((c) => c.type === 'escalated');
    expect(esc.map((c) => [c.alert.terminalId, c.at - T0, c.roles, c.alert.escalationLevel >= 1])).toEqual([
      ['t1', 30 * MIN + MIN - 1, ['agent'], true],
      ['t2', 30 * MIN + MIN - 1, ['agent'], true],
      ['t1', 120 * MIN + MIN - 1, ['admin'], true],
    ]);
    expect(esc[2]!.detail).toMatchObject({ level: 2, severity: 'critical' });
    expect(t.engine.openAlerts().find((a) => a.terminalId === 't1')!.severity).toBe('critical');
    expect(t.engine.openAlerts().find((a) => a.terminalId === 't2')!.severity).toBe('warning');
  });

  it('counts from when a silenced alert became visible', () => {
    const t = testEngine([escalating]);
    t.engine.setSilences([{ id: 's1', orgId: ORG, matchers: { terminalId: 't1' }, startsAt: T0, endsAt: T0 + 60 * MIN }]);
    everyMinute(t, ['t1'], T0, T0 + 2 * HOUR, () => jammed(true));
    const esc = t.changes.filter((c) => c.type === 'escalated');
    const visible = t.changes.find((c) => c.type === 'unsuppressed')!;
    expect(visible.at).toBeGreaterThanOrEqual(T0 + 60 * MIN);
    expect(esc).toHaveLength(1);
    expect(esc[0]!.at - visible.at).toBe(30 * MIN);
  });
});
