/**
 * Feature extraction: everything the knowledge rules may look at, computed once per case as named
 * numbers (booleans are 0/1). Rules never see the raw case, so a rule is portable, testable with a
 * hand-written feature map, and its evidence text can quote the exact figure it fired on.
 *
 * A feature that cannot be computed (no telemetry, no transactions, …) is absent, never 0: "no data"
 * and "zero failures" are different facts.
 */
import type { CaseTelemetry, CaseTransaction, DiagnosisCase } from '@poscare/contracts';
import { eventMeaning, responseCodeHints, tvrHints } from './codes.js';
import lexicon from '../knowledge/symptoms.json' with { type: 'json' };
import { analyseText } from './text.js';

export type Features = Map<string, number>;

const READERS = ['chip', 'contactless', 'magstripe'] as const;
const HOUR = 3_600_000;
/** Host answers that mean the acquirer or switch, not the card or terminal, failed. */
const HOST_FAULT_RCS = new Set(['91', '96', '98', '68', '92']);

const ms = (iso: string | undefined): number | undefined => {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
};
const median = (xs: number[]): number | undefined => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
const max = (xs: number[]) => (xs.length ? Math.max(...xs) : undefined);
const min = (xs: number[]) => (xs.length ? Math.min(...xs) : undefined);
const defined = <T>(xs: (T | undefined | null)[]): T[] => xs.filter((x): x is T => x !== undefined && x !== null);
const share = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : undefined);

class FeatureSet {
  readonly map: Features = new Map();
  set(name: string, v: number | boolean | undefined): void {
    if (v === undefined) return;
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
    if (Number.isFinite(n)) this.map.set(name, n);
  }
  add(name: string, v: number): void {
    this.map.set(name, (this.map.get(name) ?? 0) + v);
  }
  get(name: string): number | undefined {
    return this.map.get(name);
  }
}

/** Least-squares slope of y over x (per unit of x). */
function slope(points: [number, number][]): number | undefined {
  if (points.length < 3) return undefined;
  const mx = mean(points.map((p) => p[0]))!;
  const my = mean(points.map((p) => p[1]))!;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? undefined : num / den;
}

const REPORT_CARD = new Set<string>(lexicon.reportAbout.card);
const REPORT_GENERIC = new Set<string>(lexicon.reportAbout.generic);

export function extractFeatures(c: DiagnosisCase): Features {
  const f = new FeatureSet();
  const now = ms(c.now)!;
  telemetryFeatures(f, c, now);
  transactionFeatures(f, c.transactions ?? [], now);
  eventFeatures(f, c);
  terminalFeatures(f, c, now);
  siteFeatures(f, c);
  fleetFeatures(f, c);
  cardFeatures(f, c);
  silenceFeatures(f, c, now);
  const said = analyseText(c.report?.text ?? '');
  for (const [k, v] of said) f.set(`txt.${k}`, v);
  if (c.report?.text) {
    f.set('report.present', 1);
    // A report that complains of something other than a card or a way to pay (the printer, a message
    // to settle): one card's decline in the transactions is background, not what it is about.
    const complained = [...said.keys()].filter((k) => !k.endsWith('_ok') && !k.includes('.') && !REPORT_GENERIC.has(k));
    if (complained.length) f.set('report.aboutCard', complained.some((k) => REPORT_CARD.has(k)));
  }
  for (const [k, v] of Object.entries(c.answers ?? {})) {
    if (typeof v === 'boolean' || typeof v === 'number') f.set(`answer.${k}`, v);
    else if (v === 'yes' || v === 'no') f.set(`answer.${k}`, v === 'yes');
    else f.set(`answer.${k}.${v}`, 1);
  }
  return f.map;
}

/**
 * The part of a long history the rules judge "now" by: the last two hours (at least six samples or
 * thirty transactions). A day of healthy history must not dilute a fault that began an hour ago.
 */
const WINDOW_MS = 2 * HOUR;
const STALE_PEER_MS = 3 * HOUR;
function recentPart<T extends { at: string }>(sorted: T[], endMs: number, atLeast: number): T[] {
  const from = endMs - WINDOW_MS;
  let i = sorted.length;
  while (i > 0 && ms(sorted[i - 1]!.at)! >= from) i--;
  return sorted.slice(Math.max(0, Math.min(i, sorted.length - atLeast)));
}

/** Sorted by time, parsing each timestamp once (a day of samples is hundreds of them). */
function byTime<T extends { at: string }>(items: readonly T[]): T[] {
  const keyed = items.map((it) => [ms(it.at) ?? 0, it] as const);
  keyed.sort((a, b) => a[0] - b[0]);
  return keyed.map((k) => k[1]);
}

function telemetryFeatures(f: FeatureSet, c: DiagnosisCase, now: number): void {
  const all = byTime(c.telemetry ?? []);
  if (!all.length) return;
  const tel = recentPart(all, ms(all[all.length - 1]!.at)!, 6);
  const n = tel.length;
  f.set('tel.count', n);
  const last = tel[n - 1]!;
  const lastAt = ms(last.at)!;
  f.set('tel.silentMin', Math.max(0, (now - lastAt) / 60_000));
  f.set('tel.spanH', (lastAt - ms(tel[0]!.at)!) / HOUR);
  // "Recent" is the last half hour of samples (at least three), what the merchant is living through now.
  const recentFrom = lastAt - 30 * 60_000;
  let recent = tel.filter((t) => ms(t.at)! >= recentFrom);
  if (recent.length < 3) recent = tel.slice(-Math.min(3, n));
  const early = tel.slice(0, Math.max(1, n - recent.length));
  const series = (pick: (t: CaseTelemetry) => number | undefined, from: CaseTelemetry[] = tel) => defined(from.map(pick));
  const latest = <T>(pick: (t: CaseTelemetry) => T | undefined): T | undefined => {
    for (let i = n - 1; i >= 0; i--) {
      const v = pick(tel[i]!);
      if (v !== undefined) return v;
    }
    return undefined;
  };

  // Power and battery.
  const pct = tel.map((t) => [ms(t.at)!, t.battery?.pct] as const).filter((p): p is [number, number] => p[1] !== undefined);
  f.set('battery.pct', latest((t) => t.battery?.pct));
  f.set('battery.minPct', min(pct.map((p) => p[1])));
  f.set('battery.healthPct', latest((t) => t.battery?.healthPct));
  f.set('battery.cycles', latest((t) => t.battery?.cycles));
  const charging = latest((t) => t.battery?.charging);
  f.set('battery.charging', charging);
  const onBattery = tel.map((t) => t.power?.source).filter(Boolean);
  if (onBattery.length) {
    f.set('power.onBattery', latest((t) => t.power?.source) === 'battery');
    f.set('power.onBatteryShare', share(onBattery.map((s) => s === 'battery')));
    let switches = 0;
    for (let i = 1; i < onBattery.length; i++) if (onBattery[i] !== onBattery[i - 1]) switches++;
    f.set('power.sourceSwitches', switches);
  }
  // Drain per hour over the samples where nothing charges the battery.
  const discharging = tel
    .filter((t) => t.battery?.pct !== undefined && t.battery?.charging !== true)
    .map((t) => [ms(t.at)! / HOUR, t.battery!.pct!] as [number, number]);
  const s = slope(discharging);
  if (s !== undefined) f.set('battery.drainPctPerHour', Math.max(0, -s));
  // On battery and falling: hours until it is flat at the rate of the window (a terminal about to die).
  const level = f.get('battery.pct');
  if (s !== undefined && s < -1 && level !== undefined && f.get('power.onBattery') === 1) f.set('battery.hoursLeft', level / -s);
  // Plugged in but the level falls: the adapter or the charging circuit.
  const onMains = tel
    .filter((t) => t.power?.source === 'mains' && t.battery?.pct !== undefined)
    .map((t) => [ms(t.at)! / HOUR, t.battery!.pct!] as [number, number]);
  const sm = slope(onMains);
  if (sm !== undefined) f.set('battery.drainOnMainsPctPerHour', Math.max(0, -sm));
  const notChargingOnMains = tel.filter((t) => t.power?.source === 'mains' && t.battery?.charging === false && (t.battery?.pct ?? 100) < 95);
  if (onMains.length) {
    f.set('power.mainsNotChargingShare', notChargingOnMains.length / onMains.length);
    // Near full a charger may pause; only a falling level tells a dead charger then.
    f.set('power.mainsNotChargingAny', tel.filter((t) => t.power?.source === 'mains' && t.battery?.charging === false).length / onMains.length);
  }
  const volts = series((t) => t.power?.mainsVoltage);
  if (volts.length) {
    f.set('power.mainsVoltageMin', min(volts));
    f.set('power.mainsVoltageMax', max(volts));
    f.set('power.mainsVoltageDevPct', max(volts.map((v) => (Math.abs(v - 220) / 220) * 100)));
  }

  // Heat and moisture.
  const temps = series((t) => t.tempC);
  f.set('temp.max', max(temps));
  f.set('temp.latest', latest((t) => t.tempC));
  if (temps.length >= 2) f.set('temp.rise', temps[temps.length - 1]! - temps[0]!);
  f.set('ambient.max', max(series((t) => t.ambientTempC)));
  f.set('ambient.min', min(series((t) => t.ambientTempC)));
  f.set('humidity.max', max(series((t) => t.humidityPct)));
  f.set('humidity.latest', latest((t) => t.humidityPct));

  // Network.
  const net = tel.filter((t) => t.network);
  if (net.length) {
    const type = latest((t) => t.network?.type) ?? c.terminal.connectivity;
    if (type) for (const k of ['wifi', 'cellular', 'ethernet']) f.set(`net.type.${k}`, k === type);
    const conn = defined(net.map((t) => t.network!.connected));
    f.set('net.connected', latest((t) => t.network?.connected));
    f.set('net.disconnectedShare', share(conn.map((x) => !x)));
    f.set('net.disconnectedRecent', share(defined(recent.map((t) => t.network?.connected)).map((x) => !x)));
    let flaps = 0;
    for (let i = 1; i < conn.length; i++) if (conn[i] !== conn[i - 1]) flaps++;
    f.set('net.flaps', flaps);
    // Signal, latency and loss only mean something while connected.
    const up = (from: CaseTelemetry[]) => from.filter((t) => t.network?.connected !== false);
    f.set('net.signalDbm', median(series((t) => t.network?.signalDbm, up(recent))) ?? median(series((t) => t.network?.signalDbm, up(tel))));
    f.set('net.signalDbmMin', min(series((t) => t.network?.signalDbm, up(tel))));
    f.set('net.latencyMs', median(series((t) => t.network?.latencyMs, up(recent))) ?? median(series((t) => t.network?.latencyMs, up(tel))));
    f.set('net.latencyMsMax', max(series((t) => t.network?.latencyMs, up(tel))));
    f.set('net.lossPct', median(series((t) => t.network?.lossPct, up(recent))) ?? median(series((t) => t.network?.lossPct, up(tel))));
    f.set('net.lossPctMax', max(series((t) => t.network?.lossPct, up(tel))));
    const connected = up(tel);
    f.set('net.dnsFailShare', share(defined(connected.map((t) => t.network?.dnsOk)).map((x) => !x)));
    f.set('net.dnsFailRecent', share(defined(up(recent).map((t) => t.network?.dnsOk)).map((x) => !x)));
    f.set('net.hostUnreachableShare', share(defined(connected.map((t) => t.network?.hostReachable)).map((x) => !x)));
    f.set('net.hostUnreachableRecent', share(defined(up(recent).map((t) => t.network?.hostReachable)).map((x) => !x)));
    // Host unreachable although the name resolved: something between the shop and the host blocks it.
    f.set(
      'net.blockedShare',
      share(connected.filter((t) => t.network?.dnsOk !== false && t.network?.hostReachable !== undefined).map((t) => t.network!.hostReachable === false)),
    );
    f.set('net.ipConflictShare', share(defined(net.map((t) => t.network?.ipConflict))));
    const sim = latest((t) => t.network?.simState);
    if (sim) f.set(`net.sim.${sim}`, 1);
    const simStates = defined(net.map((t) => t.network?.simState));
    if (simStates.length) f.set('net.simBadShare', share(simStates.map((x) => x !== 'ready')));
    const ips = new Set(defined(net.map((t) => t.network?.ip)));
    f.set('net.ipCount', ips.size || undefined);
  }
  const sources = defined(tel.map((t) => t.sourceIp));
  if (sources.length) {
    f.set('source.ipCount', new Set(sources).size);
    let changes = 0;
    for (let i = 1; i < sources.length; i++) if (sources[i] !== sources[i - 1]) changes++;
    f.set('source.ipChanges', changes);
  }

  // Printer.
  const printer = defined(tel.map((t) => t.printer?.status));
  if (printer.length) {
    const st = printer[printer.length - 1]!;
    f.set(`printer.${st}`, 1);
    for (const s of ['paper_out', 'paper_low', 'jam', 'overheat', 'fault', 'absent'] as const) {
      const sh = share(printer.map((p) => p === s));
      if (sh) f.set(`printer.${s}Share`, sh);
    }
  }
  f.set('printer.headTempMax', max(series((t) => t.printer?.headTempC)));

  // Readers: counters since the previous sample, summed over the window and over the recent part.
  for (const r of READERS) {
    const sum = (from: CaseTelemetry[]) => {
      let a = 0;
      let fl = 0;
      let seen = false;
      for (const t of from) {
        const ctr = t.reader?.[r];
        if (!ctr) continue;
        seen = true;
        a += ctr.attempts ?? 0;
        fl += ctr.failures ?? 0;
      }
      return seen ? { a, fl } : undefined;
    };
    const all = sum(tel);
    if (!all) continue;
    f.set(`reader.${r}.attempts`, all.a);
    f.set(`reader.${r}.failures`, all.fl);
    if (all.a > 0) f.set(`reader.${r}.failRate`, all.fl / all.a);
    const rc = sum(recent);
    if (rc && rc.a > 0) f.set(`reader.${r}.failRateRecent`, rc.fl / rc.a);
    const ea = sum(early);
    if (ea && ea.a > 0) f.set(`reader.${r}.failRateEarly`, ea.fl / ea.a);
  }

  // Input devices and peripherals.
  f.set('keypad.stuckKeys', max(series((t) => t.keypad?.stuckKeys)));
  f.set('touch.deadZones', max(series((t) => t.touch?.deadZones)));
  const pinpad = defined(tel.map((t) => t.pinpad?.connected));
  if (pinpad.length) f.set('pinpad.disconnectedShare', share(pinpad.map((x) => !x)));
  const lastPeriph = latest((t) => t.peripherals);
  if (lastPeriph) {
    const down = lastPeriph.filter((p) => p.connected === false);
    f.set('peripherals.disconnected', down.length);
    for (const p of down) if (p.kind) f.set(`peripherals.down.${p.kind.toLowerCase()}`, 1);
  }
  const periphFlaps = tel.map((t) => t.peripherals?.filter((p) => p.connected === false).length ?? 0);
  if (lastPeriph) f.set('peripherals.downShare', share(periphFlaps.map((x) => x > 0)));

  // Resources and software.
  const memFree = defined(tel.map((t) => (t.memory?.freeMb !== undefined && t.memory.totalMb ? (t.memory.freeMb / t.memory.totalMb) * 100 : undefined)));
  f.set('memory.freePctMin', min(memFree));
  f.set('memory.freePctRecent', mean(defined(recent.map((t) => (t.memory?.freeMb !== undefined && t.memory.totalMb ? (t.memory.freeMb / t.memory.totalMb) * 100 : undefined)))));
  f.set('memory.freeMbMin', min(series((t) => t.memory?.freeMb)));
  const storageFree = latest((t) => (t.storage?.freeMb !== undefined && t.storage.totalMb ? (t.storage.freeMb / t.storage.totalMb) * 100 : undefined));
  f.set('storage.freePct', storageFree);
  f.set('storage.freeMb', latest((t) => t.storage?.freeMb));
  f.set('cpu.recent', mean(series((t) => t.cpuPct, recent)));
  f.set('cpu.max', max(series((t) => t.cpuPct)));
  f.set('cpu.highShare', share(series((t) => t.cpuPct).map((x) => x >= 90)));
  const crashes = series((t) => t.app?.crashes);
  if (crashes.length) f.set('app.crashes', crashes.reduce((a, b) => a + b, 0));
  const anrs = series((t) => t.app?.anrs);
  if (anrs.length) f.set('app.anrs', anrs.reduce((a, b) => a + b, 0));
  const reboots = series((t) => t.os?.reboots);
  if (reboots.length) f.set('os.reboots', reboots.reduce((a, b) => a + b, 0));
  const uptimes = series((t) => t.app?.uptimeS);
  if (uptimes.length >= 2) {
    let resets = 0;
    for (let i = 1; i < uptimes.length; i++) if (uptimes[i]! < uptimes[i - 1]!) resets++;
    f.set('app.uptimeResets', resets);
  }
  f.set('app.uptimeMinS', min(uptimes));
  const versions = defined(tel.map((t) => t.app?.version));
  if (versions.length) {
    f.set('app.versionsSeen', new Set(versions).size);
    if (c.terminal.appVersion) f.set('app.versionMismatch', versions[versions.length - 1] !== c.terminal.appVersion);
  }
  const osVersions = defined(tel.map((t) => t.os?.version));
  if (osVersions.length) f.set('os.versionsSeen', new Set(osVersions).size);
  const skews = series((t) => t.clockSkewS);
  if (skews.length) f.set('clock.skewAbsS', max(skews.map(Math.abs)));
  const tamper = defined(tel.map((t) => t.tamper));
  if (tamper.length) {
    f.set('tamper.any', tamper.some(Boolean));
    f.set('tamper.latest', tamper[tamper.length - 1]!);
  }
  f.set('keys.loaded', latest((t) => t.keys?.loaded));
  f.set('keys.exchangeOk', latest((t) => t.keys?.lastKeyExchangeOk));
  const keysLost = defined(tel.map((t) => t.keys?.loaded));
  if (keysLost.length) f.set('keys.missingShare', share(keysLost.map((x) => !x)));
  const bc = latest((t) => t.batch?.count);
  const cap = latest((t) => t.batch?.capacity);
  if (bc !== undefined && cap) f.set('batch.fill', bc / cap);
  const signed = defined(tel.map((t) => t.session?.signedIn));
  if (signed.length) {
    f.set('session.signedIn', signed[signed.length - 1]!);
    f.set('session.signedOutShare', share(signed.map((x) => !x)));
  }
}

function transactionFeatures(f: FeatureSet, all: CaseTransaction[], now: number): void {
  if (!all.length) return;
  const sorted = byTime(all);
  const txs = recentPart(sorted, now, 30);
  f.set('tx.count', txs.length);
  const outcomes = new Map<string, number>();
  for (const t of txs) outcomes.set(t.outcome, (outcomes.get(t.outcome) ?? 0) + 1);
  for (const [o, k] of outcomes) {
    f.set(`tx.${o}`, k);
    f.set(`tx.${o}Share`, k / txs.length);
  }
  const failed = txs.filter((t) => t.outcome !== 'approved');
  f.set('tx.failed', failed.length);
  f.set('tx.failShare', failed.length / txs.length);
  // Per entry mode: how many, how many could not read the card, how many went through.
  const modes = new Map<string, CaseTransaction[]>();
  for (const t of txs) {
    const list = modes.get(t.entryMode);
    if (list) list.push(t);
    else modes.set(t.entryMode, [t]);
  }
  for (const [mode, list] of modes) {
    f.set(`tx.${mode}.count`, list.length);
    const readErr = list.filter((t) => t.outcome === 'card_read_error').length;
    f.set(`tx.${mode}.readErr`, readErr);
    f.set(`tx.${mode}.readErrRate`, readErr / list.length);
    f.set(`tx.${mode}.approved`, list.filter((t) => t.outcome === 'approved').length);
    f.set(`tx.${mode}.failShare`, list.filter((t) => t.outcome !== 'approved').length / list.length);
  }
  f.set('tx.fallbackShare', (modes.get('fallback')?.length ?? 0) / txs.length);
  const answered = txs.filter((t) => t.responseCode);
  const hostFault = txs.filter((t) => t.outcome === 'timeout' || (t.responseCode && HOST_FAULT_RCS.has(t.responseCode)));
  f.set('tx.hostFaultShare', hostFault.length / txs.length);
  f.set('tx.hostFault', hostFault.length);
  // What the response codes and the EMV results point at, summed over the failed transactions.
  // A decline now and then is everyday life; the same card refused again and again is a story.
  const perCard = new Map<string, Map<string, number>>();
  for (const t of failed) {
    if (t.responseCode) {
      f.add(`rc.${t.responseCode.toUpperCase()}`, 1);
      for (const h of responseCodeHints(t.responseCode)) {
        f.add(`rcHint.${h.code}`, h.weight);
        if (t.cardToken) {
          const m = perCard.get(t.cardToken) ?? new Map<string, number>();
          m.set(h.code, (m.get(h.code) ?? 0) + h.weight);
          perCard.set(t.cardToken, m);
        }
      }
    }
    for (const h of tvrHints(t.tvr)) f.add(`emvHint.${h.code}`, h.weight);
  }
  for (const m of perCard.values()) for (const [code, w] of m) if (w > (f.get(`rcHintRepeat.${code}`) ?? 0)) f.set(`rcHintRepeat.${code}`, w);
  // How many different cards the response codes spread over, per hinted cause.
  const cardsPerHint = new Map<string, number>();
  for (const m of perCard.values()) for (const code of m.keys()) cardsPerHint.set(code, (cardsPerHint.get(code) ?? 0) + 1);
  for (const [code, n] of cardsPerHint) f.set(`rcHintCards.${code}`, n);
  if (answered.length) f.set('tx.answered', answered.length);
  // Which cards fail: one card failing again and again is the card; many cards failing is the terminal.
  const byCard = new Map<string, { fail: number; ok: number; readErr: number; okAfterReadErr: boolean }>();
  for (const t of txs) {
    if (!t.cardToken) continue;
    const e = byCard.get(t.cardToken) ?? { fail: 0, ok: 0, readErr: 0, okAfterReadErr: false };
    if (t.outcome === 'approved') {
      e.ok++;
      if (e.readErr > 0) e.okAfterReadErr = true;
    } else e.fail++;
    if (t.outcome === 'card_read_error') e.readErr++;
    byCard.set(t.cardToken, e);
  }
  if (byCard.size) {
    const failing = [...byCard.values()].filter((e) => e.fail > 0);
    f.set('cards.distinct', byCard.size);
    f.set('cards.failing', failing.length);
    const top = Math.max(0, ...failing.map((e) => e.fail));
    const tokenFailed = txs.filter((t) => t.cardToken && t.outcome !== 'approved').length;
    f.set('cards.topFailShare', tokenFailed ? top / tokenFailed : 0);
    f.set('cards.otherApproved', [...byCard.values()].filter((e) => e.fail === 0 && e.ok > 0).length);
    // "One card alone" needs a failing card and at least one other card that worked.
    f.set('cards.singleFailing', failing.length === 1 && byCard.size > 1);
    f.set('cards.readErrTokens', [...byCard.values()].filter((e) => e.readErr > 0).length);
    // A card that failed to read and then went through at once was presented badly, not broken.
    f.set('cards.readErrThenOk', [...byCard.values()].filter((e) => e.okAfterReadErr).length);
    f.set('cards.chipApproved', new Set(txs.filter((t) => t.entryMode === 'chip' && t.outcome === 'approved' && t.cardToken).map((t) => t.cardToken)).size);
  }
  const durations = defined(txs.filter((t) => t.outcome === 'approved').map((t) => t.durationMs));
  f.set('tx.durationMedianMs', median(durations));
  const amounts = defined(txs.map((t) => t.amountMinor)).filter((a) => a > 0);
  const med = median(amounts);
  if (med && amounts.length >= 3) f.set('tx.amountMaxRatio', max(amounts)! / med);
}

function eventFeatures(f: FeatureSet, c: DiagnosisCase): void {
  const events = byTime((c.events ?? []).map((e) => ({ ...e, at: e.at ?? c.now })));
  if (!events.length) return;
  f.set('ev.count', events.length);
  for (const e of events) {
    const { hints, clears } = eventMeaning(e.message ?? '', e.code);
    for (const h of hints) {
      // A message seen several times weighs more, but not without bound.
      const cur = f.get(`evHint.${h.code}`) ?? 0;
      f.set(`evHint.${h.code}`, Math.min(1.5, cur + h.weight * (cur ? 0.25 : 1)));
    }
    // A later "paper roll replaced" or "sign on OK" takes back what earlier messages said.
    for (const code of clears) f.map.delete(`evHint.${code}`);
    if (e.type && /crash|anr/i.test(e.type)) f.add('ev.crash', 1);
  }
}

function terminalFeatures(f: FeatureSet, c: DiagnosisCase, now: number): void {
  const t = c.terminal;
  const updated = ms(t.updatedAt);
  if (updated !== undefined) f.set('term.updatedAgoH', (now - updated) / HOUR);
  if (t.previousAppVersion && t.appVersion && t.previousAppVersion !== t.appVersion) f.set('term.versionChanged', 1);
  const installed = ms(t.installedAt);
  if (installed !== undefined) f.set('term.installedAgoDays', (now - installed) / (24 * HOUR));
  if (t.connectivity) f.set(`term.conn.${t.connectivity}`, 1);
  for (const i of t.interfaces ?? []) f.set(`term.has.${i}`, 1);
}

function siteFeatures(f: FeatureSet, c: DiagnosisCase): void {
  const peers = c.site?.terminals;
  if (!peers) return;
  f.set('site.peers', peers.length);
  if (!peers.length) return;
  // A peer dark since yesterday is switched off, not part of today's outage.
  const now = ms(c.now)!;
  const down = peers.filter((p) => p.status === 'offline' && (ms(p.lastSeenAt) === undefined || now - ms(p.lastSeenAt)! <= STALE_PEER_MS)).length;
  const degraded = peers.filter((p) => p.status === 'degraded').length;
  f.set('site.peersOffline', down);
  f.set('site.peersOfflineShare', down / peers.length);
  f.set('site.peersDegradedShare', degraded / peers.length);
  f.set('site.peersTroubleShare', (down + degraded) / peers.length);
  f.set('site.peersOnlineShare', peers.filter((p) => p.status === 'online').length / peers.length);
  const sameVersion = peers.filter((p) => p.appVersion && p.appVersion === c.terminal.appVersion);
  if (sameVersion.length) f.set('site.sameVersionTroubleShare', sameVersion.filter((p) => p.status !== 'online').length / sameVersion.length);
}

/** Silent this long, a terminal that reports every minute has stopped: its silence is the first fact. */
export const SILENT_AFTER_MIN = 10;
/** Terminals of a site that went quiet within this many minutes of each other went quiet together. */
export const TOGETHER_MIN = 10;

/**
 * A terminal that sent nothing for longer than it should: how long, what its last readings said before
 * it went quiet (power, battery, its own link), and which terminals of its site went quiet with it.
 * Only for a terminal that reports telemetry at all (a case without telemetry says nothing about silence).
 */
function silenceFeatures(f: FeatureSet, c: DiagnosisCase, now: number): void {
  const tel = c.telemetry ?? [];
  if (!tel.length) return;
  let lastHeard = -Infinity;
  for (const x of [...tel, ...(c.transactions ?? []), ...(c.events ?? [])]) {
    const t = ms(x.at);
    if (t !== undefined && t <= now && t > lastHeard) lastHeard = t;
  }
  const silentMin = Math.max(0, (now - lastHeard) / 60_000);
  f.set('silence.min', silentMin);
  const silent = silentMin >= SILENT_AFTER_MIN;
  f.set('silent', silent);
  if (!silent) return;
  // Countertop units have no battery: losing mains switches them off at once, with no warning.
  f.set('silence.noBattery', !tel.some((t) => t.battery?.pct !== undefined));
  const lastSamples = byTime(tel).slice(-3);
  const linkFine = lastSamples.every((t) => t.network?.connected !== false && (t.network?.signalDbm ?? -60) > -100 && t.network?.simState !== 'no_data_plan' && t.network?.simState !== 'absent');
  const powerFine = lastSamples.every((t) => t.battery?.pct === undefined || t.battery.pct >= 20 || t.power?.source === 'mains');
  // Nothing in its last readings foretold the silence: power or the link was cut from outside.
  f.set('silence.abrupt', linkFine && powerFine);
  f.set('silence.linkFine', linkFine);
  const peers = c.site?.terminals;
  if (!peers) return;
  const together = peers.filter((p) => {
    if (p.status !== 'offline') return false;
    const seen = ms(p.lastSeenAt);
    return seen !== undefined && Math.abs(seen - lastHeard) <= TOGETHER_MIN * 60_000;
  }).length;
  f.set('silence.peersTogether', together);
  if (peers.length) f.set('silence.peersTogetherShare', together / peers.length);
  f.set('silence.alone', together === 0 && peers.some((p) => p.status !== 'offline'));
}

function fleetFeatures(f: FeatureSet, c: DiagnosisCase): void {
  const v = c.fleet?.sameVersion;
  if (v?.failureRate !== undefined) {
    f.set('fleet.version.failureRate', v.failureRate);
    f.set('fleet.version.terminals', v.terminals);
    if (v.baselineFailureRate !== undefined) {
      f.set('fleet.version.baseline', v.baselineFailureRate);
      f.set('fleet.version.ratio', v.failureRate / Math.max(v.baselineFailureRate, 0.002));
      f.set('fleet.version.excess', v.failureRate - v.baselineFailureRate);
    }
  }
  const h = c.fleet?.host;
  if (h?.hostErrorRate !== undefined) {
    f.set('fleet.host.errorRate', h.hostErrorRate);
    f.set('fleet.host.sites', h.sites);
    f.set('fleet.host.terminals', h.terminals);
    if (h.baselineHostErrorRate !== undefined) {
      f.set('fleet.host.baseline', h.baselineHostErrorRate);
      f.set('fleet.host.ratio', h.hostErrorRate / Math.max(h.baselineHostErrorRate, 0.002));
      f.set('fleet.host.excess', h.hostErrorRate - h.baselineHostErrorRate);
    }
  }
}

function cardFeatures(f: FeatureSet, c: DiagnosisCase): void {
  const attempts = c.card?.attempts;
  if (!attempts?.length) return;
  const here = c.terminal.id;
  const elsewhere = attempts.filter((a) => a.terminalId && a.terminalId !== here);
  f.set('card.attempts', attempts.length);
  f.set('card.elsewhere', elsewhere.length);
  const failedElsewhere = elsewhere.filter((a) => a.outcome && a.outcome !== 'approved');
  f.set('card.failedElsewhere', failedElsewhere.length);
  f.set('card.readErrElsewhere', elsewhere.filter((a) => a.outcome === 'card_read_error').length);
  // A card that needed the magstripe fallback at other shops too has a chip nobody can read.
  f.set('card.fallbackElsewhere', elsewhere.filter((a) => a.entryMode === 'fallback').length);
  f.set('card.terminalsElsewhere', new Set(elsewhere.map((a) => a.terminalId)).size);
  f.set('card.approvedElsewhere', elsewhere.filter((a) => a.outcome === 'approved').length);
  f.set('card.terminalsFailed', new Set(attempts.filter((a) => a.outcome && a.outcome !== 'approved').map((a) => a.terminalId ?? '?')).size);
  if (elsewhere.length) f.set('card.failedElsewhereShare', failedElsewhere.length / elsewhere.length);
  for (const a of attempts) {
    if (!a.outcome || a.outcome === 'approved') continue;
    if (a.outcome === 'card_read_error') f.add('card.readErr', 1);
    if (a.responseCode) {
      f.add(`card.rc.${a.responseCode.toUpperCase()}`, 1);
      // What other terminals answered for this card: its attempts here are the case's own transactions,
      // counted there already (one wrong PIN here is not "wrong PIN at other terminals too").
      if (a.terminalId && a.terminalId !== here) for (const h of responseCodeHints(a.responseCode)) f.add(`cardHint.${h.code}`, h.weight);
    }
  }
}
