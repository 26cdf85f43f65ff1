/**
 * Remote commands as a terminal carries them out, with honest results: a key exchange fails on a
 * tampered terminal, a test print fails without paper, a sign-on fails when the host is unreachable.
 * Some commands cure a fault (sign-on cures "not signed in", settlement cures a full batch); the
 * simulator is told which, so its ground truth records the fix.
 */
import { APP_VERSIONS } from '../catalog.js';
import type { FaultId } from '../faults/ids.js';
import { canReachHost, settleBatch } from './daily.js';
import type { Minute } from './minute.js';
import { printerStatus } from './printer.js';
import { reboot } from './software.js';
import type { PendingCommand, TerminalState } from './state.js';

export interface CommandOutcome {
  status: 'succeeded' | 'failed';
  detail: string;
  /** Faults this command ended at this terminal. */
  cures: FaultId[];
  /** What the command found, sent with the acknowledgement (self_test, locate). */
  result?: Record<string, unknown>;
  /** A log bundle to upload over HTTPS (upload_logs). */
  upload?: { filename: string; content: string };
}

/** What a version of the payment app does wrong, when a test or the demo says so (a bad release). */
export interface ReleaseDefect {
  /** Crashes this many times as often as a sound version. */
  crashFactor?: number;
  /** Contactless reads fail on these models. */
  breaksContactlessOn?: readonly string[];
  /** The package does not install (e.g. it needs another OS). */
  failsInstall?: boolean;
}
export type Releases = ReadonlyMap<string, ReleaseDefect>;

/** Where the simulated cities are (city centres); a terminal reports a point near its site's city. */
const CITY_POSITIONS: Record<string, [number, number]> = {
  杭州: [30.274, 120.155], Hangzhou: [30.274, 120.155],
  上海: [31.23, 121.474], Shanghai: [31.23, 121.474],
  北京: [39.904, 116.407], Beijing: [39.904, 116.407],
  深圳: [22.543, 114.058], Shenzhen: [22.543, 114.058],
  成都: [30.573, 104.066], Chengdu: [30.573, 104.066],
  广州: [23.129, 113.264], Guangzhou: [23.129, 113.264],
};

export function carryOut(m: Minute, cmd: PendingCommand, atMs: number, releases: Releases = new Map()): CommandOutcome {
  const { s, c } = m;
  const ok = (detail: string, cures: FaultId[] = []): CommandOutcome => ({ status: 'succeeded', detail, cures });
  const failed = (detail: string): CommandOutcome => ({ status: 'failed', detail, cures: [] });
  switch (cmd.name) {
    case 'reboot':
      reboot(m, atMs + 1_000);
      return ok('rebooting');
    case 'restart_app':
      s.appStartedAtMs = atMs + 8_000;
      return ok('payment app restarted');
    case 'sync_time':
      s.clockSkewS = s.rng.range(-0.5, 0.5);
      return ok('clock synchronised', ['sw.clock.skew']);
    case 'key_exchange':
      if (s.tamper) return failed('tamper detected: keys erased, terminal locked');
      if (!canReachHost(m)) return failed('COMM ERROR: host unreachable');
      s.keysLoaded = true;
      s.lastKeyExchangeOk = true;
      return ok('working keys loaded', ['sw.keys.missing']);
    case 'sign_in':
      if (s.tamper || !s.keysLoaded) return failed('sign-on refused: keys not loaded');
      if (!canReachHost(m)) return failed('COMM ERROR: host unreachable');
      s.signedIn = true;
      s.lastKeyExchangeOk = true;
      m.event('SIGN_ON_OK', atMs + 500);
      return ok('signed on', ['op.not_signed_in']);
    case 'settle_batch': {
      if (!canReachHost(m)) return failed('COMM ERROR: host unreachable');
      const count = s.batch.count;
      settleBatch(m, atMs + 500);
      return ok(`settled ${count} transactions`, ['op.settlement.overdue']);
    }
    case 'print_test': {
      const status = printerStatus(m);
      return status === 'ok' || status === 'paper_low' ? ok('test page printed') : failed(`printer ${status}`);
    }
    case 'network_diag': {
      const n = c.network;
      return ok(`link=${s.linkUp ? 'up' : 'down'} dns=${n.dnsOk ? 'ok' : 'fail'} host=${n.hostReachable ? 'reachable' : 'unreachable'} latency=${Math.round(n.latencyMs)}ms loss=${n.lossPct.toFixed(1)}%`);
    }
    case 'update_app': {
      const wanted = typeof cmd.args?.version === 'string' ? cmd.args.version : APP_VERSIONS[APP_VERSIONS.length - 1]![0];
      if (!canReachHost(m)) return failed('download failed: host unreachable');
      if (wanted === s.appVersion) return ok(`already on ${wanted}`);
      setVersion(s, 'app', wanted);
      m.event('UPDATE', atMs + 30_000, { version: wanted });
      reboot(m, atMs + 35_000);
      return ok(`updated to ${wanted}`, ['sw.update.regression']);
    }
    case 'self_test':
      return selfTest(m);
    case 'locate': {
      const [lat, lon] = CITY_POSITIONS[m.s.site.city] ?? [31.23, 121.474];
      const source = s.terminal.portable ? 'gps' : s.terminal.connectivity.startsWith('cellular') ? 'cell' : s.terminal.connectivity === 'wifi' ? 'wifi' : 'ip';
      const spread = { gps: 0.02, cell: 0.03, wifi: 0.02, ip: 0.08 }[source];
      const accuracyM = { gps: 12, cell: 800, wifi: 60, ip: 5_000 }[source];
      const pos = { lat: round(lat + s.rng.range(-spread, spread), 5), lon: round(lon + s.rng.range(-spread, spread), 5), accuracyM, source };
      return { ...ok(`${pos.lat},${pos.lon} ±${accuracyM} m (${source})`), result: pos };
    }
    case 'lock': {
      s.locked = true;
      s.lockMessage = typeof cmd.args?.message === 'string' ? cmd.args.message : null;
      remoteEvent(m, 'TERMINAL_LOCKED', atMs + 200);
      return ok(s.lockMessage ? `locked: ${s.lockMessage}` : 'locked: payments refused');
    }
    case 'unlock':
      if (!s.locked) return ok('was not locked');
      s.locked = false;
      s.lockMessage = null;
      remoteEvent(m, 'TERMINAL_UNLOCKED', atMs + 200);
      return ok('unlocked: payments accepted');
    case 'push_config': {
      const params = (cmd.args?.params ?? {}) as Record<string, unknown>;
      if (Object.keys(params).length === 0) return failed('no parameters');
      s.params = { ...s.params, ...params };
      s.paramsLabel = typeof cmd.args?.label === 'string' ? cmd.args.label : null;
      remoteEvent(m, 'CONFIG_APPLIED', atMs + 300, { label: s.paramsLabel ?? Object.keys(params).join(', ') });
      return ok(`applied ${Object.keys(params).join(', ')}`);
    }
    case 'upload_logs': {
      const hours = typeof cmd.args?.hours === 'number' ? cmd.args.hours : 24;
      const since = atMs - hours * 3_600_000;
      const lines = s.log.filter((l) => Date.parse(l.slice(0, 24)) >= since);
      const head = `# ${s.terminal.serialNumber} ${s.terminal.model} app ${s.appVersion} os ${s.osVersion} firmware ${s.firmwareVersion}\n# last ${hours} h, ${lines.length} lines\n`;
      const content = head + lines.join('\n') + '\n';
      if (!canReachHost(m)) return failed('upload failed: host unreachable');
      return { ...ok(`uploading ${lines.length} lines (${content.length} bytes)`), upload: { filename: `${s.terminal.serialNumber}-logs.txt`, content } };
    }
    case 'install': {
      const kind = cmd.args?.kind;
      const version = typeof cmd.args?.version === 'string' ? cmd.args.version : null;
      if (!version || (kind !== 'app' && kind !== 'os' && kind !== 'firmware')) return failed('install needs a kind and a version');
      if (!canReachHost(m)) return failed('download failed: host unreachable');
      if (current(s, kind) === version) return ok(`already on ${version}`);
      if (kind === 'app' && releases.get(version)?.failsInstall) {
        remoteEvent(m, 'INSTALL_FAILED', atMs + 20_000, { version });
        return failed(`install of ${version} failed: package incompatible with ${s.terminal.model} ${s.osVersion}`);
      }
      setVersion(s, kind, version);
      m.event('UPDATE', atMs + 30_000, { version });
      reboot(m, atMs + 35_000);
      return ok(`installed ${kind} ${version}`, ['sw.update.regression']);
    }
    case 'rollback': {
      const kind = cmd.args?.kind;
      const version = typeof cmd.args?.version === 'string' ? cmd.args.version : null;
      if (!version || (kind !== 'app' && kind !== 'os' && kind !== 'firmware')) return failed('rollback needs a kind and a version');
      if (current(s, kind) === version) return ok(`already on ${version}`);
      // A terminal keeps the packages it ran before; it cannot roll back to one it never had.
      if (!s.installed[kind].includes(version)) return failed(`${kind} ${version} was never installed here`);
      setVersion(s, kind, version);
      m.event('UPDATE', atMs + 20_000, { version });
      reboot(m, atMs + 25_000);
      return ok(`rolled back ${kind} to ${version}`, ['sw.update.regression']);
    }
    default:
      return failed(`unknown command ${cmd.name}`);
  }
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

function current(s: TerminalState, kind: 'app' | 'os' | 'firmware'): string {
  return kind === 'app' ? s.appVersion : kind === 'os' ? s.osVersion : s.firmwareVersion;
}

function setVersion(s: TerminalState, kind: 'app' | 'os' | 'firmware', version: string): void {
  if (kind === 'app') {
    s.previousAppVersion = s.appVersion;
    s.appVersion = version;
  } else if (kind === 'os') s.osVersion = version;
  else s.firmwareVersion = version;
  if (!s.installed[kind].includes(version)) s.installed[kind].push(version);
}

/** Every part a technician would check, tested as the terminal can: each pass or fail with what it saw. */
function selfTest(m: Minute): CommandOutcome {
  const { s, c } = m;
  const checks: { check: string; ok: boolean; detail: string }[] = [];
  for (const reader of ['chip', 'contactless', 'magstripe'] as const) {
    if (!s.terminal.interfaces.includes(reader)) continue;
    // Ten loop-back reads against the test card in the reader's self-check.
    let failures = 0;
    for (let i = 0; i < 10; i++) if (s.rng.chance(c.readFailure[reader])) failures++;
    checks.push({ check: `reader.${reader}`, ok: failures <= 2, detail: `${10 - failures}/10 test reads` });
  }
  const printer = printerStatus(m);
  checks.push({ check: 'printer', ok: printer === 'ok' || printer === 'paper_low', detail: printer });
  const n = c.network;
  const netOk = s.linkUp && n.dnsOk && n.hostReachable;
  checks.push({ check: 'network', ok: netOk, detail: `link=${s.linkUp ? 'up' : 'down'} dns=${n.dnsOk ? 'ok' : 'fail'} host=${n.hostReachable ? 'reachable' : 'unreachable'} ${Math.round(n.latencyMs)} ms` });
  checks.push({ check: 'keys', ok: s.keysLoaded && !s.tamper, detail: s.tamper ? 'tamper: keys erased' : s.keysLoaded ? 'working keys loaded' : 'keys not loaded' });
  const freeMb = Math.max(0, s.terminal.storageMb - s.storageUsedMb);
  const storageOk = !c.storageFull && freeMb > s.terminal.storageMb * 0.05;
  checks.push({ check: 'storage', ok: storageOk, detail: `${Math.round(c.storageFull ? 0 : freeMb)} MB free of ${s.terminal.storageMb}` });
  if (s.battery) {
    const b = s.battery;
    const batteryOk = b.healthPct >= 60 && !c.power.adapterFault;
    checks.push({ check: 'battery', ok: batteryOk, detail: `${Math.round(b.pct)}% charge, ${Math.round(b.healthPct)}% health${c.power.adapterFault ? ', not charging' : ''}` });
  } else checks.push({ check: 'battery', ok: true, detail: 'mains powered' });
  const bad = checks.filter((x) => !x.ok);
  const detail = bad.length ? `${bad.length} of ${checks.length} checks failed: ${bad.map((x) => x.check).join(', ')}` : `all ${checks.length} checks passed`;
  return { status: bad.length ? 'failed' : 'succeeded', detail, cures: [], result: { checks } };
}

/**
 * What a terminal shows for remote management. Kept apart from TERMINAL_MESSAGES, the catalogue the
 * diagnosis engine matches on (packages/codes): these say what an operator did, not what went wrong.
 */
export const REMOTE_MESSAGES = {
  TERMINAL_LOCKED: { type: 'warning', zh: '终端已锁定，暂停收款', en: 'TERMINAL LOCKED - PAYMENTS DISABLED' },
  TERMINAL_UNLOCKED: { type: 'info', zh: '终端已解锁', en: 'TERMINAL UNLOCKED' },
  CONFIG_APPLIED: { type: 'info', zh: '参数已更新：{label}', en: 'PARAMETERS UPDATED: {label}' },
  INSTALL_FAILED: { type: 'error', zh: '安装失败：{version}', en: 'INSTALL FAILED: {version}' },
} as const;

export function remoteEvent(m: Minute, code: keyof typeof REMOTE_MESSAGES, atMs: number, vars: Record<string, string> = {}): void {
  const entry = REMOTE_MESSAGES[code];
  const message = (m.s.merchant.language === 'zh-CN' ? entry.zh : entry.en).replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
  m.emit('event', { type: entry.type, code, message }, atMs);
  m.s.lastShownMs.set(code, atMs);
  m.s.log.push(`${new Date(atMs).toISOString()} ${entry.type.toUpperCase()} ${code} ${message}`);
}

/** A bad release shows on the terminals that run it: more crashes, contactless broken on some models. */
export function applyRelease(m: Minute, releases: Releases): void {
  const d = releases.get(m.s.appVersion);
  if (!d) return;
  const app = m.c.app;
  if (d.crashFactor && d.crashFactor > 1) {
    app.crashesPerMinute *= d.crashFactor;
    app.txnErrorChance *= Math.min(d.crashFactor, 5);
  }
  if (d.breaksContactlessOn?.includes(m.s.terminal.model)) m.c.readFailure.contactless = Math.max(m.c.readFailure.contactless, 0.7);
}
