import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PackageRefusedError, signedMessage, verifyPackage } from './packages.js';

const vendor = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const pem = vendor.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const raw = (vendor.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).subarray(12).toString('base64');
const pkg = Buffer.from('PAYAPP 3.2.1 build 4471');
const sha256 = createHash('sha256').update(pkg).digest('hex');
const signature = sign(null, signedMessage(sha256), vendor.privateKey).toString('base64');

describe('package verification on the terminal', () => {
  it('accepts a package whose hash and vendor signature check out (PEM or raw key)', () => {
    expect(verifyPackage(pkg, { sha256, signature, keyId: 'pax-2026' }, [{ keyId: 'pax-2026', publicKey: pem }])).toEqual({ sha256 });
    expect(verifyPackage(pkg, { sha256, signature, keyId: 'pax-2026' }, [{ keyId: 'pax-2026', publicKey: raw }])).toEqual({ sha256 });
  });

  it('refuses a tampered package, a signature by another key, and a key it does not trust', () => {
    const trusted = [{ keyId: 'pax-2026', publicKey: pem }];
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof PackageRefusedError ? e.reason : 'other';
      }
      return 'accepted';
    };
    expect(refused(() => verifyPackage(Buffer.concat([pkg, Buffer.from('!')]), { sha256, signature, keyId: 'pax-2026' }, trusted))).toBe('hash_mismatch');
    const forged = sign(null, signedMessage(sha256), other.privateKey).toString('base64');
    expect(refused(() => verifyPackage(pkg, { sha256, signature: forged, keyId: 'pax-2026' }, trusted))).toBe('bad_signature');
    expect(refused(() => verifyPackage(pkg, { sha256, signature, keyId: 'unknown' }, trusted))).toBe('untrusted_key');
  });
});
