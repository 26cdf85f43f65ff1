/** The installation key for second-factor secrets: where it comes from, and starts that must be refused. */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { checkSecretKey } from '../src/security/startup.js';
import { decryptSecret, encryptSecret, installationKey, keyFile } from '../src/security/secretKey.js';
import { users } from '../src/db/schema.js';
import { eq } from 'drizzle-orm';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());
const log = { warn: () => undefined };

describe('installation key', () => {
  it('on the embedded store, is made once in DATA_DIR with mode 0600 and read back on the next start', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'poscare-key-'));
    const config = loadConfig({ DATA_DIR: dir });
    const key = installationKey(config)!;
    expect(key).toHaveLength(32);
    expect(statSync(keyFile(dir)).mode & 0o777).toBe(0o600);
    expect(installationKey(loadConfig({ DATA_DIR: dir }))!.equals(key)).toBe(true);
  });

  it('POSCARE_SECRET_KEY wins; a bad value stops the start naming the variable, never printing it', () => {
    const b64 = randomBytes(32).toString('base64');
    expect(installationKey(loadConfig({ POSCARE_SECRET_KEY: b64, DATABASE_URL: 'postgres://x/y' }))!.toString('base64')).toBe(b64);
    expect(() => loadConfig({ POSCARE_SECRET_KEY: 'c2hvcnQ=' })).toThrow(/POSCARE_SECRET_KEY must be 32 bytes in base64.*\[redacted\]/s);
    expect(installationKey(loadConfig({ DATABASE_URL: 'postgres://x/y' }))).toBeNull();
  });

  it('a secret is bound to its user and opens only with its key', () => {
    const k = randomBytes(32);
    const sealed = encryptSecret(k, 'JBSWY3DPEHPK3PXP', 'user-a');
    expect(decryptSecret(k, sealed, 'user-a')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => decryptSecret(k, sealed, 'user-b')).toThrow(/cannot be decrypted/);
    expect(() => decryptSecret(randomBytes(32), sealed, 'user-a')).toThrow(/cannot be decrypted/);
  });

  it('with DATABASE_URL and no key, an api process starts while nobody has a second factor, and refuses once someone has', async () => {
    const noKey = loadConfig({ DATABASE_URL: 'postgres://x/y' });
    const warned: string[] = [];
    await checkSecretKey(t.db, noKey, { warn: (m: string) => void warned.push(m) } as never);
    expect(warned.join()).toMatch(/POSCARE_SECRET_KEY is not set/);

    const { org } = await t.tenant();
    const u = await t.f.user(org.id, 'agent');
    const memoryKey = installationKey(t.ctx.config)!;
    await t.db.orm.update(users).set({ totpSecret: encryptSecret(memoryKey, 'JBSWY3DPEHPK3PXP', u.id), totpEnabledAt: t.clock.now() }).where(eq(users.id, u.id));
    await expect(checkSecretKey(t.db, noKey, log as never)).rejects.toThrow(/POSCARE_SECRET_KEY is not set, but users have a second factor/);
    const otherKey = loadConfig({ DATABASE_URL: 'postgres://x/y', POSCARE_SECRET_KEY: randomBytes(32).toString('base64') });
    await expect(checkSecretKey(t.db, otherKey, log as never)).rejects.toThrow(/not the key the second-factor secrets were encrypted with/);
    await expect(checkSecretKey(t.db, t.ctx.config, log as never)).resolves.toBeUndefined();
  });

  it('enrolment without a key answers 503 with what the operator must set', async () => {
    const { org } = await t.tenant();
    const u = await t.f.user(org.id, 'agent');
    const cookie = await t.login(u.email);
    const saved = t.ctx.config;
    Object.assign(t.ctx, { config: { ...saved, DATABASE_URL: 'postgres://x/y', DATA_DIR: '/nonexistent' } });
    try {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/me/mfa/totp', headers: { cookie, 'accept-language': 'en-US' } });
      expect(r.statusCode).toBe(503);
      expect(r.json().error.message).toMatch(/POSCARE_SECRET_KEY/);
    } finally {
      Object.assign(t.ctx, { config: saved });
    }
  });
});
