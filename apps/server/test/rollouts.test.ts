/**
 * Rollouts, the skeleton (issue 18): planned from a catalogued package and a filter, terminals the
 * package does not fit left out, waves of cumulative percentages, and states that move only from the
 * state a person saw (two people pausing at once: one wins, the other is told it changed).
 */
import { randomUUID } from 'node:crypto';
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
let pkgA: string;
let pkgB: string;
/** A's site: eleven A920s on PayDroid 7.1 (the package fits) and two S920s (it does not). */
const fitting: string[] = [];

const api = (method: 'GET' | 'POST', url: string, payload?: object, c = cookie) =>
  t.app.inject({ method, url, headers: { cookie: c, 'accept-language': 'en-US' }, ...(payload ? { payload } : {}) });

async function catalogue(orgId: string) {
  const id = randomUUID();
  await t.db.orm.insert(softwarePackages).values({
    id, orgId, vendor: 'PAX', kind: 'app', version: '4.0.0', filename: 'app.apk', bytes: 1, sha256: 'a'.repeat(64), signature: 'sig', keyId: 'k',
    models: ['A920'], minOsVersion: 'PayDroid 7.0', notesZh: '', notesEn: '', data: Buffer.from('x'), createdAt: t.clock.now(),
  });
  return id;
}

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  cookie = await t.login(A.admin.email);
  cookieB = await t.login(B.admin.email);
  cookieEngineer = await t.login((await t.f.user(A.org.id, 'engineer')).email);
  await t.db.orm.update(terminals).set({ osVersion: 'PayDroid 7.1' }).where(eq(terminals.id, A.terminal.id));
  const all = [{ id: A.terminal.id, serialNumber: A.terminal.serialNumber }];
  for (let i = 0; i < 10; i++) all.push(await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'installed', model: 'A920', osVersion: 'PayDroid 7.1' }));
  for (let i = 0; i < 2; i++) all.push(await t.f.terminal(A.org.id, { siteId: A.site.id, merchantId: A.merchant.id, lifecycleState: 'installed', model: 'S920', osVersion: 'Prolin 2.6' }));
  for (const x of all) await enrol(t, cookie, x.serialNumber);
  fitting.push(...all.slice(0, 11).map((x) => x.id));
  pkgA = await catalogue(A.org.id);
  pkgB = await catalogue(B.org.id);
});
afterAll(async () => t?.close());

describe('planning a rollout', () => {
  it('puts the terminals the package fits into waves of cumulative percentages and leaves the others out', async () => {
    const res = await api('POST', '/api/v1/rollouts', { name: 'Pay app 4.0', packageId: pkgA, filter: { siteId: A.site.id }, waves: [10, 50, 100] });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    expect(r).toMatchObject({ state: 'planned', currentWave: null, matched: 13, excluded: 2, waves: [10, 50, 100] });
    // 11 terminals: 10% → 2 (ceil 1.1), 50% → 6 (4 more), 100% → 11 (5 more); none pending twice.
    expect(r.wavesDetail.map((w: { terminals: number }) => w.terminals)).toEqual([2, 4, 5]);
    expect(r.wavesDetail[0].byState).toEqual({ pending: 2 });
    const audit = await api('GET', '/api/v1/audit?entity=rollout');
    expect(audit.body).toContain('Pay app 4.0');
  });

  it('defaults to canary 1% → 10% → 50% → 100%, and refuses waves that do not end at 100% or go down', async () => {
    const res = await api('POST', '/api/v1/rollouts', { name: 'Default waves', packageId: pkgA, filter: { siteId: A.site.id } });
    expect(res.json().waves).toEqual([1, 10, 50, 100]);
    expect(res.json().wavesDetail[0].terminals).toBe(1);
    expect((await api('POST', '/api/v1/rollouts', { name: 'x', packageId: pkgA, filter: {}, waves: [10, 50] })).statusCode).toBe(400);
    expect((await api('POST', '/api/v1/rollouts', { name: 'x', packageId: pkgA, filter: {}, waves: [50, 10, 100] })).statusCode).toBe(400);
  });

  it('is refused when no terminal the package fits matches, for people who may only read, and with another tenant\'s package', async () => {
    const none = await api('POST', '/api/v1/rollouts', { name: 'S920 only', packageId: pkgA, filter: { siteId: A.site.id, model: 'S920' } });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatchObject({ id: 'rollout.empty' });
    expect(none.json().error.message).toContain('2 left out');
    expect((await api('POST', '/api/v1/rollouts', { name: 'x', packageId: pkgA, filter: {} }, cookieEngineer)).statusCode).toBe(403);
    expect((await api('GET', '/api/v1/rollouts', undefined, cookieEngineer)).statusCode).toBe(200);
    expect((await api('POST', '/api/v1/rollouts', { name: 'x', packageId: pkgB, filter: {} })).statusCode).toBe(404);
  });
});

describe('rollout states', () => {
  it('start, pause, resume and complete along the allowed moves; anything else is refused', async () => {
    const r = (await api('POST', '/api/v1/rollouts', { name: 'Moves', packageId: pkgA, filter: { siteId: A.site.id } })).json();
    const move = (to: string) => api('POST', `/api/v1/rollouts/${r.id}/transition`, { to });
    expect((await move('paused')).json().error.id).toBe('rollout.bad_transition');
    const started = await move('running');
    expect(started.json()).toMatchObject({ state: 'running', currentWave: 0 });
    expect((await move('paused')).json().state).toBe('paused');
    expect((await move('running')).json()).toMatchObject({ state: 'running', currentWave: 0 });
    expect((await move('completed')).json().state).toBe('completed');
    const again = await move('running');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('completed');
  });

  it('two people pausing at once: one pauses it, the other is refused and nothing is written twice', async () => {
    const r = (await api('POST', '/api/v1/rollouts', { name: 'Race', packageId: pkgA, filter: { siteId: A.site.id } })).json();
    await api('POST', `/api/v1/rollouts/${r.id}/transition`, { to: 'running' });
    const both = await Promise.all([1, 2].map(() => api('POST', `/api/v1/rollouts/${r.id}/transition`, { to: 'paused' })));
    expect(both.map((x) => x.statusCode).sort()).toEqual([200, 409]);
    const audit = (await api('GET', `/api/v1/audit?entity=rollout&entityId=${r.id}`)).json();
    expect(audit.items.filter((e: { action: string; after: { state?: string } }) => e.action === 'transition' && e.after?.state === 'paused')).toHaveLength(1);
  });

  it("is another organization's business", async () => {
    const r = (await api('POST', '/api/v1/rollouts', { name: 'Mine', packageId: pkgA, filter: { siteId: A.site.id } })).json();
    expect((await api('GET', `/api/v1/rollouts/${r.id}`, undefined, cookieB)).statusCode).toBe(404);
    expect((await api('POST', `/api/v1/rollouts/${r.id}/transition`, { to: 'aborted' }, cookieB)).statusCode).toBe(404);
    expect((await api('GET', '/api/v1/rollouts', undefined, cookieB)).json()).toEqual([]);
    expect((await api('GET', `/api/v1/rollouts/${r.id}`)).json().state).toBe('planned');
    expect(fitting).toHaveLength(11);
  });
});
