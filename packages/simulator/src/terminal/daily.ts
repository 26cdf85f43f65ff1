/**
 * The day's routine: the operator signs on when the shop opens (which also refreshes the working keys)
 * and the terminal settles its batch when it closes. Both need the host; a terminal that cannot reach
 * it tries again the next day, and its batch keeps growing meanwhile.
 */
import { tradingDay } from '../curves.js';
import type { Minute } from './minute.js';

export const canReachHost = (m: Minute) => m.s.linkUp && m.c.network.dnsOk && m.c.network.hostReachable && m.c.host.errorChance < 0.5;

export function dailyRoutine(m: Minute): void {
  const { s, c, local } = m;
  const { signOn, settle } = tradingDay(s.merchant.kind);
  const at = m.startMs + s.rng.int(0, 50_000);

  if (within(signOn, local.minuteOfDay) && s.signOnDay !== local.dayNumber && !m.isDown(at)) {
    s.signOnDay = local.dayNumber;
    // Under the "not signed in" fault the operator simply does not do it.
    if (!c.operation.notSignedIn) {
      if (canReachHost(m) && !s.tamper && s.keysLoaded) {
        s.signedIn = true;
        s.lastKeyExchangeOk = true;
        m.event('SIGN_ON_OK', at);
      } else {
        s.lastKeyExchangeOk = false;
        m.event('SIGN_ON_FAIL', at);
      }
    }
    if (s.battery && s.battery.healthPct < 60 && s.battery.wornWarnedDay !== local.dayNumber) {
      s.battery.wornWarnedDay = local.dayNumber;
      m.event('BATTERY_WORN', at + 1_000);
    }
  }

  if (within(settle, local.minuteOfDay) && s.settleDay !== local.dayNumber && !m.isDown(at)) {
    s.settleDay = local.dayNumber;
    // Settlement messages are MACed with the working keys: no keys, no settlement.
    if (!c.operation.settlementOverdue && canReachHost(m) && s.keysLoaded && !s.tamper) settleBatch(m, at);
  }
}

const within = (minuteOfDay: number, minuteStart: number) => minuteOfDay >= minuteStart && minuteOfDay < minuteStart + 1;

export function settleBatch(m: Minute, atMs: number): void {
  const b = m.s.batch;
  m.event('SETTLE_OK', atMs, { count: b.count });
  b.count = 0;
  b.nearFullShown = false;
}
