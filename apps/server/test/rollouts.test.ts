/**
 * Rollouts, the skeleton (issue 18): planned from a catalogued package and a filter, terminals the
 * package does not fit left out, waves of cumulative percentages, and states that move only from the
 * state a person saw (two people pausing at once: one wins, the other is told it changed). Driving them:
 * a start sends the first wave's installs, the pass follows the acknowledgements wave by wave, halts a wave
 * that fails significantly more than allowed (once, with two passes at once), and pause / abort stop sending.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softwarePackages, terminals } from '../src/db/schema.js';
import { enrol, send } from './device.js';
import { atOnce } from './concurrent.js';
import { JOBS } from '../src/jobs/registry.js';
import { jobHandlers } from '../src/jobs/handlers.js';
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
const creds = new Map<string, { terminalId: string; secret: string }>();

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
  for (const x of all) {
    const c = await enrol(t, cookie, x.serialNumber);
    creds.set(c.terminalId, c);
  }
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

type Target = { terminal_id: string; wave: number; state: string; command_id: string | null };
const targetsOf = (id: string) =>
  t.db.rawTransaction((tx) => tx.query<Target>('SELECT terminal_id, wave, state, command_id FROM rollout_targets WHERE rollout_id = $1 ORDER BY wave, terminal_id', [id]));
const installsOf = (name: string) =>
  t.db.rawTransaction((tx) => tx.query<{ id: string; terminal_id: string; args: { packageId?: string } }>("SELECT id, terminal_id, args FROM commands WHERE name = 'install' AND reason LIKE $1", [`Rollout "${name}"%`]));
/** The terminals of a wave answer their install: succeeded, failed, or (null) nothing. */
async function answer(targets: Target[], status: (i: number) => 'succeeded' | 'failed' | null) {
  for (const [i, x] of targets.entries()) {
    const st = status(i);
    if (!st || !x.command_id) continue;
    const res = await send(t, creds.get(x.terminal_id)!, [{ v: 1, msgId: `ack-${x.command_id}-${st}`, at: t.clock.now().toISOString(), kind: 'cmd_ack', data: { commandId: x.command_id, status: st } }]);
    expect(res.statusCode, res.body).toBe(200);
  }
}
const pass = () => t.services.rollouts.pass();
const create = async (name: string, waves: number[]) => {
  const res = await api('POST', '/api/v1/rollouts', { name, packageId: pkgA, filter: { siteId: A.site.id }, waves });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
};
const move = (id: string, to: string) => api('POST', `/api/v1/rollouts/${id}/transition`, { to });

describe('driving a rollout', () => {
  it("starting sends the first wave's installs (audited); the pass follows the answers and moves wave by wave to completed", async () => {
    const r = await create('Drive 4.0', [10, 50, 100]);
    const started = (await move(r.id, 'running')).json();
    expect(started.wavesDetail.map((w: { byState: object }) => w.byState)).toEqual([{ installing: 2 }, { pending: 4 }, { pending: 5 }]);
    let ts = await targetsOf(r.id);
    const sent = await installsOf('Drive 4.0');
    expect(sent.map((c) => c.terminal_id).sort()).toEqual(ts.filter((x) => x.wave === 0).map((x) => x.terminal_id).sort());
    expect(sent.every((c) => c.args.packageId === pkgA)).toBe(true);
    const audit = (await api('GET', `/api/v1/audit?entity=terminal&entityId=${sent[0]!.terminal_id}`)).json();
    expect(audit.items.some((e: { action: string; actorName: string | null; after: { commandId?: string } }) => e.action === 'command' && e.after?.commandId === sent[0]!.id)).toBe(true);

    // Nothing answered yet: the wave is not done, the next one is not sent.
    await pass();
    expect((await installsOf('Drive 4.0')).length).toBe(2);
    await answer(ts.filter((x) => x.wave === 0), () => 'succeeded');
    // Two passes at once: the second wave's four installs go out once.
    await atOnce(2, () => pass());
    const afterOne = (await api('GET', `/api/v1/rollouts/${r.id}`)).json();
    expect(afterOne).toMatchObject({ state: 'running', currentWave: 1 });
    expect(afterOne.wavesDetail.map((w: { byState: object }) => w.byState)).toEqual([{ installed: 2 }, { installing: 4 }, { pending: 5 }]);
    expect((await installsOf('Drive 4.0')).length).toBe(6);

    ts = await targetsOf(r.id);
    await answer(ts.filter((x) => x.wave === 1), () => 'succeeded');
    await pass();
    ts = await targetsOf(r.id);
    await answer(ts.filter((x) => x.wave === 2), () => 'succeeded');
    await pass();
    const done = (await api('GET', `/api/v1/rollouts/${r.id}`)).json();
    expect(done).toMatchObject({ state: 'completed', currentWave: 2 });
    expect(done.wavesDetail.map((w: { byState: object }) => w.byState)).toEqual([{ installed: 2 }, { installed: 4 }, { installed: 5 }]);
    expect((await installsOf('Drive 4.0')).length).toBe(11);
    const log = (await api('GET', `/api/v1/audit?entity=rollout&entityId=${r.id}`)).json();
    expect(log.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['next_wave', 'complete']));
  });

  it('halts by itself, once across two passes at once, when a wave fails significantly more than 5%; no further wave is sent', async () => {
    const r = await create('Bad 4.0', [50, 100]);
    await move(r.id, 'running');
    const wave0 = (await targetsOf(r.id)).filter((x) => x.wave === 0);
    expect(wave0).toHaveLength(6);
    // Three fail, two succeed, one never answers: 4 of 6 failures, Wilson lower bound far above 5%.
    await answer(wave0, (i) => (i < 3 ? 'failed' : i < 5 ? 'succeeded' : null));
    t.clock.advance(16 * 60_000);
    const results = await atOnce(2, () => pass());
    expect(results.reduce((a, x) => a + x.halted, 0)).toBe(1);
    const halted = (await api('GET', `/api/v1/rollouts/${r.id}`)).json();
    expect(halted).toMatchObject({ state: 'halted', currentWave: 0 });
    expect(halted.wavesDetail[0].byState).toEqual({ failed: 3, installed: 2, no_answer: 1 });
    expect(halted.wavesDetail[1].byState).toEqual({ pending: 5 });
    const log = (await api('GET', `/api/v1/audit?entity=rollout&entityId=${r.id}`)).json();
    const halts = log.items.filter((e: { action: string }) => e.action === 'halt');
    expect(halts).toHaveLength(1);
    expect(halts[0].after).toMatchObject({ state: 'halted', reason: 'wave_failure_rate', wave: 0, failures: 4, results: 6, policy: { statistic: 'wilson_lower_bound', allowedFailureRate: 0.05 } });
    expect(halts[0].after.lowerBound).toBeGreaterThan(0.05);
    await pass();
    expect((await installsOf('Bad 4.0')).length).toBe(6);
    // A person cannot resume a halted rollout, only abort it.
    expect((await move(r.id, 'running')).statusCode).toBe(409);
    expect((await move(r.id, 'halted')).statusCode).toBe(409);
    expect((await move(r.id, 'aborted')).json().state).toBe('aborted');
  });

  it('a good wave with one failure in 11 is not halted (lower bound under 5%)', async () => {
    const r = await create('Mostly good', [100]);
    await move(r.id, 'running');
    await answer(await targetsOf(r.id), (i) => (i === 0 ? 'failed' : 'succeeded'));
    await pass();
    expect((await api('GET', `/api/v1/rollouts/${r.id}`)).json()).toMatchObject({ state: 'completed' });
  });

  it('paused: the answers are followed but no new wave goes out until it is resumed; aborted: no more commands', async () => {
    const r = await create('Pausing', [10, 50, 100]);
    await move(r.id, 'running');
    expect((await move(r.id, 'paused')).json().state).toBe('paused');
    await answer((await targetsOf(r.id)).filter((x) => x.wave === 0), () => 'succeeded');
    await pass();
    const paused = (await api('GET', `/api/v1/rollouts/${r.id}`)).json();
    expect(paused).toMatchObject({ state: 'paused', currentWave: 0 });
    expect(paused.wavesDetail.map((w: { byState: object }) => w.byState)).toEqual([{ installed: 2 }, { pending: 4 }, { pending: 5 }]);
    expect((await installsOf('Pausing')).length).toBe(2);

    // Resumed: the finished wave is judged at once and the next one sent.
    const resumed = (await move(r.id, 'running')).json();
    expect(resumed).toMatchObject({ state: 'running', currentWave: 1 });
    expect((await installsOf('Pausing')).length).toBe(6);

    expect((await move(r.id, 'aborted')).json().state).toBe('aborted');
    await answer((await targetsOf(r.id)).filter((x) => x.wave === 1), () => 'succeeded');
    await pass();
    await pass();
    const aborted = (await api('GET', `/api/v1/rollouts/${r.id}`)).json();
    expect(aborted).toMatchObject({ state: 'aborted', currentWave: 1 });
    expect(aborted.wavesDetail[1].byState).toEqual({ installed: 4 });
    expect(aborted.wavesDetail[2].byState).toEqual({ pending: 5 });
    expect((await installsOf('Pausing')).length).toBe(6);
  });

  it('sends again, at a later pass, a target claimed by a pass that stopped before sending it', async () => {
    const r = await create('Interrupted', [100]);
    await move(r.id, 'running');
    const [first] = await targetsOf(r.id);
    // As a pass killed between its claim and the send leaves it: installing, no command.
    await t.db.rawTransaction((tx) => tx.query('UPDATE rollout_targets SET command_id = NULL WHERE rollout_id = $1 AND terminal_id = $2', [r.id, first!.terminal_id]));
    await pass();
    expect((await targetsOf(r.id)).find((x) => x.terminal_id === first!.terminal_id)).toMatchObject({ state: 'installing', command_id: null });
    t.clock.advance(11 * 60_000);
    await pass();
    const again = (await targetsOf(r.id)).find((x) => x.terminal_id === first!.terminal_id)!;
    expect(again.state).toBe('installing');
    expect(again.command_id).not.toBeNull();
    expect((await installsOf('Interrupted')).filter((c) => c.terminal_id === first!.terminal_id)).toHaveLength(2);
    // Also the job the worker runs each minute.
    expect(JOBS['rollouts.pass'].schedule).toBe('* * * * *');
    expect(await jobHandlers(t.ctx, t.services)['rollouts.pass']({})).toMatchObject({ rollouts: expect.any(Number) });
  });
});
