/**
 * What a fleet is made of, as data: terminal models, merchant kinds, acquirer hosts, software versions,
 * cities. Figures are typical of Chinese retail and restaurant acquiring; they shape the simulation,
 * they are not measurements.
 */

export type Interface = 'chip' | 'contactless' | 'magstripe' | 'qr' | 'printer' | 'pinpad' | 'keypad' | 'touchscreen' | 'scanner';
/** As in the inventory contract (`Connectivity`); dial-up is left out of simulated fleets. */
export type Connectivity = 'ethernet' | 'wifi' | 'cellular_4g' | 'cellular_5g';

export interface ModelSpec {
  vendor: string;
  model: string;
  os: string;
  firmware: string;
  /** Hand-held with a battery (taken to tables, docked to charge) or a countertop unit on mains. */
  portable: boolean;
  interfaces: readonly Interface[];
  connectivity: readonly (readonly [Connectivity, number])[];
  memoryMb: number;
  storageMb: number;
  /** Share of a fleet. */
  weight: number;
}

export const MODELS: readonly ModelSpec[] = [
  { vendor: 'PAX', model: 'A920', os: 'PayDroid 7.1', firmware: 'V1.00.17', portable: true, interfaces: ['chip', 'contactless', 'magstripe', 'qr', 'printer', 'touchscreen'], connectivity: [['cellular_4g', 0.6], ['wifi', 0.4]], memoryMb: 1024, storageMb: 8192, weight: 0.24 },
  { vendor: 'PAX', model: 'S920', os: 'Prolin 2.6', firmware: 'V2.6.31', portable: true, interfaces: ['chip', 'contactless', 'magstripe', 'printer', 'keypad'], connectivity: [['wifi', 0.5], ['cellular_4g', 0.5]], memoryMb: 512, storageMb: 1024, weight: 0.12 },
  { vendor: 'Newland', model: 'N910', os: 'Android 7.1', firmware: 'NL-7.1.27', portable: true, interfaces: ['chip', 'contactless', 'magstripe', 'qr', 'printer', 'touchscreen', 'scanner'], connectivity: [['cellular_4g', 0.7], ['wifi', 0.3]], memoryMb: 1024, storageMb: 8192, weight: 0.18 },
  { vendor: 'Verifone', model: 'V240m', os: 'Engage 3.1', firmware: 'E3.1.4', portable: true, interfaces: ['chip', 'contactless', 'magstripe', 'printer', 'keypad'], connectivity: [['wifi', 0.6], ['cellular_4g', 0.4]], memoryMb: 512, storageMb: 4096, weight: 0.08 },
  { vendor: 'Ingenico', model: 'Move/5000', os: 'Telium TETRA', firmware: '11.20.03', portable: true, interfaces: ['chip', 'contactless', 'magstripe', 'printer', 'keypad'], connectivity: [['cellular_4g', 0.5], ['wifi', 0.5]], memoryMb: 256, storageMb: 512, weight: 0.08 },
  { vendor: 'Sunmi', model: 'P2', os: 'Android 11', firmware: 'P2-2.4.1', portable: true, interfaces: ['chip', 'contactless', 'magstripe', 'qr', 'printer', 'touchscreen', 'scanner'], connectivity: [['cellular_4g', 0.5], ['cellular_5g', 0.2], ['wifi', 0.3]], memoryMb: 2048, storageMb: 16384, weight: 0.14 },
  { vendor: 'Ingenico', model: 'Desk/3500', os: 'Telium TETRA', firmware: '11.20.03', portable: false, interfaces: ['chip', 'contactless', 'magstripe', 'printer', 'keypad'], connectivity: [['ethernet', 0.8], ['wifi', 0.2]], memoryMb: 256, storageMb: 512, weight: 0.1 },
  { vendor: 'Verifone', model: 'VX520', os: 'Verix V', firmware: 'QT5A0212', portable: false, interfaces: ['chip', 'contactless', 'magstripe', 'printer', 'keypad'], connectivity: [['ethernet', 0.9], ['wifi', 0.1]], memoryMb: 128, storageMb: 256, weight: 0.06 },
];

/** The payment app's release line, oldest first, with today's install base. */
export const APP_VERSIONS: readonly (readonly [string, number])[] = [
  ['3.8.2', 0.15],
  ['3.9.0', 0.35],
  ['3.9.1', 0.5],
];

export type MerchantKind = 'restaurant' | 'cafe' | 'convenience' | 'supermarket' | 'fuel' | 'fruit';

export interface MerchantKindSpec {
  kind: MerchantKind;
  /** Transactions per terminal per minute at the day's busiest moment. */
  peakPerMinute: number;
  /** Median ticket in fen (CNY minor units) and its spread (log-normal sigma). */
  ticketMedianMinor: number;
  ticketSigma: number;
  /** Terminals per site, smallest and largest. */
  terminalsPerSite: readonly [number, number];
  /** Share of card payments that use a chip rather than a tap (fuel stations see more large, inserted payments). */
  chipBias: number;
  weight: number;
  names: readonly { zh: string; en: string }[];
}

export const MERCHANT_KINDS: readonly MerchantKindSpec[] = [
  {
    kind: 'restaurant', peakPerMinute: 0.8, ticketMedianMinor: 6_800, ticketSigma: 0.55, terminalsPerSite: [1, 4], chipBias: 1, weight: 0.3,
    names: [{ zh: '老北京炸酱面馆', en: 'Old Beijing Noodle House' }, { zh: '川味小馆', en: 'Sichuan Kitchen' }, { zh: '海底捞火锅', en: 'Hotpot Garden' }, { zh: '江南小笼包', en: 'Jiangnan Dumplings' }, { zh: '兰州拉面', en: 'Lanzhou Noodles' }],
  },
  {
    kind: 'cafe', peakPerMinute: 0.9, ticketMedianMinor: 3_200, ticketSigma: 0.4, terminalsPerSite: [1, 2], chipBias: 0.7, weight: 0.15,
    names: [{ zh: '星光咖啡', en: 'Starlight Coffee' }, { zh: '瑞幸咖啡', en: 'Lucky Bean Coffee' }, { zh: '街角面包房', en: 'Corner Bakery' }],
  },
  {
    kind: 'convenience', peakPerMinute: 1.2, ticketMedianMinor: 1_800, ticketSigma: 0.7, terminalsPerSite: [1, 2], chipBias: 0.8, weight: 0.2,
    names: [{ zh: '全家便利店', en: 'FamilyMart' }, { zh: '罗森便利店', en: 'Lawson' }, { zh: '美宜佳', en: 'Meiyijia' }],
  },
  {
    kind: 'supermarket', peakPerMinute: 1.5, ticketMedianMinor: 8_500, ticketSigma: 0.8, terminalsPerSite: [3, 8], chipBias: 1.1, weight: 0.15,
    names: [{ zh: '万家福超市', en: 'Wanjiafu Supermarket' }, { zh: '华联超市', en: 'Hualian Market' }, { zh: '永辉超市', en: 'Yonghui Superstore' }],
  },
  {
    kind: 'fuel', peakPerMinute: 0.8, ticketMedianMinor: 30_000, ticketSigma: 0.35, terminalsPerSite: [2, 4], chipBias: 1.6, weight: 0.1,
    names: [{ zh: '城市加油站', en: 'City Fuel' }, { zh: '中石化加油站', en: 'Sinopec Station' }],
  },
  {
    kind: 'fruit', peakPerMinute: 0.7, ticketMedianMinor: 4_000, ticketSigma: 0.5, terminalsPerSite: [1, 2], chipBias: 0.9, weight: 0.1,
    names: [{ zh: '鲜丰水果', en: 'Fresh Fruit Co.' }, { zh: '百果园', en: 'Orchard Fruit' }],
  },
];

export interface AcquirerHost {
  id: string;
  name: string;
  weight: number;
}

export const ACQUIRER_HOSTS: readonly AcquirerHost[] = [
  { id: 'cup-east', name: '银联华东主机 / UnionPay East', weight: 0.5 },
  { id: 'acq-north', name: '北方收单主机 / North Acquiring', weight: 0.3 },
  { id: 'acq-south', name: '华南收单通道 / South Channel', weight: 0.2 },
];

export interface City {
  zh: string;
  en: string;
  /** Typical indoor shop temperature and its daily swing. */
  indoorTempC: number;
  swingC: number;
  humidityPct: number;
}

export const CITIES: readonly City[] = [
  { zh: '杭州', en: 'Hangzhou', indoorTempC: 24, swingC: 3, humidityPct: 65 },
  { zh: '上海', en: 'Shanghai', indoorTempC: 23, swingC: 3, humidityPct: 62 },
  { zh: '北京', en: 'Beijing', indoorTempC: 22, swingC: 4, humidityPct: 40 },
  { zh: '深圳', en: 'Shenzhen', indoorTempC: 26, swingC: 2.5, humidityPct: 72 },
  { zh: '成都', en: 'Chengdu', indoorTempC: 23, swingC: 2.5, humidityPct: 68 },
  { zh: '广州', en: 'Guangzhou', indoorTempC: 26, swingC: 2.5, humidityPct: 74 },
];

/** China Standard Time: the default for simulated sites. */
export const DEFAULT_UTC_OFFSET_MINUTES = 480;
