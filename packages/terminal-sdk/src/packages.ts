/**
 * Software packages on the terminal (issue 18, decision 013): before installing, a terminal checks the
 * package it downloaded against the catalogue's SHA-256 and an Ed25519 signature over that hash, made
 * with a vendor key the terminal trusts (keys installed with the terminal, not sent by the server). A
 * package that fails either check is refused and never installed.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { TerminalSdkError } from './errors.js';

export class PackageRefusedError extends TerminalSdkError {
  constructor(readonly reason: 'hash_mismatch' | 'bad_signature' | 'untrusted_key', detail: string) {
    super('package_refused', detail);
  }
}

/** A trusted vendor key: an id and an Ed25519 public key (PEM, or raw 32 bytes in base64). */
export interface TrustedKey {
  keyId: string;
  publicKey: string;
}

function keyObject(k: TrustedKey): KeyObject {
  if (k.publicKey.includes('BEGIN PUBLIC KEY')) return createPublicKey(k.publicKey);
  const raw = Buffer.from(k.publicKey, 'base64');
  // SubjectPublicKeyInfo for Ed25519: a fixed 12-byte prefix, then the 32-byte key.
  return createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
}

/** The bytes an Ed25519 package signature covers: the SHA-256 of the package, as 64 lowercase hex digits. */
export const signedMessage = (sha256Hex: string) => Buffer.from(sha256Hex.toLowerCase(), 'utf8');

/**
 * Checks a downloaded package: its SHA-256 must equal the catalogue's, and `signature` (base64) must be
 * a valid Ed25519 signature over that hash by the trusted key `keyId`. Throws PackageRefusedError.
 */
export function verifyPackage(bytes: Uint8Array, expected: { sha256: string; signature: string; keyId: string }, trusted: readonly TrustedKey[]): { sha256: string } {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== expected.sha256.toLowerCase()) throw new PackageRefusedError('hash_mismatch', `package hash ${sha256} differs from the catalogue's ${expected.sha256}`);
  const key = trusted.find((k) => k.keyId === expected.keyId);
  if (!key) throw new PackageRefusedError('untrusted_key', `package signed with key ${expected.keyId}, which this terminal does not trust`);
  const ok = verify(null, signedMessage(sha256), keyObject(key), Buffer.from(expected.signature, 'base64'));
  if (!ok) throw new PackageRefusedError('bad_signature', `package signature does not verify with key ${expected.keyId}`);
  return { sha256 };
}
