/** All SQL about terminals, their lifecycle history and acceptance records. */
import { and, asc, count, desc, eq, gte, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { MONITORED_STATES, type TerminalQuery } from '@poscare/contracts';
import { liveStatusSql } from '../fleet/health.js';
import type { Orm } from '../db/client.js';
import { containsPattern } from '../db/like.js';
import { merchants, sites, terminalAcceptances, terminalLive, terminalStateHistory, terminals } from '../db/schema.js';
import type { Actor } from '../access/actor.js';
import { tenantFilter } from '../access/scope.js';

/** Column order of terminal rows written with COPY (imports, demo, benchmarks). */
export const TERMINAL_COPY_COLUMNS = [
  'id', 'org_id', 'merchant_id', 'site_id', 'serial_number', 'tid', 'vendor', 'model', 'os_version',
  'app_version', 'firmware_version', 'connectivity', 'lifecycle_state', 'created_at', 'updated_at',
] as const;

export const terminalScope = (a: Actor) => tenantFilter(a, { orgId: terminals.orgId, merchantId: terminals.merchantId });

/** A terminal's live status as the fleet page counts it: never seen, offline (silent past the cutoff), or its latest health. */
export const liveStatus = (offlineBefore: Date) =>
  // The fleet page's rule; the cutoff is a Date made here, written as a literal.
  sql.raw(liveStatusSql('"terminal_live"', `'${offlineBefore.toISOString()}'::timestamptz`));

/** The terminal list with each terminal's live status; filters and sort are the fleet page's, so its counts link here exactly. */
export async function listTerminals(orm: Orm, actor: Actor, q: z.infer<typeof TerminalQuery>, offlineBefore: Date) {
  const status = liveStatus(offlineBefore);
  const where = and(
    terminalScope(actor),
    q.merchantId ? eq(terminals.merchantId, q.merchantId) : undefined,
    q.siteId ? eq(terminals.siteId, q.siteId) : undefined,
    q.lifecycleState ? eq(terminals.lifecycleState, q.lifecycleState) : undefined,
    q.inService ? inArray(terminals.lifecycleState, [...MONITORED_STATES]) : undefined,
    q.model ? eq(terminals.model, q.model) : undefined,
    q.appVersion ? sql`coalesce(${terminalLive.appVersion}, ${terminals.appVersion}) = ${q.appVersion}` : undefined,
    q.status ? sql`${status} = ${q.status}` : undefined,
    q.reason ? and(sql`${terminalLive.healthReasons} ? ${q.reason}`, gte(terminalLive.lastSeenAt, offlineBefore)) : undefined,
    q.q
      ? or(ilike(terminals.serialNumber, containsPattern(q.q)), ilike(terminals.tid, containsPattern(q.q)), ilike(terminals.model, containsPattern(q.q)))
      : undefined,
  );
  // Worst first when sorting by status: critical, offline, degraded, never seen, ok.
  const rank = sql`CASE ${status} WHEN 'critical' THEN 0 WHEN 'offline' THEN 1 WHEN 'degraded' THEN 2 WHEN 'never_seen' THEN 3 ELSE 4 END`;
  const desc_ = q.order === 'desc';
  const order: SQL[] =
    q.sort === 'lastSeen'
      ? [desc_ ? sql`${terminalLive.lastSeenAt} DESC NULLS LAST` : sql`${terminalLive.lastSeenAt} ASC NULLS FIRST`, asc(terminals.serialNumber)]
      : q.sort === 'status'
        ? [desc_ ? sql`${rank} DESC` : sql`${rank} ASC`, asc(terminals.serialNumber)]
        : [desc_ ? desc(terminals.serialNumber) : asc(terminals.serialNumber)];
  const [items, [total]] = await Promise.all([
    orm
      .select({ terminal: terminals, status, lastSeenAt: terminalLive.lastSeenAt, healthReasons: terminalLive.healthReasons, siteName: sites.name, merchantName: merchants.name })
      .from(terminals)
      .leftJoin(terminalLive, eq(terminalLive.terminalId, terminals.id))
      .leftJoin(sites, eq(sites.id, terminals.siteId))
      .leftJoin(merchants, eq(merchants.id, terminals.merchantId))
      .where(where)
      .orderBy(...order)
      .limit(q.limit)
      .offset(q.offset),
    orm.select({ n: count() }).from(terminals).leftJoin(terminalLive, eq(terminalLive.terminalId, terminals.id)).where(where),
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
