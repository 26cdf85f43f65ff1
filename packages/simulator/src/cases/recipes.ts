/**
 * How to stage each fault for a labelled case, as data: which terminals can carry it, at what time of
 * day it shows, how long after it arrives the case is opened, which variants to cycle through and
 * what the clerk would say about it.
 */
import type { DiagnosisScope } from '@poscare/contracts';
import type { ModelSpec } from '../catalog.js';
import { FAULT_IDS, type FaultId } from '../faults/ids.js';
import type { FaultParams } from '../faults/types.js';
import type { Rng } from '../random.js';
import type { NetworkType } from './fleet.js';
import type { Symptom } from './reports.js';

/**
 * - typical: the fault at a usual severity, the case as the platform builds it.
 * - peers-healthy: the faulty terminal at a site of several terminals that are all fine.
 * - mild: a low severity; the signs are faint.
 * - no-telemetry: only the transactions and the merchant's report.
 * - telemetry-only: only the telemetry.
 * - site-wide: the fault on the whole site (its network, its power, its air): scope site.
 * - site-offline: the site's router is down and this terminal with it.
 * - survivor: the site's router is down; this terminal, on its own SIM, is fine (scope site all the same).
 * - offline-alone: this terminal went silent while its peers are online: its own problem.
 * - partial-outage: a segment of a large site (a switch, a power circuit: 3 to 9 of 8 to 24 terminals) went
 *   dark together, this terminal with it; far less than half the site, still one site problem (scope site).
 * - unplugged: a countertop unit lost its power (lead pulled, adapter dead): silent at once, no warning.
 * - first-stop: the problem card's first stop, so no history elsewhere yet.
 * - healthy / healthy-report: nothing is wrong; sometimes the merchant calls anyway.
 */
export const VARIANTS = ['typical', 'peers-healthy', 'mild', 'no-telemetry', 'telemetry-only', 'site-wide', 'site-offline', 'survivor', 'offline-alone', 'partial-outage', 'unplugged', 'first-stop', 'healthy', 'healthy-report'] as const;
export type Variant = (typeof VARIANTS)[number];

/** Local times of day, minutes after midnight (night runs past midnight). */
export const SLOTS = {
  early: [390, 510],
  morning: [540, 630],
  lunch: [710, 790],
  afternoon: [885, 1005],
  dinner: [1080, 1170],
  evening: [1200, 1290],
  night: [1410, 1650],
} as const satisfies Record<string, readonly [number, number]>;
export type Slot = keyof typeof SLOTS;

/** When the site must be trading: open from before the fault to the case, closed when it arrives, or any time. */
export type Hours = 'open' | 'closed-at-arrival' | 'any';

export interface Recipe {
  fault: FaultId | null;
  variants: readonly Variant[];
  model?: (m: ModelSpec) => boolean;
  /** Networks the case's terminal may use. */
  networks?: readonly NetworkType[];
  slots: readonly Slot[];
  hours: Hours;
  /** Minutes from the fault reaching the terminal to the case, and the latest the case may wait for the fault's sign. */
  after: readonly [number, number];
  severity?: (variant: Variant, rng: Rng) => number;
  params?: (rng: Rng) => FaultParams;
  /** What the clerk would say, the most telling first. */
  symptoms: readonly Symptom[];
}

const ALL_DAY: readonly Slot[] = ['early', 'morning', 'lunch', 'afternoon', 'dinner', 'evening', 'night'];
const TRADING: readonly Slot[] = ['morning', 'lunch', 'afternoon', 'dinner', 'evening'];
const BUSY: readonly Slot[] = ['lunch', 'dinner', 'afternoon', 'evening'];
const LAN: readonly NetworkType[] = ['wifi', 'ethernet'];

/** Ten variants per fault, in order; `perFault` beyond that cycles. */
const TERMINAL: readonly Variant[] = ['typical', 'peers-healthy', 'mild', 'no-telemetry', 'telemetry-only', 'typical', 'peers-healthy', 'mild', 'typical', 'telemetry-only'];
const BINARY: readonly Variant[] = ['typical', 'peers-healthy', 'typical', 'no-telemetry', 'telemetry-only', 'peers-healthy', 'typical', 'no-telemetry', 'typical', 'telemetry-only'];
const SITE_OR_TERMINAL: readonly Variant[] = ['typical', 'site-wide', 'mild', 'no-telemetry', 'peers-healthy', 'site-wide', 'telemetry-only', 'typical', 'site-wide', 'mild'];
const CARD: readonly Variant[] = ['typical', 'first-stop', 'typical', 'no-telemetry', 'typical', 'typical', 'first-stop', 'typical', 'no-telemetry', 'typical'];

const hasInterface = (i: string) => (m: ModelSpec) => (m.interfaces as readonly string[]).includes(i);
const portable = (m: ModelSpec) => m.portable;
const countertop = (m: ModelSpec) => !m.portable;

const RECIPES: Record<FaultId, Omit<Recipe, 'fault'>> = {
  'hw.reader.chip': { variants: TERMINAL, model: hasInterface('chip'), slots: BUSY, hours: 'open', after: [45, 150], params: (rng) => ({ rampMinutes: rng.int(45, 200) }), symptoms: ['chip_fails'] },
  'hw.reader.contactless': { variants: TERMINAL, model: hasInterface('contactless'), slots: BUSY, hours: 'open', after: [45, 150], params: (rng) => ({ rampMinutes: rng.int(45, 200) }), symptoms: ['tap_fails'] },
  // Few people swipe: wait for the busy hours and give the fault time to meet some swipes.
  'hw.reader.magstripe': { variants: TERMINAL, model: hasInterface('magstripe'), slots: ['lunch', 'dinner'], hours: 'open', after: [60, 240], params: (rng) => ({ rampMinutes: rng.int(30, 120) }), symptoms: ['swipe_fails'] },
  'hw.printer.paper_out': { variants: BINARY, model: hasInterface('printer'), slots: TRADING, hours: 'open', after: [30, 150], symptoms: ['no_receipt', 'paper'] },
  'hw.printer.jam': { variants: BINARY, model: hasInterface('printer'), slots: TRADING, hours: 'open', after: [30, 150], symptoms: ['jam', 'no_receipt'] },
  'hw.printer.fault': { variants: BINARY, model: hasInterface('printer'), slots: TRADING, hours: 'open', after: [30, 120], symptoms: ['printer_error', 'no_receipt'] },
  'hw.battery.degraded': { variants: TERMINAL, model: portable, slots: TRADING, hours: 'open', after: [60, 150], params: (rng) => ({ rampMinutes: rng.int(20, 60) }), symptoms: ['battery_short'] },
  'hw.battery.depleted': {
    variants: ['typical', 'offline-alone', 'mild', 'no-telemetry', 'telemetry-only', 'offline-alone', 'peers-healthy', 'typical', 'offline-alone', 'mild'],
    model: portable,
    slots: TRADING,
    hours: 'open',
    after: [30, 210],
    symptoms: ['battery_dead'],
  },
  'hw.power.adapter': { variants: ['typical', 'peers-healthy', 'unplugged', 'no-telemetry', 'telemetry-only', 'peers-healthy', 'unplugged', 'no-telemetry', 'typical', 'telemetry-only'], model: portable, slots: ['early', 'morning'], hours: 'closed-at-arrival', after: [30, 120], symptoms: ['not_charging'] },
  'env.temperature': { variants: SITE_OR_TERMINAL, slots: ['lunch', 'afternoon', 'dinner'], hours: 'any', after: [40, 150], symptoms: ['hot', 'restarts'] },
  'env.humidity': { variants: SITE_OR_TERMINAL, slots: ALL_DAY, hours: 'any', after: [30, 150], symptoms: ['damp'] },
  'env.power.unstable': { variants: SITE_OR_TERMINAL, model: countertop, slots: ALL_DAY, hours: 'any', after: [30, 150], symptoms: ['restarts'] },
  'net.signal.weak': { variants: SITE_OR_TERMINAL, networks: ['wifi', 'cellular'], slots: TRADING, hours: 'open', after: [30, 150], symptoms: ['low_bars', 'timeouts'] },
  'net.site.outage': {
    variants: ['site-offline', 'survivor', 'partial-outage', 'no-telemetry', 'site-offline', 'survivor', 'partial-outage', 'survivor', 'partial-outage', 'no-telemetry'],
    networks: LAN,
    slots: ALL_DAY,
    hours: 'any',
    after: [20, 120],
    symptoms: ['offline_all'],
  },
  'net.dns': { variants: SITE_OR_TERMINAL, networks: LAN, slots: TRADING, hours: 'any', after: [30, 150], symptoms: ['cannot_connect'] },
  'net.firewall': { variants: SITE_OR_TERMINAL, networks: LAN, slots: TRADING, hours: 'any', after: [30, 150], symptoms: ['cannot_connect'] },
  'net.latency': { variants: SITE_OR_TERMINAL, networks: LAN, slots: TRADING, hours: 'any', after: [30, 150], symptoms: ['slow', 'timeouts'] },
  'net.sim': {
    variants: ['offline-alone', 'mild', 'offline-alone', 'no-telemetry', 'mild', 'offline-alone', 'telemetry-only', 'peers-healthy', 'offline-alone', 'mild'],
    networks: ['cellular'],
    model: portable,
    slots: ALL_DAY,
    hours: 'any',
    after: [30, 150],
    severity: (v, rng) => (v === 'mild' || v === 'telemetry-only' ? rng.range(0.15, 0.45) : rng.range(0.55, 1)),
    symptoms: ['no_network'],
  },
  'net.ip_conflict': { variants: SITE_OR_TERMINAL, networks: LAN, slots: ALL_DAY, hours: 'any', after: [30, 150], symptoms: ['drops'] },
  'sw.app.crash': { variants: TERMINAL, slots: ALL_DAY, hours: 'any', after: [30, 150], symptoms: ['app_crash'] },
  'sw.update.regression': {
    variants: ['typical', 'mild', 'typical', 'no-telemetry', 'typical', 'mild', 'typical', 'no-telemetry', 'mild', 'typical'],
    slots: TRADING,
    hours: 'open',
    after: [30, 150],
    params: (rng) => ({ rolloutMinutes: rng.int(20, 90) }),
    symptoms: ['after_update', 'app_crash'],
  },
  'sw.keys.missing': { variants: BINARY, slots: TRADING, hours: 'any', after: [30, 150], symptoms: ['keys_hint', 'all_fail'] },
  'sw.clock.skew': { variants: TERMINAL, slots: ALL_DAY, hours: 'any', after: [30, 150], symptoms: ['wrong_time'] },
  'sw.storage.full': { variants: TERMINAL, slots: ALL_DAY, hours: 'any', after: [30, 150], symptoms: ['sluggish'] },
  'ext.host.outage': {
    variants: ['typical', 'mild', 'typical', 'no-telemetry', 'peers-healthy', 'mild', 'typical', 'no-telemetry', 'typical', 'mild'],
    slots: TRADING,
    hours: 'open',
    after: [20, 120],
    symptoms: ['host_errors', 'timeouts'],
  },
  'ext.card.expired': { variants: CARD, model: hasInterface('chip'), slots: TRADING, hours: 'open', after: [3, 45], symptoms: ['card_declined_one'] },
  'ext.card.damaged': { variants: CARD, model: (m) => hasInterface('chip')(m) && hasInterface('magstripe')(m), slots: TRADING, hours: 'open', after: [3, 45], symptoms: ['card_unreadable_one'] },
  'ext.issuer.decline': { variants: CARD, model: hasInterface('chip'), slots: TRADING, hours: 'open', after: [3, 45], symptoms: ['card_declined_one'] },
  'op.pin.wrong': { variants: CARD, model: hasInterface('chip'), slots: TRADING, hours: 'open', after: [3, 45], symptoms: ['card_pin'] },
  'op.not_signed_in': { variants: BINARY, slots: TRADING, hours: 'open', after: [30, 150], symptoms: ['sign_on', 'all_fail'] },
  'op.settlement.overdue': { variants: BINARY, slots: TRADING, hours: 'open', after: [30, 180], symptoms: ['settle'] },
  'sec.tamper': { variants: BINARY, slots: ALL_DAY, hours: 'any', after: [30, 150], symptoms: ['security', 'all_fail'] },
};

export const HEALTHY_RECIPE: Recipe = {
  fault: null,
  variants: ['healthy', 'healthy-report'],
  slots: ALL_DAY,
  hours: 'any',
  after: [0, 0],
  symptoms: ['false_alarm'],
};

export function recipeFor(fault: FaultId | null): Recipe {
  return fault === null ? HEALTHY_RECIPE : { fault, ...RECIPES[fault] };
}

export const ALL_RECIPES: readonly Recipe[] = FAULT_IDS.map((f) => recipeFor(f));

const CARD_FAULTS: ReadonlySet<FaultId> = new Set(['ext.card.expired', 'ext.card.damaged', 'ext.issuer.decline', 'op.pin.wrong']);
export const isCardFault = (f: FaultId | null): boolean => f !== null && CARD_FAULTS.has(f);

/** The scope the diagnosis should name. */
export function labelScope(fault: FaultId | null, variant: Variant): DiagnosisScope {
  if (fault === null) return 'terminal';
  if (isCardFault(fault)) return 'card';
  if (fault === 'net.site.outage' || variant === 'site-wide') return 'site';
  if (fault === 'sw.update.regression') return 'fleet';
  if (fault === 'ext.host.outage') return 'host';
  return 'terminal';
}

export function severityFor(recipe: Recipe, variant: Variant, rng: Rng): number {
  if (recipe.severity) return round2(recipe.severity(variant, rng));
  return round2(variant === 'mild' ? rng.range(0.25, 0.45) : rng.range(0.6, 1));
}

const round2 = (v: number) => Math.round(v * 100) / 100;
