/** Everything one simulated terminal remembers from one minute to the next. */
import type { DeviceMessage } from '@poscare/contracts';
import { MessageIdFactory } from '@poscare/terminal-sdk';
import type { FleetMerchant, FleetSite, FleetTerminal } from '../fleet.js';
import { Rng } from '../random.js';
import type { ReaderKind } from '../conditions.js';

export interface Counter {
  attempts: number;
  failures: number;
}

export interface PendingCommand {
  commandId: string;
  name: string;
  args: Record<string, unknown> | undefined;
}

export interface TerminalState {
  readonly terminal: FleetTerminal;
  readonly site: FleetSite;
  readonly merchant: FleetMerchant;
  readonly rng: Rng;
  readonly ids: MessageIdFactory;
  appVersion: string;
  previousAppVersion: string | null;
  osVersion: string;
  firmwareVersion: string;
  /** Versions this terminal has run, per kind: a rollback may go back only to one of them. */
  installed: { app: string[]; os: string[]; firmware: string[] };
  /** Locked by a remote command: takes no payment until unlocked. */
  locked: boolean;
  lockMessage: string | null;
  /** Parameters pushed by push_config, and the label of the set. */
  params: Record<string, unknown>;
  paramsLabel: string | null;
  /** The newest lines of the terminal's log (bounded). */
  log: string[];
  /** Null for countertop units, which run on mains. */
  battery: { pct: number; healthPct: number; cycles: number; chargedPct: number; docked: boolean; warnedBelow: number; wornWarnedDay: number } | null;
  /** Receipts left on the roll. */
  paper: { left: number; capacity: number; replaceAtMs: number | null; lowShown: boolean };
  printerJammed: boolean;
  batch: { count: number; capacity: number; nearFullShown: boolean };
  signedIn: boolean;
  keysLoaded: boolean;
  lastKeyExchangeOk: boolean;
  tamper: boolean;
  stan: number;
  bootedAtMs: number;
  appStartedAtMs: number;
  /** Until when the terminal is rebooting (no trading, no reports). */
  downUntilMs: number;
  /** A BOOT is to be logged once `downUntilMs` has passed. */
  bootPending: boolean;
  /** Switched off by an empty battery; comes back when charged. */
  off: boolean;
  /** Payments attempted in the previous minute (drives load, heat and battery drain). */
  paymentsLastMinute: number;
  recentCrashesMs: number[];
  /** Counted since the previous telemetry sample. */
  since: { reads: Record<ReaderKind, Counter>; crashes: number; anrs: number; reboots: number; txns: number };
  leakMb: number;
  storageUsedMb: number;
  clockSkewS: number;
  /** Surroundings and the inside of the case, as of this minute. */
  env: { ambientC: number; internalC: number; humidityPct: number };
  /** Messages waiting for the link to come back, oldest first, bounded like a real terminal's store. */
  outbox: DeviceMessage[];
  outboxDropped: number;
  linkUp: boolean;
  /** Local day numbers on which the daily sign-on and settlement were done. */
  signOnDay: number;
  settleDay: number;
  regularCards: string[];
  /** Problem cards this terminal is done with (approved at last, or blocked): their holder stops trying here. */
  cardsDone: string[];
  pendingCommands: PendingCommand[];
  /** Last time a repeated warning was shown, by message code, so it is not logged every minute. */
  lastShownMs: Map<string, number>;
}

export const OUTBOX_LIMIT = 20_000;

export function initialState(terminal: FleetTerminal, site: FleetSite, merchant: FleetMerchant, seed: number, startMs: number): TerminalState {
  const rng = Rng.derive(seed, 'terminal', terminal.index);
  const idRng = Rng.derive(seed, 'msgid', terminal.index);
  const paperCapacity = terminal.portable ? 200 : 300;
  const uptimeS = rng.int(3_600, 9 * 86_400);
  return {
    terminal,
    site,
    merchant,
    rng,
    ids: new MessageIdFactory(terminal.id, () => idRng.next()),
    appVersion: terminal.appVersion,
    previousAppVersion: null,
    osVersion: terminal.osVersion,
    firmwareVersion: terminal.firmwareVersion,
    installed: { app: [terminal.appVersion], os: [terminal.osVersion], firmware: [terminal.firmwareVersion] },
    locked: false,
    lockMessage: null,
    params: {},
    paramsLabel: null,
    log: [],
    battery: terminal.portable ? { pct: rng.range(60, 100), healthPct: rng.range(78, 99), cycles: rng.int(40, 700), chargedPct: 0, docked: false, warnedBelow: 101, wornWarnedDay: -1 } : null,
    paper: { left: rng.int(Math.ceil(paperCapacity * 0.3), paperCapacity), capacity: paperCapacity, replaceAtMs: null, lowShown: false },
    printerJammed: false,
    batch: { count: rng.int(0, 40), capacity: terminal.portable ? 1_000 : 2_000, nearFullShown: false },
    signedIn: true,
    keysLoaded: true,
    lastKeyExchangeOk: true,
    tamper: false,
    stan: rng.int(1, 900_000),
    bootedAtMs: startMs - uptimeS * 1000,
    appStartedAtMs: startMs - rng.int(600, uptimeS) * 1000,
    downUntilMs: 0,
    bootPending: false,
    off: false,
    paymentsLastMinute: 0,
    recentCrashesMs: [],
    since: emptySince(),
    leakMb: 0,
    storageUsedMb: terminal.storageMb * rng.range(0.3, 0.6),
    clockSkewS: rng.range(-1.5, 1.5),
    env: { ambientC: site.climate.indoorTempC, internalC: site.climate.indoorTempC + 8, humidityPct: site.climate.humidityPct },
    outbox: [],
    outboxDropped: 0,
    linkUp: true,
    signOnDay: -1,
    settleDay: -1,
    regularCards: Array.from({ length: 40 }, () => cardToken(rng)),
    cardsDone: [],
    pendingCommands: [],
    lastShownMs: new Map(),
  };
}

export function emptySince(): TerminalState['since'] {
  return { reads: { chip: { attempts: 0, failures: 0 }, contactless: { attempts: 0, failures: 0 }, magstripe: { attempts: 0, failures: 0 } }, crashes: 0, anrs: 0, reboots: 0, txns: 0 };
}

/**
 * A card token as a tokenisation service would issue it: `tok_` and 16 hex digits. Runs of 13 or more
 * decimal digits are avoided: they could pass the Luhn check, and PosCare refuses anything that looks
 * like a card number.
 */
export function cardToken(rng: Rng): string {
  for (;;) {
    const hex = rng.hex(16);
    if (!/\d{13,}/.test(hex)) return `tok_${hex}`;
  }
}
