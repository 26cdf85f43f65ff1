/**
 * The demo inventory for `poscare start --demo`: the simulator's fleet (merchants, sites, terminals of
 * common models and versions) written into the first organization, plus one user per role.
 * Reproducible: the same seed gives the same ids, so the live demo finds its terminals on every start.
 */
import { count, eq } from 'drizzle-orm';
import type { Role } from '@poscare/contracts';
import type { Fleet } from '@poscare/simulator';
import type { Database } from '../db/client.js';
import { csvRows } from '../db/client.js';
import { merchants, organizations, users } from '../db/schema.js';
import { hashPassword } from '../auth/password.js';
import { TERMINAL_COPY_COLUMNS } from '../terminals/repository.js';
import { seedServiceDeskHistory } from '../reports/demo.js';
import { loadStarterArticles } from '../knowledge/starter.js';
import { seedFieldworkDemo } from '../fieldwork/demo.js';
import { seedDemoDisputes } from './disputes.js';

export const DEMO_PASSWORD = 'PosCare-Demo-2026';
export const DEMO_USERS: { role: Role; email: string; name: string; merchantIndex?: number }[] = [
  { role: 'agent', email: 'agent@demo.poscare', name: '王晓梅' },
  { role: 'engineer', email: 'engineer@demo.poscare', name: '李强' },
  { role: 'risk_analyst', email: 'risk@demo.poscare', name: '陈静' },
  { role: 'merchant', email: 'merchant@demo.poscare', name: '张店长', merchantIndex: 0 },
];

/**
 * The demo in two parts, so the console answers within seconds of `npm run demo`: the inventory and the
 * demo users first (a few COPYs), then — while the server already serves — the knowledge base, field
 * service and eight weeks of service-desk history (`seedDemoHistory`).
 */
export async function seedDemo(db: Database, fleet: Fleet, now: Date): Promise<{ created: boolean; orgId: string; terminals: number }> {
  const [org] = await db.orm.select().from(organizations).orderBy(organizations.createdAt).limit(1);
  if (!org) throw new Error('create the first administrator before seeding the demo');
  const [existing] = await db.orm.select({ n: count() }).from(merchants).where(eq(merchants.orgId, org.id));
  if ((existing?.n ?? 0) > 0) return { created: false, orgId: org.id, terminals: 0 };

  const sitesById = new Map(fleet.sites.map((s) => [s.id, s]));
  await db.rawTransaction(async (tx) => {
    await tx.copyIn(
      'merchants',
      ['id', 'org_id', 'mid', 'name', 'tier', 'language', 'acquirer_host', 'created_at'],
      csvRows(fleet.merchants.map((m) => [m.id, org.id, m.mid, m.name, m.tier, m.language, m.hostId, now])),
    );
    await tx.copyIn(
      'sites',
      ['id', 'org_id', 'merchant_id', 'code', 'name', 'address', 'region', 'created_at'],
      csvRows(fleet.sites.map((s) => [s.id, org.id, s.merchantId, s.code, s.name, s.city, s.region, now])),
    );
    await tx.copyIn(
      'terminals',
      TERMINAL_COPY_COLUMNS,
      csvRows(
        fleet.terminals.map((t) => [
          t.id, org.id, t.merchantId, sitesById.get(t.siteId)!.id, t.serialNumber, t.tid, t.vendor, t.model, t.osVersion, t.appVersion, t.firmwareVersion, t.connectivity, 'active', now, now,
        ]),
      ),
    );
    await tx.copyIn(
      'terminal_state_history',
      ['org_id', 'terminal_id', 'from_state', 'to_state', 'reason', 'actor_name', 'at'],
      csvRows(fleet.terminals.map((t) => [org.id, t.id, null, 'active', 'demo', null, now])),
    );
  });

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const u of DEMO_USERS) {
    const [found] = await db.orm.select({ id: users.id }).from(users).where(eq(users.email, u.email));
    if (found) continue;
    await db.orm.insert(users).values({
      orgId: org.id,
      merchantId: u.merchantIndex === undefined ? null : fleet.merchants[u.merchantIndex]!.id,
      email: u.email,
      name: u.name,
      role: u.role,
      passwordHash,
      createdAt: now,
    });
  }
  return { created: true, orgId: org.id, terminals: fleet.terminals.length };
}

/** What the demo is doing while it loads, as the health answer and the console's banner show it. */
export type DemoStage = 'knowledge' | 'field_service' | 'history' | 'live' | 'ready';

/** The slower half of the demo: starter articles (every start), and on a new demo field service and ticket history. */
export async function seedDemoHistory(db: Database, fleet: Fleet, seeded: { created: boolean; orgId: string }, now: Date, stage: (s: DemoStage) => void): Promise<void> {
  stage('knowledge');
  await loadStarterArticles(db, seeded.orgId, now);
  if (!seeded.created) return;
  stage('field_service');
  await seedFieldworkDemo(db, seeded.orgId, fleet, now);
  stage('history');
  await seedServiceDeskHistory(db, seeded.orgId, now);
  await seedDemoDisputes(db, fleet, seeded.orgId, now);
}
