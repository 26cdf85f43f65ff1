/**
 * Builds a diagnosis case from a simulated message stream the way the platform builds one from what
 * it has stored: only what reached it by `now`, the terminal's last two hours thinned to 5-minute
 * telemetry, its events and transactions, its site's peers as the fleet view shows them, and figures
 * for its app version and acquirer host.
 *
 * Fleet figures. A real version segment or host has thousands of terminals, where one site's trouble
 * is noise; a case's fleet has a dozen or two. So the rates leave the case's own site out (the counts
 * of terminals and sites are the whole simulated fleet's):
 * - failureRate: terminal-side failures per payment attempt over the last hour (two, or the whole run,
 *   when that hour saw fewer than 60 attempts) on terminals running the version: a transaction ending in `card_read_error`, or in `error` without a response code (the
 *   terminal failed before the host answered), or an app crash (each crash counts as one failed
 *   attempt, in the numerator and the denominator). Declines, timeouts and host errors (91, 96) are
 *   the issuer's, the network's or the host's, not the version's.
 * - baselineFailureRate: the same for the terminal's previous version, on the terminals that ran it
 *   during the simulated hours; when too few did, or the terminal was not updated, the version's own
 *   rate in the hours before the case's window.
 * - hostErrorRate: the share of transactions that reached for the host in the last 15 minutes (30, 60
 *   or 120 when fewer than 20 did) ending in a timeout or response code 91, 96 or 98;
 *   baselineHostErrorRate the same in the hours before the case's window.
 * A rate over fewer than 30 attempts (10 for the host) is left out, as the platform would not show it.
 */
import type { CaseEvent, CaseTelemetry, CaseTransaction, DeviceMessage, DiagnosisCaseInput, SitePeer, Telemetry } from '@poscare/contracts';
import type { Fleet, FleetTerminal } from '../fleet.js';
import type { SimDelivery } from '../simulator.js';

const MINUTE = 60_000;
export const CASE_WINDOW_MS = 120 * MINUTE;
const SAMPLE_EVERY_MS = 5 * MINUTE;
/** As the server decides it: nothing heard for this long is offline. */
const OFFLINE_AFTER_MS = 3 * MINUTE;
const MAX_TRANSACTIONS = 500;
const HOST_ERROR_CODES = new Set(['91', '96', '98']);

type Of<K extends DeviceMessage['kind']> = Extract<DeviceMessage, { kind: K }>['data'];

export interface Received {
  atMs: number;
  sentMs: number;
  message: DeviceMessage;
}

/**
 * What the fleet sent, per terminal, in the order it arrived. Terminals the case looks at closely keep
 * every message; the rest of the fleet only counts towards fleet figures and card histories, so only
 * their transactions and the version and crash count of their telemetry are kept (much less to hold).
 */
export class MessageLog {
  readonly byTerminal = new Map<string, Received[]>();

  constructor(private readonly keepWhole: (terminalId: string) => boolean = () => true) {}

  add = (d: SimDelivery): void => {
    let list = this.byTerminal.get(d.terminalId);
    if (!list) this.byTerminal.set(d.terminalId, (list = []));
    let message = d.message;
    if (!this.keepWhole(d.terminalId)) {
      if (message.kind === 'telemetry') message = { ...message, data: message.data.app ? { app: message.data.app } : {} };
      else if (message.kind !== 'txn') return;
    }
    list.push({ atMs: Date.parse(message.at), sentMs: d.sentAt.getTime(), message });
  };

  /** What the platform had from a terminal by `nowMs`, in message-time order. */
  receivedBy(terminalId: string, nowMs: number): Received[] {
    const list = this.byTerminal.get(terminalId) ?? [];
    const out: Received[] = [];
    for (const r of list) if (r.sentMs <= nowMs && r.atMs <= nowMs) out.push(r);
    // A backlog arrives after newer messages were sent; the platform orders by message time.
    return out.sort((a, b) => a.atMs - b.atMs);
  }
}

/** What the inventory knows beyond the fleet description: an update done before the simulated run. */
export interface InventoryNote {
  previousAppVersion: string;
  updatedAtMs: number;
}

export interface BuildOptions {
  id: string;
  nowMs: number;
  fleet: Fleet;
  terminal: FleetTerminal;
  log: MessageLog;
  lang: 'zh-CN' | 'en-US';
  /** Start of the simulated run: the baseline for fleet figures is taken from here to the case's window. */
  runStartMs: number;
  inventory?: ReadonlyMap<string, InventoryNote>;
  /** A card to attach the fleet-wide history of. */
  cardToken?: string;
}

export function buildCase(o: BuildOptions): DiagnosisCaseInput {
  const t = o.terminal;
  const offset = o.fleet.sites.find((s) => s.id === t.siteId)?.utcOffsetMinutes ?? o.fleet.utcOffsetMinutes;
  const iso = (ms: number) => isoAt(ms, offset);
  const fromMs = o.nowMs - CASE_WINDOW_MS;
  const mine = o.log.receivedBy(t.id, o.nowMs);
  // Times are written to the second: keep what is still inside the window once written so.
  const inWindow = mine.filter((r) => Math.floor(r.atMs / 1000) * 1000 > fromMs);

  const version = versionInfo(mine, t, o.inventory?.get(t.id));
  const c: DiagnosisCaseInput = {
    schema: 'poscare.diagnosis-case/v1',
    id: o.id,
    now: iso(o.nowMs),
    lang: o.lang,
    terminal: {
      id: t.id,
      vendor: t.vendor,
      model: t.model,
      os: t.osVersion,
      appVersion: version.current,
      ...(version.previous ? { previousAppVersion: version.previous, updatedAt: iso(version.updatedAtMs!) } : {}),
      installedAt: iso(t.installedAt.getTime()),
      connectivity: t.networkType,
      interfaces: [...t.interfaces],
      siteId: t.siteId,
      merchantId: t.merchantId,
    },
  };

  const events = inWindow.filter((r) => r.message.kind === 'event').map((r): CaseEvent => {
    const e = r.message.data as Of<'event'>;
    return { at: iso(r.atMs), type: e.type, ...(e.code ? { code: e.code } : {}), ...(e.message ? { message: e.message } : {}) };
  });
  if (events.length) c.events = events;

  const telemetry = thinTelemetry(inWindow, o.nowMs, iso);
  if (telemetry.length) c.telemetry = telemetry;

  const transactions = inWindow.filter((r) => r.message.kind === 'txn').slice(-MAX_TRANSACTIONS).map((r) => ({ at: iso(r.atMs), ...(r.message.data as Of<'txn'>) }) satisfies CaseTransaction);
  if (transactions.length) c.transactions = transactions;

  const peers = o.fleet.terminals.filter((x) => x.siteId === t.siteId && x.id !== t.id).map((p) => peerView(p, o.log.receivedBy(p.id, o.nowMs), o.nowMs, iso));
  if (peers.length) c.site = { terminals: peers };

  c.fleet = fleetFigures(o, version);

  if (o.cardToken) c.card = { token: o.cardToken, attempts: cardHistory(o, o.cardToken, iso) };
  return c;
}

/** ISO 8601 in the site's local offset, to the second, like the shared examples. */
export function isoAt(ms: number, offsetMinutes: number): string {
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * MINUTE).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

interface VersionInfo {
  current: string;
  previous?: string;
  updatedAtMs?: number;
}

/** The version the terminal last reported, and the one before when it changed (from its telemetry) or the inventory says so. */
function versionInfo(mine: readonly Received[], t: FleetTerminal, note: InventoryNote | undefined): VersionInfo {
  let current = t.appVersion;
  let previous: string | undefined;
  let changedAtMs: number | undefined;
  let lastUpdateEventMs: number | undefined;
  let seen = false;
  for (const r of mine) {
    if (r.message.kind === 'event' && (r.message.data as Of<'event'>).type === 'update') lastUpdateEventMs = r.atMs;
    if (r.message.kind !== 'telemetry') continue;
    const v = (r.message.data as Telemetry).app?.version;
    if (!v) continue;
    if (seen && v !== current) {
      previous = current;
      changedAtMs = lastUpdateEventMs ?? r.atMs;
    }
    current = v;
    seen = true;
  }
  if (previous !== undefined && previous !== current) return { current, previous, updatedAtMs: changedAtMs! };
  if (note && note.previousAppVersion !== current) return { current, previous: note.previousAppVersion, updatedAtMs: note.updatedAtMs };
  return { current };
}

/**
 * One sample per 5-minute window ending at `now`: the window's last sample, with the counters that
 * mean "since the previous sample" (reader reads and failures, crashes, freezes, reboots) summed over
 * every sample in the window, so nothing that happened between kept samples is lost.
 */
function thinTelemetry(inWindow: readonly Received[], nowMs: number, iso: (ms: number) => string): CaseTelemetry[] {
  const buckets = new Map<number, Received[]>();
  for (const r of inWindow) {
    if (r.message.kind !== 'telemetry') continue;
    const k = Math.floor((nowMs - r.atMs) / SAMPLE_EVERY_MS);
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = []));
    b.push(r);
  }
  return [...buckets.keys()]
    .sort((a, b) => b - a)
    .map((k) => {
      const samples = buckets.get(k)!;
      const last = samples[samples.length - 1]!;
      const data = structuredClone(last.message.data as Telemetry);
      const all = samples.map((s) => s.message.data as Telemetry);
      if (data.reader) {
        for (const kind of ['chip', 'contactless', 'magstripe'] as const) {
          if (!data.reader[kind]) continue;
          data.reader[kind] = { attempts: sum(all, (d) => d.reader?.[kind]?.attempts), failures: sum(all, (d) => d.reader?.[kind]?.failures) };
        }
      }
      if (data.app) {
        data.app.crashes = sum(all, (d) => d.app?.crashes);
        data.app.anrs = sum(all, (d) => d.app?.anrs);
      }
      if (data.os) data.os.reboots = sum(all, (d) => d.os?.reboots);
      return { at: iso(last.atMs), ...data };
    });
}

const sum = <T>(items: readonly T[], f: (x: T) => number | undefined) => items.reduce((n, x) => n + (f(x) ?? 0), 0);

/** The server's health rules, reduced to the question the site view asks: is anything wrong with this peer? */
const failing = (c: { attempts: number; failures: number } | undefined, share: number) => !!c && c.attempts >= 5 && c.failures / c.attempts >= share;
const PEER_TROUBLE: readonly ((t: Telemetry) => boolean)[] = [
  (t) => t.tamper === true,
  (t) => t.keys?.loaded === false,
  (t) => t.network?.connected === false,
  (t) => t.network?.connected !== false && (t.network?.dnsOk === false || t.network?.hostReachable === false),
  (t) => ['paper_out', 'jam', 'fault', 'overheat', 'paper_low'].includes(t.printer?.status ?? 'ok'),
  (t) => (t.battery?.pct ?? 100) < 15 && t.battery?.charging !== true,
  (t) => (t.battery?.healthPct ?? 100) < 60,
  (t) => (t.tempC ?? 0) >= 65,
  (t) => (t.humidityPct ?? 0) >= 85,
  (t) => t.network?.type === 'cellular' && (t.network?.signalDbm ?? 0) <= -105,
  (t) => failing(t.reader?.chip, 0.2) || failing(t.reader?.contactless, 0.2) || failing(t.reader?.magstripe, 0.3),
  (t) => (t.app?.crashes ?? 0) >= 2,
  (t) => t.session?.signedIn === false,
  (t) => !!t.batch?.capacity && (t.batch.count ?? 0) >= t.batch.capacity,
  (t) => Math.abs(t.clockSkewS ?? 0) > 300,
  (t) => !!t.storage?.totalMb && (t.storage.freeMb ?? Infinity) / t.storage.totalMb < 0.05,
];

function peerView(p: FleetTerminal, received: readonly Received[], nowMs: number, iso: (ms: number) => string): SitePeer {
  let lastSeen = -Infinity;
  let latest: Telemetry | undefined;
  let version = p.appVersion;
  for (const r of received) {
    lastSeen = Math.max(lastSeen, r.sentMs);
    if (r.message.kind === 'telemetry') {
      latest = r.message.data as Telemetry;
      version = latest.app?.version ?? version;
    }
  }
  const status: SitePeer['status'] = nowMs - lastSeen > OFFLINE_AFTER_MS ? 'offline' : latest && PEER_TROUBLE.some((rule) => rule(latest!)) ? 'degraded' : 'online';
  return { id: p.id, status, ...(Number.isFinite(lastSeen) ? { lastSeenAt: iso(lastSeen) } : {}), connectivity: p.networkType, appVersion: version };
}

interface Tally {
  attempts: number;
  failures: number;
}

const rate = (t: Tally) => (t.attempts ? round4(t.failures / t.attempts) : 0);
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

function fleetFigures(o: BuildOptions, version: VersionInfo): NonNullable<DiagnosisCaseInput['fleet']> {
  const t = o.terminal;
  const windowStart = o.nowMs - CASE_WINDOW_MS;
  const others = o.fleet.terminals.filter((x) => x.siteId !== t.siteId);
  const received = new Map(o.fleet.terminals.map((x) => [x.id, o.log.receivedBy(x.id, o.nowMs)]));

  // Version: failures per attempt on terminals while they ran a given version, in a time range.
  const versionTally = (v: string, from: number, to: number): Tally => {
    const tally = { attempts: 0, failures: 0 };
    for (const x of others) {
      let running = x.appVersion;
      for (const r of received.get(x.id)!) {
        if (r.atMs >= to) break;
        if (r.message.kind === 'telemetry') {
          const d = r.message.data as Telemetry;
          running = d.app?.version ?? running;
          if (r.atMs >= from && running === v) {
            tally.attempts += d.app?.crashes ?? 0;
            tally.failures += d.app?.crashes ?? 0;
          }
        } else if (r.message.kind === 'txn' && r.atMs >= from && running === v) {
          tally.attempts++;
          if (terminalSideFailure(r.message.data as Of<'txn'>)) tally.failures++;
        }
      }
    }
    return tally;
  };
  // The last hour; longer when the fleet is quiet, so a handful of payments does not make a rate.
  let current = versionTally(version.current, o.nowMs - 60 * MINUTE, o.nowMs + 1);
  if (current.attempts < 60) current = versionTally(version.current, windowStart, o.nowMs + 1);
  if (current.attempts < 60) current = versionTally(version.current, o.runStartMs, o.nowMs + 1);
  let baseline = version.previous ? versionTally(version.previous, o.runStartMs, o.nowMs + 1) : { attempts: 0, failures: 0 };
  if (baseline.attempts < 40) baseline = versionTally(version.current, o.runStartMs, windowStart);
  const onVersion = o.fleet.terminals.filter((x) => x.id === t.id || currentVersion(x, received.get(x.id)!) === version.current).length;

  // Host: the share of online attempts that the host failed.
  const onHost = o.fleet.terminals.filter((x) => x.hostId === t.hostId);
  const hostTally = (from: number, to: number): Tally => {
    const tally = { attempts: 0, failures: 0 };
    for (const x of others) {
      if (x.hostId !== t.hostId) continue;
      for (const r of received.get(x.id)!) {
        if (r.message.kind !== 'txn' || r.atMs < from || r.atMs >= to) continue;
        const d = r.message.data as Of<'txn'>;
        if (terminalSideFailure(d)) continue;
        tally.attempts++;
        if (d.outcome === 'timeout' || (d.responseCode && HOST_ERROR_CODES.has(d.responseCode))) tally.failures++;
      }
    }
    return tally;
  };
  let recent = hostTally(o.nowMs - 15 * MINUTE, o.nowMs + 1);
  for (const minutes of [30, 60, 120]) if (recent.attempts < 20) recent = hostTally(o.nowMs - minutes * MINUTE, o.nowMs + 1);
  const hostBaseline = hostTally(o.runStartMs, windowStart);

  // A rate of a handful of payments (a quiet night) says nothing: the platform leaves it out.
  const enough = (a: Tally, b: Tally, min: number) => a.attempts >= min && b.attempts >= min;
  return {
    sameVersion: { terminals: onVersion, ...(enough(current, baseline, 30) ? { failureRate: rate(current), baselineFailureRate: rate(baseline) } : {}) },
    host: { terminals: onHost.length, sites: new Set(onHost.map((x) => x.siteId)).size, ...(enough(recent, hostBaseline, 10) ? { hostErrorRate: rate(recent), baselineHostErrorRate: rate(hostBaseline) } : {}) },
  };
}

/** The terminal itself failed the payment: a card it could not read, or an error before anything went to the host. */
const terminalSideFailure = (d: Of<'txn'>) => d.outcome === 'card_read_error' || (d.outcome === 'error' && !d.responseCode);

function currentVersion(x: FleetTerminal, received: readonly Received[]): string {
  for (let i = received.length - 1; i >= 0; i--) {
    const r = received[i]!;
    if (r.message.kind === 'telemetry') return (r.message.data as Telemetry).app?.version ?? x.appVersion;
  }
  return x.appVersion;
}

function cardHistory(o: BuildOptions, token: string, iso: (ms: number) => string) {
  const attempts: { terminalId: string; at: string; atMs: number; entryMode: string; outcome: string; responseCode?: string }[] = [];
  for (const x of o.fleet.terminals) {
    for (const r of o.log.receivedBy(x.id, o.nowMs)) {
      if (r.message.kind !== 'txn') continue;
      const d = r.message.data as Of<'txn'>;
      if (d.cardToken !== token) continue;
      attempts.push({ terminalId: x.id, at: iso(r.atMs), atMs: r.atMs, entryMode: d.entryMode, outcome: d.outcome, ...(d.responseCode ? { responseCode: d.responseCode } : {}) });
    }
  }
  return attempts.sort((a, b) => a.atMs - b.atMs).map(({ atMs: _, ...a }) => a);
}
