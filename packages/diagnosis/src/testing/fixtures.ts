/**
 * Hand-written cases, one per cause in the taxonomy: a healthy terminal (24 five-minute samples, a
 * few good payments) with the signs a real occurrence of that cause leaves. The rule tests prove each
 * rule fires on its own signature; the project's own cases stand in for ../shared when it is absent.
 */
import type { CaseTelemetry, CaseTransaction, DiagnosisCaseInput } from '@poscare/contracts';

export const NOW = '2026-11-20T14:00:00+08:00';
const NOW_MS = Date.parse(NOW);
const at = (minutesAgo: number) => new Date(NOW_MS - minutesAgo * 60_000).toISOString().replace('.000Z', 'Z');

export function healthySample(i: number, n: number): CaseTelemetry {
  return {
    at: at((n - i) * 5),
    battery: { pct: 80, charging: true, healthPct: 93, cycles: 210 },
    power: { source: 'mains', mainsVoltage: 221 },
    tempC: 38,
    ambientTempC: 24,
    humidityPct: 45,
    network: { type: 'wifi', connected: true, signalDbm: -55, latencyMs: 60, lossPct: 0, dnsOk: true, hostReachable: true, ip: '192.168.1.23', ipConflict: false },
    printer: { status: 'ok' },
    reader: { chip: { attempts: 3, failures: 0 }, contactless: { attempts: 4, failures: 0 }, magstripe: { attempts: 0, failures: 0 } },
    keypad: { stuckKeys: 0 },
    touch: { deadZones: 0 },
    memory: { freeMb: 900, totalMb: 2048 },
    storage: { freeMb: 5000, totalMb: 8000 },
    cpuPct: 20,
    app: { version: '3.1.4', crashes: 0, anrs: 0, uptimeS: 86400 + i * 300 },
    os: { version: 'A11', reboots: 0 },
    clockSkewS: 0,
    tamper: false,
    keys: { loaded: true, lastKeyExchangeOk: true },
    batch: { count: 120, capacity: 500 },
    session: { signedIn: true },
    sourceIp: '203.0.113.10',
  };
}

const approved = (minutesAgo: number, entryMode: CaseTransaction['entryMode'], cardToken: string, amountMinor = 5800): CaseTransaction => ({
  at: at(minutesAgo),
  entryMode,
  outcome: 'approved',
  responseCode: '00',
  amountMinor,
  currency: 'CNY',
  cardToken,
  durationMs: 2500,
});

export interface FixtureOptions {
  lang?: 'zh-CN' | 'en-US';
  samples?: number;
}

export function healthyCase(id: string, opts: FixtureOptions = {}): DiagnosisCaseInput & { telemetry: CaseTelemetry[]; transactions: CaseTransaction[] } {
  const n = opts.samples ?? 24;
  return {
    schema: 'poscare.diagnosis-case/v1',
    id,
    now: NOW,
    lang: opts.lang ?? 'zh-CN',
    terminal: { id: `T-${id}`, vendor: 'PAX', model: 'A920', os: 'Android 11', appVersion: '3.1.4', connectivity: 'wifi', interfaces: ['chip', 'contactless', 'magstripe', 'printer', 'touchscreen'], siteId: `S-${id}` },
    telemetry: Array.from({ length: n }, (_, i) => healthySample(i + 1, n)),
    transactions: [approved(95, 'chip', 'tok_h1'), approved(70, 'contactless', 'tok_h2'), approved(40, 'chip', 'tok_h3'), approved(15, 'contactless', 'tok_h4')],
  };
}

type Case = ReturnType<typeof healthyCase>;
/** Applies `fn` to the samples from index `from` on (the fault's onset). */
const fromSample = (c: Case, from: number, fn: (t: CaseTelemetry, k: number) => void) => c.telemetry.forEach((t, i) => i >= from && fn(t, i - from));
const tx = (minutesAgo: number, entryMode: CaseTransaction['entryMode'], outcome: CaseTransaction['outcome'], more: Partial<CaseTransaction> = {}): CaseTransaction => ({
  at: at(minutesAgo),
  entryMode,
  outcome,
  amountMinor: 5800,
  currency: 'CNY',
  ...more,
});

export interface CauseFixture {
  code: string;
  scope: 'card' | 'terminal' | 'site' | 'fleet' | 'host';
  build(lang: 'zh-CN' | 'en-US'): DiagnosisCaseInput;
}

const fx = (code: string, scope: CauseFixture['scope'], make: (c: Case, zh: boolean) => void): CauseFixture => ({
  code,
  scope,
  build(lang) {
    const c = healthyCase(code.replace(/\./g, '-'), { lang });
    make(c, lang === 'zh-CN');
    return c;
  },
});

export const CAUSE_FIXTURES: CauseFixture[] = [
  fx('hw.reader.contactless', 'terminal', (c, zh) => {
    fromSample(c, 10, (t) => (t.reader!.contactless = { attempts: 4, failures: 3 }));
    c.transactions.push(tx(30, 'contactless', 'card_read_error', { cardToken: 'tok_x1' }), tx(20, 'contactless', 'card_read_error', { cardToken: 'tok_x2' }), tx(10, 'contactless', 'card_read_error', { cardToken: 'tok_x3' }));
    c.report = { text: zh ? '挥卡没反应' : "Tap doesn't work", source: 'merchant' };
  }),
  fx('hw.reader.chip', 'terminal', (c, zh) => {
    fromSample(c, 8, (t) => (t.reader!.chip = { attempts: 3, failures: 2 }));
    c.transactions.push(tx(35, 'chip', 'card_read_error', { cardToken: 'tok_x1' }), tx(25, 'fallback', 'approved', { cardToken: 'tok_x1', responseCode: '00' }), tx(12, 'chip', 'card_read_error', { cardToken: 'tok_x2' }));
    c.report = { text: zh ? '插卡老是读不出来' : 'Inserted cards keep failing to read', source: 'merchant' };
  }),
  fx('hw.reader.magstripe', 'terminal', (c) => {
    fromSample(c, 6, (t) => (t.reader!.magstripe = { attempts: 2, failures: 2 }));
    c.transactions.push(tx(30, 'magstripe', 'card_read_error', { cardToken: 'tok_m1' }), tx(18, 'magstripe', 'card_read_error', { cardToken: 'tok_m2' }));
  }),
  fx('hw.printer.paper_out', 'terminal', (c, zh) => {
    fromSample(c, 12, (t) => (t.printer = { status: 'paper_low' }));
    fromSample(c, 20, (t) => (t.printer = { status: 'paper_out' }));
    c.events = [{ at: at(12), type: 'error', message: zh ? '打印机缺纸' : 'PRINTER OUT OF PAPER' }];
    c.report = { text: zh ? '付款成功但不出小票' : 'Payment goes through but no receipt', source: 'merchant' };
  }),
  fx('hw.printer.jam', 'terminal', (c, zh) => {
    fromSample(c, 18, (t) => (t.printer = { status: 'jam' }));
    c.events = [{ at: at(20), type: 'error', message: zh ? '打印机卡纸' : 'PRINTER JAM' }];
  }),
  fx('hw.printer.fault', 'terminal', (c) => {
    fromSample(c, 16, (t) => (t.printer = { status: 'fault', headTempC: 35 }));
  }),
  fx('hw.battery.degraded', 'terminal', (c, zh) => {
    fromSample(c, 0, (t, k) => {
      t.battery = { pct: 100 - k * 3.5, charging: false, healthPct: 52, cycles: 950 };
      t.power = { source: 'battery' };
    });
    c.report = { text: zh ? '电池用不了多久就没电了' : 'The battery runs out after two hours', source: 'merchant' };
  }),
  fx('hw.battery.depleted', 'terminal', (c, zh) => {
    c.telemetry = c.telemetry.slice(0, 18);
    fromSample(c, 0, (t, k) => {
      t.battery = { pct: Math.max(1, 40 - k * 2.2), charging: false, healthPct: 90, cycles: 220 };
      t.power = { source: 'battery' };
    });
    c.events = [{ at: at(35), type: 'warning', message: zh ? '电量低（5%），请及时充电' : 'LOW BATTERY (5%)' }];
  }),
  fx('hw.power.adapter', 'terminal', (c, zh) => {
    fromSample(c, 0, (t, k) => {
      t.battery = { pct: 90 - k * 1.5, charging: false, healthPct: 91, cycles: 230 };
      t.power = { source: 'mains', mainsVoltage: 220 };
    });
    c.report = { text: zh ? '插着电也充不进电' : "It's plugged in but won't charge", source: 'merchant' };
  }),
  fx('hw.keypad', 'terminal', (c) => fromSample(c, 10, (t) => (t.keypad = { stuckKeys: 2 }))),
  fx('hw.touchscreen', 'terminal', (c, zh) => {
    fromSample(c, 10, (t) => (t.touch = { deadZones: 3 }));
    c.report = { text: zh ? '屏幕左下角点不动' : 'The bottom of the touch screen does not respond', source: 'merchant' };
  }),
  fx('hw.display', 'terminal', (c, zh) => {
    c.report = { text: zh ? '屏幕花屏，看不清金额' : 'The display flickers and shows lines on the screen', source: 'merchant' };
  }),
  fx('hw.pinpad', 'terminal', (c) => {
    fromSample(c, 12, (t) => (t.pinpad = { connected: false }));
    c.transactions.push(tx(20, 'chip', 'declined', { responseCode: '55', tvr: '0000100000', cardToken: 'tok_p1' }));
  }),
  fx('hw.scanner', 'terminal', (c, zh) => {
    fromSample(c, 10, (t) => (t.peripherals = [{ kind: 'scanner', connected: false }]));
    c.transactions.push(tx(25, 'qr', 'card_read_error'), tx(15, 'qr', 'card_read_error'), tx(5, 'qr', 'card_read_error'));
    c.report = { text: zh ? '扫码枪扫不出付款码' : 'The scanner will not read QR codes', source: 'merchant' };
  }),
  fx('hw.peripheral.link', 'terminal', (c) => fromSample(c, 12, (t) => (t.peripherals = [{ kind: 'cash_drawer', connected: false }]))),
  fx('sw.app.crash', 'terminal', (c, zh) => {
    fromSample(c, 6, (t, k) => {
      t.app = { version: '3.1.4', crashes: k % 3 === 0 ? 1 : 0, anrs: 0, uptimeS: (k % 3) * 300 + 60 };
    });
    c.events = [{ at: at(20), type: 'app_crash', message: zh ? '支付应用已停止运行' : 'PAYMENT APP CRASHED' }];
  }),
  fx('sw.app.overload', 'terminal', (c, zh) => {
    fromSample(c, 14, (t) => {
      t.cpuPct = 96;
      t.memory = { freeMb: 45, totalMb: 2048 };
      t.app = { ...t.app!, anrs: 1 };
    });
    c.report = { text: zh ? '中午人多的时候收款特别卡' : 'It freezes during the lunch rush', source: 'merchant' };
  }),
  fx('sw.os.fault', 'terminal', (c, zh) => {
    fromSample(c, 4, (t, k) => (t.os = { version: 'A11', reboots: k % 5 === 0 ? 1 : 0 }));
    c.events = [{ at: at(30), type: 'error', message: zh ? '系统异常，正在重启' : 'SYSTEM ERROR - KERNEL PANIC' }];
    c.report = { text: zh ? '机器自己重启' : 'It keeps rebooting by itself', source: 'merchant' };
  }),
  fx('sw.update.regression', 'fleet', (c) => {
    c.terminal.appVersion = '3.2.0';
    c.terminal.previousAppVersion = '3.1.4';
    c.terminal.updatedAt = at(600);
    fromSample(c, 0, (t, k) => (t.app = { version: '3.2.0', crashes: k % 4 === 0 ? 1 : 0, anrs: 0, uptimeS: (k % 4) * 300 }));
    c.fleet = { sameVersion: { terminals: 900, failureRate: 0.11, baselineFailureRate: 0.01 } };
    c.site = { terminals: [{ id: 'P1', status: 'degraded', appVersion: '3.2.0' }, { id: 'P2', status: 'online', appVersion: '3.1.4' }] };
  }),
  fx('sw.update.failed', 'terminal', (c, zh) => {
    c.terminal.appVersion = '3.2.0';
    c.events = [{ at: at(50), type: 'update', message: zh ? '升级失败，请重试' : 'UPDATE FAILED' }];
  }),
  fx('sw.config.invalid', 'terminal', (c) => {
    c.transactions.push(tx(30, 'chip', 'declined', { responseCode: '03', cardToken: 'tok_c1' }), tx(20, 'contactless', 'declined', { responseCode: '03', cardToken: 'tok_c2' }), tx(10, 'chip', 'declined', { responseCode: '03', cardToken: 'tok_c3' }));
  }),
  fx('sw.keys.missing', 'terminal', (c, zh) => {
    fromSample(c, 16, (t) => (t.keys = { loaded: false, lastKeyExchangeOk: false }));
    c.events = [{ at: at(15), code: 'A0', message: zh ? 'MAC校验错，请重新签到' : 'MAC ERROR - SIGN ON AGAIN' }];
  }),
  fx('sw.storage.full', 'terminal', (c) => fromSample(c, 0, (t, k) => (t.storage = { freeMb: Math.max(40, 400 - k * 20), totalMb: 8000 }))),
  fx('sw.third_party.conflict', 'terminal', (c, zh) => {
    fromSample(c, 14, (t, k) => (t.app = { ...t.app!, crashes: k % 4 === 0 ? 1 : 0 }));
    c.report = { text: zh ? '装了一个外卖接单的第三方应用以后，收款程序老闪退' : 'Since we installed another app for deliveries the payment app keeps crashing', source: 'merchant' };
  }),
  fx('sw.clock.skew', 'terminal', (c) => fromSample(c, 0, (t) => (t.clockSkewS = -1800))),
  fx('net.signal.weak', 'terminal', (c) => {
    c.terminal.connectivity = 'cellular';
    fromSample(c, 0, (t) => (t.network = { type: 'cellular', connected: true, signalDbm: -112, latencyMs: 1300, lossPct: 12, dnsOk: true, hostReachable: true, simState: 'ready' }));
    c.transactions.push(tx(30, 'chip', 'timeout'), tx(12, 'contactless', 'timeout'));
  }),
  fx('net.site.outage', 'site', (c, zh) => {
    c.terminal.connectivity = 'ethernet';
    fromSample(c, 0, (t) => (t.network!.type = 'ethernet'));
    fromSample(c, 14, (t) => (t.network = { type: 'ethernet', connected: false, dnsOk: false, hostReachable: false }));
    c.site = { terminals: [{ id: 'P1', status: 'offline', connectivity: 'ethernet' }, { id: 'P2', status: 'offline', connectivity: 'wifi' }, { id: 'P3', status: 'online', connectivity: 'cellular' }] };
    c.report = { text: zh ? '店里的POS都连不上网' : 'None of our terminals can get online', source: 'agent' };
  }),
  fx('net.dns', 'terminal', (c) => fromSample(c, 10, (t) => Object.assign(t.network!, { dnsOk: false, hostReachable: false }))),
  fx('net.firewall', 'terminal', (c) => {
    fromSample(c, 10, (t) => Object.assign(t.network!, { dnsOk: true, hostReachable: false }));
    c.transactions.push(tx(30, 'chip', 'timeout'), tx(20, 'chip', 'timeout'), tx(8, 'contactless', 'timeout'));
  }),
  fx('net.ip_conflict', 'terminal', (c) => fromSample(c, 8, (t, k) => Object.assign(t.network!, { ipConflict: k % 2 === 0, connected: k % 2 === 1 }))),
  fx('net.latency', 'terminal', (c, zh) => {
    c.terminal.connectivity = 'ethernet';
    fromSample(c, 0, (t) => (t.network = { type: 'ethernet', connected: true, latencyMs: 1200, lossPct: 9, dnsOk: true, hostReachable: true }));
    c.transactions.push(tx(25, 'chip', 'timeout'), tx(10, 'chip', 'timeout'));
    c.report = { text: zh ? '交易很慢，经常超时' : 'Payments are slow and often time out', source: 'merchant' };
  }),
  fx('net.sim', 'terminal', (c) => {
    c.terminal.connectivity = 'cellular';
    fromSample(c, 0, (t) => (t.network = { type: 'cellular', connected: true, signalDbm: -80, latencyMs: 120, lossPct: 0, dnsOk: true, hostReachable: true, simState: 'ready' }));
    fromSample(c, 12, (t) => (t.network = { type: 'cellular', connected: false, simState: 'no_data_plan' }));
  }),
  fx('op.pin.wrong', 'card', (c, zh) => {
    c.transactions.push(tx(8, 'chip', 'declined', { responseCode: '55', cardToken: 'tok_a1', tvr: '0000800000' }), tx(5, 'chip', 'declined', { responseCode: '55', cardToken: 'tok_a1', tvr: '0000800000' }));
    c.report = { text: zh ? '顾客说提示密码错误' : 'Customer gets "incorrect PIN"', source: 'merchant' };
  }),
  fx('op.card.misuse', 'terminal', (c) => {
    c.transactions.push(
      tx(50, 'chip', 'card_read_error', { cardToken: 'tok_u1' }), tx(49, 'chip', 'approved', { cardToken: 'tok_u1', responseCode: '00' }),
      tx(30, 'chip', 'card_read_error', { cardToken: 'tok_u2' }), tx(29, 'chip', 'approved', { cardToken: 'tok_u2', responseCode: '00' }),
      tx(10, 'contactless', 'card_read_error', { cardToken: 'tok_u3' }), tx(9, 'contactless', 'approved', { cardToken: 'tok_u3', responseCode: '00' }),
    );
  }),
  fx('op.input.error', 'terminal', (c, zh) => {
    c.transactions.push(tx(20, 'chip', 'approved', { responseCode: '00', amountMinor: 580000, cardToken: 'tok_i1' }), tx(18, 'chip', 'reversed', { amountMinor: 580000, cardToken: 'tok_i1' }));
    c.report = { text: zh ? '收银员把58元输成了5800元' : 'The cashier typed 5800 instead of 58, an extra zero', source: 'merchant' };
  }),
  fx('op.not_signed_in', 'terminal', (c, zh) => {
    fromSample(c, 18, (t) => (t.session = { signedIn: false }));
    c.events = [{ at: at(20), type: 'error', message: zh ? '请先签到' : 'PLEASE SIGN ON FIRST' }];
  }),
  fx('op.settlement.overdue', 'terminal', (c, zh) => {
    fromSample(c, 0, (t, k) => (t.batch = { count: Math.min(500, 470 + k * 2), capacity: 500 }));
    c.events = [{ at: at(10), type: 'error', message: zh ? '流水已满，请先结算' : 'BATCH FULL' }];
  }),
  fx('env.temperature', 'terminal', (c, zh) => {
    fromSample(c, 0, (t, k) => {
      t.tempC = 50 + k;
      t.ambientTempC = 40;
    });
    c.report = { text: zh ? '摊位在太阳底下，机器很烫' : 'The terminal sits in the sun and gets very hot', source: 'merchant' };
  }),
  fx('env.humidity', 'terminal', (c) => {
    fromSample(c, 0, (t) => (t.humidityPct = 93));
    fromSample(c, 14, (t) => (t.keypad = { stuckKeys: 2 }));
  }),
  fx('env.em_interference', 'terminal', (c, zh) => {
    fromSample(c, 10, (t, k) => (t.reader!.contactless = { attempts: 4, failures: k % 2 }));
    c.report = { text: zh ? '旁边放了微波炉以后，挥卡时好时坏' : 'Since the microwave was put next to the terminal, tapping works only sometimes', source: 'merchant' };
  }),
  fx('env.power.unstable', 'terminal', (c) => {
    fromSample(c, 6, (t, k) => {
      t.power = { source: k % 3 === 1 ? 'battery' : 'mains', mainsVoltage: k % 2 ? 176 : 246 };
      t.os = { version: 'A11', reboots: k % 6 === 1 ? 1 : 0 };
    });
  }),
  fx('ext.card.damaged', 'card', (c) => {
    c.transactions.push(tx(6, 'chip', 'card_read_error', { cardToken: 'tok_z9' }), tx(5, 'chip', 'card_read_error', { cardToken: 'tok_z9' }));
    c.card = { token: 'tok_z9', attempts: [{ terminalId: 'T-other1', at: at(1440), entryMode: 'chip', outcome: 'card_read_error' }, { terminalId: 'T-other2', at: at(300), entryMode: 'chip', outcome: 'card_read_error' }] };
  }),
  fx('ext.card.expired', 'card', (c) => {
    c.transactions.push(tx(4, 'chip', 'declined', { responseCode: '54', tvr: '0040000000', cardToken: 'tok_e1' }));
  }),
  fx('ext.card.unsupported', 'card', (c, zh) => {
    c.transactions.push(tx(6, 'chip', 'declined', { responseCode: '57', cardToken: 'tok_f1', tvr: '0008000000' }));
    c.report = { text: zh ? '一位外国顾客的卡刷不了，提示不支持' : "A foreign customer's card is refused as not supported", source: 'merchant' };
  }),
  fx('ext.issuer.decline', 'card', (c) => {
    c.transactions.push(tx(9, 'chip', 'declined', { responseCode: '51', cardToken: 'tok_d1' }), tx(7, 'contactless', 'declined', { responseCode: '51', cardToken: 'tok_d1' }));
    c.card = { token: 'tok_d1', attempts: [{ terminalId: 'T-o1', at: at(200), outcome: 'declined', responseCode: '51' }] };
  }),
  fx('ext.host.outage', 'host', (c) => {
    c.transactions.push(tx(14, 'chip', 'timeout'), tx(11, 'contactless', 'declined', { responseCode: '91' }), tx(6, 'chip', 'declined', { responseCode: '96' }), tx(3, 'chip', 'timeout'));
    c.fleet = { host: { terminals: 3100, sites: 420, hostErrorRate: 0.45, baselineHostErrorRate: 0.005 } };
  }),
  fx('sec.tamper', 'terminal', (c, zh) => {
    fromSample(c, 20, (t) => {
      t.tamper = true;
      t.keys = { loaded: false, lastKeyExchangeOk: false };
    });
    c.events = [{ at: at(18), type: 'error', message: zh ? '设备被拆，请联系服务商（TAMPERING DETECTED）' : 'TAMPERING DETECTED' }];
  }),
  fx('sec.skimming.suspected', 'terminal', (c) => {
    for (let k = 0; k < 6; k++) c.transactions.push(tx(80 - k * 12, 'fallback', 'approved', { responseCode: '00', cardToken: `tok_s${k}` }));
  }),
  fx('sec.credential.misuse', 'terminal', (c) => fromSample(c, 8, (t, k) => (t.sourceIp = k % 2 ? '198.51.100.77' : '203.0.113.10'))),
];
