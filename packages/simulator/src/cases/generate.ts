/**
 * Labelled diagnosis cases from the simulator: for each fault, a small fleet is run from a few hours
 * before the fault until a while after it reached a terminal, and the case for that terminal is built
 * as the platform would build it then. The label is the injected fault and the scope a correct
 * diagnosis names. Deterministic: case `i` of a fault depends only on the seed, the fault and `i`.
 */
import type { DiagnosisCaseInput, DiagnosisScope } from '@poscare/contracts';
import { APP_VERSIONS, MERCHANT_KINDS, type MerchantKind } from '../catalog.js';
import { isOpen, localTime } from '../curves.js';
import type { Fleet, FleetTerminal, Language } from '../fleet.js';
import { FAULT_IDS, type FaultId } from '../faults/ids.js';
import type { FaultInjection, FaultScope, ScopeKind } from '../faults/types.js';
import { hashSeed, Rng } from '../random.js';
import { Simulator } from '../simulator.js';
import { buildCase, isoAt, MessageLog, type InventoryNote } from './build.js';
import { EVIDENCE } from './evidence.js';
import { pickConnectivity, pickModel, pickVersion, shapeFleet, supportsNetwork, type CaseFleetSpec, type NetworkType } from './fleet.js';
import { isCardFault, labelScope, recipeFor, severityFor, SLOTS, type Recipe, type Slot, type Variant } from './recipes.js';
import { merchantReport } from './reports.js';

export interface CaseLabel {
  /** The injected fault's taxonomy code; null for a healthy terminal (no cause, or only low-confidence ones). */
  code: string | null;
  scope: DiagnosisScope;
}

export interface CaseMeta {
  fault: FaultId | null;
  severity: number;
  variant: Variant;
  seed: number;
  /** Which case of this fault (0, 1, …). */
  index: number;
  /** How the fault was injected. */
  injectedScope: ScopeKind | null;
  /** When the fault reached the case's terminal (or, for a terminal it spared, its site); null when healthy. */
  reachedAt: string | null;
  /** Whether the simulator's ground truth has the fault on the case's terminal itself. */
  terminalAffected: boolean;
  /** The problem card, for card faults. */
  cardToken?: string;
  /** Whether the fault's sign made it into the case (see evidence.ts); false only when a case could not get it. */
  evidence: boolean;
}

export interface LabelledCase {
  case: DiagnosisCaseInput;
  label: CaseLabel;
  meta: CaseMeta;
}

export interface LabelledCasesOptions {
  seed?: number;
  /** Cases per fault (default 10); the healthy cases number the same. */
  perFault?: number;
  /** Only these faults (null = healthy terminals). Default: every fault and the healthy ones. */
  faults?: readonly (FaultId | null)[];
}

export const DEFAULT_SEED = 20_260_303;

export function labelledCases(opts: LabelledCasesOptions = {}): LabelledCase[] {
  const seed = opts.seed ?? DEFAULT_SEED;
  const perFault = opts.perFault ?? 10;
  const faults = opts.faults ?? [...FAULT_IDS, null];
  const out: LabelledCase[] = [];
  for (const fault of faults) for (let i = 0; i < perFault; i++) out.push(labelledCase(seed, fault, i));
  return out;
}

const MINUTE = 60_000;
/** Local midnight starting Tuesday 3 March 2026, China Standard Time; cases fall on the two weeks after. */
const FIRST_DAY_MS = Date.UTC(2026, 2, 2, 16);
const LOCAL_OFFSET_MIN = 480;
/** Hours simulated before the case's moment: the case's two-hour window and the baseline before it. */
const RUN_HOURS = 3.5;
const ATTEMPTS = 4;

/** Case `index` of `fault` (null: a healthy terminal). */
export function labelledCase(seed: number, fault: FaultId | null, index: number): LabelledCase {
  const recipe = recipeFor(fault);
  const variant = recipe.variants[index % recipe.variants.length]!;
  let made: LabelledCase | null = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    made = stage(seed, recipe, variant, index, attempt);
    if (made.meta.evidence) return made;
  }
  return made!;
}

interface Staging {
  rng: Rng;
  seed: number;
  recipe: Recipe;
  variant: Variant;
  index: number;
  id: string;
  language: Language;
  severity: number;
  plannedNowMs: number;
  afterMin: number;
  kind: MerchantKind;
  openKinds: MerchantKind[];
}

function stage(seed: number, recipe: Recipe, variant: Variant, index: number, attempt: number): LabelledCase {
  const faultName = recipe.fault ?? 'healthy';
  const rng = Rng.derive(seed, 'case', faultName, index, attempt);
  // A third of the cases in English; Chinese otherwise.
  const language: Language = index % 3 === 2 ? 'en-US' : 'zh-CN';
  const severity = recipe.fault === null ? 0 : severityFor(recipe, variant, rng);
  const [minAfter, maxAfter] = recipe.after;
  const afterMin = rng.int(minAfter, Math.max(minAfter, Math.min(maxAfter, minAfter + 60)));

  // A time of day the fault can show at, and a kind of shop that fits it.
  let slot: Slot = rng.pick(recipe.slots);
  let plannedNowMs = 0;
  let kinds: MerchantKind[] = [];
  for (let tries = 0; tries < 8 && kinds.length === 0; tries++) {
    if (tries > 0) slot = rng.pick(recipe.slots);
    const [from, to] = SLOTS[slot];
    plannedNowMs = FIRST_DAY_MS + rng.int(0, 13) * 86_400_000 + rng.int(from, to) * MINUTE;
    kinds = kindsFor(recipe, plannedNowMs, plannedNowMs - afterMin * MINUTE);
  }
  if (kinds.length === 0) kinds = ['convenience'];
  const openKinds = MERCHANT_KINDS.map((k) => k.kind).filter((k) => isOpen(k, local(plannedNowMs)) && isOpen(k, local(plannedNowMs - 150 * MINUTE)));
  const s: Staging = {
    rng,
    seed,
    recipe,
    variant,
    index,
    id: `sim-${seed}-${faultName}-${String(index + 1).padStart(2, '0')}`,
    language,
    severity,
    plannedNowMs,
    afterMin,
    kind: rng.pick(kinds),
    openKinds: openKinds.length ? openKinds : ['convenience', 'fuel'],
  };
  return run(s, hashSeed(seed, faultName, index, attempt));
}

const local = (ms: number) => localTime(ms, LOCAL_OFFSET_MIN);

function kindsFor(recipe: Recipe, nowMs: number, arrivalMs: number): MerchantKind[] {
  const all = MERCHANT_KINDS.map((k) => k.kind);
  switch (recipe.hours) {
    case 'any':
      return all;
    case 'open':
      // Open from a little before the fault to the case (shop hours are one stretch a day).
      return all.filter((k) => isOpen(k, local(arrivalMs - 30 * MINUTE)) && isOpen(k, local(nowMs)) && isOpen(k, local((arrivalMs + nowMs) / 2)));
    case 'closed-at-arrival':
      // On the charging base overnight: the shop is closed, or it is the dead of night at an all-night one.
      return all.filter((k) => !isOpen(k, local(arrivalMs)));
  }
}

/** Where the case's terminal stands and which one it is. */
function fleetSpec(s: Staging, fleetSeed: number, runStartMs: number): CaseFleetSpec {
  const { rng, recipe, variant } = s;
  const fault = recipe.fault;
  let networks: readonly NetworkType[] = recipe.networks ?? ['wifi', 'ethernet', 'cellular'];
  if (variant === 'survivor') networks = ['cellular'];
  if (variant === 'site-wide' && (fault === 'net.dns' || fault === 'net.firewall' || fault === 'net.latency' || fault === 'net.ip_conflict')) networks = ['wifi', 'ethernet'];
  if (fault === 'net.site.outage' && variant !== 'survivor') networks = ['wifi', 'ethernet'];
  // An unplugged unit is a countertop one: a hand-held rides on its battery (that is hw.battery.depleted).
  const fits = variant === 'unplugged' ? (m: Parameters<NonNullable<Recipe['model']>>[0]) => !m.portable : (recipe.model ?? (() => true));
  const model = pickModel(rng, (m) => fits(m) && supportsNetwork(m, networks));
  const connectivity = pickConnectivity(rng, model, networks);
  const wholeSite = variant === 'site-wide' || fault === 'net.site.outage';
  const siteSize =
    variant === 'partial-outage' ? rng.int(8, 24) : wholeSite || variant === 'peers-healthy' ? rng.int(3, 5) : rng.weighted([[1, 0.3], [2, 0.35], [3, 0.25], [4, 0.1]] as const);
  const lanFault = fault === 'net.site.outage' || (variant === 'site-wide' && (fault === 'net.dns' || fault === 'net.firewall' || fault === 'net.latency' || fault === 'net.ip_conflict'));
  const hostId = rng.weighted([['cup-east', 0.5], ['acq-north', 0.3], ['acq-south', 0.2]] as const);
  return {
    seed: fleetSeed,
    startAt: new Date(runStartMs),
    language: s.language,
    kind: s.kind,
    hostId,
    target: { model, connectivity, appVersion: pickVersion(rng) },
    siteSize,
    ...(variant === 'partial-outage' ? { minLanPeers: 6 } : lanFault ? { minLanPeers: 2 } : {}),
    ...(variant === 'site-wide' && fault === 'net.signal.weak' ? { peerNetworks: ['wifi', 'cellular'] as const } : {}),
    otherKinds: s.openKinds,
    otherSites: fault === 'sw.update.regression' ? 5 : 4,
    terminalsPerOtherSite: [2, 3],
  };
}

function run(s: Staging, fleetSeed: number): LabelledCase {
  const { rng, recipe, variant } = s;
  const fault = recipe.fault;
  const card = isCardFault(fault);
  const previousStops = card && variant !== 'first-stop' ? rng.int(1, 2) : 0;
  // Card faults start earlier: the card visits other shops before it reaches this one.
  const cardLead = card ? previousStops * 90 + 15 : 0;
  const runStartMs = alignMinute(s.plannedNowMs - RUN_HOURS * 3_600_000 - cardLead * MINUTE);
  const spec = fleetSpec(s, fleetSeed, runStartMs);
  const { fleet, target: chosen } = shapeFleet(rng, spec);
  const sim = new Simulator(fleet);

  const arrivalMs = alignMinute(s.plannedNowMs - s.afterMin * MINUTE);
  let target = chosen;
  let injectionId: string | null = null;
  let injection: FaultInjection | null = null;
  if (fault) {
    injection = injectionFor(s, fleet, chosen, arrivalMs, previousStops, rng);
    injectionId = sim.inject(injection);
  }

  // When the fault reached the case's terminal (or its site, for a terminal the fault spared).
  const windows = injectionId ? sim.affectedWindows(injectionId) : [];
  const mine = windows.find((w) => w.terminalId === target.id);
  if (fault && !mine && variant !== 'survivor') {
    // A segment-wide fault may skip the chosen terminal: take one it reaches, at the same site if possible.
    const reached = windows.map((w) => fleet.terminals.find((t) => t.id === w.terminalId)!);
    target = reached.find((t) => t.siteId === chosen.siteId) ?? reached[0]!;
  }
  const site = new Set(fleet.terminals.filter((t) => t.siteId === target.siteId).map((t) => t.id));
  const log = new MessageLog((id) => site.has(id));
  const reach = windows.find((w) => w.terminalId === target.id) ?? windows[0];
  const reachMs = reach ? reach.from.getTime() : s.plannedNowMs;
  let nowMs = alignMinute(fault ? reachMs + s.afterMin * MINUTE : s.plannedNowMs);
  const latestMs = reachMs + recipe.after[1] * MINUTE;

  const inventory = new Map<string, InventoryNote>();
  const older = APP_VERSIONS.map(([v]) => v).filter((v) => v < target.appVersion);
  // Some terminals were updated days ago: an update that did no harm, for the version figures to see through.
  if (fault !== 'sw.update.regression' && older.length && rng.chance(0.25)) inventory.set(target.id, { previousAppVersion: rng.pick(older), updatedAtMs: runStartMs - rng.int(2, 20) * 86_400_000 });

  const evidence = EVIDENCE[fault ?? 'healthy'];
  const build = (at: number, cardToken: string | undefined) => buildCase({ id: s.id, nowMs: at, fleet, terminal: target, log, lang: s.language, runStartMs, inventory, ...(cardToken ? { cardToken } : {}) });
  const problemCard = () => (card && injectionId ? sim.groundTruth().find((g) => g.injectionId === injectionId && g.cardToken)?.cardToken : undefined);

  sim.stepInto(new Date(nowMs), log.add);
  let built = build(nowMs, problemCard());
  let shown = evidence.shows(built, variant);
  // The merchant calls once they see something: wait for the sign, up to the recipe's limit.
  while (!shown && nowMs + 15 * MINUTE <= latestMs) {
    nowMs += 15 * MINUTE;
    sim.stepInto(new Date(nowMs), log.add);
    built = build(nowMs, problemCard());
    shown = evidence.shows(built, variant);
  }
  // Not a card fault: the platform sometimes attaches the fleet-wide history of the last card that failed here.
  if (!card && rng.chance(0.3)) {
    const last = [...(built.transactions ?? [])].reverse().find((x) => x.outcome !== 'approved' && x.cardToken);
    if (last?.cardToken) built = build(nowMs, last.cardToken);
  }

  const truth = injectionId ? sim.groundTruth().filter((g) => g.injectionId === injectionId) : [];
  const token = truth.find((g) => g.cardToken)?.cardToken;
  const finished = finish(s, built, nowMs, reachMs);
  return {
    case: finished,
    label: { code: fault, scope: labelScope(fault, variant) },
    meta: {
      fault,
      severity: s.severity,
      variant,
      seed: s.seed,
      index: s.index,
      injectedScope: injection?.scope.kind ?? null,
      reachedAt: fault ? isoAt(reachMs, LOCAL_OFFSET_MIN) : null,
      terminalAffected: truth.some((g) => g.terminalId === target.id),
      ...(token ? { cardToken: token } : {}),
      evidence: shown,
    },
  };
}

const alignMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

function injectionFor(s: Staging, fleet: Fleet, target: FleetTerminal, arrivalMs: number, previousStops: number, rng: Rng): FaultInjection {
  const fault = s.recipe.fault!;
  const base = { fault, startAt: new Date(arrivalMs), severity: s.severity, ...(s.recipe.params ? { params: s.recipe.params(rng) } : {}) };
  let scope: FaultScope = { kind: 'terminal', terminalId: target.id };
  if (s.variant === 'unplugged') return { ...base, scope, params: { ...base.params, unplugged: true } };
  if (s.variant === 'partial-outage') {
    // One switch or one power circuit: this terminal and 2 to 8 others on the site's LAN.
    const lan = rng.shuffle(fleet.terminals.filter((t) => t.siteId === target.siteId && t.id !== target.id && t.networkType !== 'cellular'));
    const segment = lan.slice(0, rng.int(2, Math.min(8, lan.length)));
    return { ...base, scope: { kind: 'site', siteId: target.siteId, terminalIds: [target.id, ...segment.map((t) => t.id)] } };
  }
  if (s.variant === 'site-wide' || fault === 'net.site.outage') scope = { kind: 'site', siteId: target.siteId };
  else if (fault === 'ext.host.outage') scope = { kind: 'host', hostId: target.hostId };
  else if (fault === 'sw.update.regression') {
    // Rolled out to the terminal's model, or to everything on its version; the install times spread out.
    scope = rng.chance(0.5) ? { kind: 'fleet', model: target.model } : { kind: 'fleet', appVersion: target.appVersion };
    const rollout = base.params?.rolloutMinutes ?? 60;
    return { ...base, scope, startAt: new Date(arrivalMs - Math.round(rollout / 2) * MINUTE) };
  } else if (isCardFault(fault)) {
    const stops = rng.shuffle(fleet.terminals.filter((t) => t.siteId !== target.siteId && t.interfaces.includes('chip')));
    const sites = new Set<string>();
    const visited: string[] = [];
    for (const t of stops) {
      if (visited.length >= previousStops) break;
      if (sites.has(t.siteId)) continue;
      sites.add(t.siteId);
      visited.push(t.id);
    }
    scope = { kind: 'card', terminalIds: [...visited, target.id] };
    return { ...base, scope, startAt: new Date(arrivalMs - (previousStops * 90 + 5) * MINUTE) };
  }
  return { ...base, scope };
}

/** What the platform hands the engine: the built case, cut down for the variant, with the merchant's words. */
function finish(s: Staging, built: DiagnosisCaseInput, nowMs: number, reachMs: number): DiagnosisCaseInput {
  const { rng, recipe, variant } = s;
  let text: string | null = null;
  if (variant === 'healthy-report') text = merchantReport(rng, { language: s.language, symptoms: recipe.symptoms, vague: rng.chance(0.5) });
  // With nothing else to go on, the clerk's words are the telling ones.
  else if (variant === 'no-telemetry') text = merchantReport(rng, { language: s.language, symptoms: symptomsFor(s), telling: true });
  else if (variant !== 'telemetry-only' && variant !== 'healthy' && rng.chance(0.5)) {
    text = merchantReport(rng, { language: s.language, symptoms: symptomsFor(s), vague: rng.chance(0.2), many: variant === 'site-wide' && rng.chance(0.6) });
  }
  // Said after the trouble began (a healthy terminal's caller any time in the last 20 minutes).
  const sinceMin = recipe.fault === null ? 20 : Math.max(0, Math.min(20, Math.floor((nowMs - reachMs) / MINUTE) - 1));
  const report = text ? { text, source: rng.chance(0.85) ? ('merchant' as const) : ('agent' as const), at: isoAt(nowMs - rng.int(0, sinceMin) * MINUTE, LOCAL_OFFSET_MIN) } : undefined;

  const c: DiagnosisCaseInput = { ...built };
  if (report) c.report = report;
  if (variant === 'no-telemetry') return pick(c, ['report', 'transactions']);
  if (variant === 'telemetry-only') return pick(c, ['telemetry']);
  return c;
}

function symptomsFor(s: Staging): Recipe['symptoms'] {
  if (s.recipe.fault === 'net.site.outage' && s.variant === 'survivor') return ['others_offline'];
  if (s.variant === 'unplugged') return ['went_dark'];
  return s.recipe.symptoms;
}

function pick(c: DiagnosisCaseInput, keep: readonly ('report' | 'transactions' | 'telemetry')[]): DiagnosisCaseInput {
  const out: DiagnosisCaseInput = { schema: c.schema, id: c.id, now: c.now, lang: c.lang, terminal: c.terminal };
  for (const k of keep) if (c[k] !== undefined) Object.assign(out, { [k]: c[k] });
  return out;
}
