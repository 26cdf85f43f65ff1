/** All SQL about terminals, their lifecycle history and acceptance records. */
import { and, count, desc, eq, ilike, or, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { TerminalQuery } from '@poscare/contracts';
import type { Orm } from '../db/client.js';
import { containsPattern } from '../db/like.js';
import { merchants, sites, terminalAcceptances, terminalStateHistory, terminals } from '../db/schema.js';
import type { Actor } from '../access/actor.js';
import { tenantFilter } from '../access/scope.js';

/** Column order of terminal rows written with COPY (imports, demo, benchmarks). */
export const TERMINAL_COPY_COLUMNS = [
  'id', 'org_id', 'merchant_id', 'site_id', 'serial_number', 'tid', 'vendor', 'model', 'os_version',
  'app_version', 'firmware_version', 'connectivity', 'lifecycle_state', 'created_at', 'updated_at',
] as const;

export const terminalScope = (a: Actor) => tenantFilter(a, { orgId: terminals.orgId, merchantId: terminals.merchantId });

export async function listTerminals(orm: Orm, actor: Actor, q: z.infer<typeof TerminalQuery>) {
  const where: (SQL | undefined)[] = [
    terminalScope(actor),
    q.merchantId ? eq(terminals.merchantId, q.merchantId) : undefined,
    q.siteId ? eq(terminals.siteId, q.siteId) : undefined,
    q.lifecycleState ? eq(terminals.lifecycleState, q.lifecycleState) : undefined,
    q.model ? eq(terminals.model, q.model) : undefined,
    q.q
      ? or(ilike(terminals.serialNumber, containsPattern(q.q)), ilike(terminals.tid, containsPattern(q.q)), ilike(terminals.model, containsPattern(q.q)))
      : undefined,
  ];
  const [items, [total]] = await Promise.all([
    orm.select().from(terminals).where(and(...where)).orderBy(terminals.serialNumber).limit(q.limit).offset(q.offset),
    orm.select({ n: count() }).from(terminals).where(and(...where)),
  ]);
  return { items, total: total?.n ?? 0 };
}

export async function findTerminal(orm: Orm, actor: Actor, id: string) {
  const [row] = await orm
    .select({ terminal: terminals, siteName: sites.name, merchantName: merchants.name })
    .from(terminals)
    .leftJoin(sites, eq(sites.id, terminals.siteId))
    .leftJoin(merchants, eq(merchants.id, terminals.merchantId))
    .where(and(terminalScope(actor), eq(terminals.id, id)));
  return row;
}

export function terminalHistory(orm: Orm, terminalId: string) {
  return orm.select().from(terminalStateHistory).where(eq(terminalStateHistory.terminalId, terminalId)).orderBy(desc(terminalStateHistory.at));
}

export function terminalAcceptanceRecords(orm: Orm, terminalId: string) {
  return orm.select().from(terminalAcceptances).where(eq(terminalAcceptances.terminalId, terminalId)).orderBy(desc(terminalAcceptances.at));
}

export async function terminalStats(orm: Orm, actor: Actor) {
  const scope = terminalScope(actor);
  const [byState, byModel] = await Promise.all([
    orm.select({ state: terminals.lifecycleState, n: count() }).from(terminals).where(scope).groupBy(terminals.lifecycleState),
    orm
      .select({ model: terminals.model, n: count() })
      .from(terminals)
      .where(scope)
      .groupBy(terminals.model)
      .orderBy(desc(count()))
      .limit(20),
  ]);
  return { byState, byModel };
}
