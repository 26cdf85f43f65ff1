/**
 * Each fault shows the signals a real terminal would show. One simulated day of 50 terminals with
 * every fault injected (each on its own target, see scenarios.ts) is checked fault by fault.
 */
import type { Telemetry } from '@poscare/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFleet, type Fleet } from '../fleet.js';
import { injectEveryFault } from '../scenarios.js';
import { Simulator, type GroundTruthEntry, type SimDelivery } from '../simulator.js';
import { between, eventsOf, readFailureRate, telemetryOf, txnsOf, type Stamped } from '../testing/streams.js';
import { TERMINAL_MESSAGES, type MessageCode } from '../terminalMessages.js';
import type { FaultId } from './ids.js';

const MIDNIGHT = new Date('2026-03-02T16:00:00Z');
const local = (h: number, m = 0) => new Date(MIDNIGHT.getTime() + (h * 60 + m) * 60_000);

let fleet: Fleet;
let out: SimDelivery[];
let truth: GroundTruthEntry[];
let ids: Map<FaultId, string>;

beforeAll(() => {
  fleet = createFleet({ seed: 11, terminals: 50, merchants: 14, sitesPerMerchant: [1, 3], startAt: MIDNIGHT });
  const sim = new Simulator(fleet);
  ids = injectEveryFault(sim, { startAt: local(8) });
  out = sim.step(local(24));
  truth = sim.groundTruth();
});

const entries = (fault: FaultId) => truth.filter((g) => g.injectionId === ids.get(fault));
/** The one terminal a terminal-scoped fault was injected on, and its window. */
function target(fault: FaultId) {
  const [e, ...rest] = entries(fault);
  expect(rest).toHaveLength(0);
  return { id: e!.terminalId, from: e!.from, to: e!.to ?? local(24), language: fleet.merchants.find((m) => m.id === e!.merchantId)!.language };
}
const samplesIn = (fault: FaultId) => {
  const t = target(fault);
  return between(telemetryOf(out, t.id), t.from, t.to);
};
/** The code's message as this terminal's merchant would see it. */
const shown = (code: MessageCode, language: string) => (language === 'zh-CN' ? TERMINAL_MESSAGES[code].zh : TERMINAL_MESSAGES[code].en).replace(/\{.*$/, '');
function expectEvent(fault: FaultId, code: MessageCode) {
  const t = target(fault);
  const events = between(eventsOf(out, t.id), t.from, t.to).filter((e) => e.data.code === code);
  expect(events.length, `${code} events for ${fault}`).toBeGreaterThan(0);
  expect(events[0]!.data.message).toContain(shown(code, t.language));
  return events;
}
const some = (samples: readonly Stamped<Telemetry>[], pred: (t: Telemetry) => boolean) => samples.some((s) => pred(s.data));

describe('hardware faults', () => {
  it('chip reader: failure rate climbs, customers fall back to the stripe, the terminal says 读卡失败', () => {
    const t = target('hw.reader.chip');
    const samples = telemetryOf(out, t.id);
    const early = readFailureRate(between(samples, t.from, t.from.getTime() + 90 * 60_000), 'chip');
    const late = readFailureRate(between(samples, local(16), local(22)), 'chip');
    expect(late).toBeGreaterThan(0.4);
    expect(late).toBeGreaterThan(early);
    expect(readFailureRate(between(samples, local(0), t.from), 'chip')).toBeLessThan(0.1);
    expect(between(txnsOf(out, t.id), t.from, t.to).some((x) => x.data.entryMode === 'fallback')).toBe(true);
    expectEvent('hw.reader.chip', 'CHIP_READ_FAIL');
    expectEvent('hw.reader.chip', 'FALLBACK');
  });

  it('contactless and magstripe readers fail the same way on their own interface', () => {
    expect(readFailureRate(between(samplesIn('hw.reader.contactless'), local(14), local(22)), 'contactless')).toBeGreaterThan(0.4);
    expectEvent('hw.reader.contactless', 'CTLS_READ_FAIL');
    const swipe = samplesIn('hw.reader.magstripe').filter((s) => s.at >= +local(12));
    expect(readFailureRate(swipe, 'magstripe')).toBeGreaterThan(0.3);
    expectEvent('hw.reader.magstripe', 'MSR_READ_FAIL');
  });

  it('paper: the printer reports paper_low, then paper_out, and the terminal shows 打印机缺纸', () => {
    const statuses = samplesIn('hw.printer.paper_out').map((s) => s.data.printer?.status);
    const low = statuses.indexOf('paper_low');
    const outAt = statuses.indexOf('paper_out');
    expect(low).toBeGreaterThanOrEqual(0);
    expect(outAt).toBeGreaterThan(low);
    expect(statuses.slice(outAt).every((s) => s === 'paper_out')).toBe(true);
    expectEvent('hw.printer.paper_out', 'PAPER_LOW');
    expectEvent('hw.printer.paper_out', 'PAPER_OUT');
  });

  it('jam and head fault show as printer status and messages', () => {
    expect(some(samplesIn('hw.printer.jam'), (d) => d.printer?.status === 'jam')).toBe(true);
    expectEvent('hw.printer.jam', 'PRINTER_JAM');
    expect(some(samplesIn('hw.printer.fault'), (d) => d.printer?.status === 'fault')).toBe(true);
    expectEvent('hw.printer.fault', 'PRINTER_FAULT');
  });

  it('battery wear: health falls below 60 % and the battery drains much faster than a healthy one', () => {
    const worn = samplesIn('hw.battery.degraded');
    expect(Math.min(...worn.map((s) => s.data.battery?.healthPct ?? 100))).toBeLessThan(60);
    const t = target('hw.battery.degraded');
    const healthy = fleet.terminals.filter((x) => x.portable && !truth.some((g) => g.terminalId === x.id)).map((x) => x.id);
    const drainOf = (samples: readonly Stamped<Telemetry>[]) => {
      const drops: number[] = [];
      for (let i = 1; i < samples.length; i++) {
        const [a, b] = [samples[i - 1]!.data, samples[i]!.data];
        if (a.power?.source === 'battery' && b.power?.source === 'battery' && samples[i]!.at - samples[i - 1]!.at <= 61_000) drops.push((a.battery!.pct ?? 0) - (b.battery!.pct ?? 0));
      }
      return drops.reduce((x, y) => x + y, 0) / Math.max(1, drops.length);
    };
    const late = between(telemetryOf(out, t.id), t.from.getTime() + 4 * 3_600_000, local(22));
    const healthyDrain = healthy.map((id) => drainOf(between(telemetryOf(out, id), local(10), local(22)))).filter((d) => d > 0);
    expect(drainOf(late)).toBeGreaterThan(2 * (healthyDrain.reduce((x, y) => x + y, 0) / healthyDrain.length));
  });

  it('depleted battery: warnings, BATTERY EMPTY, then silence (not a backlog) until it is charged again', () => {
    const t = target('hw.battery.depleted');
    const samples = samplesIn('hw.battery.depleted');
    expect(Math.min(...samples.map((s) => s.data.battery?.pct ?? 100))).toBeLessThan(5);
    const [empty] = expectEvent('hw.battery.depleted', 'BATTERY_EMPTY');
    expectEvent('hw.battery.depleted', 'LOW_BATTERY');
    const after = out.filter((d) => d.terminalId === t.id && d.sentAt.getTime() > empty!.at && d.sentAt < t.to);
    expect(after).toEqual([]);
    const back = eventsOf(out, t.id).filter((e) => e.at >= +t.to && e.data.code === 'BOOT');
    expect(back.length).toBeGreaterThan(0);
  });

  it('charger fault: on mains but not charging', () => {
    expect(some(samplesIn('hw.power.adapter'), (d) => d.power?.source === 'mains' && d.battery?.charging === false && (d.battery?.pct ?? 100) < 95)).toBe(true);
    expectEvent('hw.power.adapter', 'NOT_CHARGING');
  });
});

describe('environment faults', () => {
  it('overheating: internal temperature over 65 °C and temperature warnings', () => {
    expect(Math.max(...samplesIn('env.temperature').map((s) => s.data.tempC ?? 0))).toBeGreaterThanOrEqual(65);
    expectEvent('env.temperature', 'TEMP_HIGH');
  });

  it('humidity: over 85 % and readers suffering', () => {
    const samples = samplesIn('env.humidity');
    expect(samples.every((s) => (s.data.humidityPct ?? 0) >= 85)).toBe(true);
    expectEvent('env.humidity', 'MOISTURE');
  });

  it('unstable mains: voltage swings and warnings', () => {
    const volts = samplesIn('env.power.unstable').map((s) => s.data.power?.mainsVoltage).filter((v): v is number => v !== undefined);
    expect(volts.some((v) => Math.abs(v - 220) > 15)).toBe(true);
    expectEvent('env.power.unstable', 'POWER_UNSTABLE');
  });
});

describe('network faults', () => {
  it('weak signal: ≤ −105 dBm, timeouts and COMM ERROR', () => {
    const samples = samplesIn('net.signal.weak').filter((s) => s.data.network?.signalDbm !== undefined);
    const weak = samples.filter((s) => s.data.network!.signalDbm! <= (s.data.network!.type === 'cellular' ? -105 : -75));
    expect(weak.length / samples.length).toBeGreaterThan(0.8);
    const t = target('net.signal.weak');
    expect(between(txnsOf(out, t.id), t.from, t.to).filter((x) => x.data.outcome === 'timeout').length).toBeGreaterThan(5);
    expectEvent('net.signal.weak', 'COMM_ERROR');
  });

  it('site outage: the site LAN goes silent, then sends its backlog', () => {
    const [e] = entries('net.site.outage');
    const lan = entries('net.site.outage').map((g) => g.terminalId);
    const { from, to } = { from: e!.from.getTime(), to: e!.to!.getTime() };
    const mine = out.filter((d) => lan.includes(d.terminalId));
    expect(mine.filter((d) => d.sentAt.getTime() >= from && d.sentAt.getTime() < to)).toEqual([]);
    const backlog = mine.filter((d) => Date.parse(d.message.at) >= from && Date.parse(d.message.at) < to);
    expect(backlog.length).toBeGreaterThan(100);
    expect(backlog.every((d) => d.sentAt.getTime() >= to)).toBe(true);
    const offline = backlog.filter((d) => d.message.kind === 'telemetry').map((d) => (d.message.data as Telemetry).network?.connected);
    expect(offline.every((c) => c === false)).toBe(true);
    expect(eventsOf(backlog).some((x) => x.data.code === 'NO_NETWORK')).toBe(true);
  });

  it('DNS failure: connected, but dnsOk false, host unreachable, timeouts', () => {
    const lan = entries('net.dns');
    const samples = between(telemetryOf(out, lan.map((g) => g.terminalId)), lan[0]!.from, lan[0]!.to!);
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((s) => s.data.network?.connected === true && s.data.network.dnsOk === false && s.data.network.hostReachable === false)).toBe(true);
    const events = between(eventsOf(out, lan.map((g) => g.terminalId)), lan[0]!.from, lan[0]!.to!);
    expect(events.some((x) => x.data.code === 'DNS_FAIL')).toBe(true);
  });

  it('firewall: DNS fine, host unreachable, CONNECT HOST FAIL', () => {
    const lan = entries('net.firewall');
    const samples = between(telemetryOf(out, lan.map((g) => g.terminalId)), lan[0]!.from, lan[0]!.to!);
    expect(samples.every((s) => s.data.network?.dnsOk === true && s.data.network.hostReachable === false)).toBe(true);
    const txns = between(txnsOf(out, lan.map((g) => g.terminalId)), lan[0]!.from, lan[0]!.to!);
    expect(txns.filter((x) => x.data.outcome === 'timeout').length).toBeGreaterThan(txns.length * 0.8);
  });

  it('latency, SIM and IP conflict show in network telemetry', () => {
    const slow = samplesIn('net.latency').map((s) => s.data.network?.latencyMs ?? 0).sort((a, b) => a - b);
    expect(slow[Math.floor(slow.length / 2)]).toBeGreaterThan(400);
    const sim = target('net.sim');
    expect(out.filter((d) => d.terminalId === sim.id && d.sentAt.getTime() > sim.from.getTime() + 60_000)).toEqual([]);
    expect(some(samplesIn('net.ip_conflict'), (d) => d.network?.ipConflict === true)).toBe(true);
    expectEvent('net.ip_conflict', 'IP_CONFLICT');
  });
});

describe('software faults', () => {
  it('crash loop: several crashes per sample, reboots, crash and boot messages', () => {
    const samples = samplesIn('sw.app.crash');
    expect(samples.some((s) => (s.data.app?.crashes ?? 0) >= 2)).toBe(true);
    expect(samples.reduce((n, s) => n + (s.data.os?.reboots ?? 0), 0)).toBeGreaterThan(5);
    expectEvent('sw.app.crash', 'APP_CRASH');
    expectEvent('sw.app.crash', 'REBOOT');
  });

  it('bad release: terminals that took it crash far more than those still on the version before', () => {
    const updated = entries('sw.update.regression');
    const version = updated[0]!.appVersion!;
    const model = fleet.terminals.find((t) => t.id === updated[0]!.terminalId)!.model;
    const sameModel = fleet.terminals.filter((t) => t.model === model).map((t) => t.id);
    const after = between(telemetryOf(out, sameModel), local(10), local(24));
    const crashRate = (samples: readonly Stamped<Telemetry>[]) => samples.reduce((n, s) => n + (s.data.app?.crashes ?? 0), 0) / Math.max(1, samples.length);
    const onNew = after.filter((s) => s.data.app?.version === version);
    const onOld = after.filter((s) => s.data.app?.version !== version);
    expect(onNew.length).toBeGreaterThan(100);
    expect(onOld.length).toBeGreaterThan(100);
    expect(crashRate(onNew)).toBeGreaterThan(5 * Math.max(crashRate(onOld), 0.001));
    const updates = eventsOf(out, updated.map((g) => g.terminalId)).filter((e) => e.data.type === 'update');
    expect(updates).toHaveLength(updated.length);
    expect(updates.every((u) => u.data.message?.includes(version))).toBe(true);
  });

  it('lost keys, wrong clock, full storage', () => {
    expect(samplesIn('sw.keys.missing').every((s) => s.data.keys?.loaded === false)).toBe(true);
    expectEvent('sw.keys.missing', 'KEYS_MISSING');
    expect(samplesIn('sw.clock.skew').every((s) => Math.abs(s.data.clockSkewS ?? 0) > 300)).toBe(true);
    expect(samplesIn('sw.storage.full').every((s) => (s.data.storage?.freeMb ?? 1) / (s.data.storage?.totalMb ?? 1) < 0.05)).toBe(true);
  });
});

describe('host and card faults', () => {
  it('acquirer host outage: 91 / 96 / timeouts at many sites at once, host unreachable', () => {
    const on = entries('ext.host.outage');
    const terminals = on.map((g) => g.terminalId);
    const { from, to } = { from: on[0]!.from, to: on[0]!.to! };
    const hostError = (x: { data: { outcome: string; responseCode?: string } }) => x.data.outcome === 'timeout' || x.data.responseCode === '91' || x.data.responseCode === '96';
    const during = between(txnsOf(out, terminals), from, to).filter((x) => x.data.outcome !== 'card_read_error' && x.data.outcome !== 'error');
    const before = between(txnsOf(out, terminals), local(10), from).filter((x) => x.data.outcome !== 'card_read_error' && x.data.outcome !== 'error');
    expect(during.filter(hostError).length / during.length).toBeGreaterThan(0.6);
    expect(before.filter(hostError).length / before.length).toBeLessThan(0.15);
    const sites = new Set(during.filter((x) => x.data.responseCode === '91' || x.data.responseCode === '96').map((x) => fleet.terminals.find((t) => t.id === x.terminalId)!.siteId));
    expect(sites.size).toBeGreaterThanOrEqual(3);
    expect(between(telemetryOf(out, terminals), from, to).filter((s) => s.data.network?.connected).every((s) => s.data.network?.hostReachable === false)).toBe(true);
  });

  const cardTxns = (fault: FaultId) => {
    const token = entries(fault)[0]!.cardToken!;
    return { token, txns: txnsOf(out).filter((x) => x.data.cardToken === token) };
  };

  it('expired card: one token declined 54 at several terminals, TVR says expired application', () => {
    const { txns } = cardTxns('ext.card.expired');
    const expired = txns.filter((x) => x.data.responseCode === '54');
    expect(new Set(expired.map((x) => x.terminalId)).size).toBeGreaterThanOrEqual(2);
    expect(expired.every((x) => (parseInt(x.data.tvr!.slice(2, 4), 16) & 0x40) !== 0)).toBe(true);
  });

  it('damaged card: chip reads fail and the same token turns up as fallback at several terminals', () => {
    const { txns } = cardTxns('ext.card.damaged');
    const fallback = txns.filter((x) => x.data.entryMode === 'fallback');
    expect(new Set(fallback.map((x) => x.terminalId)).size).toBeGreaterThanOrEqual(2);
    // Once it went through on the stripe, its holder stops trying at that shop.
    expect(new Set(fallback.map((x) => x.terminalId)).size).toBe(fallback.length);
    for (const f of fallback) {
      const failedChip = txnsOf(out, f.terminalId).filter((x) => x.data.entryMode === 'chip' && x.data.outcome === 'card_read_error' && x.at <= f.at && f.at - x.at < 60_000);
      expect(failedChip.length).toBeGreaterThan(0);
    }
  });

  it('declined card: the same token refused 05 / 51 at several terminals', () => {
    const { txns } = cardTxns('ext.issuer.decline');
    const declined = txns.filter((x) => x.data.responseCode === '05' || x.data.responseCode === '51');
    expect(new Set(declined.map((x) => x.terminalId)).size).toBeGreaterThanOrEqual(2);
  });

  it('wrong PIN: 55 twice, then 75 (tries exceeded) at the next shops, with the cardholder-verification bits set', () => {
    const { txns } = cardTxns('op.pin.wrong');
    expect(txns.map((x) => x.data.responseCode)).toEqual(['55', '55', ...Array(txns.length - 2).fill('75')]);
    expect(new Set(txns.map((x) => x.terminalId)).size).toBeGreaterThanOrEqual(2);
    const cvmFailed = (tvr: string) => (parseInt(tvr.slice(4, 6), 16) & 0x80) !== 0;
    const triesExceeded = (tvr: string) => (parseInt(tvr.slice(4, 6), 16) & 0x20) !== 0;
    expect(txns.every((x) => cvmFailed(x.data.tvr!))).toBe(true);
    expect(txns.filter((x) => x.data.responseCode === '75').every((x) => triesExceeded(x.data.tvr!))).toBe(true);
  });
});

describe('operation and security faults', () => {
  it('not signed in: session says so, sales fail, the terminal asks to sign on', () => {
    expect(samplesIn('op.not_signed_in').every((s) => s.data.session?.signedIn === false)).toBe(true);
    const t = target('op.not_signed_in');
    const txns = between(txnsOf(out, t.id), t.from, t.to);
    expect(txns.length).toBeGreaterThan(0);
    expect(txns.every((x) => x.data.outcome === 'error')).toBe(true);
    expectEvent('op.not_signed_in', 'NOT_SIGNED_IN');
  });

  it('settlement overdue: the batch reaches capacity and sales are refused with BATCH FULL', () => {
    expect(some(samplesIn('op.settlement.overdue'), (d) => d.batch!.count! >= d.batch!.capacity!)).toBe(true);
    expectEvent('op.settlement.overdue', 'BATCH_FULL');
  });

  it('tamper: tamper flag, keys erased, TAMPERING DETECTED, every sale refused', () => {
    const samples = samplesIn('sec.tamper');
    expect(samples.every((s) => s.data.tamper === true && s.data.keys?.loaded === false)).toBe(true);
    const [first] = expectEvent('sec.tamper', 'TAMPER');
    expect(first!.data.message).toContain('TAMPERING DETECTED');
    const t = target('sec.tamper');
    expect(between(txnsOf(out, t.id), t.from, t.to).every((x) => x.data.outcome === 'error')).toBe(true);
  });
});

describe('SIM trouble by severity', () => {
  const run = (severity: number) => {
    const f = createFleet({ seed: 31, terminals: 12, merchants: 4, sitesPerMerchant: 1, startAt: MIDNIGHT });
    const t = f.terminals.find((x) => x.networkType === 'cellular')!;
    const sim = new Simulator(f);
    sim.inject({ fault: 'net.sim', scope: { kind: 'terminal', terminalId: t.id }, startAt: local(11), severity });
    return { t, out: sim.step(local(14)) };
  };

  it('a used-up data plan cuts the terminal off completely', () => {
    const { t, out } = run(0.9);
    expect(out.filter((d) => d.terminalId === t.id && d.sentAt.getTime() > local(11, 1).getTime())).toEqual([]);
  });

  it('a loose SIM drops out now and then: samples sent once it is back say the SIM was absent, with SIM errors and failed payments', () => {
    const { t, out } = run(0.3);
    const mine = out.filter((d) => d.terminalId === t.id && d.sentAt.getTime() <= local(14).getTime());
    const samples = telemetryOf(mine).filter((s) => s.at >= +local(11));
    expect(samples.some((s) => s.data.network?.simState === 'absent' && s.data.network.connected === false)).toBe(true);
    expect(samples.some((s) => s.data.network?.connected === true)).toBe(true);
    expect(eventsOf(mine).some((e) => e.data.code === 'SIM_ERROR')).toBe(true);
  });
});
