import { randomUUID } from 'node:crypto';
import type { DeviceCommand } from '@poscare/contracts';
import { describe, expect, it } from 'vitest';
import { createFleet } from '../fleet.js';
import { Simulator } from '../simulator.js';
import { acksOf, between, telemetryOf, txnsOf } from '../testing/streams.js';

const MIDNIGHT = new Date('2026-03-02T16:00:00Z');
const local = (h: number, m = 0) => new Date(MIDNIGHT.getTime() + (h * 60 + m) * 60_000);
const command = (name: DeviceCommand['name'], args?: Record<string, unknown>): DeviceCommand => ({ v: 1, commandId: randomUUID(), at: new Date().toISOString(), name, ...(args ? { args } : {}) });

function setup() {
  const sim = new Simulator(createFleet({ seed: 21, terminals: 12, merchants: 4, sitesPerMerchant: [1, 2], startAt: MIDNIGHT }));
  // A busy, wired terminal keeps these tests short.
  const terminal = sim.fleet.terminals.find((t) => t.interfaces.includes('printer') && t.networkType !== 'cellular') ?? sim.fleet.terminals[0]!;
  return { sim, terminal };
}

describe('remote commands', () => {
  it('sign_in cures "not signed in": acknowledged, sales go through again, ground truth records the fix', () => {
    const { sim, terminal } = setup();
    sim.inject({ fault: 'op.not_signed_in', scope: { kind: 'terminal', terminalId: terminal.id }, startAt: local(9) });
    sim.step(local(11));
    const cmd = command('sign_in');
    sim.command(terminal.id, cmd);
    const out = sim.step(local(14));
    expect(acksOf(out, terminal.id).map((a) => a.data)).toEqual([
      { commandId: cmd.commandId, status: 'received' },
      { commandId: cmd.commandId, status: 'succeeded', detail: 'signed on' },
    ]);
    expect(telemetryOf(out, terminal.id).slice(2).every((s) => s.data.session?.signedIn === true)).toBe(true);
    expect(between(txnsOf(out, terminal.id), local(11, 5), local(14)).some((x) => x.data.outcome === 'approved')).toBe(true);
    const [truth] = sim.groundTruth();
    expect(truth).toMatchObject({ fault: 'op.not_signed_in', endedBy: 'command:sign_in' });
    expect(truth!.to!.getTime()).toBeLessThan(local(11, 1).getTime());
  });

  it('settle_batch empties a full batch', () => {
    const { sim, terminal } = setup();
    sim.inject({ fault: 'op.settlement.overdue', scope: { kind: 'terminal', terminalId: terminal.id }, startAt: local(9) });
    sim.step(local(12));
    sim.command(terminal.id, command('settle_batch'));
    const out = sim.step(local(12, 5));
    expect(acksOf(out, terminal.id).find((a) => a.data.status !== 'received')?.data).toMatchObject({ status: 'succeeded' });
    expect(telemetryOf(out, terminal.id).at(-1)!.data.batch!.count).toBeLessThan(20);
    expect(sim.groundTruth()[0]).toMatchObject({ endedBy: 'command:settle_batch' });
  });

  it('reports honest failures: no keys on a tampered terminal, no test page without paper', () => {
    const { sim, terminal } = setup();
    const other = sim.fleet.terminals.find((t) => t.id !== terminal.id && t.interfaces.includes('printer'))!;
    sim.inject({ fault: 'sec.tamper', scope: { kind: 'terminal', terminalId: terminal.id }, startAt: local(9) });
    sim.inject({ fault: 'hw.printer.jam', scope: { kind: 'terminal', terminalId: other.id }, startAt: local(9) });
    sim.step(local(13));
    sim.command(terminal.id, command('key_exchange'));
    sim.command(other.id, command('print_test'));
    const out = sim.step(local(13, 5));
    expect(acksOf(out, terminal.id).at(-1)!.data).toMatchObject({ status: 'failed', detail: expect.stringContaining('tamper') });
    expect(acksOf(out, other.id).at(-1)!.data).toMatchObject({ status: 'failed', detail: 'printer jam' });
    expect(sim.groundTruth().every((g) => g.to === null)).toBe(true);
  });

  it('update_app to the previous version rolls a bad release back', () => {
    const { sim, terminal } = setup();
    const before = terminal.appVersion;
    sim.inject({ fault: 'sw.update.regression', scope: { kind: 'terminal', terminalId: terminal.id }, startAt: local(9), params: { toVersion: '4.0.0', rolloutMinutes: 1 } });
    sim.step(local(12));
    expect(sim.snapshot(terminal.id).appVersion).toBe('4.0.0');
    sim.command(terminal.id, command('update_app', { version: before }));
    sim.step(local(12, 10));
    expect(sim.snapshot(terminal.id).appVersion).toBe(before);
    expect(sim.groundTruth()[0]).toMatchObject({ endedBy: 'command:update_app', appVersion: '4.0.0' });
  });

  it('waits for a terminal that cannot be reached, and carries the command out when it is back', () => {
    const { sim } = setup();
    const site = sim.fleet.sites.find((s) => sim.fleet.terminals.some((t) => t.siteId === s.id && t.networkType !== 'cellular'))!;
    const lan = sim.fleet.terminals.find((t) => t.siteId === site.id && t.networkType !== 'cellular')!;
    sim.inject({ fault: 'net.site.outage', scope: { kind: 'site', siteId: site.id }, startAt: local(10), endAt: local(11) });
    sim.step(local(10, 10));
    const cmd = command('network_diag');
    sim.command(lan.id, cmd);
    const out = sim.step(local(11, 10));
    const acks = acksOf(out, lan.id);
    expect(acks.map((a) => a.data.status)).toEqual(['received', 'succeeded']);
    expect(acks[0]!.at).toBeGreaterThanOrEqual(local(11).getTime());
    expect(acks[1]!.data.detail).toMatch(/^link=up dns=ok host=reachable/);
  });
});
