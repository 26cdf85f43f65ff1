/**
 * Sign-in limits that slow an attacker without locking the real user out, counted in the database so
 * every process shares them, and client addresses taken from X-Forwarded-For only through trusted proxies.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { addressKey } from '../src/auth/loginLimiter.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
});
afterAll(async () => t?.close());

type Inject = TestApp['app'];
const login = (app: Inject, email: string, password: string, ip: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers: { 'accept-language': 'en-US', ...headers }, remoteAddress: ip });

/** The same server code started again on the same database: another process of a deployment. */
async function secondInstance(env: Record<string, string> = {}) {
  const config = loadConfig({ DATA_DIR: 'memory://', LOG_LEVEL: 'silent', ...env });
  const { app } = await buildApp({ ...t.ctx, config, log: pino({ level: 'silent' }) });
  await app.ready();
  return app;
}

describe('client address', () => {
  it('with TRUST_PROXY unset, a forged X-Forwarded-For does not give a fresh budget', async () => {
    // Spraying accounts from one address, a new forged header value each time: the address's budget still runs out.
    for (let i = 0; i < 30; i++) {
      expect((await login(t.app, `sprayed${i}@example.test`, 'wrong-password', '203.0.113.5', { 'x-forwarded-for': `198.51.100.${i}` })).statusCode).toBe(401);
    }
    const next = await login(t.app, 'sprayed99@example.test', 'wrong-password', '203.0.113.5', { 'x-forwarded-for': '198.51.100.99' });
    expect(next.statusCode).toBe(429);
  });

  it('with TRUST_PROXY unset, failures claiming to come from a victim\'s address do not make the victim wait', async () => {
    const u = await t.f.user(A.org.id, 'agent');
    for (let i = 0; i < 40; i++) await login(t.app, i < 10 ? u.email : `other${i}@example.test`, 'wrong-password', '203.0.113.66', { 'x-forwarded-for': '192.0.2.200' });
    expect((await login(t.app, u.email, TEST_PASSWORD, '192.0.2.200')).statusCode).toBe(200);
  });

  it('with TRUST_PROXY naming the proxy, X-Forwarded-For is the client: two clients behind it count apart', async () => {
    const app = await secondInstance({ TRUST_PROXY: '10.0.0.0/8' });
    try {
      const u = await t.f.user(A.org.id, 'agent');
      for (let i = 0; i < 5; i++) await login(app, u.email, 'wrong-password', '10.0.0.2', { 'x-forwarded-for': '198.51.100.7' });
      expect((await login(app, u.email, TEST_PASSWORD, '10.0.0.2', { 'x-forwarded-for': '198.51.100.7' })).statusCode).toBe(429);
      expect((await login(app, u.email, TEST_PASSWORD, '10.0.0.2', { 'x-forwarded-for': '198.51.100.8' })).statusCode).toBe(200);
      // An address outside TRUST_PROXY is not believed.
      for (let i = 0; i < 5; i++) await login(app, u.email, 'wrong-password', '203.0.113.9', { 'x-forwarded-for': `198.51.100.${20 + i}` });
      expect((await login(app, u.email, TEST_PASSWORD, '203.0.113.9', { 'x-forwarded-for': '198.51.100.30' })).statusCode).toBe(429);
    } finally {
      await app.close();
    }
  });

  it('TRUST_PROXY accepts a hop count or addresses and CIDRs, and names what is wrong otherwise', () => {
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1 ,::1,loopback' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'loopback']);
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY must be a hop count.*not valid: true/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: '0' })).toThrow(/between 1 and 10/);
  });

  it('counts IPv6 clients by their /64, which one subscriber holds whole', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
  });
});

describe('limits that do not lock the user out', () => {
  it("an attacker's failures from address A do not block the real user signing in from address B", async () => {
    const u = await t.f.user(A.org.id, 'engineer');
    for (let i = 0; i < 12; i++) await login(t.app, u.email, `guess-${i}-password`, '198.51.100.66');
    expect((await login(t.app, u.email, TEST_PASSWORD, '198.51.100.66')).statusCode).toBe(429);
    expect((await login(t.app, u.email, TEST_PASSWORD, '192.0.2.10')).statusCode).toBe(200);
  });

  it('waits grow exponentially per (account, address): 30 s, 60 s, 120 s … capped at 15 minutes, each 429 with Retry-After', async () => {
    const u = await t.f.user(A.org.id, 'agent');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      const waits: number[] = [];
      for (let i = 0; i < 4; i++) await login(t.app, u.email, 'wrong-password', '192.0.2.50');
      for (let round = 0; round < 7; round++) {
        expect((await login(t.app, u.email, 'wrong-password', '192.0.2.50')).statusCode).toBe(401);
        const refused = await login(t.app, u.email, 'wrong-password', '192.0.2.50');
        expect(refused.statusCode).toBe(429);
        const wait = Number(refused.headers['retry-after']);
        waits.push(wait);
        expect(refused.json().error.message).toBe(`Too many failed sign-in attempts. Try again in ${wait} seconds.`);
        vi.setSystemTime(Date.now() + wait * 1000 + 10);
      }
      expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900]);
      // A success forgets the pair's failures.
      expect((await login(t.app, u.email, TEST_PASSWORD, '192.0.2.50')).statusCode).toBe(200);
      for (let i = 0; i < 4; i++) expect((await login(t.app, u.email, 'wrong-password', '192.0.2.50')).statusCode).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it('unknown accounts are limited exactly like known ones', async () => {
    for (let i = 0; i < 5; i++) await login(t.app, 'nobody.here@example.test', 'wrong-password', '192.0.2.77');
    const r = await login(t.app, 'nobody.here@example.test', 'wrong-password', '192.0.2.77');
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('30');
  });
});

describe('several processes', () => {
  it('two app instances on one database share the counts', async () => {
    const other = await secondInstance();
    try {
      const u = await t.f.user(A.org.id, 'agent');
      for (let i = 0; i < 5; i++) {
        const app = i % 2 === 0 ? t.app : other;
        expect((await login(app, u.email, 'wrong-password', '192.0.2.90')).statusCode).toBe(401);
      }
      expect((await login(other, u.email, TEST_PASSWORD, '192.0.2.90')).statusCode).toBe(429);
      expect((await login(t.app, u.email, TEST_PASSWORD, '192.0.2.90')).statusCode).toBe(429);
    } finally {
      await other.close();
    }
  });
});
