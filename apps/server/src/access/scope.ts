/**
 * Tenant filters. Every read and write of tenant data goes through one of these, so a user of
 * organization A (or merchant A) cannot reach B's rows whatever ids they send.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Actor } from './actor.js';

export function tenantFilter(actor: Actor, cols: { orgId: PgColumn; merchantId?: PgColumn | undefined }): SQL {
  const org = eq(cols.orgId, actor.orgId);
  if (actor.merchantId === null) return org;
  // A merchant user without a merchant column on the table sees nothing of it.
  return cols.merchantId ? and(org, eq(cols.merchantId, actor.merchantId))! : sql`false`;
}
