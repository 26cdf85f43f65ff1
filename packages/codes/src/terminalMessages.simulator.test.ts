/**
 * Every message the simulator's terminals show (packages/simulator/src/terminalMessages.ts) must be
 * recognised as the right catalogue entry, in both languages. Read by relative path rather than as
 * a package import, so @poscare/codes does not depend on @poscare/simulator.
 */
import { describe, expect, it } from 'vitest';
import { renderEvent, TERMINAL_MESSAGES, type MessageCode } from '../../simulator/src/terminalMessages.js';
import { matchTerminalMessage } from './terminalMessages.js';

const EXPECTED: Record<MessageCode, string> = {
  CHIP_READ_FAIL: 'reader.chip.read_error',
  CTLS_READ_FAIL: 'reader.contactless.error',
  MSR_READ_FAIL: 'reader.magstripe.error',
  FALLBACK: 'reader.fallback',
  PAPER_LOW: 'printer.paper_low',
  PAPER_OUT: 'printer.paper_out',
  PAPER_REPLACED: 'printer.paper_replaced',
  PRINTER_JAM: 'printer.jam',
  PRINTER_FAULT: 'printer.fault',
  PRINTER_OVERHEAT: 'printer.overheat',
  LOW_BATTERY: 'battery.low',
  BATTERY_EMPTY: 'battery.empty',
  BATTERY_WORN: 'battery.health',
  NOT_CHARGING: 'power.not_charging',
  POWER_UNSTABLE: 'power.unstable',
  BOOT: 'system.boot',
  REBOOT: 'system.boot',
  TEMP_HIGH: 'env.temperature',
  MOISTURE: 'env.moisture',
  NO_NETWORK: 'net.no_network',
  COMM_ERROR: 'net.comm_error',
  DNS_FAIL: 'net.dns',
  HOST_CONNECT_FAIL: 'net.host_connect',
  TXN_TIMEOUT: 'txn.timeout',
  WEAK_SIGNAL: 'net.weak_signal',
  SIM_ERROR: 'net.sim',
  IP_CONFLICT: 'net.ip_conflict',
  HOST_91: 'host.unavailable',
  HOST_96: 'host.system_malfunction',
  APP_CRASH: 'app.crash',
  APP_ANR: 'app.not_responding',
  TXN_ERROR: 'txn.error',
  UPDATE: 'app.updated',
  SIGN_ON_OK: 'session.sign_on_ok',
  NOT_SIGNED_IN: 'session.not_signed_in',
  SIGN_ON_FAIL: 'session.sign_on_failed',
  SETTLE_OK: 'batch.settle_ok',
  BATCH_NEAR_FULL: 'batch.near_full',
  BATCH_FULL: 'batch.full',
  TAMPER: 'security.tamper',
  KEYS_MISSING: 'keys.error',
  CLOCK_WRONG: 'clock.wrong',
  STORAGE_FULL: 'storage.full',
};

const VARS = { pct: 12, temp: 55, version: '3.2.0', count: 42 };
const codes = Object.keys(TERMINAL_MESSAGES) as MessageCode[];

describe('the simulator’s terminal messages', () => {
  it('each have an expected catalogue entry in this test (a new simulator message must be added here)', () => {
    expect(codes.filter((c) => !(c in EXPECTED))).toEqual([]);
  });

  for (const code of codes) {
    for (const lang of ['zh-CN', 'en-US'] as const) {
      const event = renderEvent(code, lang, VARS);
      it(`${code} in ${lang} ("${event.message}") is recognised as ${EXPECTED[code]}`, () => {
        expect(matchTerminalMessage(event.message)[0]?.id).toBe(EXPECTED[code]);
      });
    }
  }

  it('recognises informational messages as good news or markers, with no fault hint', () => {
    const expectations: [MessageCode, string, string[]][] = [
      ['PAPER_REPLACED', 'info', ['hw.printer.paper_out']],
      ['SIGN_ON_OK', 'info', ['op.not_signed_in']],
      ['SETTLE_OK', 'info', ['op.settlement.overdue']],
      ['BOOT', 'boot', []],
      ['UPDATE', 'update', []],
    ];
    for (const [code, kind, clears] of expectations) {
      for (const lang of ['zh-CN', 'en-US'] as const) {
        const m = matchTerminalMessage(renderEvent(code, lang, VARS).message)[0];
        expect(m?.kind, `${code} ${lang}`).toBe(kind);
        expect(m?.hints, `${code} ${lang}`).toEqual([]);
        expect(m?.clears, `${code} ${lang}`).toEqual(expect.arrayContaining(clears));
      }
    }
    expect(matchTerminalMessage(renderEvent('UPDATE', 'en-US', VARS).message)[0]?.values).toEqual({ version: '3.2.0' });
  });
});
