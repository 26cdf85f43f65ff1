/**
 * Ed25519 public keys as the catalogue stores them: the raw 32 bytes in base64, whatever form the admin
 * pasted (PEM or raw). A private key is refused outright: PosCare never holds a vendor's signing key.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { AppError } from '../errors/errors.js';

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The raw public key (base64) of a PEM or raw-base64 Ed25519 public key; a 400 naming the field otherwise. */
export function normalisePublicKey(input: string): string {
  const text = input.trim();
  if (/PRIVATE KEY/i.test(text)) throw new AppError('software.key_private', 400, {}, [{ path: 'body.publicKey', id: 'software.key_private' }]);
  let key: KeyObject;
  try {
    if (text.includes('BEGIN PUBLIC KEY')) key = createPublicKey(text);
    else {
      const raw = Buffer.from(text, 'base64');
      if (raw.length !== 32) throw new Error('not 32 bytes');
      key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
    }
  } catch {
    throw new AppError('software.key_invalid', 400, {}, [{ path: 'body.publicKey', id: 'software.key_invalid' }]);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AppError('software.key_invalid', 400, {}, [{ path: 'body.publicKey', id: 'software.key_invalid' }]);
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('base64');
}
