/**
 * The software catalogue (issue 18, decision 013). A package is accepted only when its SHA-256 (which we
 * compute ourselves) matches what the uploader claims and its Ed25519 signature over that hash verifies
 * with one of the organization's trusted vendor keys — the same check the terminal SDK makes before it
 * installs (`verifyPackage`), so a bad package is stopped before any terminal is asked to fetch it.
 * Which terminals a package fits (vendor, models, lowest OS) is declared with it and enforced on install.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type CompatMatrix,
  type CommandArgs,
  isCompatible,
  MAX_PACKAGE_BYTES,
  type PackageCompat,
  PackageUploadFields,
  type SigningKey,
  type SigningKeyCreate,
  type SoftwarePackage,
} from '@poscare/contracts';
import { PackageRefusedError, verifyPackage } from '@poscare/terminal-sdk';
import { eq } from 'drizzle-orm';
import { type Actor, assertCan, authorId } from '../access/actor.js';
import { recordAudit } from '../audit/service.js';
import { signingKeys, softwarePackages } from '../db/schema.js';
import { AppError, errors } from '../errors/errors.js';
import type { Upload } from '../http/upload.js';
import type { AppContext } from '../platform/context.js';
import { normalisePublicKey } from './keys.js';
import * as repo from './repository.js';

/** The device route a terminal downloads a package from (authenticated with its own credential). */
export const packageUrl = (id: string) => `/device/v1/packages/${id}`;

type InstallArgs = CommandArgs<'install'>;
export type InstallTarget = { id: string; vendor: string; model: string; osVersion: string | null };

export class SoftwareService {
  /** Largest package accepted; a field so a test can lower it rather than upload 100 MiB. */
  maxPackageBytes = MAX_PACKAGE_BYTES;

  constructor(private ctx: AppContext) {}

  async keys(actor: Actor): Promise<SigningKey[]> {
    assertCan(actor, 'software:read');
    return (await repo.keysOf(this.ctx.db.orm, actor.orgId)).map(repo.presentKey);
  }

  async addKey(actor: Actor, req: SigningKeyCreate): Promise<SigningKey> {
    assertCan(actor, 'software:manage');
    const publicKey = normalisePublicKey(req.publicKey);
    if (await repo.keyIdTaken(this.ctx.db.orm, actor.orgId, req.keyId)) throw errors.duplicate('signing_key', 'key_id');
    const now = this.ctx.clock.now();
    const id = randomUUID();
    await this.ctx.db.orm.transaction(async (tx) => {
      await tx.insert(signingKeys).values({ id, orgId: actor.orgId, keyId: req.keyId, vendor: req.vendor, publicKey, createdBy: authorId(actor), createdByName: actor.name, createdAt: now });
      await recordAudit(tx, actor, actor.orgId, { action: 'create', entity: 'signing_key', entityId: id, after: { keyId: req.keyId, vendor: req.vendor, publicKey } }, now);
    });
    return repo.presentKey((await repo.keyById(this.ctx.db.orm, actor.orgId, id))!);
  }

  /** A revoked key verifies no new upload; packages already catalogued with it stay (terminals check their own keys). */
  async revokeKey(actor: Actor, id: string): Promise<SigningKey> {
    assertCan(actor, 'software:manage');
    const key = await repo.keyById(this.ctx.db.orm, actor.orgId, id);
    if (!key) throw errors.notFound('signing_key');
    if (!key.revokedAt) {
      const now = this.ctx.clock.now();
      await this.ctx.db.orm.transaction(async (tx) => {
        await tx.update(signingKeys).set({ revokedAt: now }).where(eq(signingKeys.id, id));
        await recordAudit(tx, actor, actor.orgId, { action: 'revoke', entity: 'signing_key', entityId: id, after: { keyId: key.keyId } }, now);
      });
    }
    return repo.presentKey((await repo.keyById(this.ctx.db.orm, actor.orgId, id))!);
  }

  async list(actor: Actor): Promise<SoftwarePackage[]> {
    assertCan(actor, 'software:read');
    return (await repo.packagesOf(this.ctx.db.orm, actor.orgId)).map(repo.presentPackage);
  }

  async get(actor: Actor, id: string): Promise<SoftwarePackage> {
    assertCan(actor, 'software:read');
    const p = await repo.packageMeta(this.ctx.db.orm, actor.orgId, id);
    if (!p) throw errors.notFound('software_package');
    return repo.presentPackage(p);
  }

  /**
   * Catalogues an uploaded package: fields checked, hash computed here, signature verified with the
   * organization's trusted key of that vendor. Anything that does not verify is refused, never stored.
   */
  async upload(actor: Actor, file: Upload): Promise<SoftwarePackage> {
    assertCan(actor, 'software:manage');
    const parsed = PackageUploadFields.safeParse(file.fields);
    if (!parsed.success) throw errors.validation(parsed.error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), id: 'row.invalid', text: i.message })));
    const f = parsed.data;
    if (file.bytes.length === 0) throw new AppError('software.file_missing', 400);
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    if (f.sha256 && f.sha256 !== sha256) throw new AppError('software.hash_mismatch', 400, { expected: f.sha256, actual: sha256 });
    const key = await repo.trustedKey(this.ctx.db.orm, actor.orgId, f.keyId);
    // A key is trusted for its own vendor's packages only.
    if (!key || key.vendor.toLowerCase() !== f.vendor.toLowerCase()) throw new AppError('software.untrusted_key', 400, { keyId: f.keyId, vendor: f.vendor });
    try {
      verifyPackage(file.bytes, { sha256, signature: f.signature, keyId: f.keyId }, [{ keyId: key.keyId, publicKey: key.publicKey }]);
    } catch (err) {
      if (err instanceof PackageRefusedError) {
        if (err.reason === 'hash_mismatch') throw new AppError('software.hash_mismatch', 400, { expected: sha256, actual: sha256 });
        if (err.reason === 'untrusted_key') throw new AppError('software.untrusted_key', 400, { keyId: f.keyId, vendor: f.vendor });
        throw new AppError('software.bad_signature', 400, { keyId: f.keyId });
      }
      // A malformed signature (wrong length) is as bad as a wrong one.
      throw new AppError('software.bad_signature', 400, { keyId: f.keyId });
    }
    if (await repo.versionTaken(this.ctx.db.orm, actor.orgId, f)) throw errors.duplicate('software_package', 'version');
    const now = this.ctx.clock.now();
    const id = randomUUID();
    const filename = file.filename.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || `${f.kind}-${f.version}.bin`;
    await this.ctx.db.orm.transaction(async (tx) => {
      await tx.insert(softwarePackages).values({
        id, orgId: actor.orgId, vendor: f.vendor, kind: f.kind, version: f.version, filename, bytes: file.bytes.length, sha256,
        signature: f.signature, keyId: f.keyId, models: f.models, minOsVersion: f.minOsVersion ?? null,
        notesZh: f.notesZh ?? '', notesEn: f.notesEn ?? '', data: file.bytes,
        createdBy: authorId(actor), createdByName: actor.name, createdAt: now,
      });
      await recordAudit(tx, actor, actor.orgId, { action: 'create', entity: 'software_package', entityId: id, after: { vendor: f.vendor, kind: f.kind, version: f.version, sha256, keyId: f.keyId, models: f.models, minOsVersion: f.minOsVersion ?? null } }, now);
    });
    return this.get(actor, id);
  }

  /** Changes which models and lowest OS a package is declared for (the matrix). */
  async setCompat(actor: Actor, id: string, compat: PackageCompat): Promise<SoftwarePackage> {
    assertCan(actor, 'software:manage');
    const before = await repo.packageMeta(this.ctx.db.orm, actor.orgId, id);
    if (!before) throw errors.notFound('software_package');
    const now = this.ctx.clock.now();
    await this.ctx.db.orm.transaction(async (tx) => {
      await tx.update(softwarePackages).set({ models: compat.models, minOsVersion: compat.minOsVersion }).where(eq(softwarePackages.id, id));
      await recordAudit(tx, actor, actor.orgId, { action: 'update', entity: 'software_package', entityId: id, before: { models: before.models, minOsVersion: before.minOsVersion }, after: compat }, now);
    });
    return this.get(actor, id);
  }

  /** The compatibility matrix: every model × OS × app version in the fleet against every package. */
  async matrix(actor: Actor): Promise<CompatMatrix> {
    assertCan(actor, 'software:read');
    const [rows, pkgs] = await Promise.all([repo.fleetCombinations(this.ctx.db.orm, actor.orgId), repo.packagesOf(this.ctx.db.orm, actor.orgId)]);
    return {
      rows: rows.map((r) => ({ ...r, terminals: Number(r.terminals) })),
      packages: pkgs.map(repo.presentPackage),
      cells: rows.map((r) => pkgs.map((p) => isCompatible(p, r).ok)),
    };
  }

  /** The terminal's own download: a package of its organization, with what it needs to verify it. */
  async forDevice(identity: { orgId: string; terminalId: string }, id: string): Promise<{ pkg: SoftwarePackage; data: Buffer }> {
    const p = await repo.packageWithData(this.ctx.db.orm, identity.orgId, id);
    if (!p) throw errors.notFound('software_package');
    return { pkg: repo.presentPackage(p), data: Buffer.from(p.data) };
  }

  /**
   * The catalogued package each terminal's `install` refers to (by `packageId`, or by kind and version for
   * the terminal's vendor), and whether it fits. Returns per terminal either the arguments to send (hash,
   * signature, key and download address filled from the catalogue) or why it cannot be sent.
   */
  async resolveInstall(orgId: string, args: InstallArgs, targets: readonly InstallTarget[]): Promise<Map<string, { ok: true; args: InstallArgs } | { ok: false; error: AppError }>> {
    const orm = this.ctx.db.orm;
    let pkgs: repo.PackageMeta[];
    if (args.packageId) {
      const p = await repo.packageMeta(orm, orgId, args.packageId);
      if (!p) throw errors.notFound('software_package');
      if (p.kind !== args.kind || p.version !== args.version) throw new AppError('software.install_mismatch', 400, { kind: p.kind, version: p.version });
      pkgs = [p];
    } else {
      pkgs = await repo.packagesByVersion(orm, orgId, args.kind, args.version, [...new Set(targets.map((t) => t.vendor))]);
    }
    const out = new Map<string, { ok: true; args: InstallArgs } | { ok: false; error: AppError }>();
    for (const t of targets) {
      const p = pkgs.find((x) => x.vendor.toLowerCase() === t.vendor.toLowerCase()) ?? (args.packageId ? pkgs[0] : undefined);
      if (!p) {
        out.set(t.id, { ok: false, error: new AppError('software.not_catalogued', 409, { kind: args.kind, version: args.version }) });
        continue;
      }
      const c = isCompatible(p, t);
      if (!c.ok) {
        out.set(t.id, { ok: false, error: new AppError(`software.incompatible_${c.reason}`, 409, { version: p.version, model: t.model, os: t.osVersion ?? '—', minOs: p.minOsVersion ?? '—', vendor: p.vendor }) });
        continue;
      }
      out.set(t.id, { ok: true, args: { kind: args.kind, version: p.version, packageId: p.id, url: packageUrl(p.id), sha256: p.sha256, signature: p.signature, keyId: p.keyId } });
    }
    return out;
  }
}
