/**
 * The conditions a terminal works under during one minute. Everything starts healthy; each active
 * fault pushes some values away from healthy, and the terminal model turns them into what a real
 * terminal would show: failed reads, timeouts, warnings, odd telemetry. Faults never write messages
 * about themselves directly except where a real terminal would log the moment (an update, a tamper).
 */
export type ReaderKind = 'chip' | 'contactless' | 'magstripe';

/** Why a payment could not reach the host; picks the message the terminal shows and the wait. */
export type CommFailure = 'no_network' | 'dns' | 'firewall' | 'weak_signal' | 'latency' | 'sim';

export type CardProblem = 'expired' | 'damaged' | 'declined' | 'wrong_pin';

/** A specific card presented at this terminal this minute (a card-scoped fault). */
export interface CardPresentation {
  atMs: number;
  cardToken: string;
  problem: CardProblem;
  /** Which try of this card this is, from 1, counted across all terminals (the issuer counts PIN tries so). */
  attempt: number;
}

export interface Conditions {
  readFailure: Record<ReaderKind, number>;
  printer: { jam: boolean; fault: boolean; paperNotReplaced: boolean };
  power: {
    /** The terminal is never put on its charger (or the charger is dead). */
    noCharging: boolean;
    /** The charger is connected but the battery does not charge. */
    adapterFault: boolean;
    drainFactor: number;
    mainsUnstable: boolean;
    /** No power reaches the terminal: a countertop unit is off, a hand-held runs on its battery until it is flat. */
    unplugged: boolean;
  };
  /** Degrees added to the surroundings (sun, kitchen) and, separately, inside the case. */
  heat: { ambientC: number; internalC: number };
  humidityPct: number | null;
  network: {
    /** No link at all: nothing leaves the terminal. */
    linkDown: boolean;
    /** Chance the link drops for a whole minute. */
    dropChance: number;
    signalDb: number;
    latencyMs: number;
    lossPct: number;
    dnsOk: boolean;
    hostReachable: boolean;
    ipConflict: boolean;
    simState: 'ready' | 'absent' | 'locked' | 'no_data_plan';
    /** Chance a payment's request never reaches the host, and why. */
    comm: { chance: number; reason: CommFailure };
  };
  host: { errorChance: number };
  app: { crashesPerMinute: number; anrsPerMinute: number; txnErrorChance: number; leakMbPerMinute: number; cpuPct: number };
  operation: { notSignedIn: boolean; settlementOverdue: boolean };
  security: { tamper: boolean; keysMissing: boolean };
  clockSkewS: number | null;
  storageFull: boolean;
  keypadStuck: number;
  /** Share of the usual customers who still try to pay here (merchants give up on a broken terminal). */
  attemptFactor: number;
  cards: CardPresentation[];
}

export function healthyConditions(): Conditions {
  return {
    readFailure: { chip: 0.008, contactless: 0.015, magstripe: 0.025 },
    printer: { jam: false, fault: false, paperNotReplaced: false },
    power: { noCharging: false, adapterFault: false, drainFactor: 1, mainsUnstable: false, unplugged: false },
    heat: { ambientC: 0, internalC: 0 },
    humidityPct: null,
    network: {
      linkDown: false,
      dropChance: 0,
      signalDb: 0,
      latencyMs: 0,
      lossPct: 0,
      dnsOk: true,
      hostReachable: true,
      ipConflict: false,
      simState: 'ready',
      comm: { chance: 0.002, reason: 'latency' },
    },
    host: { errorChance: 0 },
    app: { crashesPerMinute: 1 / (5 * 24 * 60), anrsPerMinute: 1 / (2 * 24 * 60), txnErrorChance: 0.001, leakMbPerMinute: 0, cpuPct: 0 },
    operation: { notSignedIn: false, settlementOverdue: false },
    security: { tamper: false, keysMissing: false },
    clockSkewS: null,
    storageFull: false,
    keypadStuck: 0,
    attemptFactor: 1,
    cards: [],
  };
}

/** Raises a communication failure chance, keeping the reason of the stronger cause. */
export function addCommFailure(c: Conditions, chance: number, reason: CommFailure): void {
  const comm = c.network.comm;
  if (chance > comm.chance) c.network.comm = { chance, reason };
}
