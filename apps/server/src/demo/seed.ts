/**
 * A demo fleet for `poscare start --demo`: merchants, sites and terminals across common models and
 * versions, plus one user per role, so a new user has something real to look at. Reproducible.
 */
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { csvRows } from '../db/client.js';
import { merchants, organizations, sites, users } from '../db/schema.js';
import { hashPassword } from '../auth/password.js';
import type { LifecycleState, Role } from '@poscare/contracts';

const MERCHANTS = [
  { mid: '898310058120001', name: '鲜丰水果连锁', tier: 'gold' as const, city: '杭州' },
  { mid: '898310058120002', name: '全家便利店（华东）', tier: 'platinum' as const, city: '上海' },
  { mid: '898310058120003', name: '老北京炸酱面馆', tier: 'standard' as const, city: '北京' },
  { mid: '898310058120004', name: 'Starlight Coffee', tier: 'gold' as const, city: '深圳' },
  { mid: '898310058120005', name: '万家福超市', tier: 'standard' as const, city: '成都' },
  { mid: '898310058120006', name: '城市加油站', tier: 'platinum' as const, city: '广州' },
];
const MODELS = [
  { vendor: 'PAX', model: 'A920', os: 'PayDroid 7.1', conn: 'cellular_4g' },
  { vendor: 'PAX', model: 'S920', os: 'Prolin 2.6', conn: 'wifi' },
  { vendor: 'Newland', model: 'N910', os: 'Android 7.1', conn: 'cellular_4g' },
  { vendor: 'Verifone', model: 'V240m', os: 'Engage 3.1', conn: 'wifi' },
  { vendor: 'Ingenico', model: 'Move/5000', os: 'Telium TETRA', conn: 'ethernet' },
  { vendor: 'Sunmi', model: 'P2', os: 'Android 11', conn: 'cellular_4g' },
];
const APP_VERSIONS = ['3.8.2', '3.9.0', '3.9.1'];
export const DEMO_PASSWORD = 'PosCare-Demo-2026';
export const DEMO_USERS: { role: Role; email: string; name: string; merchantIndex?: number }[] = [
  { role: 'agent', email: 'agent@demo.poscare', name: '王晓梅 (agent)' },
  { role: 'engineer', email: 'engineer@demo.poscare', name: '李强 (engineer)' },
  { role: 'risk_analyst', email: 'risk@demo.poscare', name: '陈静 (risk)' },
  { role: 'merchant', email: 'merchant@demo.poscare', name: '鲜丰水果 店长', merchantIndex: 0 },
];

/** Simple seeded generator so every demo looks the same. */
function rng(seed: number) {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

export async function seedDemo(db: Database, opts: { terminals?: number; now: Date }): Promise<{ created: boolean; terminals: number }> {
  const [org] = await db.orm.select().from(organizations).orderBy(organizations.createdAt).limit(1);
  if (!org) throw new Error('create the first administrator before seeding the demo');
  const [existing] = await db.orm.select({ n: count() }).from(merchants).where(eq(merchants.orgId, org.id));
  if ((existing?.n ?? 0) > 0) return { created: false, terminals: 0 };

  const rand = rng(20_260_301);
  const total = opts.terminals ?? 300;
  const now = opts.now;
  const merchantRows = await db.orm
    .insert(merchants)
    .values(MERCHANTS.map((m) => ({ orgId: org.id, mid: m.mid, name: m.name, tier: m.tier, language: 'zh-CN' as const, createdAt: now })))
    .returning();
  const siteValues = merchantRows.flatMap((m, mi) =>
    Array.from({ length: 4 }, (_, si) => ({
      orgId: org.id,
      merchantId: m.id,
      code: `S${String(mi + 1).padStart(2, '0')}${String(si + 1).padStart(2, '0')}`,
      name: `${MERCHANTS[mi]!.name} ${MERCHANTS[mi]!.city}${si + 1}号店`,
      address: `${MERCHANTS[mi]!.city}市 示范路 ${100 + si * 17} 号`,
      region: MERCHANTS[mi]!.city,
      createdAt: now,
    })),
  );
  const siteRows = await db.orm.insert(sites).values(siteValues).returning();

  const states: LifecycleState[] = ['active', 'active', 'active', 'active', 'active', 'active', 'installed', 'in_repair', 'in_stock', 'swapped_out'];
  const termRows: unknown[][] = [];
  const history: unknown[][] = [];
  for (let i = 0; i < total; i++) {
    const model = MODELS[Math.floor(rand() * MODELS.length)]!;
    const state = states[Math.floor(rand() * states.length)]!;
    const site = state === 'in_stock' ? null : siteRows[Math.floor(rand() * siteRows.length)]!;
    const id = randomUUID();
    termRows.push([
      id, org.id, site?.merchantId ?? null, site?.id ?? null,
      `${model.vendor.slice(0, 2).toUpperCase()}${String(10_000_000 + i * 7919).slice(-8)}`,
      site ? String(10_000_000 + i).slice(-8) : null,
      model.vendor, model.model, model.os, APP_VERSIONS[Math.floor(rand() * APP_VERSIONS.length)]!,
      `FW${1 + Math.floor(rand() * 3)}.${Math.floor(rand() * 10)}`, model.conn, state, now, now,
    ]);
    history.push([randomUUID(), org.id, id, null, state, 'demo', null, 'demo', now]);
  }
  await db.rawTransaction(async (tx) => {
    await tx.copyIn(
      'terminals',
      ['id', 'org_id', 'merchant_id', 'site_id', 'serial_number', 'tid', 'vendor', 'model', 'os_version', 'app_version', 'firmware_version', 'connectivity', 'lifecycle_state', 'created_at', 'updated_at'],
      csvRows(termRows),
    );
    await tx.copyIn('terminal_state_history', ['id', 'org_id', 'terminal_id', 'from_state', 'to_state', 'reason', 'actor_id', 'actor_name', 'at'], csvRows(history));
  });

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const u of DEMO_USERS) {
    const [found] = await db.orm.select({ id: users.id }).from(users).where(eq(users.email, u.email));
    if (found) continue;
    await db.orm.insert(users).values({
      orgId: org.id,
      merchantId: u.merchantIndex === undefined ? null : merchantRows[u.merchantIndex]!.id,
      email: u.email,
      name: u.name,
      role: u.role,
      passwordHash,
      createdAt: now,
    });
  }
  return { created: true, terminals: total };
}
