#!/usr/bin/env node
/**
 * Dev helper: give a demo server some device data to show. Signs in as an administrator, enrolls a few
 * active terminals with a fresh enrollment code, then sends each of them a few hours of per-minute telemetry
 * (ending now, so they count as online), some events and transactions over the HTTPS device channel.
 * A few terminals get faults (printer out of paper, weak signal, failing chip reader, hot, low battery…),
 * a couple get nothing at all (never seen), and a few bad messages fill the rejection log.
 *
 *   POSCARE_URL=http://localhost:18090 POSCARE_EMAIL=admin@poscare.local POSCARE_PASSWORD=… node scripts/feed-demo.mjs
 *
 * Options (environment): TERMINALS (default 10), HOURS (default 3), FOLLOW=1 to keep sending one heartbeat
 * per terminal every minute afterwards (Ctrl-C to stop).
 */
import { randomUUID } from 'node:crypto';

const BASE = (process.env.POSCARE_URL ?? 'http://localhost:18090').replace(/\/$/, '');
const EMAIL = process.env.POSCARE_EMAIL;
const PASSWORD = process.env.POSCARE_PASSWORD;
const COUNT = Number(process.env.TERMINALS ?? 10);
const HOURS = Number(process.env.HOURS ?? 3);
const FOLLOW = process.env.FOLLOW === '1';
if (!EMAIL || !PASSWORD) {
  console.error('Set POSCARE_EMAIL and POSCARE_PASSWORD (and POSCARE_URL, default http://localhost:18090).');
  process.exit(2);
}

let cookie = '';
async function call(method, path, body, headers = {}) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  return { status: res.status, data, headers: res.headers };
}
async function ok(method, path, body, headers) {
  const r = await call(method, path, body, headers);
  if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.data)}`);
  return r;
}

// Deterministic pseudo-random numbers so every run looks alike.
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const between = (a, b) => a + (b - a) * rnd();
const int = (a, b) => Math.floor(between(a, b + 1));

/** The faults given to the first terminals; the rest are healthy, the last two never report. */
const PROFILES = ['paper_out', 'weak_signal', 'chip_failing', 'overheating', 'battery_low', 'paper_low', 'healthy', 'healthy', 'never', 'never'];

function telemetry(profile, i, total, base) {
  const progress = i / total; // 0 → 1 over the period
  const fault = progress > 0.6; // faults appear in the last part of the period
  const cellular = profile === 'weak_signal' || base.cellular;
  const wave = Math.sin(i / 35 + base.cycles) * 4 + between(-1.5, 1.5);
  const signal = profile === 'weak_signal' && fault ? -113 + wave : cellular ? -84 + wave : -54 + wave;
  const chipAttempts = int(3, 9);
  const chipFailures = profile === 'chip_failing' && fault ? Math.ceil(chipAttempts * between(0.3, 0.6)) : rnd() < 0.05 ? 1 : 0;
  const ctlsAttempts = int(4, 12);
  const magAttempts = int(0, 2);
  const batteryPct =
    profile === 'battery_low' ? Math.max(3, 60 - progress * 60) : Math.min(100, Math.max(20, base.battery + Math.sin(i / 40) * 12));
  return {
    battery: { pct: Math.round(batteryPct), charging: profile === 'battery_low' ? false : batteryPct < 40, healthPct: base.health, cycles: base.cycles },
    power: { source: 'mains' },
    tempC: Math.round((profile === 'overheating' && fault ? 69 + 3 * Math.sin(i / 15) + between(0, 1) : 39 + 4 * Math.sin(i / 50 + base.cycles) + between(-0.5, 0.5)) * 10) / 10,
    ambientTempC: Math.round(between(22, 28) * 10) / 10,
    humidityPct: Math.round(between(35, 60)),
    network: {
      type: cellular ? 'cellular' : 'wifi',
      connected: true,
      signalDbm: Math.round(signal),
      latencyMs: Math.round(profile === 'weak_signal' && fault ? 500 + 150 * Math.sin(i / 10) + between(0, 120) : 70 + 15 * Math.sin(i / 45) + between(0, 25)),
      lossPct: Math.round((profile === 'weak_signal' && fault ? between(3, 12) : between(0, 1)) * 10) / 10,
      dnsOk: true,
      hostReachable: true,
      simState: cellular ? 'ready' : undefined,
    },
    printer: { status: profile === 'paper_out' && fault ? 'paper_out' : profile === 'paper_low' && progress > 0.3 ? 'paper_low' : 'ok' },
    reader: {
      chip: { attempts: chipAttempts, failures: chipFailures },
      contactless: { attempts: ctlsAttempts, failures: rnd() < 0.04 ? 1 : 0 },
      magstripe: { attempts: magAttempts, failures: 0 },
    },
    memory: { freeMb: int(300, 900), totalMb: 2048 },
    storage: { freeMb: int(2000, 6000), totalMb: 8192 },
    cpuPct: Math.round(between(5, 40)),
    app: { version: base.app, crashes: 0, anrs: 0, uptimeS: i * 60 },
    os: { version: base.os, reboots: 0 },
    clockSkewS: Math.round(between(-2, 2)),
    tamper: false,
    keys: { loaded: true, lastKeyExchangeOk: true },
    batch: { count: int(10, 120), capacity: 500 },
    session: { signedIn: true },
  };
}

function msg(kind, at, data) {
  return { v: 1, msgId: `${kind}-${randomUUID()}`, at: at.toISOString(), kind, data };
}

async function send(t, messages) {
  for (let i = 0; i < messages.length; i += 400) {
    const r = await call('POST', '/device/v1/messages', { messages: messages.slice(i, i + 400) }, { authorization: `Bearer ${t.terminalId}:${t.secret}` });
    if (r.status !== 200) throw new Error(`send for ${t.serial} → ${r.status} ${JSON.stringify(r.data)}`);
    if (r.data.rejected?.length) console.warn(`  ${t.serial}: ${r.data.rejected.length} rejected, e.g. ${JSON.stringify(r.data.rejected[0])}`);
  }
}

// 1. Sign in and pick terminals in service.
const login = await call('POST', '/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${JSON.stringify(login.data)}`);
cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
const list = (await ok('GET', `/api/v1/terminals?lifecycleState=active&limit=${COUNT}`)).data.items;
if (!list.length) throw new Error('no active terminals: start the server with --demo');
console.log(`Feeding ${list.length} terminals, ${HOURS} h of minute samples each, at ${BASE}`);

// 2. One enrollment code for all of them, then enroll each (re-enrolling replaces an older credential).
const code = (await ok('POST', '/api/v1/enrollment-codes', { label: 'feed-demo', maxUses: list.length, expiresInHours: 1 })).data.code;
const fleet = [];
for (const [n, term] of list.entries()) {
  const profile = PROFILES[n] ?? 'healthy';
  if (profile === 'never') {
    console.log(`  ${term.serialNumber}: left silent (never seen)`);
    continue;
  }
  const e = (await ok('POST', '/device/v1/enroll', { code, serialNumber: term.serialNumber })).data;
  fleet.push({
    serial: term.serialNumber,
    terminalId: e.terminalId,
    secret: e.secret,
    profile,
    base: {
      battery: between(55, 95),
      health: profile === 'battery_low' ? 72 : Math.round(between(80, 99)),
      cycles: int(50, 600),
      cellular: n % 3 === 2,
      app: n % 4 === 3 ? '3.1.9' : '3.2.0',
      os: 'Android 10',
    },
  });
}

// 3. History: a sample per minute, an event now and then, a transaction every ~5 minutes.
const now = Date.now();
const total = HOURS * 60;
for (const t of fleet) {
  const messages = [];
  for (let i = 0; i <= total; i++) {
    const at = new Date(now - (total - i) * 60_000);
    messages.push(msg('telemetry', at, telemetry(t.profile, i, total, t.base)));
    if (i % 5 === 2) {
      const chipBad = t.profile === 'chip_failing' && i / total > 0.6 && rnd() < 0.5;
      messages.push(
        msg('txn', new Date(at.getTime() + 20_000), {
          id: `T${String(i).padStart(6, '0')}`,
          amountMinor: int(500, 50000),
          currency: 'CNY',
          entryMode: rnd() < 0.6 ? 'contactless' : 'chip',
          outcome: chipBad ? 'card_read_error' : rnd() < 0.06 ? 'declined' : 'approved',
          responseCode: chipBad ? 'XX' : '00',
          tvr: '0000008000',
          tsi: 'E800',
          cardToken: `tok_${randomUUID().slice(0, 8)}`,
          durationMs: int(900, 4200),
        }),
      );
    }
    if (i === 0) messages.push(msg('event', at, { type: 'boot', code: 'BOOT', message: 'Terminal started' }));
    if (t.profile === 'paper_out' && i === Math.ceil(total * 0.6) + 1) messages.push(msg('event', at, { type: 'error', code: 'PRN_PAPER_OUT', message: '打印机缺纸 / Printer out of paper' }));
    if (t.profile === 'chip_failing' && i % 20 === 0 && i / total > 0.6) messages.push(msg('event', at, { type: 'error', code: 'ICC_READ_FAIL', message: '读卡失败 / Chip read failed' }));
    if (t.profile === 'weak_signal' && i % 30 === 0 && i / total > 0.6) messages.push(msg('event', at, { type: 'warning', code: 'NET_WEAK', message: 'COMM ERROR: weak signal, retrying' }));
  }
  await send(t, messages);
  console.log(`  ${t.serial}: ${t.profile}, ${messages.length} messages`);
}

// 4. A few bad messages for the rejection log.
const victim = fleet[0];
if (victim) {
  const auth = { authorization: `Bearer ${victim.terminalId}:${victim.secret}` };
  const at = new Date().toISOString();
  const r = await call(
    'POST',
    '/device/v1/messages',
    {
      messages: [
        { v: 1, msgId: `bad-${randomUUID()}`, at, kind: 'telemetry', data: { battery: { pct: 140 } } },
        { v: 1, msgId: `bad-${randomUUID()}`, at, kind: 'txn', data: { entryMode: 'chip', outcome: 'approved', cardToken: '4111111111111111' } },
        { v: 2, msgId: 'x', at: 'yesterday', kind: 'telemetry', data: {} },
      ],
    },
    auth,
  );
  console.log(`  bad messages: ${r.data?.rejected?.length ?? 0} rejected`);
  const wrong = await call('POST', '/device/v1/messages', { messages: [msg('telemetry', new Date(), {})] }, { authorization: `Bearer ${victim.terminalId}:not-the-secret` });
  console.log(`  wrong secret: HTTP ${wrong.status}`);
  const junk = await call('POST', '/device/v1/messages', '{"messages": [', { ...auth });
  console.log(`  malformed JSON: HTTP ${junk.status}`);
}

console.log('Done.');

// 5. Optionally keep them alive.
if (FOLLOW) {
  let i = total;
  console.log('Sending a heartbeat per terminal every minute (Ctrl-C to stop)…');
  setInterval(async () => {
    i++;
    for (const t of fleet) await send(t, [msg('telemetry', new Date(), telemetry(t.profile, i, total, t.base))]).catch((e) => console.error(e.message));
  }, 60_000);
}
