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
import type { PendingCommand } from './state.js';

export interface CommandOutcome {
  status: 'succeeded' | 'failed';
  detail: string;
  /** Faults this command ended at this terminal. */
  cures: FaultId[];
}

export function carryOut(m: Minute, cmd: PendingCommand, atMs: number): CommandOutcome {
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
      s.previousAppVersion = s.appVersion;
      s.appVersion = wanted;
      m.event('UPDATE', atMs + 30_000, { version: wanted });
      reboot(m, atMs + 35_000);
      return ok(`updated to ${wanted}`, ['sw.update.regression']);
    }
    default:
      return failed(`unknown command ${cmd.name}`);
  }
}
