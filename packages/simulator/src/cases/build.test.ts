import type { CaseTelemetry, DeviceMessage, Telemetry } from '@poscare/contracts';
import { describe, expect, it } from 'vitest';
import { MODELS } from '../catalog.js';
import { Rng } from '../random.js';
import { Simulator } from '../simulator.js';
import { buildCase, isoAt, MessageLog } from './build.js';
import { shapeFleet, type CaseFleetSpec } from './fleet.js';

const NOON = Date.UTC(2026, 2, 3, 4); // 12:00 China Standard Time
const MIN = 60_000;
const A920 = MODELS.find((m) => m.model === 'A920')!;
const DESK = MODELS.find((m) => m.model === 'Desk/3500')!;

function fleetOf(over: Partial<CaseFleetSpec> = {}) {
  return shapeFleet(Rng.derive(5, 'test'), {
    seed: 5,
    startAt: new Date(NOON - 4 * 3_600_000),
    language: 'zh-CN',
    kind: 'restaurant',
    hostId: 'cup-east',
    target: { model: DESK, connectivity: 'ethernet', appVersion: '3.9.1' },
    siteSize: 4,
    minLanPeers: 3,
    otherKinds: ['restaurant', 'convenience'],
    otherSites: 3,
    terminalsPerOtherSite: [2, 2],
    ...over,
  });
}

let msgSeq = 0;
const message = <K extends DeviceMessage['kind']>(kind: K, atMs: number, data: Extract<DeviceMessage, { kind: K }>['data']): DeviceMessage =>
  ({ v: 1, msgId: `m-${++msgSeq}-aaaaaaaa`, at: new Date(atMs).toISOString(), kind, data }) as DeviceMessage;

describe('buildCase', () => {
  it('thins telemetry to one sample per 5 minutes, summing reader, crash and reboot counters over each window', () => {
    const { fleet, target } = fleetOf();
    const sim = new Simulator(fleet);
    sim.inject({ fault: 'hw.reader.chip', scope: { kind: 'terminal', terminalId: target.id }, startAt: new Date(NOON - 90 * MIN), severity: 1, params: { rampMinutes: 30 } });
    const log = new MessageLog();
    sim.stepInto(new Date(NOON), log.add);
    const c = buildCase({ id: 't', nowMs: NOON, fleet, terminal: target, log, lang: 'zh-CN', runStartMs: NOON - 4 * 3_600_000 });

    const raw = log.receivedBy(target.id, NOON).filter((r) => r.message.kind === 'telemetry' && r.atMs > NOON - 120 * MIN);
    type Sample = Omit<CaseTelemetry, 'at'>;
    const rawSum = (f: (t: Sample) => number | undefined) => raw.reduce((n, r) => n + (f(r.message.data as Telemetry) ?? 0), 0);
    const caseSum = (f: (t: Sample) => number | undefined) => c.telemetry!.reduce((n, t) => n + (f(t) ?? 0), 0);
    expect(c.telemetry).toHaveLength(24);
    expect(caseSum((t) => t.reader?.chip?.failures)).toBe(rawSum((t) => t.reader?.chip?.failures));
    expect(caseSum((t) => t.reader?.chip?.attempts)).toBe(rawSum((t) => t.reader?.chip?.attempts));
    expect(caseSum((t) => t.app?.crashes)).toBe(rawSum((t) => t.app?.crashes));
    expect(caseSum((t) => t.os?.reboots)).toBe(rawSum((t) => t.os?.reboots));
    expect(caseSum((t) => t.reader?.chip?.failures)).toBeGreaterThan(5);
    // Transactions and events of the window, the terminal as the inventory knows it.
    expect(c.transactions!.every((x) => Date.parse(x.at) > NOON - 120 * MIN)).toBe(true);
    expect(c.events!.some((e) => e.code === 'CHIP_READ_FAIL')).toBe(true);
    expect(c.terminal).toMatchObject({ id: target.id, model: 'Desk/3500', connectivity: 'ethernet', appVersion: '3.9.1', siteId: target.siteId });
    expect(c.now).toBe('2026-03-03T12:00:00+08:00');
  });

  it('sees only what reached the platform: during a site outage the cut terminals are offline and their backlog is not there yet', () => {
    const { fleet, target } = fleetOf();
    const sim = new Simulator(fleet);
    const cut = NOON - 40 * MIN;
    sim.inject({ fault: 'net.site.outage', scope: { kind: 'site', siteId: target.siteId }, startAt: new Date(cut), endAt: new Date(NOON + 30 * MIN) });
    const log = new MessageLog();
    sim.stepInto(new Date(NOON), log.add);
    const during = buildCase({ id: 't', nowMs: NOON, fleet, terminal: target, log, lang: 'zh-CN', runStartMs: NOON - 4 * 3_600_000 });
    expect(Date.parse(during.telemetry!.at(-1)!.at)).toBeLessThan(cut + MIN);
    const peers = during.site!.terminals!;
    expect(peers).toHaveLength(3);
    expect(peers.every((p) => p.status === 'offline' && Date.parse(p.lastSeenAt!) <= cut + MIN)).toBe(true);

    // Once the link is back the backlog arrives: the samples of the outage say the link was down.
    sim.stepInto(new Date(NOON + 40 * MIN), log.add);
    const after = buildCase({ id: 't', nowMs: NOON + 40 * MIN, fleet, terminal: target, log, lang: 'zh-CN', runStartMs: NOON - 4 * 3_600_000 });
    const outage = after.telemetry!.filter((t) => Date.parse(t.at) > cut + 2 * MIN && Date.parse(t.at) < NOON + 25 * MIN);
    expect(outage.length).toBeGreaterThan(5);
    expect(outage.every((t) => t.network?.connected === false)).toBe(true);
    expect(after.site!.terminals!.every((p) => p.status !== 'offline')).toBe(true);
  });

  it('reports the version the terminal runs, the one before and when it changed', () => {
    const { fleet, target } = fleetOf({ target: { model: A920, connectivity: 'wifi', appVersion: '3.9.0' } });
    const sim = new Simulator(fleet);
    sim.inject({ fault: 'sw.update.regression', scope: { kind: 'terminal', terminalId: target.id }, startAt: new Date(NOON - 60 * MIN), params: { toVersion: '4.0.0', rolloutMinutes: 1 } });
    const log = new MessageLog();
    sim.stepInto(new Date(NOON), log.add);
    const c = buildCase({ id: 't', nowMs: NOON, fleet, terminal: target, log, lang: 'zh-CN', runStartMs: NOON - 4 * 3_600_000 });
    expect(c.terminal).toMatchObject({ appVersion: '4.0.0', previousAppVersion: '3.9.0' });
    expect(Math.abs(Date.parse(c.terminal.updatedAt!) - (NOON - 60 * MIN))).toBeLessThan(2 * MIN);
  });

  it('computes host and version figures over the other sites: host errors per online attempt, terminal-side failures per attempt', () => {
    const { fleet, target } = fleetOf();
    const log = new MessageLog();
    const other = fleet.terminals.filter((t) => t.siteId !== target.siteId && t.hostId === target.hostId);
    const mate = fleet.terminals.find((t) => t.siteId === target.siteId && t.id !== target.id)!;
    const add = (terminalId: string, m: DeviceMessage) => log.add({ terminalId, sentAt: new Date(m.at), message: m });
    const at = NOON - 5 * MIN;
    const txn = (outcome: 'approved' | 'timeout' | 'error' | 'declined' | 'card_read_error', responseCode?: string) =>
      message('txn', at, { entryMode: 'chip', outcome, ...(responseCode ? { responseCode } : {}) });
    for (let i = 0; i < 16; i++) add(other[0]!.id, txn('approved', '00'));
    add(other[0]!.id, txn('timeout'));
    add(other[0]!.id, txn('error', '96'));
    add(other[0]!.id, txn('declined', '91'));
    add(other[0]!.id, txn('declined', '51'));
    add(other[0]!.id, txn('card_read_error'));
    add(other[0]!.id, txn('error'));
    add(other[0]!.id, message('telemetry', at - MIN, { app: { version: target.appVersion, crashes: 2 } }));
    // Three hours earlier, before the case's window: the baseline.
    add(other[0]!.id, message('telemetry', NOON - 181 * MIN, { app: { version: target.appVersion, crashes: 0 } }));
    for (let i = 0; i < 40; i++) add(other[0]!.id, message('txn', NOON - 180 * MIN, { entryMode: 'qr', outcome: 'approved', responseCode: '00' }));
    // The case's own site is left out: one site's trouble would swamp a small fleet's figures.
    for (let i = 0; i < 30; i++) add(mate.id, txn('timeout'));
    const c = buildCase({ id: 't', nowMs: NOON, fleet, terminal: target, log, lang: 'zh-CN', runStartMs: NOON - 4 * 3_600_000 });
    // Online attempts in the last 15 minutes: 16 approved + timeout + 96 + 91 + 51 = 20; host failures: timeout, 96, 91.
    expect(c.fleet!.host).toMatchObject({ hostErrorRate: 0.15, baselineHostErrorRate: 0, terminals: fleet.terminals.filter((t) => t.hostId === target.hostId).length });
    // The last hour has only 22 transactions + 2 crashes, so the rate widens to the whole run: 64 attempts,
    // 4 terminal-side failures (the unread card, the local error, 2 crashes). The baseline: 40, none failed.
    expect(c.fleet!.sameVersion).toMatchObject({ failureRate: 0.0625, baselineFailureRate: 0 });

    // Too few payments to make a rate (a quiet night): the platform leaves the rates out.
    const quiet = new MessageLog();
    quiet.add({ terminalId: other[0]!.id, sentAt: new Date(at), message: txn('timeout') });
    const q = buildCase({ id: 'q', nowMs: NOON, fleet, terminal: target, log: quiet, lang: 'zh-CN', runStartMs: NOON - 4 * 3_600_000 });
    expect(q.fleet!.host!.hostErrorRate).toBeUndefined();
    expect(q.fleet!.sameVersion!.failureRate).toBeUndefined();
  });
});

describe('isoAt', () => {
  it('writes the site local time with its offset, to the second', () => {
    expect(isoAt(Date.UTC(2026, 2, 3, 4, 5, 6, 789), 480)).toBe('2026-03-03T12:05:06+08:00');
    expect(isoAt(Date.UTC(2026, 2, 3, 4, 5, 6), -330)).toBe('2026-03-02T22:35:06-05:30');
  });
});
