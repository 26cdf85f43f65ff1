/**
 * Software catalogue (issue 18, decision 013): packages are accepted only with a hash we compute and an
 * Ed25519 signature that verifies with a trusted vendor key; `install` names a catalogued package that
 * fits the terminal's model and OS; a terminal downloads it and the SDK's own check accepts it.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { verifyPackage } from '@poscare/terminal-sdk';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwarePackages, terminals } from '../src/db/schema.js';
import { enrol } from './device.js';
import { createTestApp, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let cookie: string;
let cookieB: string;
let cookieEngineer: string;
/** A's terminals: A920 on PayDroid 7.1 (fits), S920 (another model), A920 on PayDroid 6.0 (OS too old). */
let fits: { id: string }, otherModel: { id: string }, oldOs: { id: string };
let cred: Awaited<ReturnType<typeof enrol>>;
let credB: Awaited<ReturnType<typeof enrol>>;

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), raw: publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64') };
}
const pax = keyPair();
const newland = keyPair();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const signHash = (b: Buffer, key: KeyObject = pax.privateKey) => sign(null, Buffer.from(sha(b), 'utf8'), key).toString('base64');

/** A multipart package upload: text fields, then the file. */
function form(fields: Record<string, string>, file: Buffer, filename = 'app.apk') {
  const b = `----poscare${Math.random().toString(16).slice(2)}`;
  const parts = Object.entries(fields).map(([k, v]) => Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  const payload = Buffer.concat([
    ...parts,
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
}

const apk = (version: string, size = 4096) => Buffer.concat([Buffer.from(`PK\u0003\u0004 PosCare test app ${version}\n`), Buffer.alloc(size, version)]);
const fieldsFor = (bytes: Buffer, over: Record<string, string> = {}) => ({
  vendor: 'PAX', kind: 'app', version: '3.3.0', signature: signHash(bytes), keyId: 'pax-2026', models: 'A920, A920Pro', minOsVersion: 'PayDroid 7.0',
  notesZh: '修复非接读卡超时', notesEn: 'Fixes contactless read timeouts', ...over,
});
async function upload(bytes: Buffer, fields: Record<string, string>, c = cookie, lang = 'en-US') {
  const f = form(fields, bytes);
  return t.app.inject({ method: 'POST', url: '/api/v1/software/packages', headers: { cookie: c, 'accept-language': lang, ...f.headers }, payload: f.payload });
}
const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, c = cookie, lang = 'en-US') =>
  t.app.inject({ method, url, headers: { cookie: c, 'accept-language': lang }, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  cookie = await t.login(A.admin.email);
  cookieB = await t.login(B.admin.email);
  const engineer = await t.f.user(A.org.id, 'engineer');
  cookieEngineer = await t.login(engineer.email);
  await t.db.orm.update(terminals).set({ osVersion: 'PayDroid 7.1', appVersion: '3.2.0' }).where(eq(terminals.id, A.terminal.id));
  fits = A.terminal;
  otherModel = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'installed', model: 'S920', osVersion: 'Prolin 2.6' });
  oldOs = await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'installed', model: 'A920', osVersion: 'PayDroid 6.0' });
  cred = await enrol(t, cookie, A.terminal.serialNumber);
  for (const x of [otherModel, oldOs]) {
    const [row] = await t.db.orm.select().from(terminals).where(eq(terminals.id, x.id));
    await enrol(t, cookie, row!.serialNumber);
  }
  credB = await enrol(t, cookieB, B.terminal.serialNumber);
});
afterAll(async () => t?.close());

describe('trusted signing keys', () => {
  it('an admin adds a vendor public key (PEM or raw); a private key, another algorithm or a non-admin is refused', async () => {
    const priv = await api('POST', '/api/v1/signing-keys', { keyId: 'pax-leak', vendor: 'PAX', publicKey: pax.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
    expect(priv.statusCode).toBe(400);
    expect(priv.json().error.id).toBe('software.key_private');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const wrongAlg = await api('POST', '/api/v1/signing-keys', { keyId: 'pax-rsa', vendor: 'PAX', publicKey: rsa });
    expect(wrongAlg.json().error.id).toBe('software.key_invalid');
    const byEngineer = await api('POST', '/api/v1/signing-keys', { keyId: 'pax-2026', vendor: 'PAX', publicKey: pax.pem }, cookieEngineer);
    expect(byEngineer.statusCode).toBe(403);

    const added = await api('POST', '/api/v1/signing-keys', { keyId: 'pax-2026', vendor: 'PAX', publicKey: pax.pem });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ keyId: 'pax-2026', vendor: 'PAX', publicKey: pax.raw, revokedAt: null });
    expect((await api('POST', '/api/v1/signing-keys', { keyId: 'newland-1', vendor: 'Newland', publicKey: newland.raw })).statusCode).toBe(201);
    expect((await api('POST', '/api/v1/signing-keys', { keyId: 'pax-2026', vendor: 'PAX', publicKey: pax.raw })).statusCode).toBe(409);
    const list = await api('GET', '/api/v1/signing-keys', undefined, cookieEngineer);
    expect(list.json().map((k: { keyId: string }) => k.keyId)).toEqual(['newland-1', 'pax-2026']);
    expect(list.body).not.toContain('PRIVATE');
  });
});

describe('uploading a package', () => {
  it('is catalogued with the hash computed by the server and the signature verified', async () => {
    const bytes = apk('3.3.0');
    const res = await upload(bytes, fieldsFor(bytes, { sha256: sha(bytes).toUpperCase() }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      vendor: 'PAX', kind: 'app', version: '3.3.0', bytes: bytes.length, sha256: sha(bytes), keyId: 'pax-2026',
      models: ['A920', 'A920Pro'], minOsVersion: 'PayDroid 7.0', notes: { 'zh-CN': '修复非接读卡超时', 'en-US': 'Fixes contactless read timeouts' },
    });
    const again = await upload(bytes, fieldsFor(bytes));
    expect(again.statusCode).toBe(409);
    const audit = await api('GET', '/api/v1/audit?entity=software_package');
    expect(audit.body).toContain(sha(bytes));
  });

  it('is refused when the signature was made over other bytes, in the reader\'s language, and nothing is stored', async () => {
    const bytes = apk('3.3.1');
    const tampered = Buffer.concat([bytes, Buffer.from('backdoor')]);
    const en = await upload(tampered, fieldsFor(bytes, { version: '3.3.1' }));
    expect(en.statusCode).toBe(400);
    expect(en.json().error).toMatchObject({ id: 'software.bad_signature' });
    expect(en.json().error.message).toContain('does not verify with key pax-2026');
    const zh = await upload(tampered, fieldsFor(bytes, { version: '3.3.1' }), cookie, 'zh-CN');
    expect(zh.json().error.message).toContain('签名无法用密钥 pax-2026 验证通过');
    // Signed by the right vendor's name, but with another vendor's private key.
    const otherKey = await upload(bytes, fieldsFor(bytes, { version: '3.3.1', signature: signHash(bytes, newland.privateKey) }));
    expect(otherKey.json().error.id).toBe('software.bad_signature');
    const stored = await t.db.orm.select({ id: softwarePackages.id }).from(softwarePackages).where(eq(softwarePackages.version, '3.3.1'));
    expect(stored).toEqual([]);
  });

  it('is refused when the file\'s hash differs from the one the vendor published', async () => {
    const bytes = apk('3.3.2');
    const res = await upload(bytes, fieldsFor(bytes, { version: '3.3.2', sha256: sha(Buffer.from('another file')) }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.id).toBe('software.hash_mismatch');
    expect(res.json().error.message).toContain(sha(bytes));
  });

  it('is refused when the key is unknown, of another vendor, or revoked', async () => {
    const bytes = apk('3.3.3');
    const unknown = await upload(bytes, fieldsFor(bytes, { version: '3.3.3', keyId: 'pax-1999' }));
    expect(unknown.json().error.id).toBe('software.untrusted_key');
    // Newland's key signs Newland packages only, even when the signature itself is good.
    const crossVendor = await upload(bytes, fieldsFor(bytes, { version: '3.3.3', keyId: 'newland-1', signature: signHash(bytes, newland.privateKey) }));
    expect(crossVendor.json().error.id).toBe('software.untrusted_key');
    const k = keyPair();
    const added = (await api('POST', '/api/v1/signing-keys', { keyId: 'pax-old', vendor: 'PAX', publicKey: k.raw })).json();
    expect((await api('POST', `/api/v1/signing-keys/${added.id}/revoke`)).json().revokedAt).not.toBeNull();
    const revoked = await upload(bytes, fieldsFor(bytes, { version: '3.3.3', keyId: 'pax-old', signature: signHash(bytes, k.privateKey) }));
    expect(revoked.json().error.id).toBe('software.untrusted_key');
  });

  it('is refused when larger than the limit, before it is verified or stored', async () => {
    const limit = t.services.software.maxPackageBytes;
    t.services.software.maxPackageBytes = 2048;
    try {
      const bytes = apk('3.3.4', 4096);
      const res = await upload(bytes, fieldsFor(bytes, { version: '3.3.4' }));
      expect(res.statusCode).toBe(413);
      expect(res.json().error.message).toContain('2 KiB');
    } finally {
      t.services.software.maxPackageBytes = limit;
    }
    expect((await t.db.orm.select().from(softwarePackages).where(eq(softwarePackages.version, '3.3.4'))).length).toBe(0);
  });

  it('is refused with the fields named when they are wrong, and for people who may only read the catalogue', async () => {
    const bytes = apk('3.3.5');
    const bad = await upload(bytes, fieldsFor(bytes, { version: '3.3.5', kind: 'plugin', models: ' , ' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('body.kind');
    expect(bad.body).toContain('body.models');
    const byEngineer = await upload(bytes, fieldsFor(bytes, { version: '3.3.5' }), cookieEngineer);
    expect(byEngineer.statusCode).toBe(403);
    expect((await api('GET', '/api/v1/software/packages', undefined, cookieEngineer)).statusCode).toBe(200);
  });

  it("is another organization's business: B neither sees A's packages nor uploads with A's keys", async () => {
    const [pkg] = (await api('GET', '/api/v1/software/packages')).json();
    expect((await api('GET', `/api/v1/software/packages/${pkg.id}`, undefined, cookieB)).statusCode).toBe(404);
    expect((await api('PUT', `/api/v1/software/packages/${pkg.id}/compat`, { models: ['S920'], minOsVersion: null }, cookieB)).statusCode).toBe(404);
    expect((await api('GET', '/api/v1/software/packages', undefined, cookieB)).json()).toEqual([]);
    expect((await api('GET', '/api/v1/signing-keys', undefined, cookieB)).json()).toEqual([]);
    const bytes = apk('3.3.6');
    const withAKey = await upload(bytes, fieldsFor(bytes, { version: '3.3.6' }), cookieB);
    expect(withAKey.json().error.id).toBe('software.untrusted_key');
    const download = await t.app.inject({ url: `/device/v1/packages/${pkg.id}`, headers: { authorization: `Bearer ${credB.terminalId}:${credB.secret}` } });
    expect(download.statusCode).toBe(404);
  });
});

describe('installing a catalogued package', () => {
  const install = (terminalId: string, args: Record<string, unknown>, lang = 'en-US') => api('POST', `/api/v1/terminals/${terminalId}/commands`, { name: 'install', args }, cookie, lang);

  it('is refused to a terminal whose model or OS the package does not support, and for a version not in the catalogue', async () => {
    const model = await install(otherModel.id, { kind: 'app', version: '3.3.0' });
    expect(model.statusCode).toBe(409);
    expect(model.json().error).toMatchObject({ id: 'software.incompatible_model' });
    expect(model.json().error.message).toContain('S920');
    const os = await install(oldOs.id, { kind: 'app', version: '3.3.0' }, 'zh-CN');
    expect(os.json().error.id).toBe('software.incompatible_os');
    expect(os.json().error.message).toContain('PayDroid 7.0');
    const missing = await install(fits.id, { kind: 'app', version: '9.9.9' });
    expect(missing.json().error.id).toBe('software.not_catalogued');
    const [pkg] = (await api('GET', '/api/v1/software/packages')).json();
    const mismatch = await install(fits.id, { kind: 'app', version: '1.0.0', packageId: pkg.id });
    expect(mismatch.json().error.id).toBe('software.install_mismatch');
  });

  it('sends the catalogue\'s hash, signature and address; the terminal downloads it and the SDK accepts it', async () => {
    const res = await install(fits.id, { kind: 'app', version: '3.3.0' });
    expect(res.statusCode, res.body).toBe(201);
    const args = res.json().args;
    const [pkg] = (await api('GET', '/api/v1/software/packages')).json();
    expect(args).toEqual({ kind: 'app', version: '3.3.0', packageId: pkg.id, url: `/device/v1/packages/${pkg.id}`, sha256: pkg.sha256, signature: pkg.signature, keyId: 'pax-2026' });

    const anonymous = await t.app.inject({ url: args.url });
    expect(anonymous.statusCode).toBe(401);
    const dl = await t.app.inject({ url: args.url, headers: { authorization: `Bearer ${cred.terminalId}:${cred.secret}` } });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['x-poscare-sha256']).toBe(pkg.sha256);
    const bytes = dl.rawPayload;
    // The terminal's trusted keys come with its software, not from the server.
    expect(verifyPackage(bytes, args, [{ keyId: 'pax-2026', publicKey: pax.pem }])).toEqual({ sha256: pkg.sha256 });
    expect(() => verifyPackage(Buffer.concat([bytes, Buffer.from('x')]), args, [{ keyId: 'pax-2026', publicKey: pax.pem }])).toThrow(/differs/);
  });

  it('in bulk: the preview counts the incompatible terminals out and only the ones it fits receive it', async () => {
    const [pkg] = (await api('GET', '/api/v1/software/packages')).json();
    const preview = await api('POST', '/api/v1/commands/bulk/preview', { siteId: A.site.id, packageId: pkg.id });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toEqual({ matched: 3, reachable: 1, incompatible: 2 });
    const byVersion = await api('POST', '/api/v1/commands/bulk/preview', { siteId: A.site.id, install: { kind: 'app', version: '3.3.0' } });
    expect(byVersion.json()).toEqual({ matched: 3, reachable: 1, incompatible: 2 });
    const plain = await api('POST', '/api/v1/commands/bulk/preview', { siteId: A.site.id });
    expect(plain.json()).toEqual({ matched: 3, reachable: 3 });
    const args = { kind: 'app', version: '3.3.0', packageId: pkg.id };
    const tooMany = await api('POST', '/api/v1/commands/bulk', { name: 'install', args, filter: { siteId: A.site.id }, expectedCount: 3 });
    expect(tooMany.statusCode).toBe(409);
    const sent = await api('POST', '/api/v1/commands/bulk', { name: 'install', args, filter: { siteId: A.site.id }, expectedCount: 1 });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json().terminals.map((x: { terminalId: string }) => x.terminalId)).toEqual([fits.id]);
    expect(sent.json().terminals[0].args).toMatchObject({ sha256: pkg.sha256, keyId: 'pax-2026' });
  });
});

describe('compatibility matrix', () => {
  it('shows each model × OS × app version of the fleet against each package, and follows what the admin declares', async () => {
    const [pkg] = (await api('GET', '/api/v1/software/packages')).json();
    const cell = async (model: string, os: string) => {
      const m = (await api('GET', '/api/v1/software/matrix', undefined, cookieEngineer)).json();
      const row = m.rows.findIndex((r: { model: string; osVersion: string }) => r.model === model && r.osVersion === os);
      return m.cells[row][m.packages.findIndex((p: { id: string }) => p.id === pkg.id)];
    };
    expect(await cell('A920', 'PayDroid 7.1')).toBe(true);
    expect(await cell('S920', 'Prolin 2.6')).toBe(false);
    expect(await cell('A920', 'PayDroid 6.0')).toBe(false);
    const byEngineer = await api('PUT', `/api/v1/software/packages/${pkg.id}/compat`, { models: ['A920', 'S920'], minOsVersion: null }, cookieEngineer);
    expect(byEngineer.statusCode).toBe(403);
    const changed = await api('PUT', `/api/v1/software/packages/${pkg.id}/compat`, { models: ['A920', 'S920'], minOsVersion: null });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await cell('A920', 'PayDroid 6.0')).toBe(true);
    // S920 is now declared, but it is still a PAX package: the model is supported.
    expect(await cell('S920', 'Prolin 2.6')).toBe(true);
    const preview = await api('POST', '/api/v1/commands/bulk/preview', { siteId: A.site.id, packageId: pkg.id });
    expect(preview.json()).toEqual({ matched: 3, reachable: 3, incompatible: 0 });
  });
});
