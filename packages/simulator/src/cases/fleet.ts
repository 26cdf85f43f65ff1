/**
 * The small fleet a labelled case is simulated in: the case's site (the terminal in question and its
 * peers) and a handful of other sites, most of them on the same acquirer host and sharing the
 * terminal's model and app version, so that site, version and host figures mean something. Built
 * directly rather than with createFleet, so that a case can ask for exactly the shape it needs.
 */
import { ACQUIRER_HOSTS, APP_VERSIONS, CITIES, DEFAULT_UTC_OFFSET_MINUTES, MERCHANT_KINDS, MODELS, type Connectivity, type MerchantKind, type ModelSpec } from '../catalog.js';
import type { Fleet, FleetMerchant, FleetSite, FleetTerminal, Language } from '../fleet.js';
import type { Rng } from '../random.js';

export type NetworkType = FleetTerminal['networkType'];

export const networkOf = (c: Connectivity): NetworkType => (c === 'ethernet' ? 'ethernet' : c === 'wifi' ? 'wifi' : 'cellular');

export interface TerminalShape {
  model: ModelSpec;
  connectivity: Connectivity;
  appVersion: string;
}

export interface CaseFleetSpec {
  /** Seeds the terminals' own random streams: unique per case. */
  seed: number;
  startAt: Date;
  language: Language;
  kind: MerchantKind;
  hostId: string;
  target: TerminalShape;
  /** Terminals at the case's site, the case's terminal included. */
  siteSize: number;
  /** Networks the peers at the case's site may use (default: whatever their model offers). */
  peerNetworks?: readonly NetworkType[];
  /** At least this many peers on the site's own network (wired or Wi-Fi), e.g. for a router failure. */
  minLanPeers?: number;
  /** Kinds the other sites may be: ones that are open when the case happens. */
  otherKinds: readonly MerchantKind[];
  /** Other sites, and terminals at each. */
  otherSites: number;
  terminalsPerOtherSite: readonly [number, number];
}

export interface CaseFleet {
  fleet: Fleet;
  target: FleetTerminal;
  site: FleetSite;
}

export function shapeFleet(rng: Rng, spec: CaseFleetSpec): CaseFleet {
  const merchants: FleetMerchant[] = [];
  const sites: FleetSite[] = [];
  const terminals: FleetTerminal[] = [];
  const addMerchant = (kind: MerchantKind, language: Language, hostId: string): FleetSite => {
    const kindSpec = MERCHANT_KINDS.find((k) => k.kind === kind)!;
    const base = rng.pick(kindSpec.names);
    const n = merchants.length + 1;
    const merchant: FleetMerchant = {
      id: rng.uuid(),
      mid: `89831005812${String(n).padStart(4, '0')}`,
      name: language === 'zh-CN' ? base.zh : base.en,
      kind,
      tier: rng.weighted([['standard', 0.6], ['gold', 0.3], ['platinum', 0.1]] as const),
      language,
      hostId,
    };
    merchants.push(merchant);
    const city = rng.pick(CITIES);
    const site: FleetSite = {
      id: rng.uuid(),
      merchantId: merchant.id,
      code: `S${String(n).padStart(3, '0')}-01`,
      name: `${merchant.name} ${language === 'zh-CN' ? `${city.zh}1号店` : `${city.en} #1`}`,
      city: language === 'zh-CN' ? city.zh : city.en,
      region: city.en,
      utcOffsetMinutes: DEFAULT_UTC_OFFSET_MINUTES,
      lanPrefix: `192.168.${rng.int(0, 254)}`,
      volumeFactor: Math.min(1.8, Math.max(0.7, Math.exp(rng.normal(0.1, 0.25)))),
      climate: { indoorTempC: city.indoorTempC + rng.range(-1.5, 1.5), swingC: city.swingC * rng.range(0.7, 1.3), humidityPct: Math.min(80, Math.max(30, city.humidityPct + rng.range(-8, 8))) },
    };
    sites.push(site);
    return site;
  };
  const addTerminal = (site: FleetSite, shape: TerminalShape): FleetTerminal => {
    const merchant = merchants.find((m) => m.id === site.merchantId)!;
    const t: FleetTerminal = {
      id: rng.uuid(),
      index: terminals.length,
      serialNumber: `${shape.model.vendor.slice(0, 2).toUpperCase()}${shape.model.model.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}${rng.hex(8).toUpperCase()}`,
      tid: String(10_000_000 + terminals.length * 7 + rng.int(0, 6)),
      merchantId: merchant.id,
      siteId: site.id,
      vendor: shape.model.vendor,
      model: shape.model.model,
      osVersion: shape.model.os,
      appVersion: shape.appVersion,
      firmwareVersion: shape.model.firmware,
      connectivity: shape.connectivity,
      networkType: networkOf(shape.connectivity),
      portable: shape.model.portable,
      interfaces: shape.model.interfaces,
      memoryMb: shape.model.memoryMb,
      storageMb: shape.model.storageMb,
      hostId: merchant.hostId,
      installedAt: new Date(spec.startAt.getTime() - rng.int(20, 900) * 86_400_000),
      reportSecond: rng.int(0, 59),
    };
    terminals.push(t);
    return t;
  };

  const site = addMerchant(spec.kind, spec.language, spec.hostId);
  const target = addTerminal(site, spec.target);
  const peerShapes: TerminalShape[] = [];
  for (let k = 1; k < spec.siteSize; k++) {
    // A site usually buys one model; some mix in another.
    const model = rng.chance(0.7) ? spec.target.model : pickModel(rng, () => true);
    const lanNeeded = peerShapes.filter((p) => networkOf(p.connectivity) !== 'cellular').length < (spec.minLanPeers ?? 0);
    const allowed = lanNeeded ? (['wifi', 'ethernet'] as const) : (spec.peerNetworks ?? ['wifi', 'ethernet', 'cellular']);
    peerShapes.push({ model, connectivity: pickConnectivity(rng, model, allowed), appVersion: rng.chance(0.6) ? spec.target.appVersion : pickVersion(rng) });
  }
  for (const p of peerShapes) addTerminal(site, p);

  const otherHosts = ACQUIRER_HOSTS.filter((h) => h.id !== spec.hostId);
  for (let s = 0; s < spec.otherSites; s++) {
    // Most of the other sites route to the same host, so the host's figures cover several sites.
    const hostId = s === spec.otherSites - 1 && otherHosts.length ? rng.pick(otherHosts).id : spec.hostId;
    const other = addMerchant(rng.pick(spec.otherKinds), rng.chance(0.8) ? 'zh-CN' : 'en-US', hostId);
    const count = rng.int(spec.terminalsPerOtherSite[0], spec.terminalsPerOtherSite[1]);
    const model = rng.chance(0.6) ? spec.target.model : pickModel(rng, () => true);
    for (let k = 0; k < count; k++) {
      const m = rng.chance(0.85) ? model : pickModel(rng, () => true);
      addTerminal(other, { model: m, connectivity: pickConnectivity(rng, m, ['wifi', 'ethernet', 'cellular']), appVersion: rng.chance(0.55) ? spec.target.appVersion : pickVersion(rng) });
    }
  }

  const fleet: Fleet = { seed: spec.seed, startAt: new Date(spec.startAt), utcOffsetMinutes: DEFAULT_UTC_OFFSET_MINUTES, hosts: ACQUIRER_HOSTS, merchants, sites, terminals };
  return { fleet, target, site };
}

export function pickModel(rng: Rng, ok: (m: ModelSpec) => boolean): ModelSpec {
  const candidates = MODELS.filter(ok);
  if (!candidates.length) throw new Error('no terminal model fits');
  return rng.weighted(candidates.map((m) => [m, m.weight] as const));
}

/** One of the model's connectivity options on an allowed network; the model's first option if none is. */
export function pickConnectivity(rng: Rng, model: ModelSpec, allowed: readonly NetworkType[]): Connectivity {
  const options = model.connectivity.filter(([c]) => allowed.includes(networkOf(c)));
  return options.length ? rng.weighted(options) : model.connectivity[0]![0];
}

export const pickVersion = (rng: Rng): string => rng.weighted(APP_VERSIONS);

export const supportsNetwork = (model: ModelSpec, allowed: readonly NetworkType[]) => model.connectivity.some(([c]) => allowed.includes(networkOf(c)));
