/**
 * The audit log: every entry belongs to the organization of the object that changed (not the actor's),
 * every organization's entries form a hash chain, and verification names the first entry that was
 * changed, removed or inserted behind PosCare's back. Writers of one organization never fork the chain.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/access/actor.js';
import { recordAudit } from '../src/audit/service.js';
import { verifyChains } from '../src/audit/chain.js';
import { backup, restore } from '../src/backup/backup.js';
import { createTestApp, dbKind, testDatabase, type TestApp } from './harness.js';

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let B: Awaited<ReturnType<TestApp['tenant']>>;
let adminA: string;
let adminB: string;
let platform: string;

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, cookie: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: { cookie, 'accept-language': 'en-US' }, ...(payload === undefined ? {} : { payload: payload as object }) });

interface Entry { id: number; seq: number | null; action: string; entity: string; entityId: string | null; before: unknown; after: unknown }
async function auditOf(cookie: string, query = ''): Promise<Entry[]> {
  const res = await call('GET', `/api/v1/audit?limit=200${query}`, cookie);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => t.db.rawTransaction((tx) => tx.query<R>(text, params));
const chainOf = async (orgId: string) => (await verifyChains(t.db, { orgId })).chains[0]!;

/** A fresh organization with an admin who has made `n` changes (merchants created), so `n` audit entries. */
async function orgWithEntries(n: number) {
  const org = await t.f.org();
  const admin = await t.f.user(org.id, 'admin');
  const cookie = await t.login(admin.email);
  for (let i = 0; i < n; i++) {
    const r = await call('POST', '/api/v1/merchants', cookie, { mid: `AUD-${i}`, name: `Audited ${i}` });
    expect(r.statusCode, r.body).toBe(201);
  }
  // Signing in writes an entry too: the chain holds n + 1.
  return { org, admin, cookie };
}
const rows = (orgId: string) => sql<{ id: string; seq: string; hash: string; prev_hash: string }>('SELECT id, seq, hash, prev_hash FROM audit_log WHERE org_id = $1 ORDER BY seq', [orgId]);

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  B = await t.tenant();
  adminA = await t.login(A.admin.email);
  adminB = await t.login(B.admin.email);
  // Second factors are not what this file tests (the harness may already say so).
  (t.ctx.config as { MFA_PLATFORM_ADMINS?: string }).MFA_PLATFORM_ADMINS = 'optional';
  const pa = await t.f.user(A.org.id, 'admin', { platformAdmin: true });
  platform = await t.login(pa.email);
});
afterAll(async () => t?.close());

describe('audit entries belong to the organization of the changed object', () => {
  it("a platform admin of A creating and changing B's user and merchant writes into B's audit, which A's admin cannot read", async () => {
    const user = await call('POST', '/api/v1/users', platform, { orgId: B.org.id, email: 'b.agent@example.test', name: 'B Agent', role: 'agent', password: 'Long-enough-pass-1' });
    expect(user.statusCode, user.body).toBe(201);
    const userId = user.json().id as string;
    expect((await call('PATCH', `/api/v1/users/${userId}`, platform, { name: 'B Agent Renamed' })).statusCode).toBe(200);
    const merchant = await call('POST', '/api/v1/merchants', platform, { orgId: B.org.id, mid: 'B-CROSS-1', name: 'Made by the platform' });
    expect(merchant.statusCode, merchant.body).toBe(201);

    const inB = await auditOf(adminB);
    expect(inB.filter((e) => e.entityId === userId).map((e) => e.action).sort()).toEqual(['create', 'update']);
    expect(inB.find((e) => e.entityId === merchant.json().id)).toMatchObject({ action: 'create', entity: 'merchant' });

    const inA = await auditOf(adminA);
    expect(inA.some((e) => e.entityId === userId || e.entityId === merchant.json().id)).toBe(false);
    expect(JSON.stringify(inA)).not.toContain('b.agent@example.test');
    expect((await chainOf(B.org.id)).ok).toBe(true);
  });
});

describe('the hash chain', () => {
  it('numbers entries 1, 2, … per organization, each naming the hash of the one before', async () => {
    const { org } = await orgWithEntries(3);
    const chain = await rows(org.id);
    expect(chain.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4]);
    expect(chain[0]!.prev_hash).toBe('');
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.prev_hash).toBe(chain[i - 1]!.hash);
    expect(chain.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
    expect(await chainOf(org.id)).toMatchObject({ ok: true, entries: 4, problem: null, head: { seq: 4, hash: chain[3]!.hash } });
  });

  it('hashes what jsonb gives back: key order, unicode, numbers, dates and nesting verify clean; secrets are never stored', async () => {
    const org = await t.f.org();
    const value = {
      z: 1, a: [3, { y: '终端 ✓', b: null }, 0.1 + 0.2], nested: { when: new Date('2026-03-02T01:02:03.456Z'), big: 12345678901234, neg: -0.5, e: 1e21 },
      password: 'hunter22', deep: { totpSecret: 'JBSWY3DP', codeHash: 'abc', tokenHash: 'x', secret: 's', keep: true }, missing: undefined,
    };
    await t.db.orm.transaction((tx) => recordAudit(tx, systemActor(org.id), org.id, { action: 'probe', entity: 'test', before: { b: 2, a: 1 }, after: value }, new Date('2026-03-02T09:00:00.123Z')));
    const [stored] = await sql<{ after: Record<string, unknown> }>('SELECT after FROM audit_log WHERE org_id = $1', [org.id]);
    expect(stored!.after).not.toHaveProperty('password');
    expect(stored!.after.deep).toEqual({ keep: true });
    expect(await chainOf(org.id)).toMatchObject({ ok: true, entries: 1 });
  });

  it('names an entry whose before/after was changed with SQL', async () => {
    const { org } = await orgWithEntries(4);
    await sql(`UPDATE audit_log SET after = jsonb_set(after, '{name}', '"Forged"') WHERE org_id = $1 AND seq = 3`, [org.id]);
    const r = await chainOf(org.id);
    expect(r).toMatchObject({ ok: false, problem: { kind: 'changed', seq: 3 } });
    expect(r.head?.seq).toBe(2);
  });

  it('names the gap where an entry was deleted', async () => {
    const { org } = await orgWithEntries(4);
    await sql('DELETE FROM audit_log WHERE org_id = $1 AND seq = 2', [org.id]);
    expect(await chainOf(org.id)).toMatchObject({ ok: false, problem: { kind: 'removed', seq: 2 } });
  });

  it('notices a deletion hidden by renumbering the entries after it', async () => {
    const { org } = await orgWithEntries(4);
    await sql('DELETE FROM audit_log WHERE org_id = $1 AND seq = 2', [org.id]);
    await sql('UPDATE audit_log SET seq = seq - 1 WHERE org_id = $1 AND seq > 2', [org.id]);
    expect(await chainOf(org.id)).toMatchObject({ ok: false, problem: { kind: 'removed', seq: 2 } });
  });

  it('names an entry inserted with SQL', async () => {
    const { org } = await orgWithEntries(2);
    const [ins] = await sql<{ id: string }>(`INSERT INTO audit_log (org_id, actor_name, action, entity, after, at) VALUES ($1, 'nobody', 'create', 'user', '{"email":"ghost@example.test"}', now()) RETURNING id`, [org.id]);
    expect(await chainOf(org.id)).toMatchObject({ ok: false, problem: { kind: 'inserted', seq: null, id: Number(ins!.id) } });
  });

  it('names an entry appended with a made-up place in the chain', async () => {
    const { org } = await orgWithEntries(2);
    const [last] = (await rows(org.id)).slice(-1);
    await sql(`INSERT INTO audit_log (org_id, actor_name, action, entity, at, seq, prev_hash, hash) VALUES ($1, 'nobody', 'delete', 'user', now(), $2, $3, $4)`, [org.id, Number(last!.seq) + 1, last!.hash, 'f'.repeat(64)]);
    expect(await chainOf(org.id)).toMatchObject({ ok: false, problem: { kind: 'changed', seq: Number(last!.seq) + 1 } });
  });

  it('chains entries written before the chain existed (a database upgraded from 0008), then continues after them', async () => {
    const org = await t.f.org();
    for (const [i, at] of ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.123456Z', '2026-01-03T00:00:00Z'].entries()) {
      await sql(`INSERT INTO audit_log (org_id, actor_name, action, entity, entity_id, before, after, at) VALUES ($1, 'old', 'update', 'merchant', $2, '{"b":1,"a":2}', $3, $4)`, [org.id, `m${i}`, JSON.stringify({ i, name: '旧' }), at]);
    }
    expect(await chainOf(org.id)).toMatchObject({ ok: true, entries: 3, head: { seq: 3 } });
    const admin = await t.f.user(org.id, 'admin');
    await t.login(admin.email);
    expect((await rows(org.id)).map((r) => Number(r.seq))).toEqual([1, 2, 3, 4]);
    expect(await chainOf(org.id)).toMatchObject({ ok: true, entries: 4 });
  });

  it('concurrent writers of one organization neither fork the chain nor leave gaps', async () => {
    const { org, cookie } = await orgWithEntries(0);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 2 ? call('POST', '/api/v1/merchants', cookie, { mid: `PAR-${i}`, name: `Parallel ${i}` }) : call('POST', '/api/v1/tickets', cookie, { title: `Parallel ticket ${i}` }),
      ),
    );
    for (const r of results) expect(r.statusCode, r.body).toBe(201);
    const chain = await rows(org.id);
    expect(chain.map((r) => Number(r.seq))).toEqual(Array.from({ length: chain.length }, (_, i) => i + 1));
    expect(chain.length).toBeGreaterThanOrEqual(25);
    expect(new Set(chain.map((r) => r.prev_hash)).size).toBe(chain.length);
    expect(await chainOf(org.id)).toMatchObject({ ok: true, entries: chain.length });
  }, dbKind === 'postgres' ? 60_000 : 30_000);
});

describe('GET /audit/verify', () => {
  it("answers for the admin's own organization; another organization only for platform admins; not for merchants", async () => {
    const own = await call('GET', '/api/v1/audit/verify', adminA);
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ orgId: A.org.id, ok: true, problem: null });
    expect((await call('GET', `/api/v1/audit/verify?orgId=${B.org.id}`, adminA)).statusCode).toBe(404);
    const other = await call('GET', `/api/v1/audit/verify?orgId=${B.org.id}`, platform);
    expect(other.statusCode).toBe(200);
    expect(other.json().orgId).toBe(B.org.id);
    expect((await call('GET', '/api/v1/audit/verify', await t.login(A.merchantUser.email))).statusCode).toBe(403);
  });

  it('reports where a broken chain breaks', async () => {
    const { org, cookie } = await orgWithEntries(2);
    await sql(`UPDATE audit_log SET actor_name = 'someone else' WHERE org_id = $1 AND seq = 2`, [org.id]);
    expect((await call('GET', '/api/v1/audit/verify', cookie)).json()).toMatchObject({ ok: false, problem: { kind: 'changed', seq: 2, detail: 'Entry 2 was changed after it was written: it no longer matches its hash.' } });
    const zh = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { cookie, 'accept-language': 'zh-CN' } });
    expect(zh.json().problem.detail).toBe('第 2 条记录在写入后被修改过：与其哈希值不符。');
  });
});

describe('every change writes an audit entry', () => {
  it('tickets: opened, moved, assigned and commented, in the ticket organization', async () => {
    const agent = await t.f.user(A.org.id, 'agent');
    const cookie = await t.login(agent.email);
    const created = await call('POST', '/api/v1/tickets', cookie, { siteId: A.site.id, title: 'Printer jams' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().ticket.id as string;
    expect((await call('POST', `/api/v1/tickets/${id}/transition`, cookie, { to: 'triaged' })).statusCode).toBe(200);
    expect((await call('POST', `/api/v1/tickets/${id}/assign`, cookie, { assigneeId: agent.id })).statusCode).toBe(200);
    expect((await call('POST', `/api/v1/tickets/${id}/comments`, cookie, { body: 'On it', internal: true })).statusCode).toBe(200);
    const entries = await auditOf(adminA, `&entity=ticket&entityId=${id}`);
    expect(entries.map((e) => e.action).reverse()).toEqual(['create', 'transition', 'assign', 'note']);
    expect(entries.find((e) => e.action === 'create')!.after).toMatchObject({ title: 'Printer jams', status: 'new', siteId: A.site.id });
    expect(entries.find((e) => e.action === 'transition')).toMatchObject({ before: { status: 'new' }, after: { status: 'triaged' } });
    expect((await chainOf(A.org.id)).ok).toBe(true);
  });

  it('ratings: the merchant rating a resolved ticket', async () => {
    const agent = await t.f.user(A.org.id, 'agent');
    const cookie = await t.login(agent.email);
    const id = (await call('POST', '/api/v1/tickets', cookie, { siteId: A.site.id, title: 'Card reader' })).json().ticket.id as string;
    for (const s of [{ to: 'triaged' }, { to: 'locating' }, { to: 'planned', plan: { kind: 'remote_fix', summary: 'restart' } }, { to: 'in_progress' }, { to: 'verifying' }, { to: 'resolved', override: true, reason: 'confirmed by phone' }]) {
      const r = await call('POST', `/api/v1/tickets/${id}/transition`, cookie, s);
      expect(r.statusCode, r.body).toBe(200);
    }
    const rated = await call('POST', `/api/v1/tickets/${id}/rating`, await t.login(A.merchantUser.email), { score: 4, comment: 'quick' });
    expect(rated.statusCode, rated.body).toBe(201);
    const entries = await auditOf(adminA, `&entity=ticket&entityId=${id}`);
    expect(entries[0]).toMatchObject({ action: 'rate', after: { score: 4, comment: 'quick' } });
  });

  it('work orders: created, checklist ticked', async () => {
    const engineer = await t.f.user(A.org.id, 'engineer');
    const wo = await call('POST', '/api/v1/work-orders', adminA, { terminalId: A.terminal.id, kind: 'maintenance', assigneeId: engineer.id });
    expect(wo.statusCode, wo.body).toBe(201);
    const { id, checklist } = wo.json();
    const tick = await call('POST', `/api/v1/work-orders/${id}/checklist`, await t.login(engineer.email), { itemId: checklist[0].id, done: true });
    expect(tick.statusCode, tick.body).toBe(200);
    const entries = await auditOf(adminA, `&entity=work_order&entityId=${id}`);
    expect(entries.map((e) => e.action).reverse()).toEqual(['create', 'checklist']);
    expect(entries[0]).toMatchObject({ after: { itemId: checklist[0].id, done: true } });
  });
});

describe('restore', () => {
  it('verifies the restored chains and reports the result', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'poscare-audit-'));
    const file = path.join(dir, 'audit.poscare.gz');
    const fresh = await testDatabase();
    try {
      // Only intact organizations: earlier tests broke some chains on purpose.
      const { org } = await orgWithEntries(2);
      await backup(t.db, file);
      const r = await restore(fresh.db, file);
      const restored = r.audit.chains.find((c) => c.orgId === org.id);
      expect(restored).toMatchObject({ ok: true, entries: 3 });
      expect(r.audit.ok).toBe(false);
      expect(r.audit.chains.filter((c) => !c.ok).length).toBeGreaterThan(0);
    } finally {
      await fresh.drop();
    }
  });
});
