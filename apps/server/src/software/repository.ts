/** The software catalogue's queries: signing keys and packages, always within one organization. */
import { and, asc, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { SigningKey, SoftwarePackage } from '@poscare/contracts';
import type { Orm } from '../db/client.js';
import { signingKeys, softwarePackages, terminals } from '../db/schema.js';

export type KeyRow = typeof signingKeys.$inferSelect;
export type PackageRow = typeof softwarePackages.$inferSelect;
/** A package without its bytes, as lists and checks read it. */
export type PackageMeta = Omit<PackageRow, 'data'>;

const META = {
  id: softwarePackages.id,
  orgId: softwarePackages.orgId,
  vendor: softwarePackages.vendor,
  kind: softwarePackages.kind,
  version: softwarePackages.version,
  filename: softwarePackages.filename,
  bytes: softwarePackages.bytes,
  sha256: softwarePackages.sha256,
  signature: softwarePackages.signature,
  keyId: softwarePackages.keyId,
  models: softwarePackages.models,
  minOsVersion: softwarePackages.minOsVersion,
  notesZh: softwarePackages.notesZh,
  notesEn: softwarePackages.notesEn,
  createdBy: softwarePackages.createdBy,
  createdByName: softwarePackages.createdByName,
  createdAt: softwarePackages.createdAt,
};

export const presentKey = (r: KeyRow): SigningKey => ({
  id: r.id,
  keyId: r.keyId,
  vendor: r.vendor,
  publicKey: r.publicKey,
  createdBy: r.createdByName,
  createdAt: r.createdAt.toISOString(),
  revokedAt: r.revokedAt?.toISOString() ?? null,
});

export const presentPackage = (r: PackageMeta): SoftwarePackage => ({
  id: r.id,
  vendor: r.vendor,
  kind: r.kind as SoftwarePackage['kind'],
  version: r.version,
  filename: r.filename,
  bytes: r.bytes,
  sha256: r.sha256,
  signature: r.signature,
  keyId: r.keyId,
  models: r.models,
  minOsVersion: r.minOsVersion,
  notes: { 'zh-CN': r.notesZh, 'en-US': r.notesEn },
  createdBy: r.createdByName,
  createdAt: r.createdAt.toISOString(),
});

export const keysOf = (orm: Orm, orgId: string) => orm.select().from(signingKeys).where(eq(signingKeys.orgId, orgId)).orderBy(asc(signingKeys.vendor), asc(signingKeys.keyId));

export async function keyById(orm: Orm, orgId: string, id: string): Promise<KeyRow | undefined> {
  const [r] = await orm.select().from(signingKeys).where(and(eq(signingKeys.orgId, orgId), eq(signingKeys.id, id)));
  return r;
}

/** The organization's trusted (not revoked) key with this key id. */
export async function trustedKey(orm: Orm, orgId: string, keyId: string): Promise<KeyRow | undefined> {
  const [r] = await orm
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.orgId, orgId), eq(signingKeys.keyId, keyId), isNull(signingKeys.revokedAt)));
  return r;
}

export async function keyIdTaken(orm: Orm, orgId: string, keyId: string): Promise<boolean> {
  const [r] = await orm.select({ n: count() }).from(signingKeys).where(and(eq(signingKeys.orgId, orgId), eq(signingKeys.keyId, keyId)));
  return (r?.n ?? 0) > 0;
}

export const packagesOf = (orm: Orm, orgId: string): Promise<PackageMeta[]> =>
  orm.select(META).from(softwarePackages).where(eq(softwarePackages.orgId, orgId)).orderBy(asc(softwarePackages.vendor), asc(softwarePackages.kind), desc(softwarePackages.createdAt)).limit(500);

export async function packageMeta(orm: Orm, orgId: string, id: string): Promise<PackageMeta | undefined> {
  const [r] = await orm.select(META).from(softwarePackages).where(and(eq(softwarePackages.orgId, orgId), eq(softwarePackages.id, id)));
  return r;
}

export async function packageWithData(orm: Orm, orgId: string, id: string): Promise<PackageRow | undefined> {
  const [r] = await orm.select().from(softwarePackages).where(and(eq(softwarePackages.orgId, orgId), eq(softwarePackages.id, id)));
  return r;
}

/** Catalogued packages of one kind and version for these vendors (an install named by version, not by id). */
export const packagesByVersion = (orm: Orm, orgId: string, kind: string, version: string, vendors: string[]): Promise<PackageMeta[]> =>
  orm
    .select(META)
    .from(softwarePackages)
    .where(and(eq(softwarePackages.orgId, orgId), eq(softwarePackages.kind, kind), eq(softwarePackages.version, version), inArray(sql`lower(${softwarePackages.vendor})`, vendors.map((v) => v.toLowerCase()))));

export async function versionTaken(orm: Orm, orgId: string, p: { vendor: string; kind: string; version: string }): Promise<boolean> {
  const [r] = await orm
    .select({ n: count() })
    .from(softwarePackages)
    .where(and(eq(softwarePackages.orgId, orgId), eq(softwarePackages.vendor, p.vendor), eq(softwarePackages.kind, p.kind), eq(softwarePackages.version, p.version)));
  return (r?.n ?? 0) > 0;
}

/** The fleet's model × OS × app version combinations with their terminal counts (terminals in the organization). */
export const fleetCombinations = (orm: Orm, orgId: string) =>
  orm
    .select({ vendor: terminals.vendor, model: terminals.model, osVersion: terminals.osVersion, appVersion: terminals.appVersion, terminals: count() })
    .from(terminals)
    .where(eq(terminals.orgId, orgId))
    .groupBy(terminals.vendor, terminals.model, terminals.osVersion, terminals.appVersion)
    .orderBy(asc(terminals.vendor), asc(terminals.model), asc(terminals.osVersion), asc(terminals.appVersion))
    .limit(500);
