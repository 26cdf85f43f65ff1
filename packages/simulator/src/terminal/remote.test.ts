/**
 * Remote management in the simulator (issue 18): every new command carried out honestly — a lock
 * really stops payments, a bad version really crashes, a rollback really restores the old version,
 * a self-test reports what is broken, upload_logs hands over the terminal's own log.
 */
import { randomUUID } from 'node:crypto';
import { type DeviceCommand, SelfTestResult } from '@poscare/contracts';
import { describe, expect, it } from 'vitest';
import { createFleet } from '../fleet.js';
import { Simulator } from '../simulator.js';
import { acksOf, between, telemetryOf, txnsOf } from '../testing/streams.js';

const MIDNIGHT = new Date('2026-03-02T16:00:00Z');
const local = (h: number, m = 0) => new Date(MIDNIGHT.getTime() + (h * 60 + m) * 60_000);
const command = (name: DeviceCommand['name'], args?: Record<string, unknown>): DeviceCommand => ({ v: 1, commandId: randomUUID(), at: new Date().toISOString(), name, ...(args ? { args } : {}) });
const finalAck = (out: ReturnType<Simulator['step']>, terminalId: string, commandId: string) =>
  acksOf(out, terminalId).find((a) => a.data.commandId === commandId && a.data.status !== 'received')?.data;

function setup(terminals = 12) {
  const sim = new Simulator(createFleet({ seed: 21, terminals, merchants: 4, sitesPerMerchant: [1, 2], startAt: MIDNIGHT }));
  const terminal = sim.fleet.terminals.find((t) => t.interfaces.includes('printer') && t.networkType !== 'cellular') ?? sim.fleet.terminals[0]!;
  return { sim, terminal };
}

describe('remote management commands in the simulator', () => {
  it('lock refuses every payment until unlock', () => {
    const { sim, terminal } = setup();
    sim.step(local(10));
    const lock = command('lock', { message: 'stolen' });
    sim.command(terminal.id, lock);
    const locked = sim.step(local(13));
    expect(finalAck(locked, terminal.id, lock.commandId)).toMatchObject({ status: 'succeeded', detail: 'locked: stolen' });
    expect(between(txnsOf(locked, terminal.id), local(10, 2), local(13))).toEqual([]);
    expect(sim.snapshot(terminal.id).locked).toBe(true);
    sim.command(terminal.id, command('unlock'));
    const open = sim.step(local(16));
    expect(txnsOf(open, terminal.id).length).toBeGreaterThan(0);
  });

  it('a bad version installed by command really crashes, and a rollback really restores the old one', () => {
    const { sim, terminal } = setup();
    const before = sim.snapshot(terminal.id).appVersion;
    sim.defineRelease('9.9.9-bad', { crashFactor: 400 });
    sim.step(local(9));
    const install = command('install', { kind: 'app', version: '9.9.9-bad' });
    sim.command(terminal.id, install);
    const onBad = sim.step(local(12));
    expect(finalAck(onBad, terminal.id, install.commandId)).toMatchObject({ status: 'succeeded' });
    const crashesOnBad = telemetryOf(onBad, terminal.id).reduce((n, s) => n + (s.data.app?.crashes ?? 0), 0);
    expect(telemetryOf(onBad, terminal.id).at(-1)!.data.app!.version).toBe('9.9.9-bad');
    expect(crashesOnBad).toBeGreaterThan(5);

    const back = command('rollback', { kind: 'app', version: before });
    sim.command(terminal.id, back);
    const after = sim.step(local(15));
    expect(finalAck(after, terminal.id, back.commandId)).toMatchObject({ status: 'succeeded' });
    const later = between(telemetryOf(after, terminal.id), local(13), local(15));
    expect(later.at(-1)!.data.app!.version).toBe(before);
    expect(later.reduce((n, s) => n + (s.data.app?.crashes ?? 0), 0)).toBeLessThan(3);

    // Never installed here: refused.
    const nowhere = command('rollback', { kind: 'app', version: '0.0.1' });
    sim.command(terminal.id, nowhere);
    expect(finalAck(sim.step(local(15, 5)), terminal.id, nowhere.commandId)).toMatchObject({ status: 'failed' });
  });

  it('a version that breaks contactless on one model breaks it only there', () => {
    const { sim } = setup(40);
    const ctls = sim.fleet.terminals.filter((t) => t.interfaces.includes('contactless'));
    const model = ctls[0]!.model;
    sim.defineRelease('7.0.0', { breaksContactlessOn: [model] });
    for (const t of ctls) sim.command(t.id, command('install', { kind: 'app', version: '7.0.0' }));
    const out = sim.step(local(14));
    const rate = (ids: string[]) => {
      let a = 0;
      let f = 0;
      for (const id of ids) for (const s of between(telemetryOf(out, id), local(11), local(14))) {
        a += s.data.reader?.contactless?.attempts ?? 0;
        f += s.data.reader?.contactless?.failures ?? 0;
      }
      return a ? f / a : 0;
    };
    expect(rate(ctls.filter((t) => t.model === model).map((t) => t.id))).toBeGreaterThan(0.4);
    expect(rate(ctls.filter((t) => t.model !== model).map((t) => t.id))).toBeLessThan(0.1);
  });

  it('self_test reports a checklist that names the broken part', () => {
    const { sim, terminal } = setup();
    sim.inject({ fault: 'hw.printer.paper_out', scope: { kind: 'terminal', terminalId: terminal.id }, startAt: local(9) });
    sim.step(local(12));
    const test = command('self_test');
    sim.command(terminal.id, test);
    const ack = finalAck(sim.step(local(12, 5)), terminal.id, test.commandId)!;
    expect(ack.status).toBe('failed');
    const { checks } = SelfTestResult.parse(ack.result);
    expect(checks.find((c) => c.check === 'printer')).toMatchObject({ ok: false, detail: 'paper_out' });
    expect(checks.find((c) => c.check === 'network')!.ok).toBe(true);
    expect(checks.map((c) => c.check)).toEqual(expect.arrayContaining(['printer', 'network', 'keys', 'storage', 'battery']));
  });

  it('upload_logs hands over the terminal log; locate reports a position; push_config keeps the parameters', () => {
    const { sim, terminal } = setup();
    sim.step(local(12));
    const logs = command('upload_logs', { hours: 24 });
    const where = command('locate');
    const config = command('push_config', { params: { tipEnabled: true, receiptMerchantName: 'Tea House' }, label: 'v2' });
    for (const c of [logs, where, config]) sim.command(terminal.id, c);
    const out = sim.step(local(12, 5));
    const [upload] = sim.takeUploads();
    expect(upload).toMatchObject({ terminalId: terminal.id, commandId: logs.commandId });
    expect(upload!.content).toContain(terminal.serialNumber);
    expect(upload!.content).toMatch(/BOOT|SIGN_ON|PAPER|SETTLE|APP_/);
    expect(finalAck(out, terminal.id, where.commandId)!.result).toMatchObject({ lat: expect.any(Number), lon: expect.any(Number), source: expect.any(String) });
    expect(sim.snapshot(terminal.id).params).toEqual({ tipEnabled: true, receiptMerchantName: 'Tea House' });
  });
});
