/**
 * Test harness: a fresh database per test file (PGlite in memory, or a throw-away database on the
 * PostgreSQL server when POSCARE_TEST_DB=postgres), the app built on it, and factories.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import type { Role } from '@poscare/contracts';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { memoryImage } from '../src/db/template.js';
import { merchants, organizations, sites, terminals, users } from '../src/db/schema.js';
import { hashPassword } from '../src/auth/password.js';
import { FakeClock } from '../src/platform/clock.js';
import type { AppContext } from '../src/platform/context.js';

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const dbKind = process.env.POSCARE_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

export async function testDatabase(kind: 'pglite' | 'postgres' = dbKind): Promise<{ db: Database; drop: () => Promise<void>; databaseUrl?: string }> {
  if (kind === 'pglite') {
    // From the migrated store image (db/template.ts): a second of CPU instead of initdb and every migration.
    const db = await openDatabase({ dataDir: 'memory://', memoryImage: await memoryImage() });
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const name = `poscare_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ dataDir: 'memory://', databaseUrl: url.toString() });
  await migrate(db);
  return {
    db,
    /** The throw-away database's URL, for a second connection (another "process") on it. */
    databaseUrl: url.toString(),
    drop: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const TEST_PASSWORD = 'Correct-Horse-9';
let cachedHash: Promise<string> | undefined;
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD));

export async function createTestApp() {
  const { db, drop, databaseUrl } = await testDatabase();
  const clock = new FakeClock(new Date('2026-03-02T09:00:00+08:00'));
  const config = loadConfig({ DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });
  const ctx: AppContext = { db, config, clock, log: pino({ level: 'silent' }) };
  const { app, services } = await buildApp(ctx);
  await app.ready();
  let seq = 0;
  const uniq = () => `${Date.now().toString(36)}${(seq++).toString(36)}`;
  const orm = db.orm;

  const f = {
    async org(over: Partial<typeof organizations.$inferInsert> = {}) {
      const [o] = await orm.insert(organizations).values({ name: `Org ${uniq()}`, kind: 'service_provider', ...over }).returning();
      return o!;
    },
    async merchant(orgId: string, over: Partial<typeof merchants.$inferInsert> = {}) {
      const [m] = await orm.insert(merchants).values({ orgId, mid: `M${uniq()}`, name: `Merchant ${uniq()}`, ...over }).returning();
      return m!;
    },
    async site(orgId: string, merchantId: string, over: Partial<typeof sites.$inferInsert> = {}) {
      const [s] = await orm.insert(sites).values({ orgId, merchantId, code: `S${uniq()}`, name: `Site ${uniq()}`, ...over }).returning();
      return s!;
    },
    async terminal(orgId: string, over: Partial<typeof terminals.$inferInsert> = {}) {
      const [t] = await orm
        .insert(terminals)
        .values({ orgId, serialNumber: `SN${uniq()}`, vendor: 'PAX', model: 'A920', ...over })
        .returning();
      return t!;
    },
    async user(orgId: string, role: Role, over: Partial<typeof users.$inferInsert> = {}) {
      const [u] = await orm
        .insert(users)
        .values({ orgId, role, email: `${role}.${uniq()}@example.test`, name: `${role} ${uniq()}`, passwordHash: await passwordHash(), ...over })
        .returning();
      return u!;
    },
  };

  /** Signs a user in and returns the Cookie header value for their session. */
  async function login(email: string, password = TEST_PASSWORD): Promise<string> {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    const c = res.cookies.find((x) => x.name === 'poscare_session');
    return `poscare_session=${c!.value}`;
  }

  /** A whole tenant: organization, merchant, site, terminal, and one user per role. */
  async function tenant() {
    const org = await f.org();
    const merchant = await f.merchant(org.id);
    const site = await f.site(org.id, merchant.id);
    const terminal = await f.terminal(org.id, { siteId: site.id, merchantId: merchant.id, lifecycleState: 'installed' });
    const admin = await f.user(org.id, 'admin');
    const merchantUser = await f.user(org.id, 'merchant', { merchantId: merchant.id });
    return { org, merchant, site, terminal, admin, merchantUser };
  }

  return {
    app,
    ctx,
    db,
    /** Set on PostgreSQL: the test database's URL. */
    databaseUrl,
    clock,
    services,
    f,
    login,
    tenant,
    close: async () => {
      await app.close();
      await drop();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
