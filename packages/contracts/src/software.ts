/**
 * Software catalogue (issue 18, decision 013): packages (app, firmware, OS) per vendor and model, each
 * identified by its SHA-256 and an Ed25519 signature over that hash by a vendor key the organization
 * trusts; which models and OS versions a package supports; the signing keys (public keys only).
 * `isCompatible` is the one rule for "may this terminal install this package", used by the server
 * (install, bulk preview) and the console (the matrix).
 */
import { z } from 'zod';
import { Id } from './common.js';
import { PackageKind } from './commands.js';

/** Largest package accepted on upload (packages are kept in the database, like log bundles). */
export const MAX_PACKAGE_BYTES = 100 * 1024 * 1024;

export const SoftwareVersion = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'letters, digits, . _ + - only');
/** An OS version as terminals report it ("PayDroid 7.1", "Android 11"). */
export const OsVersion = z.string().trim().min(1).max(40);
export const ModelName = z.string().trim().min(1).max(60);
export const SigningKeyId = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits, . _ : - only');

/** A vendor's public signing key the organization trusts (admins manage the list; never a private key). */
export const SigningKey = z.object({
  id: Id,
  keyId: z.string(),
  vendor: z.string(),
  /** Raw 32-byte Ed25519 public key, base64. */
  publicKey: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type SigningKey = z.infer<typeof SigningKey>;

export const SigningKeyCreate = z
  .object({
    keyId: SigningKeyId,
    vendor: z.string().trim().min(1).max(40),
    publicKey: z.string().trim().min(40).max(1000).describe('Ed25519 public key: PEM (BEGIN PUBLIC KEY) or the raw 32 bytes in base64'),
  })
  .strict();
export type SigningKeyCreate = z.infer<typeof SigningKeyCreate>;

/** Which terminals a package is for: models (of its vendor) and, optionally, the lowest OS version. */
export const PackageCompat = z
  .object({
    models: z.array(ModelName).min(1).max(50),
    minOsVersion: OsVersion.nullable(),
  })
  .strict();
export type PackageCompat = z.infer<typeof PackageCompat>;

/** The text fields of a package upload (multipart), as the form sends them. `models` is comma-separated. */
export const PackageUploadFields = z
  .object({
    vendor: z.string().trim().min(1).max(40),
    kind: PackageKind,
    version: SoftwareVersion,
    signature: z.string().trim().regex(/^[A-Za-z0-9+/]{86}==$/, 'an Ed25519 signature in base64 (88 characters)'),
    keyId: SigningKeyId,
    /** Optional: the hash the vendor published; refused when the file's own hash differs. */
    sha256: z
      .string()
      .trim()
      .regex(/^[0-9a-fA-F]{64}$/)
      .transform((s) => s.toLowerCase())
      .optional(),
    models: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .transform((s) =>
        s
          .split(/[,，\n]/)
          .map((m) => m.trim())
          .filter(Boolean),
      )
      .pipe(z.array(ModelName).min(1).max(50)),
    minOsVersion: OsVersion.optional(),
    notesZh: z.string().trim().max(4000).optional(),
    notesEn: z.string().trim().max(4000).optional(),
  })
  .strict();
export type PackageUploadFields = z.infer<typeof PackageUploadFields>;

export const SoftwarePackage = z.object({
  id: Id,
  vendor: z.string(),
  kind: PackageKind,
  version: z.string(),
  filename: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  signature: z.string(),
  keyId: z.string(),
  models: z.array(z.string()),
  minOsVersion: z.string().nullable(),
  notes: z.object({ 'zh-CN': z.string(), 'en-US': z.string() }),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export type SoftwarePackage = z.infer<typeof SoftwarePackage>;

/** The matrix: every model × OS version of the fleet (with its terminal count) against every package. */
export const CompatMatrix = z.object({
  rows: z.array(z.object({ vendor: z.string(), model: z.string(), osVersion: z.string().nullable(), appVersion: z.string().nullable(), terminals: z.number().int() })),
  packages: z.array(SoftwarePackage),
  /** cells[row][package]: may terminals of this row install this package. */
  cells: z.array(z.array(z.boolean())),
});
export type CompatMatrix = z.infer<typeof CompatMatrix>;

/**
 * Compares two versions segment by segment ("PayDroid 7.10" > "PayDroid 7.9"); numbers as numbers.
 * Returns null when they are of different lines (a word segment differs: "Android 11" vs "PayDroid 7.1").
 */
export function compareVersions(a: string, b: string): number | null {
  const parts = (v: string) => v.trim().toLowerCase().match(/\d+|[a-z]+/g) ?? [];
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return Math.sign(d);
    } else if (nx !== ny || x !== y) {
      return null;
    }
  }
  return 0;
}

export type Incompatibility = 'vendor' | 'model' | 'os';

/** May a terminal (vendor, model, reported OS) install a package? The reason when not. */
export function isCompatible(
  pkg: { vendor: string; models: readonly string[]; minOsVersion: string | null },
  terminal: { vendor: string; model: string; osVersion: string | null },
): { ok: true } | { ok: false; reason: Incompatibility } {
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  if (!same(pkg.vendor, terminal.vendor)) return { ok: false, reason: 'vendor' };
  if (!pkg.models.some((m) => same(m, terminal.model))) return { ok: false, reason: 'model' };
  if (pkg.minOsVersion) {
    // An OS the terminal never reported, or of another line, is not known to be new enough.
    const c = terminal.osVersion ? compareVersions(terminal.osVersion, pkg.minOsVersion) : null;
    if (c === null || c < 0) return { ok: false, reason: 'os' };
  }
  return { ok: true };
}
