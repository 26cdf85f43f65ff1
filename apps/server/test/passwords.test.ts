/** Passwords must be hard to guess, not only long: common passwords, patterns and the person's own words are refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { isStrongPassword } from '../src/auth/passwordPolicy.js';
import { DEMO_PASSWORD } from '../src/demo/seed.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  cookie = await t.login(A.admin.email);
});
afterAll(async () => t?.close());

const WEAK = ['aaaaaaaaaa', '1234567890', 'password12', 'qwertyuiop'];
let seq = 0;

describe('password strength', () => {
  it.each(WEAK)('refuses %s when creating a user, in the caller\'s language', async (password) => {
    const en = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie, 'accept-language': 'en-US' }, payload: { email: `weak${++seq}@example.test`, name: 'New', role: 'agent', password } });
    expect(en.statusCode).toBe(400);
    expect(en.json().error.details).toEqual([{ path: 'body.password', message: expect.stringMatching(/too easy to guess/) }]);
    const zh = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie, 'accept-language': 'zh-CN' }, payload: { email: `weak${++seq}@example.test`, name: 'New', role: 'agent', password } });
    expect(zh.json().error.details[0].message).toMatch(/太容易被猜到/);
  });

  it("refuses the user's own e-mail, name or organization as the password", async () => {
    const email = 'li.lei.ops@example.test';
    for (const password of [email, 'li.lei.ops2024', `${A.org.name}!`]) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { cookie }, payload: { email, name: 'Li Lei', role: 'agent', password } });
      expect(r.statusCode, password).toBe(400);
    }
    expect(isStrongPassword('Poscare2026!', {})).toBe(false);
  });

  it('applies to a reset by an admin and to changing one\'s own password', async () => {
    const u = await t.f.user(A.org.id, 'agent');
    const reset = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${u.id}`, headers: { cookie }, payload: { password: '1234567890' } });
    expect(reset.json().error.id).toBe('password.weak');
    const own = await t.login(u.email);
    const weak = await t.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: { cookie: own, 'accept-language': 'en-US' }, payload: { currentPassword: TEST_PASSWORD, newPassword: u.email } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details[0].path).toBe('body.newPassword');
    const wrongCurrent = await t.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: { cookie: own }, payload: { currentPassword: 'not-mine-at-all', newPassword: 'Quiet-Lantern-Brook-7' } });
    expect(wrongCurrent.json().error.id).toBe('auth.wrong_current_password');
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/me/password', headers: { cookie: own }, payload: { currentPassword: TEST_PASSWORD, newPassword: 'Quiet-Lantern-Brook-7' } });
    expect(ok.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie: own } })).statusCode).toBe(200);
    expect((await t.login(u.email, 'Quiet-Lantern-Brook-7')).length).toBeGreaterThan(0);
  });

  it('checks POSCARE_ADMIN_PASSWORD at start with a message naming the variable', () => {
    expect(() => loadConfig({ POSCARE_ADMIN_PASSWORD: 'password12' })).toThrow(/POSCARE_ADMIN_PASSWORD is too easy to guess.*got "\[redacted\]"/s);
    expect(() => loadConfig({ POSCARE_ADMIN_EMAIL: 'ops@example.test', POSCARE_ADMIN_PASSWORD: 'ops@example.test' })).toThrow(/too easy to guess/);
    expect(loadConfig({ POSCARE_ADMIN_PASSWORD: 'E2e-Admin-Pass-1' }).POSCARE_ADMIN_PASSWORD).toBe('E2e-Admin-Pass-1');
  });

  it('the fixtures of the tests and the demo pass the rule', () => {
    for (const p of [TEST_PASSWORD, DEMO_PASSWORD, 'E2e-Admin-Pass-1']) expect(isStrongPassword(p, { email: 'admin@e2e.test', name: 'Administrator' }), p).toBe(true);
  });
});
