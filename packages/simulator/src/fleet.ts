/**
 * A fleet description — merchants, sites, terminals — made from a seed. The same options give the same
 * fleet, ids included, so a test, the demo and a load run can all talk about "terminal 17 of seed 42".
 */
import { ACQUIRER_HOSTS, APP_VERSIONS, CITIES, DEFAULT_UTC_OFFSET_MINUTES, MERCHANT_KINDS, MODELS, type AcquirerHost, type Connectivity, type Interface, type MerchantKind } from './catalog.js';
import { Rng } from './random.js';

export interface FleetOptions {
  seed: number;
  terminals: number;
  merchants: number;
  /** Sites per merchant: a number, or the smallest and largest. */
  sitesPerMerchant: number | readonly [number, number];
  /** Where the simulation starts. */
  startAt: Date;
  /** Offset of the sites' local time from UTC; China Standard Time by default. */
  utcOffsetMinutes?: number;
}

export type Language = 'zh-CN' | 'en-US';

export interface FleetMerchant {
  id: string;
  mid: string;
  name: string;
  kind: MerchantKind;
  tier: 'standard' | 'gold' | 'platinum';
  language: Language;
  /** The acquirer host this merchant's terminals route payments to. */
  hostId: string;
}

export interface FleetSite {
  id: string;
  merchantId: string;
  code: string;
  name: string;
  city: string;
  region: string;
  utcOffsetMinutes: number;
  /** Private network prefix of the site's router, e.g. `192.168.31`. */
  lanPrefix: string;
  /** Trading volume relative to a typical site of its kind. */
  volumeFactor: number;
  climate: { indoorTempC: number; swingC: number; humidityPct: number };
}

export interface FleetTerminal {
  id: string;
  /** Position in `fleet.terminals`; stable for a seed. */
  index: number;
  serialNumber: string;
  /** Terminal ID (终端号) issued by the acquirer. */
  tid: string;
  merchantId: string;
  siteId: string;
  vendor: string;
  model: string;
  osVersion: string;
  appVersion: string;
  firmwareVersion: string;
  connectivity: Connectivity;
  /** The telemetry network type that goes with `connectivity`. */
  networkType: 'wifi' | 'cellular' | 'ethernet';
  portable: boolean;
  interfaces: readonly Interface[];
  memoryMb: number;
  storageMb: number;
  hostId: string;
  installedAt: Date;
  /** Second of each minute at which this terminal reports, so a fleet does not report all at once. */
  reportSecond: number;
}

export interface Fleet {
  seed: number;
  startAt: Date;
  utcOffsetMinutes: number;
  hosts: readonly AcquirerHost[];
  merchants: FleetMerchant[];
  sites: FleetSite[];
  terminals: FleetTerminal[];
}

export function createFleet(opts: FleetOptions): Fleet {
  if (!Number.isInteger(opts.terminals) || opts.terminals < 1) throw new RangeError('terminals must be a positive integer');
  if (!Number.isInteger(opts.merchants) || opts.merchants < 1) throw new RangeError('merchants must be a positive integer');
  const rng = Rng.derive(opts.seed, 'fleet');
  const utcOffsetMinutes = opts.utcOffsetMinutes ?? DEFAULT_UTC_OFFSET_MINUTES;
  const [minSites, maxSites] = typeof opts.sitesPerMerchant === 'number' ? [opts.sitesPerMerchant, opts.sitesPerMerchant] : opts.sitesPerMerchant;
  if (minSites < 1 || maxSites < minSites) throw new RangeError('sitesPerMerchant must be at least 1');

  const merchants: FleetMerchant[] = [];
  const sites: FleetSite[] = [];
  const nameUses = new Map<string, number>();
  for (let m = 0; m < opts.merchants; m++) {
    const spec = rng.weighted(MERCHANT_KINDS.map((k) => [k, k.weight] as const));
    const base = rng.pick(spec.names);
    const language: Language = rng.chance(0.15) ? 'en-US' : 'zh-CN';
    const uses = (nameUses.get(base.zh) ?? 0) + 1;
    nameUses.set(base.zh, uses);
    const label = language === 'zh-CN' ? base.zh : base.en;
    const merchant: FleetMerchant = {
      id: rng.uuid(),
      mid: `89831005812${String(m + 1).padStart(4, '0')}`,
      name: uses > 1 ? `${label} ${uses}` : label,
      kind: spec.kind,
      tier: rng.weighted([['standard', 0.6], ['gold', 0.3], ['platinum', 0.1]] as const),
      language,
      hostId: rng.weighted(ACQUIRER_HOSTS.map((h) => [h.id, h.weight] as const)),
    };
    merchants.push(merchant);
    const city = rng.pick(CITIES);
    const count = rng.int(minSites, maxSites);
    for (let s = 0; s < count; s++) {
      const branch = language === 'zh-CN' ? `${city.zh}${s + 1}号店` : `${city.en} #${s + 1}`;
      sites.push({
        id: rng.uuid(),
        merchantId: merchant.id,
        code: `S${String(m + 1).padStart(3, '0')}-${String(s + 1).padStart(2, '0')}`,
        name: `${merchant.name} ${branch}`,
        city: language === 'zh-CN' ? city.zh : city.en,
        region: city.en,
        utcOffsetMinutes,
        lanPrefix: `192.168.${rng.int(0, 254)}`,
        volumeFactor: clamp(Math.exp(rng.normal(0, 0.35)), 0.4, 2.5),
        climate: { indoorTempC: city.indoorTempC + rng.range(-1.5, 1.5), swingC: city.swingC * rng.range(0.7, 1.3), humidityPct: clamp(city.humidityPct + rng.range(-8, 8), 25, 85) },
      });
    }
  }

  const merchantById = new Map(merchants.map((m) => [m.id, m]));
  const siteTerminalCounts = allocateTerminals(rng, opts.terminals, sites, merchantById);
  const terminals: FleetTerminal[] = [];
  const serials = new Set<string>();
  for (let s = 0; s < sites.length; s++) {
    const site = sites[s]!;
    const merchant = merchantById.get(site.merchantId)!;
    // A site usually buys one model; bigger sites mix in a second.
    const primary = rng.weighted(MODELS.map((m) => [m, m.weight] as const));
    for (let k = 0; k < siteTerminalCounts[s]!; k++) {
      const spec = k > 0 && rng.chance(0.25) ? rng.weighted(MODELS.map((m) => [m, m.weight] as const)) : primary;
      const connectivity = rng.weighted(spec.connectivity);
      let serialNumber: string;
      do serialNumber = `${spec.vendor.slice(0, 2).toUpperCase()}${spec.model.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}${rng.hex(8).toUpperCase()}`;
      while (serials.has(serialNumber));
      serials.add(serialNumber);
      const installedDaysAgo = rng.int(20, 900);
      terminals.push({
        id: rng.uuid(),
        index: terminals.length,
        serialNumber,
        tid: String(10_000_000 + terminals.length * 7 + rng.int(0, 6)),
        merchantId: merchant.id,
        siteId: site.id,
        vendor: spec.vendor,
        model: spec.model,
        osVersion: spec.os,
        appVersion: rng.weighted(APP_VERSIONS),
        firmwareVersion: spec.firmware,
        connectivity,
        networkType: connectivity === 'ethernet' ? 'ethernet' : connectivity === 'wifi' ? 'wifi' : 'cellular',
        portable: spec.portable,
        interfaces: spec.interfaces,
        memoryMb: spec.memoryMb,
        storageMb: spec.storageMb,
        hostId: merchant.hostId,
        installedAt: new Date(opts.startAt.getTime() - installedDaysAgo * 86_400_000),
        reportSecond: rng.int(0, 59),
      });
    }
  }
  return { seed: opts.seed, startAt: new Date(opts.startAt), utcOffsetMinutes, hosts: ACQUIRER_HOSTS, merchants, sites, terminals };
}

/**
 * Every site gets one terminal while there are enough; the rest go in proportion to the merchant
 * kind's usual site size, so supermarkets end up with lanes of terminals and cafés with one or two.
 */
function allocateTerminals(rng: Rng, total: number, sites: readonly FleetSite[], merchantById: ReadonlyMap<string, FleetMerchant>): number[] {
  const counts = sites.map(() => 0);
  let left = total;
  for (const i of rng.shuffle(sites.map((_, i) => i))) {
    if (left === 0) return counts;
    counts[i] = 1;
    left--;
  }
  const extra = sites.map((site) => {
    const kind = merchantById.get(site.merchantId)!.kind;
    const [lo, hi] = MERCHANT_KINDS.find((k) => k.kind === kind)!.terminalsPerSite;
    return Math.max(0, (lo + hi) / 2 - 1) * site.volumeFactor + 0.05;
  });
  const sum = extra.reduce((a, b) => a + b, 0);
  const share = left;
  extra.forEach((w, i) => {
    const n = Math.floor((share * w) / sum);
    counts[i]! += n;
    left -= n;
  });
  for (const i of rng.shuffle(sites.map((_, i) => i))) {
    if (left === 0) break;
    counts[i]!++;
    left--;
  }
  return counts;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
