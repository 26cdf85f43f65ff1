/**
 * The second factor: enrolment (secret as QR code and text, confirmed by a first code), recovery codes,
 * sign-in in two steps through a short-lived challenge, remembered browsers, the organization's policy
 * (and platform admins always), admin reset, and secrets encrypted at rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import { auditLog, loginChallenges, trustedDevices, userRecoveryCodes, users } from '../src/db/schema.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
});
afterAll(async () => t?.close());

const en = { 'accept-language': 'en-US' };
let ipSeq = 0;
const freshIp = () => `192.0.2.${++ipSeq}`;
const login = (email: string, password = TEST_PASSWORD, extra: Record<string, string> = {}, ip = freshIp()) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers: { ...en, ...extra }, remoteAddress: ip });
const secondStep = (payload: Record<string, unknown>, ip = freshIp()) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login/second-factor', payload, headers: en, remoteAddress: ip });
const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, cookie: string, payload?: unknown) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { cookie, ...en }, ...(payload === undefined ? {} : { payload: payload as object }) });
const sessionOf = (res: { cookies: { name: string; value: string }[] }) => `poscare_session=${res.cookies.find((c) => c.name === 'poscare_session')!.value}`;

/** The code an authenticator app shows at the test clock's time (steps: 30 s later, the next code). */
const codeAt = (secret: string, steps = 0) => OTPAuth.TOTP.generate({ secret: OTPAuth.Secret.fromBase32(secret), timestamp: t.clock.now().getTime() + steps * 30_000 });

/** Enrols a fresh user and returns what they were shown. */
async function enrolled(role: 'agent' | 'admin' | 'engineer' = 'agent') {
  const user = await t.f.user(A.org.id, role);
  const cookie = await t.login(user.email);
  const setup = await call('POST', '/me/mfa/totp', cookie);
  expect(setup.statusCode).toBe(200);
  const { secret } = setup.json();
  const confirm = await call('POST', '/me/mfa/totp/confirm', cookie, { code: codeAt(secret) });
  expect(confirm.statusCode).toBe(200);
  t.clock.advance(30_000); // the next sign-in uses a new code
  return { user, cookie, secret: secret as string, recoveryCodes: confirm.json().recoveryCodes as string[] };
}

describe('enrolment', () => {
  it('shows the secret as QR code and text, asks for a first code, then gives 10 recovery codes once', async () => {
    const user = await t.f.user(A.org.id, 'agent');
    const cookie = await t.login(user.email);
    const setup = (await call('POST', '/me/mfa/totp', cookie)).json();
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\/PosCare:.+\?.*secret=/);
    expect(setup.qr).toMatch(/^data:image\/png;base64,/);
    expect((await call('GET', '/me/mfa', cookie)).json()).toMatchObject({ enabled: false, pending: true });

    const wrong = await call('POST', '/me/mfa/totp/confirm', cookie, { code: codeAt(setup.secret) === '000000' ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.id).toBe('mfa.invalid_code');

    const ok = await call('POST', '/me/mfa/totp/confirm', cookie, { code: codeAt(setup.secret) });
    expect(ok.statusCode).toBe(200);
    const codes: string[] = ok.json().recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await call('GET', '/me/mfa', cookie)).json()).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10 });
    expect((await call('POST', '/me/mfa/totp', cookie)).json().error.id).toBe('mfa.already_enabled');

    const [row] = await t.db.orm.select().from(users).where(eq(users.id, user.id));
    expect(row!.totpSecret).toMatch(/^v1:/);
    expect(row!.totpSecret).not.toContain(setup.secret);
    const stored = await t.db.orm.select().from(userRecoveryCodes).where(eq(userRecoveryCodes.userId, user.id));
    expect(stored.map((r) => r.codeHash)).not.toContain(codes[0]);
    const audit = await t.db.orm.select().from(auditLog).where(and(eq(auditLog.entityId, user.id), eq(auditLog.action, 'mfa.enable')));
    expect(JSON.stringify(audit)).not.toContain(setup.secret);
    expect(JSON.stringify(audit)).not.toContain(codes[0]);
  });
});

describe('sign-in with a second factor', () => {
  it('asks for the code after the password; the challenge gives no session until the code is right', async () => {
    const { user, secret } = await enrolled();
    const first = await login(user.email);
    expect(first.statusCode).toBe(202);
    expect(first.cookies.find((c) => c.name === 'poscare_session')).toBeUndefined();
    const { challenge, secondFactor, rememberDays } = first.json();
    expect(secondFactor).toBe('totp');
    expect(rememberDays).toBe(30);
    const [stored] = await t.db.orm.select().from(loginChallenges).where(eq(loginChallenges.userId, user.id));
    expect(stored!.id).not.toBe(challenge);

    const bad = await secondStep({ challenge, code: codeAt(secret) === '123456' ? '654321' : '123456' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.message).toMatch(/code is not correct/);
    const good = await secondStep({ challenge, code: codeAt(secret) });
    expect(good.statusCode).toBe(200);
    expect(good.json().mfa).toEqual({ enabled: true, required: false, enrolmentRequired: false });
    expect((await call('GET', '/me', sessionOf(good))).statusCode).toBe(200);
    // A code is good once, and a challenge is spent.
    expect((await secondStep({ challenge, code: codeAt(secret) })).json().error.id).toBe('mfa.challenge_expired');
    const again = (await login(user.email)).json().challenge;
    expect((await secondStep({ challenge: again, code: codeAt(secret) })).json().error.id).toBe('mfa.invalid_code');
  });

  it('a challenge lives 5 minutes and takes 5 tries', async () => {
    const { user, secret } = await enrolled();
    const c1 = (await login(user.email)).json().challenge;
    t.clock.advance(5 * 60_000 + 1000);
    expect((await secondStep({ challenge: c1, code: codeAt(secret) })).json().error.id).toBe('mfa.challenge_expired');

    const c2 = (await login(user.email)).json().challenge;
    const wrong = codeAt(secret) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await secondStep({ challenge: c2, code: wrong })).json().error.id).toBe('mfa.invalid_code');
    expect((await secondStep({ challenge: c2, code: codeAt(secret) })).json().error.id).toBe('mfa.challenge_expired');
  });

  it('a recovery code works once instead of the app', async () => {
    const { user, recoveryCodes } = await enrolled();
    const c1 = (await login(user.email)).json().challenge;
    const ok = await secondStep({ challenge: c1, recoveryCode: recoveryCodes[3]!.toUpperCase() });
    expect(ok.statusCode).toBe(200);
    const c2 = (await login(user.email)).json().challenge;
    expect((await secondStep({ challenge: c2, recoveryCode: recoveryCodes[3] })).statusCode).toBe(401);
    expect((await call('GET', '/me/mfa', sessionOf(ok))).json().recoveryCodesLeft).toBe(9);
  });

  it('"remember this device" skips the code for the organization\'s number of days, in that browser only', async () => {
    const { user, secret } = await enrolled();
    const challenge = (await login(user.email)).json().challenge;
    const res = await secondStep({ challenge, code: codeAt(secret), rememberDevice: true });
    const remembered = res.cookies.find((c) => c.name === 'poscare_trusted_device')!;
    expect(remembered.httpOnly).toBe(true);
    expect(remembered.maxAge).toBe(30 * 86_400);
    const [row] = await t.db.orm.select().from(trustedDevices).where(eq(trustedDevices.userId, user.id));
    expect(row!.id).not.toBe(remembered.value);

    const cookie = `poscare_trusted_device=${remembered.value}`;
    expect((await login(user.email, TEST_PASSWORD, { cookie })).statusCode).toBe(200);
    expect((await login(user.email)).statusCode).toBe(202);
    // Another user's browser cookie does not help.
    const other = await enrolled();
    expect((await login(other.user.email, TEST_PASSWORD, { cookie })).statusCode).toBe(202);
    t.clock.advance(31 * 86_400_000);
    expect((await login(user.email, TEST_PASSWORD, { cookie })).statusCode).toBe(202);
  });

  it('wrong codes count against the sign-in limit like wrong passwords', async () => {
    const { user, secret } = await enrolled();
    const ip = '198.51.100.200';
    const wrong = codeAt(secret) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const c = (await login(user.email, TEST_PASSWORD, {}, ip)).json().challenge;
      expect((await secondStep({ challenge: c, code: wrong }, ip)).statusCode).toBe(401);
    }
    const r = await login(user.email, TEST_PASSWORD, {}, ip);
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBeDefined();
  });
});

describe('policy', () => {
  it('a role the organization lists must enrol before anything else; the session reaches only enrolment', async () => {
    const org = await t.f.org();
    const admin = await t.f.user(org.id, 'admin');
    const agent = await t.f.user(org.id, 'agent');
    const adminCookie = await t.login(admin.email);
    const put = await call('PUT', `/organizations/${org.id}/security`, adminCookie, { mfaRequiredRoles: ['agent'], mfaRememberDays: 7 });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ mfaRequiredRoles: ['agent'], mfaRememberDays: 7, platformAdmins: 'required' });

    const res = await login(agent.email);
    expect(res.statusCode).toBe(200);
    expect(res.json().mfa).toEqual({ enabled: false, required: true, enrolmentRequired: true });
    const cookie = sessionOf(res);
    const blocked = await call('GET', '/terminals', cookie);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.id).toBe('mfa.enrolment_required');
    expect((await call('POST', '/me/tokens', cookie, { name: 'x' })).statusCode).toBe(403);
    expect((await call('GET', '/me', cookie)).statusCode).toBe(200);

    const { secret } = (await call('POST', '/me/mfa/totp', cookie)).json();
    expect((await call('POST', '/me/mfa/totp/confirm', cookie, { code: codeAt(secret) })).statusCode).toBe(200);
    expect((await call('GET', '/terminals', cookie)).statusCode).toBe(200);
    // Required: it cannot be turned off by the user.
    t.clock.advance(30_000);
    const off = await call('POST', '/me/mfa/disable', cookie, { code: codeAt(secret) });
    expect(off.statusCode).toBe(409);
    expect(off.json().error.id).toBe('mfa.required_by_policy');
    // The org's remember days apply to its challenges.
    t.clock.advance(30_000);
    expect((await login(agent.email)).json().rememberDays).toBe(7);
  });

  it('platform admins must have a second factor (MFA_PLATFORM_ADMINS defaults to required)', async () => {
    const pa = await t.f.user(A.org.id, 'admin', { platformAdmin: true });
    const res = await login(pa.email);
    expect(res.json().mfa.enrolmentRequired).toBe(true);
    expect((await call('GET', '/organizations', sessionOf(res))).json().error.id).toBe('mfa.enrolment_required');
  });

  it('where not required, a user may turn it off with a current code', async () => {
    const { cookie, secret } = await enrolled();
    const off = await call('POST', '/me/mfa/disable', cookie, { code: codeAt(secret) });
    expect(off.statusCode).toBe(204);
    expect((await call('GET', '/me/mfa', cookie)).json()).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
  });

  it('only admins set the policy, and only for their own organization', async () => {
    const agentCookie = await t.login((await t.f.user(A.org.id, 'agent')).email);
    expect((await call('PUT', `/organizations/${A.org.id}/security`, agentCookie, { mfaRequiredRoles: [], mfaRememberDays: 1 })).statusCode).toBe(403);
    const other = await t.f.org();
    const adminCookie = await t.login(A.admin.email);
    expect((await call('PUT', `/organizations/${other.id}/security`, adminCookie, { mfaRequiredRoles: [], mfaRememberDays: 1 })).statusCode).toBe(404);
  });
});

describe('admin reset', () => {
  it("an admin resets a user's factor: audited without the secret, the user's sessions end, they enrol again", async () => {
    const { user, cookie, secret } = await enrolled();
    const adminCookie = await t.login(A.admin.email);
    const reset = await call('DELETE', `/users/${user.id}/mfa`, adminCookie);
    expect(reset.statusCode).toBe(204);
    expect((await call('GET', '/me', cookie)).statusCode).toBe(401);
    expect((await login(user.email)).statusCode).toBe(200);
    const [row] = await t.db.orm.select().from(users).where(eq(users.id, user.id));
    expect(row!.totpSecret).toBeNull();
    const [entry] = await t.db.orm.select().from(auditLog).where(and(eq(auditLog.entityId, user.id), eq(auditLog.action, 'mfa.reset')));
    expect(entry!.actorName).toBe(A.admin.name);
    expect(JSON.stringify(entry)).not.toContain(secret);
    const list = await call('GET', `/users?q=${encodeURIComponent(user.email)}`, adminCookie);
    expect(list.json().items[0].mfaEnabled).toBe(false);
    expect(list.body).not.toContain('totpSecret');
  });

  it('an admin of another organization cannot reset it', async () => {
    const { user } = await enrolled();
    const other = await t.f.org();
    const stranger = await t.login((await t.f.user(other.id, 'admin')).email);
    expect((await call('DELETE', `/users/${user.id}/mfa`, stranger)).statusCode).toBe(404);
  });
});
