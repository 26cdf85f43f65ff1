/**
 * Verified API tokens are kept a few seconds per process (access/tokenCache.ts, decision 009), and the
 * decide index of risk/decide lives in memory: what an integration notices must not change. A revoked
 * token is refused from the next request on, a demoted holder loses the permission at once, a block
 * made in one process is answered by another at once — on PostgreSQL across two app instances with
 * their own pools and LISTEN connections (two processes), on PGlite across two apps in this process.
 */
import { eq } from 'drizzle-orm';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type Services } from '../src/app.js';
import { shareAccess } from '../src/access/tokenCache.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { apiTokens } from '../src/db/schema.js';
import { openSignals, type Signals } from '../src/platform/signals.js';
import { createTestApp, dbKind, type TestApp } from './harness.js';

const onPostgres = dbKind === 'postgres';
const log = pino({ level: 'silent' });
/** Far longer than any wait below: a refusal seen within the wait came from the signal, not from expiry. */
const LONG_TTL_MS = 10 * 60_000;

let t: TestApp;
let A: Awaited<ReturnType<TestApp['tenant']>>;
let adminCookie: string;
let analyst: { id: string; email: string };
let analystCookie: string;
const stops: (() => Promise<void> | void)[] = [];
/** The second process: its own database pool, signals connection, services and app. */
const other = {} as { db: Database; app: FastifyInstance; services: Services; signals: Signals };

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 5_000): Promise<{ value: T; afterMs: number }> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() - start > ms) return { value, afterMs: Date.now() - start };
    await new Promise((r) => setTimeout(r, 10));
  }
}

const newToken = async (cookie: string, name: string) => (await t.app.inject({ method: 'POST', url: '/api/v1/me/tokens', headers: { cookie }, payload: { name } })).json() as { id: string; token: string };
const decideOn = (app: FastifyInstance, token: string, cardToken = 'tok_clean') =>
  app.inject({ method: 'POST', url: '/api/v1/risk/decide', headers: { authorization: `Bearer ${token}` }, payload: { terminalId: A.terminal.id, cardToken, amountMinor: 1200, entryMode: 'chip', at: t.clock.now().toISOString() } });

beforeAll(async () => {
  t = await createTestApp();
  A = await t.tenant();
  adminCookie = await t.login(A.admin.email);
  analyst = await t.f.user(A.org.id, 'risk_analyst');
  analystCookie = await t.login(analyst.email);
  const signals = await openSignals({ db: t.db, databaseUrl: t.databaseUrl, log });
  stops.push(() => signals.close(), shareAccess(t.db, signals));
  t.services.risk.shareSignals(signals);

  other.db = onPostgres ? await openDatabase({ dataDir: 'memory://', databaseUrl: t.databaseUrl }) : t.db;
  const built = await buildApp({ ...t.ctx, db: other.db });
  other.app = built.app;
  other.services = built.services;
  await other.app.ready();
  other.signals = await openSignals({ db: other.db, databaseUrl: t.databaseUrl, log });
  stops.push(() => other.signals.close(), shareAccess(other.db, other.signals));
  other.services.risk.shareSignals(other.signals);
  for (const s of [t.services, other.services]) s.auth.tokens.ttlMs = LONG_TTL_MS;
}, 120_000);

afterAll(async () => {
  for (const s of stops.reverse()) await s();
  await other.app?.close();
  if (onPostgres) await other.db?.close();
  await t?.close();
});

describe('API tokens kept in memory', () => {
  it('a token is read from the tables once, then answered from memory', async () => {
    const { token } = await newToken(analystCookie, 'gateway');
    expect((await decideOn(t.app, token)).statusCode).toBe(200);
    // Revoked behind the app's back (no signal): memory still answers until it expires — this is what the cache saves.
    await t.db.orm.update(apiTokens).set({ revokedAt: t.clock.now() }).where(eq(apiTokens.tokenHash, (await t.db.orm.select().from(apiTokens).where(eq(apiTokens.name, 'gateway')))[0]!.tokenHash));
    expect((await decideOn(t.app, token)).statusCode).toBe(200);
  });

  it('requests arriving together with a token not in memory read the tables once between them', async () => {
    const { token } = await newToken(analystCookie, 'burst');
    const reads = vi.spyOn(t.db.orm, 'select');
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, () => decideOn(t.app, token)));
      expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(200));
      const tokenReads = reads.mock.calls.filter((c) => c[0] && typeof c[0] === 'object' && 'tokenId' in (c[0] as object)).length;
      expect(tokenReads).toBe(1);
    } finally {
      reads.mockRestore();
    }
  });

  it('a request arriving after a revocation does not join a read begun before it', async () => {
    const { token, id } = await newToken(analystCookie, 'revoke-during-read');
    const first = t.services.auth.actorForToken(token);
    // Revoked, and the change announced, while the first read is still on its way.
    await t.db.orm.update(apiTokens).set({ revokedAt: t.clock.now() }).where(eq(apiTokens.id, id));
    t.services.auth.tokens.forget({ tokenId: id });
    const second = t.services.auth.actorForToken(token);
    await first;
    expect(await second).toBeNull();
  });

  it('a token revoked without a signal (one lost) is refused once its few seconds are over', async () => {
    t.services.auth.tokens.ttlMs = 5_000;
    try {
      const { token, id } = await newToken(analystCookie, 'lost-signal');
      expect((await decideOn(t.app, token)).statusCode).toBe(200);
      await t.db.orm.update(apiTokens).set({ revokedAt: t.clock.now() }).where(eq(apiTokens.id, id));
      t.clock.advance(4_000);
      expect((await decideOn(t.app, token)).statusCode).toBe(200);
      t.clock.advance(1_001);
      expect((await decideOn(t.app, token)).statusCode).toBe(401);
    } finally {
      t.services.auth.tokens.ttlMs = LONG_TTL_MS;
    }
  });

  it('a revoked token is refused by the next request, in the same process and in the other one', async () => {
    const { token, id } = await newToken(analystCookie, 'revoke-me');
    expect((await decideOn(t.app, token)).statusCode).toBe(200);
    expect((await decideOn(other.app, token)).statusCode).toBe(200);
    expect(t.services.auth.tokens.size).toBeGreaterThan(0);
    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/me/tokens/${id}`, headers: { cookie: analystCookie } });
    expect(revoked.statusCode).toBeLessThan(300);
    const here = await decideOn(t.app, token);
    expect(here.statusCode).toBe(401);
    const there = await until(() => decideOn(other.app, token), (r) => r.statusCode === 401);
    expect(there.value.statusCode).toBe(401);
    // Not expiry: the caches keep entries ten minutes in this test, and the other process heard the signal.
    expect(there.afterMs).toBeLessThan(2_000);
  });

  it("a holder's role taken away takes their token's permission away at once, in both processes", async () => {
    const holder = await t.f.user(A.org.id, 'risk_analyst');
    const { token } = await newToken(await t.login(holder.email), 'demote-me');
    expect((await decideOn(t.app, token)).statusCode).toBe(200);
    expect((await decideOn(other.app, token)).statusCode).toBe(200);
    const changed = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${holder.id}`, headers: { cookie: adminCookie }, payload: { role: 'engineer' } });
    expect(changed.statusCode).toBe(200);
    expect((await decideOn(t.app, token)).statusCode).toBe(403);
    const there = await until(() => decideOn(other.app, token), (r) => r.statusCode === 403);
    expect(there.value.statusCode).toBe(403);
    expect(there.afterMs).toBeLessThan(2_000);
  });

  it('a disabled holder is refused at once', async () => {
    const holder = await t.f.user(A.org.id, 'risk_analyst');
    const { token } = await newToken(await t.login(holder.email), 'disable-me');
    expect((await decideOn(other.app, token)).statusCode).toBe(200);
    await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${holder.id}`, headers: { cookie: adminCookie }, payload: { disabled: true } });
    expect((await decideOn(t.app, token)).statusCode).toBe(401);
    expect((await until(() => decideOn(other.app, token), (r) => r.statusCode === 401)).value.statusCode).toBe(401);
  });
});

describe('risk/decide in another process', () => {
  it('answers block at once for a card blocked in this process, and allow again once it is removed', async () => {
    // The other process's index would otherwise wait 10 s before looking again: only the signal can make it see the block in time.
    const { token } = await newToken(analystCookie, 'other-gateway');
    expect((await decideOn(other.app, token, 'tok_signal')).json().verdict).toBe('allow');
    const block = await t.app.inject({ method: 'POST', url: '/api/v1/risk/blocks', headers: { cookie: analystCookie }, payload: { kind: 'card_token', value: 'tok_signal', reason: 'test' } });
    expect(block.statusCode).toBe(201);
    const blocked = await until(() => decideOn(other.app, token, 'tok_signal'), (r) => r.json().verdict === 'block');
    expect(blocked.value.json().verdict).toBe('block');
    expect(blocked.afterMs).toBeLessThan(3_000);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/risk/blocks/${block.json().id}`, headers: { cookie: analystCookie } });
    const allowed = await until(() => decideOn(other.app, token, 'tok_signal'), (r) => r.json().verdict === 'allow');
    expect(allowed.value.json().verdict).toBe('allow');
  });
});
