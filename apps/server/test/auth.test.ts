import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { sessions, users } from '../src/db/schema.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
});
afterAll(async () => t?.close());

const login = (email: string, password: string, ip = '10.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers: { 'accept-language': 'en-US' }, remoteAddress: ip });

describe('sign-in', () => {
  it('stores passwords as argon2id hashes, never in the clear', async () => {
    const [u] = await t.db.orm.select().from(users).where(eq(users.id, A.admin.id));
    expect(u!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(u!.passwordHash).not.toContain(TEST_PASSWORD);
  });

  it('sets an httpOnly, SameSite session cookie and the session is stored only as a hash', async () => {
    const res = await login(A.admin.email, TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    const c = res.cookies.find((x) => x.name === 'poscare_session')!;
    expect(c.httpOnly).toBe(true);
    expect(c.sameSite).toBe('Strict');
    const rows = await t.db.orm.select().from(sessions).where(eq(sessions.userId, A.admin.id));
    expect(rows.map((r) => r.id)).not.toContain(c.value);
    expect(res.json().permissions).toContain('users:manage');
  });

  it('answers a wrong password and an unknown account identically', async () => {
    const wrong = await login(A.admin.email, 'not-the-password', '10.0.1.1');
    const unknown = await login('nobody@example.test', 'not-the-password', '10.0.1.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toBe(unknown.body);
    expect(wrong.json().error.message).toBe('Email or password is incorrect.');
  });

  it('after 5 failures of one account from one address, that pair waits (Retry-After), then the right password gets in', async () => {
    const u = await t.f.user(A.org.id, 'agent');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      for (let i = 0; i < 5; i++) expect((await login(u.email, 'wrong-password', '10.1.0.7')).statusCode).toBe(401);
      const blocked = await login(u.email, TEST_PASSWORD, '10.1.0.7');
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json().error.id).toBe('auth.rate_limited');
      expect(Number(blocked.headers['retry-after'])).toBe(30);
      vi.setSystemTime(Date.now() + 31_000);
      expect((await login(u.email, TEST_PASSWORD, '10.1.0.7')).statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('limits by client address too, so spraying many accounts from one address is stopped', async () => {
    for (let i = 0; i < 30; i++) await login(`spray${i}@example.test`, 'x-password', '10.9.9.9');
    const blocked = await login(A.admin.email, TEST_PASSWORD, '10.9.9.9');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(A.admin.email, TEST_PASSWORD, '10.9.9.10')).statusCode).toBe(200);
  });

  it('a disabled user cannot sign in and loses open sessions', async () => {
    const u = await t.f.user(A.org.id, 'engineer');
    const cookie = await t.login(u.email);
    const adminCookie = await t.login(A.admin.email);
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${u.id}`, headers: { cookie: adminCookie }, payload: { disabled: true } });
    expect(patch.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
    expect((await login(u.email, TEST_PASSWORD, '10.2.0.1')).statusCode).toBe(401);
  });

  it('sessions expire after SESSION_TTL_HOURS', async () => {
    const cookie = await t.login(A.admin.email);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(200);
    t.clock.advance(13 * 3_600_000);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('logout ends the session', async () => {
    const cookie = await t.login(A.admin.email);
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
  });
});

describe('API tokens', () => {
  it('authenticate integrations with a bearer token until revoked', async () => {
    const cookie = await t.login(A.admin.email);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers: { cookie }, payload: { name: 'ERP sync' } });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect(token).toMatch(/^pc_/);
    const auth = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: '/api/v1/terminals', headers: auth })).statusCode).toBe(200);
    const listed = await t.app.inject({ url: '/api/v1/me/tokens', headers: { cookie } });
    expect(listed.body).not.toContain(token);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/me/tokens/${id}`, headers: { cookie } });
    const after = await t.app.inject({ url: '/api/v1/terminals', headers: { ...auth, 'accept-language': 'zh-CN' } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.message).toBe('API 令牌无效或已被吊销。');
  });
});

describe('roles', () => {
  it('an engineer may record acceptance but not create merchants; a risk analyst only reads', async () => {
    const eng = await t.login((await t.f.user(A.org.id, 'engineer')).email);
    const risk = await t.login((await t.f.user(A.org.id, 'risk_analyst')).email);
    const merchantCreate = { method: 'POST' as const, url: '/api/v1/merchants', payload: { mid: 'R1', name: 'x' } };
    expect((await t.app.inject({ ...merchantCreate, headers: { cookie: eng } })).statusCode).toBe(403);
    expect((await t.app.inject({ ...merchantCreate, headers: { cookie: risk } })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/terminals', headers: { cookie: risk } })).statusCode).toBe(200);
    const items = { receipt_print: 'pass', keypad: 'pass', chip_read: 'pass', tap_read: 'fail', swipe_read: 'pass', network: 'pass', time_sync: 'pass' };
    const acc = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${A.terminal.id}/acceptance`, headers: { cookie: eng }, payload: { items } });
    expect(acc.statusCode).toBe(201);
    const accRisk = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${A.terminal.id}/acceptance`, headers: { cookie: risk }, payload: { items } });
    expect(accRisk.statusCode).toBe(403);
  });

  it('an admin cannot lock themselves out by removing their own admin role', async () => {
    const cookie = await t.login(A.admin.email);
    const res = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${A.admin.id}`, headers: { cookie, 'accept-language': 'en' }, payload: { role: 'agent' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.id).toBe('user.cannot_demote_self');
  });

  it('a merchant user must be linked to a merchant of the same organization', async () => {
    const cookie = await t.login(A.admin.email);
    const base = { email: 'm1@shop.test', name: 'Shop', role: 'merchant', password: 'Shop-Pass-123' };
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie }, payload: base })).json().error.id).toBe('user.merchant_required');
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie }, payload: { ...base, merchantId: A.merchant.id } });
    expect(ok.statusCode).toBe(201);
    expect(ok.body).not.toContain('password');
    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie, 'accept-language': 'zh-CN' }, payload: { ...base, merchantId: A.merchant.id } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toBe('已存在邮箱相同的用户。');
  });
});

describe('errors in the user\'s language', () => {
  it('explains malformed JSON, bad fields and unknown routes in Chinese by default and English on request', async () => {
    const cookie = await t.login(A.admin.email);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/merchants', headers: { cookie, 'content-type': 'application/json' }, payload: '{"mid":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ id: 'validation.malformed_json', message: '请求内容不是有效的 JSON。' });
    const fields = await t.app.inject({ method: 'POST', url: '/api/v1/merchants', headers: { cookie, 'accept-language': 'en-US' }, payload: { mid: '' } });
    expect(fields.json().error.id).toBe('validation.failed');
    expect(fields.json().error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.mid', 'body.name']));
    const nf = await t.app.inject({ url: '/api/v1/nope', headers: { cookie, 'accept-language': 'en-US' } });
    expect(nf.statusCode).toBe(404);
    const big = await t.app.inject({ method: 'POST', url: '/api/v1/merchants', headers: { cookie }, payload: { mid: 'x', name: 'y'.repeat(2 * 1024 * 1024) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.id).toBe('validation.payload_too_large');
  });

  it('uses the user\'s saved language when the client does not ask for one', async () => {
    const cookie = await t.login(A.admin.email);
    await t.app.inject({ method: 'PATCH', url: '/api/v1/me/preferences', headers: { cookie }, payload: { language: 'en-US' } });
    const res = await t.app.inject({ url: '/api/v1/terminals/00000000-0000-4000-8000-000000000000', headers: { cookie } });
    expect(res.json().error.message).toBe('The terminal was not found.');
  });
});
