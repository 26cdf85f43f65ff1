/** The first organization and administrator of a new installation. */
import { randomBytes } from 'node:crypto';
import { count } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { organizations, users } from '../db/schema.js';
import { hashPassword } from '../auth/password.js';
import { recordAudit } from '../audit/service.js';
import { systemActor } from '../access/actor.js';

export interface FirstAdmin {
  email: string;
  /** Only set when PosCare generated it; shown once and never stored in the clear. */
  generatedPassword?: string;
}

export async function ensureFirstAdmin(db: Database, opts: { email?: string | undefined; password?: string | undefined; now: Date }): Promise<FirstAdmin | null> {
  const [row] = await db.orm.select({ n: count() }).from(users);
  if ((row?.n ?? 0) > 0) return null;
  try {
    return await createAdmin(db, { email: opts.email ?? 'admin@poscare.local', password: opts.password, name: 'Administrator', now: opts.now });
  } catch (err) {
    // Several processes started at once on an empty PostgreSQL: another one created the administrator first.
    const code = (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code;
    if (code === '23505') return null;
    throw err;
  }
}

export async function createAdmin(
  db: Database,
  opts: { email: string; password?: string | undefined; name: string; now: Date; orgName?: string },
): Promise<FirstAdmin> {
  const password = opts.password ?? randomBytes(9).toString('base64url');
  const passwordHash = await hashPassword(password);
  return db.orm.transaction(async (tx) => {
    let [org] = await tx.select().from(organizations).orderBy(organizations.createdAt).limit(1);
    if (!org) {
      [org] = await tx.insert(organizations).values({ name: opts.orgName ?? 'PosCare', kind: 'service_provider', createdAt: opts.now }).returning();
    }
    const [user] = await tx
      .insert(users)
      .values({ orgId: org!.id, email: opts.email.toLowerCase(), name: opts.name, role: 'admin', platformAdmin: true, passwordHash, createdAt: opts.now })
      .returning();
    await recordAudit(tx, systemActor(org!.id), org!.id, { action: 'create', entity: 'user', entityId: user!.id, after: { email: user!.email, role: 'admin', platformAdmin: true } }, opts.now);
    return { email: user!.email, ...(opts.password ? {} : { generatedPassword: password }) };
  });
}
